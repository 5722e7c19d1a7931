//! `cargo bench --bench console_startup`: the console's first complete frame, idle memory and idle
//! CPU, measured by `tests/bench/measure_startup.sh` (tmux 120×40, median of 5, the way the peers'
//! figures were taken) at 10 ms polling and at 2 ms, then through a control-mode client beside
//! `less` in the same minutes, with the built-in `local` profile so the embedded server's start is
//! included.
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark, like a test, should stop at the first failure"
)]

use std::path::Path;
use std::process::Command;

fn main() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bench/measure_startup.sh");
    if !script.exists() || Command::new("tmux").arg("-V").output().is_err() {
        println!(
            "# console_startup: skipped: needs tmux and {}",
            script.display()
        );
        return;
    }
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    // In the script's environment, which tmux hands to the pane, not through `env`: its exec
    // before the console's would be counted as the console's.
    let vars = [
        ("XDG_CONFIG_HOME", dir.path().join("config")),
        ("XDG_DATA_HOME", dir.path().join("data")),
        ("XDG_STATE_HOME", dir.path().join("state")),
        ("BUCKET_LOCAL_LISTEN", "127.0.0.1:0".into()),
    ];
    let console = [env!("CARGO_BIN_EXE_bucket-console")];
    let measure = |options: &[&str], command: &[&str]| measure(&script, &vars, options, command);
    for poll in ["10", "2"] {
        let median = measure(&["-n", "5", "-p", poll], &console);
        println!("poll {poll:>2} ms: {median}");
    }
    // Polling starts a tmux client per capture (about 7 ms each), so those figures move in steps
    // of that size; the control-mode client sees each write as it comes. `less` in the same
    // minutes, alternating, is the yardstick of the target.
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let less = ["less", readme.to_str().unwrap()];
    let has_less = Command::new("less").arg("--version").output().is_ok();
    let mut ratios = Vec::new();
    for round in 1..=3 {
        let ours = measure(&["-c", "-n", "9", "-i", "1"], &console);
        println!("control mode, round {round}: console {ours}");
        if has_less {
            let theirs = measure(&["-c", "-n", "9", "-i", "1"], &less);
            println!("control mode, round {round}: less    {theirs}");
            if let (Some(a), Some(b)) = (first_ms(&ours), first_ms(&theirs)) {
                ratios.push(a / b);
            }
        }
    }
    if !ratios.is_empty() {
        let shown: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
        let met = ratios.iter().all(|r| *r <= 1.5);
        println!(
            "# first frame / less's, per round: {} (target <= 1.5: {})",
            shown.join(", "),
            if met { "met" } else { "NOT met" }
        );
    }
    println!("# targets: first frame < 20 ms, idle RSS < 12 MB (12 288 KiB), idle CPU 0");
}

/// Runs the script with `options` on `command`; answers its MEDIAN line.
fn measure(
    script: &Path,
    vars: &[(&str, std::path::PathBuf)],
    options: &[&str],
    command: &[&str],
) -> String {
    let out = Command::new("bash")
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .arg(script)
        .args(options)
        .arg("--")
        .args(command)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.starts_with("MEDIAN"))
        .unwrap_or("MEDIAN not found")
        .to_owned()
}

fn first_ms(median: &str) -> Option<f64> {
    median
        .split_whitespace()
        .find_map(|w| w.strip_prefix("first_draw_ms="))?
        .parse()
        .ok()
}

//! `cargo bench --bench console_startup`: the console's first complete frame, idle memory and idle
//! CPU, measured by `tests/bench/measure_startup.sh` (tmux 120×40, median of 5, the way the peers'
//! figures were taken) at 10 ms polling and at 2 ms, with the built-in `local` profile so the
//! embedded server's start is included.
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
    let config = format!("XDG_CONFIG_HOME={}", dir.path().join("config").display());
    let data = format!("XDG_DATA_HOME={}", dir.path().join("data").display());
    for poll in ["10", "2"] {
        let out = Command::new("bash")
            .arg(&script)
            .args([
                "-n",
                "5",
                "-p",
                poll,
                "--",
                "env",
                &config,
                &data,
                env!("CARGO_BIN_EXE_bucket-console"),
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let median = text
            .lines()
            .find(|l| l.starts_with("MEDIAN"))
            .unwrap_or("MEDIAN not found");
        println!("poll {poll:>2} ms: {median}");
    }
    println!("# targets: first frame < 20 ms, idle RSS < 15 MB (15 360 KiB), idle CPU 0");
}

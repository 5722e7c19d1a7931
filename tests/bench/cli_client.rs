//! `cargo bench --bench cli_client`: the CLI as a client, against a `serve` child process.
//!
//! 1. One `bucket-console send` (whole process: start, profile, validation, request, history)
//!    against one `curl` of the same request, median of BENCH_RUNS (default 40) each.
//! 2. `bucket-console replay` of BENCH_EVENTS (default 100 000) events with --concurrency 64.
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark, like a test, should stop at the first failure"
)]

#[path = "load.rs"]
mod load;

#[path = "serve.rs"]
mod serve;

use serve::{KEY, Serve, serve};
use std::process::{Command, Stdio};
use std::time::Instant;

const BODY: &str = r#"{"event":"Sent message","userId":42,"companyId":"acme"}"#;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Bench {
    dir: tempfile::TempDir,
    server: Serve,
}

impl Bench {
    fn cli(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bucket-console"));
        cmd.args(args)
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("HOME", self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    }
}

fn main() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let server = serve(&dir.path().join("bench.sqlite3"));
    let bench = Bench { dir, server };
    serve::add_profile(&mut bench.cli(&[
        "profiles",
        "add",
        "bench",
        "--base",
        &bench.server.1,
        "--key-stdin",
        "--default",
    ]));
    send_vs_curl(&bench, env_number("BENCH_RUNS", 40));
    let replayed = replay(&bench, env_number("BENCH_EVENTS", 100_000));
    let raw = raw_client(&bench);
    println!(
        "# replay / raw client against the same serve process = {:.2}",
        replayed / raw
    );
}

fn send_vs_curl(bench: &Bench, runs: usize) {
    let url = format!("{}/{KEY}/event", bench.server.1);
    let time = |cmd: &mut Command| {
        let started = Instant::now();
        let status = cmd.status().unwrap();
        assert!(status.success(), "{cmd:?}");
        started.elapsed().as_secs_f64() * 1000.0
    };
    let (mut ours, mut curls) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        ours.push(time(
            &mut bench.cli(&["send", "event", "--json", BODY, "--output", "json"]),
        ));
        curls.push(time(
            Command::new("curl")
                .args([
                    "-sS",
                    "-o",
                    "/dev/null",
                    "--fail",
                    "-X",
                    "POST",
                    &url,
                    "-H",
                    "Content-Type: application/json",
                    "--data-raw",
                    BODY,
                ])
                .stdout(Stdio::null()),
        ));
    }
    let (ours, curl) = (median(ours), median(curls));
    println!(
        "# cli_client: send vs curl, {runs} runs each, whole process, against `serve` on loopback"
    );
    println!("send   median {ours:.2} ms");
    println!("curl   median {curl:.2} ms");
    println!("# send / curl = {:.2} (target <= 1.5)", ours / curl);
}

/// Replays `events` calls at concurrency 64; returns calls per second.
fn replay(bench: &Bench, events: usize) -> f64 {
    use std::fmt::Write as _;
    let file = bench.dir.path().join("events.jsonl");
    let mut text = String::with_capacity(events * 90);
    for i in 0..events {
        let _ = writeln!(
            text,
            "{{\"method\":\"event\",\"body\":{{\"event\":\"Sent message\",\"userId\":{},\"companyId\":\"c{}\"}}}}",
            i % 5000,
            i % 50
        );
    }
    std::fs::write(&file, text).unwrap();
    let output = bench
        .cli(&[
            "replay",
            file.to_str().unwrap(),
            "--concurrency",
            "64",
            "--json",
        ])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    println!("# replay: {events} events, --concurrency 64, against `serve` (durable)");
    println!(
        "replay {} events/s in {:.2} s ({} accepted)",
        summary["perSecond"],
        summary["seconds"].as_f64().unwrap(),
        summary["accepted"]
    );
    summary["perSecond"].as_f64().unwrap()
}

/// The same `serve` process driven by the benchmarks' minimal raw HTTP client: what any client in
/// a second process can reach on this machine. Returns requests per second.
fn raw_client(bench: &Bench) -> f64 {
    let addr: std::net::SocketAddr = bench
        .server
        .1
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let request = |conn: usize, i: usize| {
        let body = format!(
            r#"{{"event":"Sent message","userId":{},"companyId":"c{}"}}"#,
            (conn * 97 + i) % 5000,
            i % 50
        );
        load::post(&format!("/{KEY}/event"), &body)
    };
    let report = runtime.block_on(load::run(
        addr,
        64,
        std::time::Duration::from_millis(500),
        std::time::Duration::from_secs(4),
        request,
    ));
    println!("{}", report.line("raw client"));
    report.rate()
}

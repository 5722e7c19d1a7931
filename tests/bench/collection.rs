//! `cargo bench --bench collection`: the collection file's costs.
//!
//! 1. Loading (and checking) a collection of 1 000 templated requests: median of 20 loads
//!    (target under 20 ms).
//! 2. `run rate-export --repeat N --concurrency 64` against `replay` of the same feedback calls,
//!    both against one `serve` child process, alternating twice (BENCH_EVENTS, default 100 000;
//!    target: run at 80% of replay's rate or better).
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark, like a test, should stop at the first failure"
)]

use bucket_console::collection;
use std::fmt::Write as _;
#[path = "serve.rs"]
mod serve;

use serve::serve;
use std::process::{Command, Stdio};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn load_thousand() {
    let mut text = String::from("[vars]\nplan = \"pro\"\n\n");
    for i in 0..1000 {
        let _ = writeln!(
            text,
            "[requests.r{i}]\nmethod = \"{}\"\nbody = {}\n",
            ["user", "company", "event", "feedback"][i % 4],
            [
                "{ userId = \"{{uuid}}\", attributes = { plan = \"{{plan}}\", seats = \"{{int 1..50}}\" } }",
                "{ companyId = \"c-{{int 1..9}}\", userId = \"u-{{seq}}\", attributes = { plan = \"{{plan}}\" } }",
                "{ event = \"Sent message\", userId = \"u-{{seq}}\", companyId = \"acme\", timestamp = \"{{ago 1d..28d}}\" }",
                "{ featureId = \"export\", userId = \"u-{{seq}}\", score = \"{{int 1..5}}\", comment = \"run {{seq}}\" }",
            ][i % 4]
        );
    }
    let path = std::path::Path::new("bench.toml");
    let times: Vec<f64> = (0..20)
        .map(|_| {
            let started = Instant::now();
            let c = collection::parse(path, &text, &[]).unwrap();
            assert_eq!(c.requests.len(), 1000);
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    println!(
        "# collection: load and check 1 000 templated requests ({} KiB)",
        text.len() / 1024
    );
    println!("load  median {:.2} ms (target < 20 ms)", median(times));
}

fn cli(dir: &std::path::Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bucket-console"));
    cmd.args(args)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("HOME", dir)
        .env_remove("BUCKET_COLLECTION")
        .stderr(Stdio::null());
    cmd
}

fn run_against_replay(events: usize) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let server = serve(&dir.path().join("bench.sqlite3"));
    serve::add_profile(&mut cli(
        dir.path(),
        &[
            "profiles",
            "add",
            "bench",
            "--base",
            &server.1,
            "--key-stdin",
            "--user-id",
            "u-bench",
            "--default",
        ],
    ));
    std::fs::write(
        dir.path().join("bucket-console.toml"),
        "[requests.rate-export]\nmethod = \"feedback\"\nbody = { featureId = \"export\", userId = \"{{profile.userId}}\", score = \"{{int 1..5}}\", comment = \"run {{seq}}\" }\n",
    )
    .unwrap();
    let mut lines = String::with_capacity(events * 110);
    for i in 0..events {
        let _ = writeln!(
            lines,
            "{{\"method\":\"feedback\",\"body\":{{\"featureId\":\"export\",\"userId\":\"u-bench\",\"score\":{},\"comment\":\"run {}\"}}}}",
            i % 5 + 1,
            i + 1
        );
    }
    let file = dir.path().join("feedback.jsonl");
    std::fs::write(&file, lines).unwrap();
    let repeat = events.to_string();
    let (mut replays, mut runs) = (Vec::new(), Vec::new());
    for _ in 0..2 {
        let out = cli(
            dir.path(),
            &[
                "replay",
                file.to_str().unwrap(),
                "--concurrency",
                "64",
                "--json",
            ],
        )
        .output()
        .unwrap();
        assert!(out.status.success(), "{out:?}");
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        replays.push(summary["perSecond"].as_f64().unwrap());
        let out = cli(
            dir.path(),
            &[
                "run",
                "rate-export",
                "--repeat",
                &repeat,
                "--concurrency",
                "64",
            ],
        )
        .output()
        .unwrap();
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        let last = text
            .lines()
            .last()
            .unwrap_or_else(|| panic!("no summary: {out:?}"))
            .to_owned();
        // "N call(s) in X s (R/s): …"
        let rate: f64 = last
            .rsplit_once('(')
            .and_then(|(_, r)| r.split_once("/s)"))
            .and_then(|(r, _)| r.parse().ok())
            .unwrap_or_else(|| panic!("no rate in {last:?}"));
        runs.push(rate);
    }
    let (replay, run) = (median(replays.clone()), median(runs.clone()));
    println!(
        "# run vs replay: {events} feedback calls each, --concurrency 64, one `serve` (durable), alternating"
    );
    println!("replay calls/s {replays:?}");
    println!("run    calls/s {runs:?}");
    println!("# run / replay = {:.2} (target >= 0.80)", run / replay);
}

fn main() {
    load_thousand();
    let events = std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    run_against_replay(events);
}

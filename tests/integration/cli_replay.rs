//! `bucket-console replay`: line numbers for bad lines, --strict, concurrency, the summary and the
//! exit statuses.

use crate::support::{Cli, KEY, TestServer};
use bucket_console::server::{ServerConfig, Storage};
use serde_json::json;
use std::sync::Arc;

fn lines(n: usize) -> String {
    let line = |i: usize| json!({"method": "event", "body": {"event": format!("e{i}"), "userId": i, "companyId": "c"}});
    (0..n)
        .map(|i| format!("{}\n", line(i)))
        .collect::<Vec<_>>()
        .concat()
}

async fn setup(config: ServerConfig) -> (TestServer, Arc<Cli>, std::path::PathBuf) {
    let s = TestServer::with(config).await;
    let cli = Arc::new(Cli::new());
    cli.add_profile("p", &s.base, KEY);
    let file = cli.home.path().join("calls.jsonl");
    (s, cli, file)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replays_every_valid_line_concurrently() {
    let (s, cli, file) = setup(ServerConfig::ephemeral(Storage::Memory)).await;
    std::fs::write(&file, lines(500)).unwrap();
    let out = cli
        .run_async(&[
            "replay",
            file.to_str().unwrap(),
            "--profile",
            "p",
            "--concurrency",
            "16",
            "--json",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let summary = out.json();
    assert_eq!(
        (
            summary["sent"].clone(),
            summary["accepted"].clone(),
            summary["failed"].clone()
        ),
        (json!(500), json!(500), json!(0))
    );
    assert_eq!(s.inspect("stats").await["events"], json!(500));
    let logged = cli.run(&["log", "--limit", "1000", "--json"]).json();
    assert_eq!(
        logged.as_array().unwrap().len(),
        500,
        "every exchange is logged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_history_bound_only_the_newest_exchanges_are_logged() {
    let s = TestServer::with(ServerConfig::ephemeral(Storage::Memory)).await;
    let cli = Arc::new(Cli::new().env("BUCKET_HISTORY_LIMIT", "100"));
    cli.add_profile("p", &s.base, KEY);
    cli.run(&["send", "user", "userId:=1", "--profile", "p"]);
    let file = cli.home.path().join("calls.jsonl");
    std::fs::write(&file, lines(300)).unwrap();
    let out = cli
        .run_async(&[
            "replay",
            file.to_str().unwrap(),
            "--profile",
            "p",
            "--concurrency",
            "8",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(s.inspect("stats").await["events"], json!(300));
    let logged = cli.run(&["log", "--limit", "1000", "--json"]).json();
    let logged = logged.as_array().unwrap();
    assert_eq!(logged.len(), 100, "the bound holds");
    assert!(
        logged.iter().all(|e| e["method"] == "event"),
        "the newest 100 are replay's: the earlier send was dropped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_lines_are_named_skipped_or_stop_everything_with_strict() {
    let (s, cli, file) = setup(ServerConfig::ephemeral(Storage::Memory)).await;
    let text = format!(
        "{}not json\n\n{{\"method\":\"evnt\",\"body\":{{}}}}\n{{\"method\":\"user\",\"body\":{{\"userID\":1}}}}\n{}",
        lines(2),
        lines(1)
    );
    std::fs::write(&file, text).unwrap();
    let path = file.to_str().unwrap();
    let strict = cli
        .run_async(&["replay", path, "--profile", "p", "--strict"])
        .await;
    assert_eq!(strict.code, 1, "{strict:?}");
    assert!(
        strict.stderr.contains("nothing was sent"),
        "{}",
        strict.stderr
    );
    assert_eq!(s.inspect("stats").await["events"], json!(0));

    let out = cli.run_async(&["replay", path, "--profile", "p"]).await;
    assert_eq!(out.code, 1, "skipped lines make exit 1: {out:?}");
    for needle in [
        "line 3: not JSON",
        "line 5: unknown method `evnt`",
        "line 6: /userID unknown field `userID`; did you mean `userId`?",
    ] {
        assert!(out.stderr.contains(needle), "{needle}: {}", out.stderr);
    }
    assert!(
        out.stdout.contains("sent 3 in")
            && out
                .stdout
                .contains("3 accepted, 0 rejected, 0 failed; 3 line(s) skipped"),
        "{}",
        out.stdout
    );
    assert_eq!(s.inspect("stats").await["events"], json!(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undeliverable_calls_exit_3() {
    let mut config = ServerConfig::ephemeral(Storage::Memory);
    config.fail_rate = 1.0;
    let (_s, cli, file) = setup(config).await;
    std::fs::write(&file, lines(3)).unwrap();
    let out = cli
        .run_async(&["replay", file.to_str().unwrap(), "--profile", "p", "--json"])
        .await;
    assert_eq!(out.code, 3, "{out:?}");
    assert_eq!(out.json()["failed"], json!(3));
    assert!(out.stderr.contains("line 1: 500"), "{}", out.stderr);
}

#[test]
fn a_missing_file_is_a_usage_error() {
    let out = Cli::new().run(&["replay", "/nonexistent.jsonl"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot read /nonexistent.jsonl"));
}

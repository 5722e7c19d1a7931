//! `run` for CI: tags select what runs and show in `--list`, and `--output tap` is TAP 14 that a
//! parser accepts, its plan counting its test points.

use crate::support::{Cli, KEY, TestServer, run_collection as run, with_collection};
use serde_json::json;
use std::sync::Arc;

const COLLECTION: &str = r#"
[requests.ping]
method = "user"
body = { userId = "u-ping" }
tags = ["smoke"]

[requests.heavy]
method = "company"
body = { companyId = "c-heavy", userId = "u-ping" }
tags = ["smoke", "slow"]

[requests.untagged]
method = "user"
body = { userId = "u-untagged" }

[[scenarios.flow]]
method = "event"
body = { event = "Opened", userId = "u-flow" }
tags = ["flow"]

[[scenarios.flow]]
method = "event"
body = { event = "Wrong", userId = "u-flow" }
expect = { status = 200, warning = "NO_SUCH_WARNING" }
"#;

async fn setup() -> (TestServer, Arc<Cli>, std::path::PathBuf) {
    with_collection(COLLECTION).await
}

async fn user_ids(server: &TestServer) -> Vec<String> {
    let users = server.inspect("users").await;
    let mut ids: Vec<String> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userId"].as_str().unwrap_or_default().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_select_what_runs_and_show_in_the_listing() {
    let (server, cli, path) = setup().await;
    let list = run(&cli, &path, &["--list"]).await;
    assert_eq!(list.code, 0, "{list:?}");
    assert!(
        list.stdout
            .contains("heavy                    company  [smoke, slow]"),
        "{}",
        list.stdout
    );
    assert!(
        list.stdout.contains("2 steps, 2 calls  [flow]"),
        "{}",
        list.stdout
    );
    let smoke = run(
        &cli,
        &path,
        &[
            "--tags",
            "smoke",
            "--exclude-tags",
            "slow",
            "--output",
            "json",
        ],
    )
    .await;
    assert_eq!(smoke.code, 0, "{smoke:?}");
    assert_eq!(smoke.stdout.matches("\"item\":\"ping\"").count(), 1);
    assert_eq!(user_ids(&server).await, ["u-ping"]);
    assert_eq!(
        server.inspect("companies").await,
        json!([]),
        "slow left out"
    );
    let named = run(&cli, &path, &["untagged", "heavy", "--tags", "smoke"]).await;
    assert_eq!(named.code, 0, "{named:?}");
    assert_eq!(user_ids(&server).await, ["u-ping"], "untagged not run");
    let none = run(&cli, &path, &["--tags", "smok"]).await;
    assert_eq!(none.code, 2, "{none:?}");
    assert!(
        none.stderr
            .contains("no request or scenario is selected by --tags smok"),
        "{}",
        none.stderr
    );
    assert!(none.stderr.contains("flow, slow, smoke"), "{}", none.stderr);
}

/// A small TAP 14 reader: the version line, then test points, YAML blocks under them and one
/// plan; returns the points' (ok, number) and the plan's count.
fn parse_tap(text: &str) -> (Vec<(bool, u64)>, u64) {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("TAP version 14"), "{text}");
    let (mut points, mut plan, mut in_yaml) = (Vec::new(), None, false);
    for line in lines {
        if in_yaml {
            if line == "  ..." {
                in_yaml = false;
            } else {
                assert!(line.starts_with("  "), "a YAML line is indented: {line}");
                let (key, value) = line.trim_start().split_once(": ").unwrap();
                assert!(
                    ["verdict", "message", "status", "seq"].contains(&key),
                    "{line}"
                );
                if key == "message" {
                    serde_json::from_str::<String>(value).unwrap();
                }
            }
            continue;
        }
        if line == "  ---" {
            assert!(
                points.last().is_some_and(|(ok, _)| !ok),
                "only a failure has a block"
            );
            in_yaml = true;
        } else if let Some(n) = line.strip_prefix("1..") {
            assert!(plan.is_none(), "one plan");
            plan = Some(n.parse().unwrap());
        } else {
            let (ok, rest) = match line.strip_prefix("not ok ") {
                Some(rest) => (false, rest),
                None => (true, line.strip_prefix("ok ").expect(line)),
            };
            let (n, description) = rest.split_once(" - ").expect(line);
            assert!(
                !description.is_empty() && !description.contains(" # "),
                "{line}"
            );
            let n: u64 = n.parse().unwrap();
            assert_eq!(n, points.len() as u64 + 1, "numbered in order: {line}");
            points.push((ok, n));
        }
    }
    assert!(!in_yaml, "every YAML block is closed");
    (points, plan.expect("a plan"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tap_output_is_tap_14_with_a_plan_that_counts_its_points() {
    let (_server, cli, path) = setup().await;
    let out = run(
        &cli,
        &path,
        &["ping", "flow", "--repeat", "3", "--output", "tap"],
    )
    .await;
    assert_eq!(out.code, 1, "{out:?}");
    let (points, plan) = parse_tap(&out.stdout);
    assert_eq!(plan, 9, "{}", out.stdout);
    assert_eq!(points.len(), 9);
    assert_eq!(points.iter().filter(|(ok, _)| !ok).count(), 3);
    assert!(out.stdout.contains("expected the warning NO_SUCH_WARNING"));
    assert!(!out.stdout.contains(KEY));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_dry_run_sends_logs_and_queues_nothing_and_exits_by_the_verdict() {
    use std::sync::atomic::Ordering;
    let answer = (
        200,
        vec![("x-seen", "yes".to_owned())],
        "{\"success\":true}".to_owned(),
    );
    let (base, hits) = crate::support::scripted_server(vec![answer]).await;
    let cli = Arc::new(Cli::new());
    cli.add_profile("app", &base, KEY);
    let valid = cli
        .run_async(&["send", "user", "userId=u1", "--profile", "app", "--dry-run"])
        .await;
    assert_eq!(valid.code, 0, "{valid:?}");
    assert!(valid.stdout.contains("POST "), "{}", valid.stdout);
    assert!(valid.stdout.contains("/user"), "{}", valid.stdout);
    assert!(valid.stdout.contains("Content-Type: application/json"));
    assert!(
        valid.stdout.contains("\"userId\": \"u1\""),
        "{}",
        valid.stdout
    );
    assert!(valid.stdout.contains("valid: the body passes"));
    assert!(
        !valid.stdout.contains(KEY),
        "the key is masked: {}",
        valid.stdout
    );
    let invalid = cli
        .run_async(&[
            "send",
            "feedback",
            "featureId=f",
            "userId=u1",
            "score:=9",
            "--profile",
            "app",
            "--dry-run",
            "--print",
            "Bhb",
        ])
        .await;
    assert_eq!(invalid.code, 1, "{invalid:?}");
    assert!(invalid.stdout.contains("not valid"), "{}", invalid.stdout);
    assert!(invalid.stdout.contains("score"), "{}", invalid.stdout);
    assert!(!invalid.stdout.contains("POST "), "no H asked for");
    assert!(!invalid.stdout.contains("success"), "h and b print nothing");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the server saw no call");
    let log = cli.run_async(&["log", "--json"]).await;
    assert_eq!(log.json(), json!([]), "nothing logged: {log:?}");
    let outbox = cli.run_async(&["outbox", "list", "--json"]).await;
    assert_eq!(outbox.json(), json!([]), "nothing queued: {outbox:?}");
    let bad = cli
        .run_async(&[
            "send",
            "user",
            "userId=u1",
            "--profile",
            "app",
            "--print",
            "Hx",
        ])
        .await;
    assert_eq!(bad.code, 2, "{bad:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    let printed = cli
        .run_async(&[
            "send",
            "user",
            "userId=u1",
            "--profile",
            "app",
            "--print",
            "hb",
        ])
        .await;
    assert_eq!(printed.code, 0, "{printed:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert!(printed.stdout.contains("x-seen: yes"), "{}", printed.stdout);
    assert!(
        printed.stdout.contains("\"success\": true"),
        "{}",
        printed.stdout
    );
    assert!(
        !printed.stdout.contains("userId"),
        "no B asked for: {}",
        printed.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_dry_run_judges_by_expectation_and_sends_nothing() {
    use std::sync::atomic::Ordering;
    let (base, hits) = crate::support::scripted_server(vec![(200, vec![], "{}".to_owned())]).await;
    let cli = Arc::new(Cli::new());
    cli.add_profile("app", &base, KEY);
    let path = cli.home.path().join("bucket-console.toml");
    std::fs::write(
        &path,
        r#"
[[scenarios.rate]]
method = "feedback"
body = { featureId = "export", userId = "u1", score = 4 }
save = { fid = "response:/feedbackId", who = "request:/userId" }

[[scenarios.rate]]
method = "event"
body = { event = "Rated", userId = "{{who}}", attributes = { feedback = "{{fid}}" } }

[[scenarios.refused]]
method = "feedback"
body = { featureId = "export", userId = "u1", score = 9 }
expect = { status = 400 }

[[scenarios.wrongly-refused]]
method = "user"
body = { userId = "u1" }
expect = { status = 400 }
"#,
    )
    .unwrap();
    let ok = run(&cli, &path, &["rate", "refused", "--dry-run"]).await;
    assert_eq!(ok.code, 0, "{ok:?}");
    assert!(
        ok.stdout.contains("\"feedback\": \"from step 1's answer\""),
        "{}",
        ok.stdout
    );
    assert!(ok.stdout.contains("\"userId\": \"u1\""), "{}", ok.stdout);
    assert_eq!(
        ok.stdout.matches("✓ would pass").count(),
        3,
        "{}",
        ok.stdout
    );
    assert!(!ok.stdout.contains(KEY), "the key is masked");
    let bad = run(&cli, &path, &["wrongly-refused", "--dry-run"]).await;
    assert_eq!(bad.code, 1, "{bad:?}");
    assert!(
        bad.stdout
            .contains("meant to be refused, but the contract accepts it")
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the server saw no call");
    let log = cli.run_async(&["log", "--json"]).await;
    assert_eq!(log.json(), json!([]), "nothing logged: {log:?}");
}

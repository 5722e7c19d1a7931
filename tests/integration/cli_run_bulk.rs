//! `run --bulk N` and a step's `bulk = N` on a runtime profile: calls go N to a `/bulk` request,
//! the log has one entry a batch, and JUnit, TAP and JSON judge each call on its own (a 400
//! names the refused item, and the others of that batch are said not stored). A tracking
//! profile exits 2.

use crate::support::{Cli, TestServer, scripted_server};
use serde_json::{Value, json};
use std::sync::Arc;

const SECRET: &str = "sec_runBulkTest_0123456789abcdef";

const COLLECTION: &str = r#"
[requests.signup]
method = "user"
body = { userId = "rb-{{seq}}" }

[[scenarios.load]]
method = "event"
body = { event = "e", userId = "rb-ev-{{seq}}" }
repeat = 5
bulk = 2

[[scenarios.load]]
request = "signup"
"#;

fn setup(base: &str) -> (Arc<Cli>, String) {
    let cli = Arc::new(Cli::new());
    let out = cli.run_with(
        &[
            "profiles",
            "add",
            "rt",
            "--runtime",
            "--base",
            base,
            "--key-stdin",
        ],
        SECRET,
    );
    assert_eq!(out.code, 0, "{out:?}");
    let path = cli.home.path().join("bucket-console.toml");
    std::fs::write(&path, COLLECTION).unwrap();
    (cli, path.to_str().unwrap().to_owned())
}

async fn run(cli: &Arc<Cli>, path: &str, profile: &str, args: &[&str]) -> crate::support::Out {
    let mut all = vec!["run", "--collection", path, "--profile", profile];
    all.extend_from_slice(args);
    cli.run_async(&all).await
}

fn log_urls(cli: &Cli) -> Vec<String> {
    let log = cli.run(&["log", "--json", "--limit", "100"]);
    let entries: Value = serde_json::from_str(log.stdout.trim()).unwrap_or(json!([]));
    entries
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["url"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_and_rounds_go_in_batches_and_each_call_is_judged() {
    let s = TestServer::start().await;
    let (cli, path) = setup(&s.base);
    // A step's five repeats in batches of two, then a single call.
    let out = run(&cli, &path, "rt", &["load", "--output", "junit"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("tests=\"6\" failures=\"0\""), "{out:?}");
    let urls = log_urls(&cli);
    assert_eq!(
        urls.iter().filter(|u| u.ends_with("/bulk")).count(),
        3,
        "{urls:?}"
    );
    assert_eq!(urls.iter().filter(|u| u.ends_with("/user")).count(), 1);
    // Five rounds of a lone request, one batch.
    let out = run(
        &cli,
        &path,
        "rt",
        &["signup", "--repeat", "5", "--bulk", "5", "--output", "tap"],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout.matches("\nok ").count(), 5, "{out:?}");
    assert_eq!(log_urls(&cli).len(), 5, "one more entry, the batch");
    let env = bucket_console::api::AnyKey::parse(bucket_console::api::Api::Runtime, SECRET)
        .unwrap()
        .data_key();
    let (_, stats) = s.get(&format!("/_local/{}/stats", env.expose())).await;
    assert_eq!(stats["events"], 5, "{stats}");
    assert_eq!(
        stats["users"], 11,
        "five events' users, one and five signups: {stats}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_batch_fails_each_call_with_its_own_reason() {
    let real = TestServer::start().await;
    let answer = real
        .http
        .post(format!("{}/bulk", real.base))
        .header("authorization", format!("Bearer {SECRET}"))
        .json(&json!([{"type": "user", "userId": "a"}, {"type": "user"}, {"type": "user", "userId": "c"}]))
        .send()
        .await
        .unwrap();
    let body = answer.text().await.unwrap();
    let (base, hits) = scripted_server(vec![(
        400,
        vec![("content-type", "application/json".to_owned())],
        body,
    )])
    .await;
    let (cli, path) = setup(&base);
    let out = run(
        &cli,
        &path,
        "rt",
        &["signup", "--repeat", "3", "--bulk", "3", "--output", "json"],
    )
    .await;
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    let calls: Vec<Value> = out
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("item").is_some())
        .collect();
    assert_eq!(calls.len(), 3, "{out:?}");
    let reason = |i: usize| calls[i]["reason"].as_str().unwrap_or_default().to_owned();
    assert!(calls.iter().all(|c| c["verdict"] == "refused"), "{out:?}");
    assert!(reason(1).contains("/1/userId"), "{}", reason(1));
    for i in [0, 2] {
        assert!(
            reason(i).contains("not stored") && reason(i).contains("#1"),
            "{}",
            reason(i)
        );
    }
    let junit = run(
        &cli,
        &path,
        "rt",
        &[
            "signup", "--repeat", "3", "--bulk", "3", "--output", "junit",
        ],
    )
    .await;
    assert!(
        junit.stdout.contains("tests=\"3\" failures=\"3\""),
        "{junit:?}"
    );
}

#[test]
fn batches_on_a_tracking_profile_exit_2_and_say_why() {
    // Refused before anything is sent: no server needed.
    let (cli, path) = setup("http://127.0.0.1:9");
    cli.add_profile("tr", "http://127.0.0.1:9", crate::support::KEY);
    let base = ["run", "--collection", path.as_str(), "--profile", "tr"];
    let flag = cli.run(&[&base[..], &["signup", "--bulk", "2"]].concat());
    assert_eq!(flag.code, 2, "{flag:?}");
    assert!(
        flag.stderr.contains("`run --bulk`") && flag.stderr.contains("tracking API"),
        "{flag:?}"
    );
    let step = cli.run(&[&base[..], &["load"]].concat());
    assert_eq!(step.code, 2, "{step:?}");
    assert!(step.stderr.contains("bulk = N"), "{step:?}");
}

#[test]
fn a_step_bulk_past_the_servers_bound_is_named_with_its_line() {
    let (cli, path) = setup("http://127.0.0.1:9");
    std::fs::write(&path, COLLECTION.replace("bulk = 2", "bulk = 101")).unwrap();
    let out = cli.run(&["run", "--check", "--collection", &path, "--profile", "rt"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("bucket-console.toml:")
            && out.stderr.contains("bulk is a whole number from 1 to 100"),
        "{out:?}"
    );
}

//! `replay --bulk N` on a runtime profile: lines go N to a `/bulk` request, each line is counted
//! by its own item's verdict (a 400 names the refused item by pointer, and the other lines of
//! that batch are said not stored), the log has one entry a batch; a tracking profile exits 2.

use crate::support::{Cli, TestServer, scripted_server};
use serde_json::{Value, json};
use std::sync::Arc;

const SECRET: &str = "sec_replayBulkTest_0123456789abcdef";

fn add_runtime(cli: &Cli, name: &str, base: &str) {
    let out = cli.run_with(
        &[
            "profiles",
            "add",
            name,
            "--runtime",
            "--base",
            base,
            "--key-stdin",
        ],
        SECRET,
    );
    assert_eq!(out.code, 0, "{out:?}");
}

fn lines(n: usize) -> String {
    use std::fmt::Write as _;
    (0..n).fold(String::new(), |mut text, i| {
        let line = if i % 2 == 0 {
            json!({"method": "user", "body": {"userId": format!("rb-{i}")}})
        } else {
            json!({"method": "event", "body": {"event": "e", "userId": format!("rb-{i}")}})
        };
        let _ = writeln!(text, "{line}");
        text
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lines_go_n_to_a_bulk_request_and_each_is_counted() {
    let s = TestServer::start().await;
    let cli = Arc::new(Cli::new());
    add_runtime(&cli, "rt", &s.base);
    let file = cli.home.path().join("calls.jsonl");
    std::fs::write(&file, lines(7)).unwrap();
    let out = cli
        .run_async(&[
            "replay",
            file.to_str().unwrap(),
            "--profile",
            "rt",
            "--bulk",
            "3",
            "--json",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let summary = out.json();
    assert_eq!(summary["accepted"], 7, "{summary}");
    assert_eq!(summary["requests"], 3, "{summary}");
    let env = bucket_console::api::AnyKey::parse(bucket_console::api::Api::Runtime, SECRET)
        .unwrap()
        .data_key();
    let (_, stats) = s.get(&format!("/_local/{}/stats", env.expose())).await;
    // An event makes its user too: seven users, three events.
    assert_eq!(
        (&stats["users"], &stats["events"]),
        (&json!(7), &json!(3)),
        "{stats}"
    );
    let log = cli.run_async(&["log", "--json"]).await;
    let entries: Value = serde_json::from_str(log.stdout.trim()).unwrap();
    let urls: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["url"].as_str())
        .collect();
    assert_eq!(urls.len(), 3, "one entry a batch: {log:?}");
    assert!(urls.iter().all(|u| u.ends_with("/bulk")), "{urls:?}");
    assert!(!log.stdout.contains(SECRET));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_batch_names_its_item_and_says_the_others_were_not_stored() {
    // The real server's 400 for a batch whose second item has no userId, played back.
    let real = TestServer::start().await;
    let answer = real
        .http
        .post(format!("{}/bulk", real.base))
        .header("authorization", format!("Bearer {SECRET}"))
        .json(&json!([{"type": "user", "userId": "a"}, {"type": "user"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let body = answer.text().await.unwrap();
    assert!(body.contains("/1/userId"), "{body}");
    let (base, hits) = scripted_server(vec![(
        400,
        vec![("content-type", "application/json".to_owned())],
        body,
    )])
    .await;
    let cli = Arc::new(Cli::new());
    add_runtime(&cli, "rt", &base);
    let file = cli.home.path().join("calls.jsonl");
    std::fs::write(&file, lines(2)).unwrap();
    let out = cli
        .run_async(&[
            "replay",
            file.to_str().unwrap(),
            "--profile",
            "rt",
            "--bulk",
            "2",
        ])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one request"
    );
    assert!(out.stdout.contains("0 accepted, 2 rejected"), "{out:?}");
    assert!(out.stderr.contains("line 2: 400 /1/userId"), "{out:?}");
    assert!(
        out.stderr.contains("line 1: 400 not stored") && out.stderr.contains("refused for item #1"),
        "{out:?}"
    );
}

#[test]
fn bulk_on_a_tracking_profile_exits_2_and_says_why() {
    let cli = Cli::new();
    let out = cli.run_with(&["replay", "-", "--bulk", "10"], &lines(1));
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("tracking API") && out.stderr.contains("/bulk"),
        "{out:?}"
    );
}

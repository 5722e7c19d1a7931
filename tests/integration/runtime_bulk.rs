//! `POST /bulk` over real TCP: every item shape the SDKs send, bad items anywhere refusing the
//! whole batch with every problem at its pointer, the 100-item and 1 MiB bounds, the Traffic row
//! of a batch, and SIGKILL under `/bulk` load losing no acknowledged batch.

use crate::runtime_support::{PUB, SEC, on_file, rows, send};
use crate::support::{assert_error_shape, binary, code, problems};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Every item shape @reflag/node-sdk 1.7.1 and @reflag/browser-sdk 1.6.1 put in a batch.
fn sdk_shapes() -> Value {
    json!([
        {"type": "user", "userId": "u1", "attributes": {"name": "Ann", "plan": "pro"}},
        {"type": "user", "userId": 42, "attributes": {}, "context": {"active": false}},
        {"type": "company", "companyId": "c1", "userId": "u1", "attributes": {"seats": 5}},
        {"type": "company", "companyId": 7, "context": {"active": true}},
        {"type": "event", "event": "Sent", "userId": "u1", "companyId": "c1",
         "attributes": {"size": 3}, "context": {"active": false}},
        {"type": "event", "event": "Sent", "userId": "u1"},
        {"type": "feature-flag-event", "action": "check", "key": "huddle", "targetingVersion": 2,
         "evalResult": true, "evalContext": {"user": {"id": "u1"}, "company": {"id": "c1"}},
         "evalRuleResults": [true, false], "evalMissingFields": []},
        {"type": "feature-flag-event", "action": "check-config", "key": "huddle", "evalResult": {}},
        {"type": "feature-flag-event", "action": "check-config", "key": "huddle",
         "evalResult": {"key": "v2", "payload": {"max": 3}}, "evalContext": {}},
        {"type": "feature-flag-event", "action": "check-is-enabled", "key": "huddle",
         "targetingVersion": 1, "evalResult": false,
         "evalContext": {"user": {"id": "u1", "email": "a@b.c"}, "other": {"page": "x"}}},
        {"type": "feature-flag-event", "action": "evaluate", "key": "huddle", "evalResult": true},
        {"type": "prompt-event", "action": "received", "featureId": "f1", "promptId": "p1",
         "userId": "u1", "promptedQuestion": "How is it?"},
        {"type": "prompt-event", "action": "shown", "featureId": "f1", "promptId": "p1",
         "userId": "u1", "promptedQuestion": "How is it?"},
        {"type": "prompt-event", "action": "dismissed", "featureId": "f1", "promptId": "p1",
         "userId": "u1", "promptedQuestion": "How is it?"},
        {"type": "feedback", "key": "huddle", "userId": "u1", "score": 4, "source": "sdk"},
        {"type": "feedback", "featureId": "f1", "userId": "u1", "comment": "ok", "source": "prompt",
         "promptId": "p1", "promptedQuestion": "How is it?", "question": "How is it?"}
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_item_shape_the_sdks_send_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let s = on_file(&dir, &[]).await;
    for key in [PUB, SEC] {
        let (status, answer) = send(&s, Some(key), "/bulk", &sdk_shapes().to_string()).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["success"], true);
    }
    assert_eq!(rows(&dir, "users", "local"), 2);
    assert_eq!(rows(&dir, "companies", "local"), 2);
    assert_eq!(rows(&dir, "events", "local"), 4);
    assert_eq!(rows(&dir, "flag_events", "local"), 10);
    assert_eq!(rows(&dir, "prompt_events", "local"), 6);
    assert_eq!(rows(&dir, "feedback", "local"), 4);
}

/// Problems of several kinds, one item fine.
fn mixed() -> Value {
    json!([
        {"type": "user", "userId": "ok"},
        {"type": "usr", "userId": "u"},
        "event",
        {"type": "feature-flag-event", "action": "peek", "key": "k", "evalResult": 3},
        {"type": "prompt-event", "action": "shown", "featureId": "f", "promptId": "p"},
        {"type": "feedback", "userId": "u", "score": 9, "key": "k"}
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_bad_item_anywhere_refuses_the_batch_with_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let s = on_file(&dir, &[]).await;
    let good = |i: usize| json!({"type": "event", "event": format!("e{i}"), "userId": "u"});
    // The bad items' positions: first, middle, last, and several at once.
    let cases: [&[usize]; 4] = [&[0], &[4], &[9], &[0, 5, 9]];
    for bad in cases {
        let items: Vec<Value> = (0..10)
            .map(|i| {
                if bad.contains(&i) {
                    json!({"type": "event", "event": "x"})
                } else {
                    good(i)
                }
            })
            .collect();
        let (status, answer) = send(&s, Some(PUB), "/bulk", &Value::Array(items).to_string()).await;
        assert_eq!(status, 400, "{answer}");
        assert_error_shape(&answer);
        let got: Vec<(String, String)> = problems(&answer);
        let want: Vec<(String, String)> = bad
            .iter()
            .map(|i| (format!("/{i}/userId"), "REQUIRED".to_owned()))
            .collect();
        assert_eq!(got, want);
    }
    // Problems of several kinds in one batch, each at its pointer.
    let mixed = mixed();
    let (status, answer) = send(&s, Some(PUB), "/bulk", &mixed.to_string()).await;
    assert_eq!(status, 400);
    let paths: Vec<String> = problems(&answer).into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        paths,
        [
            "/1/type",
            "/2",
            "/3/action",
            "/3/evalResult",
            "/4/userId",
            "/5/score"
        ]
    );
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nothing of the batch was stored")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_the_store_refuses_leaves_nothing_and_traffic_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = on_file(&dir, &[]).await;
    let (status, _) = send(&s, Some(PUB), "/bulk", &mixed().to_string()).await;
    assert_eq!(status, 400);
    // A batch the store refuses (an unknown feedbackId) leaves nothing, not even its first items.
    let refused = json!([
        {"type": "user", "userId": "first"},
        {"type": "feedback", "key": "k", "userId": "u", "score": 3,
         "feedbackId": "8f14e45f-ceea-467f-a9f1-2b3c4d5e6f70"}
    ]);
    let (status, answer) = send(&s, Some(PUB), "/bulk", &refused.to_string()).await;
    assert_eq!(
        (status, code(&answer)),
        (400, "FEEDBACK_NOT_FOUND"),
        "{answer}"
    );
    assert_eq!(problems(&answer)[0].0, "/1/feedbackId");
    for table in [
        "users",
        "events",
        "flag_events",
        "prompt_events",
        "feedback",
    ] {
        assert_eq!(rows(&dir, table, "local"), 0, "{table}");
    }
    // Traffic opens the refused batch into its items, each with its verdict.
    let (_, recorded) = s.get("/_local/local/requests").await;
    let last = recorded
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|r| r["body"].as_str().unwrap().contains("usr"))
        .unwrap()
        .clone();
    let verdicts: Vec<_> = last["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["verdict"].clone())
        .collect();
    assert_eq!(
        verdicts,
        [
            json!("not-stored"),
            json!("refused"),
            json!("refused"),
            json!("refused"),
            json!("refused"),
            json!("refused")
        ]
    );
    assert_eq!(last["items"][1]["problems"][0]["path"], "/1/type");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_items_are_stored_and_more_is_413_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let s = on_file(&dir, &[]).await;
    let batch = |n: usize, pad: usize| {
        let items: Vec<Value> = (0..n)
            .map(|i| {
                json!({"type": "event", "event": format!("e{i}"), "userId": "u", "companyId": "c",
                             "attributes": {"pad": "x".repeat(pad)}})
            })
            .collect();
        Value::Array(items).to_string()
    };
    let (status, answer) = send(&s, Some(PUB), "/bulk", &batch(100, 0)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(rows(&dir, "events", "local"), 100);
    let (status, answer) = send(&s, Some(PUB), "/bulk", &batch(101, 0)).await;
    assert_eq!((status, code(&answer)), (413, "BODY_TOO_LARGE"));
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 100 items"),
        "{answer}"
    );
    // What an SDK's full batch of large events weighs still fits; past 1 MiB is refused whole.
    let (status, _) = send(&s, Some(PUB), "/bulk", &batch(100, 9_000)).await;
    assert_eq!(status, 200);
    let (status, answer) = send(&s, Some(PUB), "/bulk", &batch(100, 11_000)).await;
    assert_eq!((status, code(&answer)), (413, "BODY_TOO_LARGE"));
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1048576 bytes (1 MiB)"),
        "{answer}"
    );
    assert_eq!(rows(&dir, "events", "local"), 200);
    // The record keeps a batch whole up to the limit.
    let (_, recorded) = s.get("/_local/local/requests").await;
    let big = &recorded[2];
    assert_eq!(big["bodyTruncated"], false);
    assert_eq!(big["items"].as_array().unwrap().len(), 100);
}

/// A `serve` child on `db`, killed when dropped.
struct Serve {
    child: std::process::Child,
    base: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(db: &std::path::Path) -> Serve {
    let mut child = Command::new(binary())
        .args(["serve", "--listen", "127.0.0.1:0", "--quiet", "--db"])
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let base = crate::support::listening_on(&mut child);
    Serve { child, base }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_bulk_load_loses_no_acknowledged_batch() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bulk.sqlite3");
    let acknowledged: Arc<Mutex<HashSet<String>>> = Arc::default();
    let http = reqwest::Client::new();
    for round in 0..3 {
        let serve = spawn(&db);
        let killed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut load = Vec::new();
        for worker in 0..8 {
            let (http, base, acked) = (http.clone(), serve.base.clone(), Arc::clone(&acknowledged));
            let killed = Arc::clone(&killed);
            load.push(tokio::spawn(async move {
                for i in 0.. {
                    if killed.load(std::sync::atomic::Ordering::SeqCst) {
                        return;
                    }
                    let batch = format!("r{round}-w{worker}-{i}");
                    let items: Vec<Value> = (0..20)
                        .map(|n| json!({"type": "event", "event": format!("{batch}-{n}"), "userId": worker, "companyId": "c"}))
                        .collect();
                    match http
                        .post(format!("{base}/bulk"))
                        .header("authorization", format!("Bearer {PUB}"))
                        .json(&items)
                        .timeout(Duration::from_secs(10))
                        .send()
                        .await
                    {
                        Ok(resp) if resp.status() == 200 => {
                            acked.lock().unwrap().extend((0..20).map(|n| format!("{batch}-{n}")));
                        }
                        Ok(resp) => panic!("unexpected {}", resp.status()),
                        Err(_) => return,
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(150 + fastrand::u64(0..400))).await;
        killed.store(true, std::sync::atomic::Ordering::SeqCst);
        drop(serve);
        for task in load {
            task.await.unwrap();
        }
        let serve = spawn(&db);
        let mut stored = HashSet::new();
        let mut offset = 0;
        loop {
            let page: Vec<Value> = http
                .get(format!(
                    "{}/_local/local/events?limit=1000&offset={offset}",
                    serve.base
                ))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            offset += page.len();
            stored.extend(page.iter().map(|e| e["event"].as_str().unwrap().to_owned()));
            if page.len() < 1000 {
                break;
            }
        }
        let acked = acknowledged.lock().unwrap().clone();
        let lost: Vec<_> = acked.difference(&stored).collect();
        assert!(
            lost.is_empty(),
            "round {round}: {} acknowledged items lost, e.g. {:?}",
            lost.len(),
            lost.first()
        );
        assert!(
            acked.len() > round * 20,
            "round {round}: the load did run ({})",
            acked.len()
        );
        // Whole batches only: every batch stored has its twenty items.
        let mut per_batch = std::collections::HashMap::<String, usize>::new();
        for e in &stored {
            *per_batch
                .entry(e.rsplit_once('-').unwrap().0.to_owned())
                .or_default() += 1;
        }
        assert!(
            per_batch.values().all(|n| *n == 20),
            "a batch was stored in part"
        );
        drop(serve);
    }
}

/// The Trust rules hold on `/bulk`: a batch that stalls is given up (408) and one cut short is
/// refused (400), each storing nothing and recorded as incomplete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_or_cut_batch_stores_nothing() {
    use crate::trust_server::{addr, quick_server, read_until_closed};
    use tokio::io::AsyncWriteExt;
    let s = quick_server().await;
    let body = r#"[{"type":"event","event":"e","userId":"u"}]"#;
    let head = format!(
        "POST /bulk HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {PUB}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let mut stalled = tokio::net::TcpStream::connect(addr(&s)).await.unwrap();
    stalled.write_all(head.as_bytes()).await.unwrap();
    stalled.write_all(&body.as_bytes()[..10]).await.unwrap();
    let (answer, _) = read_until_closed(&mut stalled, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let mut cut = tokio::net::TcpStream::connect(addr(&s)).await.unwrap();
    cut.write_all(head.as_bytes()).await.unwrap();
    cut.write_all(&body.as_bytes()[..10]).await.unwrap();
    drop(cut);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, events) = s.get("/_local/local/events").await;
    assert_eq!(events, json!([]));
    let (_, recorded) = s.get("/_local/local/requests").await;
    let incomplete: Vec<_> = recorded
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["local"]["status"].clone(), r["bodyIncomplete"].clone()))
        .collect();
    assert_eq!(
        incomplete,
        [(json!(408), json!(true)), (json!(400), json!(true))]
    );
}

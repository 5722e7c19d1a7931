//! The traffic recorder over real TCP: the reference's request shapes and two invalid calls sent
//! to `serve`, read back from `/requests` and from the live stream with the right verdicts; and
//! `serve --forward` to a second server standing in for the real service, with both verdicts.

use crate::support::{KEY, OTHER_KEY, TestServer, binary, listening_on, scripted_server};
use bucket_console::api::TrackingKey;
use bucket_console::api::inspect::RequestRecord;
use bucket_console::inspect::Inspector;
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Serve {
    child: Child,
    base: String,
}

impl Serve {
    fn start(extra: &[&str]) -> Self {
        let mut child = Command::new(binary())
            .args(["serve", "--memory", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let base = listening_on(&mut child);
        Self { child, base }
    }

    /// Stops the server and returns everything it printed on stderr.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let out = std::mem::replace(&mut self.child, Command::new("true").spawn().unwrap())
            .wait_with_output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The reference's examples (numeric ids as it writes them), sent as the browser SDK would, then
/// two calls that break the rules: (method, body, expected local status).
fn calls() -> Vec<(&'static str, Value, u16)> {
    vec![
        (
            "user",
            json!({"userId": 1234567890, "attributes": {"name": "Rasmus Makwarth", "custom_property": true, "some_number": 12}}),
            200,
        ),
        (
            "company",
            json!({"companyId": 101112231415u64, "attributes": {"name": "Acme Corp", "monthly_spend": 99, "activated": true}, "userId": 1234567890}),
            200,
        ),
        (
            "event",
            json!({"event": "Sent message", "userId": 1234567890, "attributes": {"position": "popover", "version": 3}, "companyId": "my_company_id"}),
            200,
        ),
        (
            "feedback",
            json!({"featureId": "my_feature_id", "userId": 1234567890, "companyId": 101112231415u64, "score": 4, "comment": "It's pretty nice, but I expect slightly more to be fully satisfied"}),
            200,
        ),
        ("event", json!({"event": "Sent message", "userID": 1}), 400),
        ("evnt", json!({"event": "Sent message", "userId": 1}), 404),
    ]
}

async fn send_all(base: &str) -> Vec<u16> {
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for (method, body, _) in calls() {
        let resp = http
            .post(format!("{base}/{KEY}/{method}"))
            .header("bucket-sdk-version", "browser-sdk/3.1.0")
            .header("origin", "http://localhost:3000")
            .json(&body)
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
    }
    statuses
}

fn check_local_verdicts(records: &[RequestRecord]) {
    let expected = calls();
    assert_eq!(records.len(), expected.len(), "{records:#?}");
    for (r, (method, body, status)) in records.iter().zip(expected) {
        assert_eq!(r.path, format!("/{{key}}/{method}"));
        assert_eq!(r.method, "POST");
        assert_eq!(r.local.status, Some(status), "{r:#?}");
        assert_eq!(serde_json::from_str::<Value>(&r.body).unwrap(), body);
        assert_eq!(r.headers.sdk_version.as_deref(), Some("browser-sdk/3.1.0"));
        assert_eq!(r.headers.origin.as_deref(), Some("http://localhost:3000"));
        assert_eq!(r.headers.content_type.as_deref(), Some("application/json"));
        assert!(!r.body.contains(KEY) && !r.path.contains(KEY));
    }
    let rejected = &records[4].local;
    let paths: Vec<_> = rejected
        .validation_errors
        .iter()
        .map(|e| e.path.as_str())
        .collect();
    assert_eq!(paths, ["/userID", "/userId"], "{rejected:#?}");
    assert!(
        records[5]
            .local
            .message
            .as_deref()
            .unwrap_or("")
            .contains("did you mean `event`")
    );
    assert!(
        records[2].local.warnings.is_empty(),
        "the event names a company: no warning"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_is_recorded_with_its_verdict_and_streamed_live() {
    let serve = Serve::start(&[]);
    let inspector = Inspector::new(&serve.base, TrackingKey::parse(KEY).unwrap()).unwrap();
    let stream = inspector.request_stream(None).await.unwrap();
    let collector = tokio::spawn(async move {
        stream
            .take(calls().len())
            .map(Result::unwrap)
            .collect::<Vec<_>>()
            .await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let statuses = send_all(&serve.base).await;
    assert_eq!(
        statuses,
        calls().iter().map(|c| c.2).collect::<Vec<_>>(),
        "without --forward the app gets the local answers"
    );
    let records = inspector.requests(None, 100).await.unwrap();
    check_local_verdicts(&records);
    assert!(records.iter().all(|r| r.upstream.is_none()));
    let streamed = tokio::time::timeout(Duration::from_secs(5), collector)
        .await
        .expect("the stream delivers every request")
        .unwrap();
    assert_eq!(streamed, records, "the stream and the list agree");

    // Paging and resuming: after an id, and the stream's backlog.
    let after: u64 = records[3].id.parse().unwrap();
    let rest = inspector.requests(Some(after), 100).await.unwrap();
    assert_eq!(rest, records[4..]);
    let newest_two = inspector.requests(None, 2).await.unwrap();
    assert_eq!(newest_two, records[4..]);
    let backlog: Vec<_> = inspector
        .request_stream(Some(after))
        .await
        .unwrap()
        .take(2)
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(backlog, records[4..]);
    // Keys do not see each other's traffic.
    let other = Inspector::new(&serve.base, TrackingKey::parse(OTHER_KEY).unwrap()).unwrap();
    assert!(other.requests(None, 100).await.unwrap().is_empty());
    // The routes check their query like the other inspection routes, and have no CORS (a page
    // of another origin is refused outright).
    let http = reqwest::Client::new();
    let from_a_page = http
        .get(format!("{}/_local/{KEY}/requests", serve.base))
        .header("origin", "http://localhost:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(from_a_page.status(), 403);
    assert!(
        from_a_page
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let refused = http
        .get(format!("{}/_local/{KEY}/requests?aftr=3", serve.base))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("did you mean `after`")
    );
    let stderr = serve.stop();
    assert!(!stderr.contains(KEY), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarding_records_both_verdicts_and_answers_with_the_upstreams() {
    let upstream = TestServer::start().await;
    let serve = Serve::start(&["--forward", &upstream.base]);
    let statuses = send_all(&serve.base).await;
    assert_eq!(statuses, calls().iter().map(|c| c.2).collect::<Vec<_>>());
    let inspector = Inspector::new(&serve.base, TrackingKey::parse(KEY).unwrap()).unwrap();
    let records = inspector.requests(None, 100).await.unwrap();
    check_local_verdicts(&records);
    for r in &records {
        let up = r.upstream.as_ref().expect("an upstream verdict");
        assert_eq!(up.status, r.local.status, "{r:#?}");
        assert_eq!(up.validation_errors, r.local.validation_errors);
    }
    // The upstream stored the valid calls as they were sent.
    let stats = upstream.inspect("stats").await;
    assert_eq!(
        (
            &stats["users"],
            &stats["companies"],
            &stats["events"],
            &stats["feedback"]
        ),
        (&json!(1), &json!(2), &json!(1), &json!(1)),
        "the event's my_company_id is the second company"
    );
    assert_eq!(
        upstream.inspect("users/1234567890").await["companies"],
        json!(["101112231415"])
    );
    let stderr = serve.stop();
    assert!(stderr.contains("forwarding tracking calls to"), "{stderr}");
    assert!(
        !stderr.contains(KEY),
        "the forwarded key is never logged: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_that_disagrees_or_is_down_is_shown_beside_the_local_verdict() {
    // A lenient upstream: it accepts what the contract refuses.
    let (lenient, hits) =
        scripted_server(vec![(200, vec![], "{\"success\":true}".to_owned())]).await;
    let serve = Serve::start(&["--forward", &lenient]);
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{}/{KEY}/event", serve.base))
        .json(&json!({"event": "x", "userID": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "the app gets the real service's answer");
    let inspector = Inspector::new(&serve.base, TrackingKey::parse(KEY).unwrap()).unwrap();
    let r = &inspector.requests(None, 10).await.unwrap()[0];
    assert_eq!(
        (r.local.status, r.upstream.as_ref().unwrap().status),
        (Some(400), Some(200))
    );
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    drop(serve);

    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let serve = Serve::start(&["--forward", &format!("http://{free}")]);
    let resp = http
        .post(format!("{}/{KEY}/user", serve.base))
        .json(&json!({"userId": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 502);
    assert!(resp.headers().get("access-control-allow-origin").is_some());
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], json!("UPSTREAM_FAILED"));
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("did not answer") && !message.contains(KEY),
        "{message}"
    );
    let inspector = Inspector::new(&serve.base, TrackingKey::parse(KEY).unwrap()).unwrap();
    let r = &inspector.requests(None, 10).await.unwrap()[0];
    assert_eq!(r.local.status, Some(200), "checked and stored here");
    let up = r.upstream.as_ref().unwrap();
    assert_eq!(up.status, None);
    assert!(up.message.as_deref().is_some_and(|m| !m.contains(KEY)));
    let stderr = serve.stop();
    assert!(!stderr.contains(KEY), "{stderr}");

    let refused = Command::new(binary())
        .args([
            "serve",
            "--memory",
            "--listen",
            "127.0.0.1:0",
            "--forward",
            "ftp://x",
        ])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--forward needs an http(s) URL"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_open_streams_instead_of_waiting_on_them() {
    let mut serve = Serve::start(&[]);
    let inspector = Inspector::new(&serve.base, TrackingKey::parse(KEY).unwrap()).unwrap();
    let mut stream = Box::pin(inspector.request_stream(None).await.unwrap());
    crate::support::sigterm(&serve.child);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        if serve.child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "serve still running 5 s after SIGTERM with a stream open"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        tokio::time::timeout(Duration::from_secs(2), stream.next())
            .await
            .unwrap()
            .is_none(),
        "the stream ended"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_prints_the_backlog_then_each_request_as_it_arrives() {
    use std::io::BufRead;
    let serve = Serve::start(&[]);
    let http = reqwest::Client::new();
    let post = |method: &'static str, body: Value| {
        let (http, url) = (http.clone(), format!("{}/{KEY}/{method}", serve.base));
        async move {
            http.post(url)
                .header("bucket-sdk-version", "node-sdk/1.2.0")
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(post("user", json!({"userId": "before"})).await, 200);
    let cli = crate::support::Cli::new();
    cli.add_profile("p", &serve.base, "someOtherKey_12345678");
    let mut watch = cli
        .command()
        .args(["watch", "--profile", "p", "--key", KEY])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(watch.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.contains("200") && first.contains("POST user"),
        "{first}"
    );
    assert!(first.contains("node-sdk/1.2.0"), "{first}");
    assert_eq!(post("event", json!({"event": "e", "userID": 1})).await, 400);
    let second = lines.next().unwrap().unwrap();
    assert!(
        second.contains("400")
            && second.contains("/userID unknown field `userID`; did you mean `userId`?"),
        "{second}"
    );
    let _ = watch.kill();
    let _ = watch.wait();

    let mut json_watch = cli
        .command()
        .args([
            "watch",
            "--profile",
            "p",
            "--key",
            KEY,
            "--json",
            "--last",
            "0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(json_watch.stdout.take().unwrap()).lines();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        post("company", json!({"companyId": 7, "userId": 1})).await,
        200
    );
    let record: RequestRecord = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(
        (record.path.as_str(), record.local.status),
        ("/{key}/company", Some(200))
    );
    let _ = json_watch.kill();
    let _ = json_watch.wait();
    let out = cli.run(&["watch", "--profile", "p", "--key", "no spaces allowed"]);
    assert_eq!(out.code, 2, "{out:?}");
}

//! assets/contract.md §8 on the wire, through the library client, for both ways it sends: the shared
//! pool (`Client::send`: `send`, the console) and a worker's own connection (`Worker::send`:
//! `replay`). Timeouts, refused connections, dropped connections, `Retry-After`, a 5xx then
//! success, and a server that closes every connection must all end the same way through both.

use crate::support::{KEY, TestServer, scripted_server};
use bucket_console::api::TrackingKey;
use bucket_console::client::{Client, ClientConfig, Exchange, Outcome, RetryPolicy, Target};
use bucket_console::server::{ServerConfig, Storage};
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, Clone, Copy)]
enum Via {
    Pool,
    Worker,
}

const BOTH: [Via; 2] = [Via::Pool, Via::Worker];

pub fn quick_client(attempts: u32, timeout: Duration) -> Client {
    Client::new(ClientConfig {
        retry: RetryPolicy {
            attempts,
            base: Duration::from_millis(10),
            cap: Duration::from_millis(20),
        },
        connect_timeout: Duration::from_secs(1),
        timeout,
    })
    .unwrap()
}

pub fn target(base: &str) -> Target {
    Target {
        profile: "t".into(),
        base_url: base.to_owned(),
        key: bucket_console::api::AnyKey::Tracking(TrackingKey::parse(KEY).unwrap()),
    }
}

async fn send(via: Via, client: &Client, base: &str, route: &str, body: &'static str) -> Exchange {
    let target = target(base);
    let body = bytes::Bytes::from_static(body.as_bytes());
    match via {
        Via::Pool => client.send(&target, route, body).await,
        Via::Worker => client.worker(&target).send(&target, route, body).await,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_server_times_out_each_attempt_and_the_exchange_fails() {
    for via in BOTH {
        let mut config = ServerConfig::ephemeral(Storage::Memory);
        config.latency = Duration::from_millis(400);
        let s = TestServer::with(config).await;
        let client = quick_client(3, Duration::from_millis(100));
        let exchange = send(
            via,
            &client,
            &s.base,
            "event",
            r#"{"event":"e","userId":1}"#,
        )
        .await;
        assert_eq!(exchange.outcome, Outcome::Failed, "{via:?}");
        assert_eq!(exchange.attempts.len(), 3, "{via:?}");
        for a in &exchange.attempts {
            assert_eq!(a.status, None);
            assert!(
                a.error.as_deref().is_some_and(|e| e.contains("timed out")),
                "{via:?} {a:?}"
            );
            assert!(
                a.latency_ms >= 100.0 && a.latency_ms < 400.0,
                "{via:?} {a:?}"
            );
        }
        assert!(!exchange.url.contains(KEY) && exchange.url.contains("…LjWy"));
        // The server did its work before the answer was late: a retried timeout can store twice.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            s.inspect("stats").await["events"],
            serde_json::json!(3),
            "{via:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_listening_fails_fast_without_a_possible_duplicate() {
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    for via in BOTH {
        let client = quick_client(2, Duration::from_secs(5));
        let exchange = send(
            via,
            &client,
            &format!("http://{free}"),
            "user",
            r#"{"userId":1}"#,
        )
        .await;
        assert_eq!(
            (
                exchange.outcome,
                exchange.attempts.len(),
                exchange.possibly_duplicated
            ),
            (Outcome::Failed, 2, false),
            "{via:?}"
        );
        assert!(
            exchange
                .problem()
                .is_some_and(|p| p.contains("Connection refused") || p.contains("connect")),
            "{via:?} {:?}",
            exchange.problem()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_a_429_and_a_502_then_success() {
    for via in BOTH {
        let (base, hits) = scripted_server(vec![
            (429, vec![("retry-after", "1".to_owned())], "{}".to_owned()),
            (502, vec![], "bad gateway".to_owned()),
            (200, vec![], "{\"success\":true}".to_owned()),
        ])
        .await;
        let client = quick_client(3, Duration::from_secs(5));
        let started = std::time::Instant::now();
        let exchange = send(via, &client, &base, "user", r#"{"userId":1}"#).await;
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "{via:?}: Retry-After honoured"
        );
        let statuses: Vec<_> = exchange.attempts.iter().map(|a| a.status).collect();
        assert_eq!(statuses, [Some(429), Some(502), Some(200)], "{via:?}");
        assert_eq!(exchange.outcome, Outcome::Delivered);
        assert!(
            exchange.possibly_duplicated,
            "{via:?}: the 502 may have been stored"
        );
        assert_eq!(hits.load(Ordering::SeqCst), 3);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_after_the_request_is_retried_as_a_possible_duplicate() {
    for via in BOTH {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            for n in 0.. {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let mut buf = vec![0u8; 4096];
                let _ = stream.read(&mut buf).await;
                if n > 0 {
                    let body = "{\"success\":true}";
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(answer.as_bytes()).await;
                    let _ = stream.read(&mut buf).await;
                }
            }
        });
        let client = quick_client(3, Duration::from_secs(5));
        let exchange = send(via, &client, &base, "user", r#"{"userId":1}"#).await;
        assert_eq!(
            exchange.attempts.len(),
            2,
            "{via:?} {:?}",
            exchange.attempts
        );
        assert_eq!(exchange.attempts[0].status, None);
        assert_eq!(exchange.outcome, Outcome::Delivered, "{via:?}");
        assert!(exchange.possibly_duplicated, "{via:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_reconnects_when_the_server_closes_each_connection() {
    let (base, hits) = scripted_server(vec![(
        200,
        vec![("connection", "close".to_owned())],
        "{\"success\":true}".to_owned(),
    )])
    .await;
    let client = quick_client(1, Duration::from_secs(5));
    let target = target(&base);
    let mut worker = client.worker(&target);
    for _ in 0..5 {
        let exchange = worker
            .send(
                &target,
                "user",
                bytes::Bytes::from_static(b"{\"userId\":1}"),
            )
            .await;
        assert_eq!(
            exchange.outcome,
            Outcome::Delivered,
            "{:?}",
            exchange.attempts
        );
        assert_eq!(exchange.attempts.len(), 1);
    }
    assert_eq!(hits.load(Ordering::SeqCst), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_sends_call_after_call_and_reads_refusals() {
    let s = TestServer::start().await;
    let client = quick_client(1, Duration::from_secs(5));
    let target = target(&s.base);
    let mut worker = client.worker(&target);
    for i in 0..20 {
        let exchange = worker
            .send(
                &target,
                "event",
                bytes::Bytes::from(format!(r#"{{"event":"e{i}","userId":1}}"#)),
            )
            .await;
        assert_eq!(exchange.status(), Some(200), "{:?}", exchange.response);
    }
    let rejected = worker
        .send(
            &target,
            "event",
            bytes::Bytes::from_static(b"{\"userId\":1}"),
        )
        .await;
    assert_eq!(rejected.outcome, Outcome::Rejected);
    assert!(
        rejected
            .validation_errors
            .iter()
            .any(|e| e.path == "/event")
    );
    assert_eq!(s.inspect("stats").await["events"], serde_json::json!(20));
}

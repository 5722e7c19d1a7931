//! CONTRACT.md §8 timeouts, through the library client: an answer slower than the timeout is a
//! failed attempt, retried, and recorded; the server may have stored each one.

use crate::support::{KEY, TestServer};
use bucket_console::api::TrackingKey;
use bucket_console::client::{Client, ClientConfig, Outcome, RetryPolicy, Target};
use bucket_console::server::{ServerConfig, Storage};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_server_times_out_each_attempt_and_the_exchange_fails() {
    let mut config = ServerConfig::ephemeral(Storage::Memory);
    config.latency = Duration::from_millis(400);
    let s = TestServer::with(config).await;
    let client = Client::new(ClientConfig {
        retry: RetryPolicy {
            attempts: 3,
            base: Duration::from_millis(10),
            cap: Duration::from_millis(20),
        },
        connect_timeout: Duration::from_secs(1),
        timeout: Duration::from_millis(100),
    })
    .unwrap();
    let target = Target {
        profile: "t".into(),
        base_url: s.base.clone(),
        key: TrackingKey::parse(KEY).unwrap(),
    };
    let exchange = client
        .send(
            &target,
            "event",
            bytes::Bytes::from_static(br#"{"event":"e","userId":1}"#),
        )
        .await;
    assert_eq!(exchange.outcome, Outcome::Failed);
    assert_eq!(exchange.attempts.len(), 3);
    for a in &exchange.attempts {
        assert_eq!(a.status, None);
        assert!(
            a.error.as_deref().is_some_and(|e| e.contains("timed out")),
            "{a:?}"
        );
        assert!(a.latency_ms >= 100.0 && a.latency_ms < 400.0, "{a:?}");
    }
    assert!(!exchange.url.contains(KEY) && exchange.url.contains("trCq…LjWy"));
    // The server did its work before the answer was late: a retried timeout can store twice.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(s.inspect("stats").await["events"], serde_json::json!(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_listening_fails_fast_without_a_possible_duplicate() {
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let client = Client::new(ClientConfig {
        retry: RetryPolicy {
            attempts: 2,
            base: Duration::from_millis(10),
            cap: Duration::from_millis(20),
        },
        ..ClientConfig::default()
    })
    .unwrap();
    let target = Target {
        profile: "t".into(),
        base_url: format!("http://{free}"),
        key: TrackingKey::parse(KEY).unwrap(),
    };
    let exchange = client
        .send(
            &target,
            "user",
            bytes::Bytes::from_static(br#"{"userId":1}"#),
        )
        .await;
    assert_eq!(
        (
            exchange.outcome,
            exchange.attempts.len(),
            exchange.possibly_duplicated
        ),
        (Outcome::Failed, 2, false)
    );
    assert!(
        exchange
            .problem()
            .is_some_and(|p| p.contains("Connection refused") || p.contains("connect")),
        "{:?}",
        exchange.problem()
    );
}

//! assets/contract.md §3 and §7 at the HTTP level: CORS, 404/405, the Host check, fault injection,
//! latency, the prompting-init stub and health.

use crate::support::{KEY, TestServer, assert_error_shape, code};
use bucket_console::server::{ServerConfig, Storage};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracking_routes_answer_preflights_and_allow_any_origin() {
    let s = TestServer::start().await;
    for path in ["user", "event", "feedback/prompting-init"] {
        let resp = s
            .http
            .request(reqwest::Method::OPTIONS, format!("{}/{KEY}/{path}", s.base))
            .header("origin", "http://localhost:3000")
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 204, "{path}");
        let h = resp.headers();
        assert_eq!(h["access-control-allow-origin"], "*");
        assert_eq!(h["access-control-allow-methods"], "POST, OPTIONS");
        assert_eq!(
            h["access-control-allow-headers"],
            "content-type, bucket-sdk-version"
        );
    }
    for body in [json!({"userId": 1}), json!({"nope": 1})] {
        let resp = s
            .http
            .post(format!("{}/{KEY}/user", s.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.headers()["access-control-allow-origin"],
            "*",
            "success and failure alike"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspection_routes_have_no_cors() {
    let s = TestServer::start().await;
    for origin in [None, Some("http://x")] {
        let mut req = s.http.get(format!("{}/_local/{KEY}/users", s.base));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        let resp = req.send().await.unwrap();
        // A page of another origin is refused outright (trust_stars), and never told it may read.
        assert_eq!(resp.status(), if origin.is_some() { 403 } else { 200 });
        assert!(resp.headers().get("access-control-allow-origin").is_none());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_methods_are_404_and_other_verbs_405() {
    let s = TestServer::start().await;
    let (status, answer) = s.post("users", json!({"userId": 1})).await;
    assert_eq!((status, code(&answer)), (404, "UNKNOWN_METHOD"));
    assert_error_shape(&answer);
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("user, company, event, feedback")
            && message.contains("did you mean `user`"),
        "{message}"
    );

    for verb in [
        reqwest::Method::GET,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let resp = s
            .http
            .request(verb.clone(), format!("{}/{KEY}/event", s.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 405, "{verb}");
        assert_eq!(resp.headers()["allow"], "POST, OPTIONS");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(code(&body), "METHOD_NOT_ALLOWED");
    }
    let resp = s
        .http
        .post(format!("{}/_local/health", s.base))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    let (status, answer) = s.get("/nothing/here/at/all").await;
    assert_eq!((status, code(&answer)), (404, "NOT_FOUND"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdk_version_header_is_accepted_and_prompting_init_says_no() {
    let s = TestServer::start().await;
    let resp = s
        .http
        .post(format!("{}/{KEY}/event", s.base))
        .header("bucket-sdk-version", "browser-2.4.0")
        .json(&json!({"event": "e", "userId": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = s
        .http
        .post(format!("{}/{KEY}/feedback/prompting-init", s.base))
        .json(&json!({"userId": "1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    assert_eq!(
        resp.json::<serde_json::Value>().await.unwrap(),
        json!({"success": false})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_ok_and_the_version() {
    let s = TestServer::start().await;
    let (status, body) = s.get("/_local/health").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"ok": true, "version": env!("CARGO_PKG_VERSION")})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_servers_answer_only_loopback_hosts() {
    let s = TestServer::start().await;
    let port = s.server.addr().port();
    for host in ["evil.example", "localhost.evil.example", "192.168.1.5"] {
        for path in ["/_local/health".to_owned(), format!("/{KEY}/user")] {
            let resp = s
                .http
                .post(format!("{}{path}", s.base))
                .header("host", host)
                .json(&json!({"userId": 1}))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 403, "{host} {path}");
            assert_eq!(code(&resp.json().await.unwrap()), "FORBIDDEN_HOST");
        }
    }
    for host in [
        format!("localhost:{port}"),
        "127.0.0.1".to_owned(),
        "[::1]:9".to_owned(),
    ] {
        let resp = s
            .http
            .get(format!("{}/_local/health", s.base))
            .header("host", host.as_str())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{host}");
    }
    // HTTP/1.0 without a Host header is served.
    let mut tcp = tokio::net::TcpStream::connect(s.server.addr())
        .await
        .unwrap();
    tcp.write_all(b"GET /_local/health HTTP/1.0\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");
    assert_eq!(
        s.snapshot().await["stats"]["users"],
        json!(0),
        "the refused POSTs stored nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_rate_one_answers_500_and_stores_nothing() {
    let mut config = ServerConfig::ephemeral(Storage::Memory);
    config.fail_rate = 1.0;
    let s = TestServer::with(config).await;
    for _ in 0..5 {
        let (status, answer) = s.post("event", json!({"event": "e", "userId": 1})).await;
        assert_eq!((status, code(&answer)), (500, "UNKNOWN_ERROR"));
        assert_error_shape(&answer);
    }
    let (status, answer) = s.post("event", json!({"event": "e"})).await;
    assert_eq!(status, 400, "a bad request is still a 400: {answer}");
    assert_eq!(s.inspect("stats").await["events"], json!(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_rate_half_fails_about_half() {
    let mut config = ServerConfig::ephemeral(Storage::Memory);
    config.fail_rate = 0.5;
    let s = TestServer::with(config).await;
    let mut ok = 0;
    for i in 0..200 {
        let (status, _) = s.post("event", json!({"event": "e", "userId": i})).await;
        assert!(status == 200 || status == 500, "{status}");
        ok += u64::from(status == 200);
    }
    assert!((60..=140).contains(&ok), "{ok} of 200 succeeded");
    assert_eq!(
        s.inspect("stats").await["events"],
        json!(ok),
        "exactly the answered calls are stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_delays_every_answer() {
    let mut config = ServerConfig::ephemeral(Storage::Memory);
    config.latency = Duration::from_millis(150);
    let s = TestServer::with(config).await;
    let started = Instant::now();
    let (status, _) = s.get("/_local/health").await;
    assert_eq!(status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
    let started = Instant::now();
    s.ok("user", json!({"userId": 1})).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_fail_rate_is_refused_at_start() {
    let mut config = ServerConfig::ephemeral(Storage::Memory);
    config.fail_rate = 1.5;
    let err = bucket_console::server::start(config)
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("between 0 and 1"), "{err}");
}

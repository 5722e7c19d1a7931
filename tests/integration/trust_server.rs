//! `serve`'s connections as a careless or hostile client would hold them, over real sockets:
//! stalled headers and bodies, idle connections, more connections than it serves or descriptors it
//! has, a stop while clients stall, network binds. Timeouts are set to a second or so to keep
//! `cargo test` fast; every server is started here on 127.0.0.1 (one on 0.0.0.0 for the Host rule,
//! addressed on 127.0.0.1). `trust_requests` holds what a request carries.

use crate::support::{KEY, TestServer, binary, listening_on};
use bucket_console::server::{Limits, ServerConfig, Storage};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub fn quick_limits() -> Limits {
    Limits {
        header_timeout: Duration::from_millis(800),
        body_idle_timeout: Duration::from_millis(800),
        body_total_timeout: Duration::from_secs(3),
        idle_timeout: Duration::from_secs(2),
        ..Limits::default()
    }
}

pub async fn quick_server() -> TestServer {
    TestServer::with(ServerConfig {
        limits: quick_limits(),
        ..ServerConfig::ephemeral(Storage::Memory)
    })
    .await
}

pub fn addr(s: &TestServer) -> String {
    s.base.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes, or `within` passes; returns what came and whether it closed.
pub async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> (String, bool) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return (String::from_utf8_lossy(&got).into_owned(), true),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&got).into_owned(), false),
        }
    }
}

pub async fn events_stored(s: &TestServer) -> usize {
    s.inspect("events?limit=1000")
        .await
        .as_array()
        .map_or(0, Vec::len)
}

pub async fn records(s: &TestServer) -> Vec<Value> {
    s.inspect("requests?limit=1000")
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
}

pub const EVENT: &str = r#"{"event":"cut","userId":1}"#;

/// A tracking call's request line and headers, `framing` (Content-Length or Transfer-Encoding
/// lines) included, up to the blank line.
/// A connection that asked for KEY's live stream of recorded requests, and reads nothing yet.
pub async fn open_stream(address: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(
            format!("GET /_local/{KEY}/requests/stream HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    stream
}

pub fn post_head(framing: &str) -> String {
    format!(
        "POST /{KEY}/event HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n{framing}\r\n"
    )
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_headers_and_silent_connections_are_closed_at_the_header_timeout() {
    let s = quick_server().await;
    // Connected, never a byte.
    let mut silent = TcpStream::connect(addr(&s)).await.unwrap();
    // Half the headers, then nothing.
    let mut half = TcpStream::connect(addr(&s)).await.unwrap();
    half.write_all(b"POST /x/event HTTP/1.1\r\nhost: 127.0.0.1\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let (_, closed) = read_until_closed(&mut silent, Duration::from_secs(3)).await;
    assert!(closed, "a silent connection is closed");
    let (_, closed) = read_until_closed(&mut half, Duration::from_secs(3)).await;
    assert!(closed, "a half-sent header is closed");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(700) && took < Duration::from_millis(2500),
        "{took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_alive_connection_outlives_the_header_timeout_until_the_idle_timeout() {
    let s = quick_server().await;
    let mut stream = TcpStream::connect(addr(&s)).await.unwrap();
    let request = format!(
        "{}{EVENT}",
        post_head(&format!("content-length: {}\r\n", EVENT.len()))
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let idle_from = Instant::now();
    // Past the header timeout (0.8 s) it is still open and still serves.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    stream.write_all(request.as_bytes()).await.unwrap();
    let n = stream.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let idle_from2 = Instant::now();
    let (_, closed) = read_until_closed(&mut stream, Duration::from_secs(4)).await;
    assert!(closed);
    let idle = idle_from2.elapsed();
    assert!(
        idle >= Duration::from_millis(1800) && idle < Duration::from_millis(3500),
        "closed after {idle:?} idle (idle timeout 2 s)"
    );
    assert!(idle_from.elapsed() > Duration::from_secs(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_gets_a_408_and_nothing_is_stored() {
    let s = quick_server().await;
    let mut stream = TcpStream::connect(addr(&s)).await.unwrap();
    let head = format!(
        "{}{}",
        post_head(&format!("content-length: {}\r\n", EVENT.len())),
        &EVENT[..10]
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let (answer, closed) = read_until_closed(&mut stream, Duration::from_secs(4)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("REQUEST_TIMEOUT"), "{answer}");
    assert!(closed);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(events_stored(&s).await, 0);
    assert_eq!(records(&s).await[0]["bodyIncomplete"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_trickles_past_the_total_timeout_is_given_up() {
    let s = quick_server().await;
    let mut stream = TcpStream::connect(addr(&s)).await.unwrap();
    let head = post_head(&format!("content-length: {}\r\n", EVENT.len()));
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    // A byte every 0.5 s: never silent for the idle 0.8 s, but past the total 3 s.
    for b in EVENT.bytes() {
        if stream.write_all(&[b]).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        if started.elapsed() > Duration::from_secs(5) {
            break;
        }
    }
    let (answer, _) = read_until_closed(&mut stream, Duration::from_secs(2)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(events_stored(&s).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_max_connections_new_ones_wait_and_are_served_when_one_ends() {
    let s = TestServer::with(ServerConfig {
        limits: Limits {
            max_connections: 3,
            header_timeout: Duration::from_secs(30),
            ..Limits::default()
        },
        ..ServerConfig::ephemeral(Storage::Memory)
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(addr(&s)).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let http = reqwest::Client::new();
    let url = format!("{}/_local/health", s.base);
    let waiting = tokio::spawn(async move { http.get(url).send().await.map(|r| r.status()) });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "the fourth connection waits");
    held.pop();
    let status = tokio::time::timeout(Duration::from_secs(3), waiting)
        .await
        .expect("served once a connection ends")
        .unwrap()
        .unwrap();
    assert_eq!(status, 200);
}

#[test]
fn sigterm_exits_within_8_s_while_a_client_stalls_and_keeps_what_was_acknowledged() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("t.sqlite3");
    let start = || {
        let mut child = Command::new(binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--quiet", "--db"])
            .arg(&db)
            .env("HOME", home.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let base = listening_on(&mut child);
        (child, base)
    };
    let (mut child, base) = start();
    let rt = crate::support::runtime();
    let stalled = rt.block_on(async {
        let http = reqwest::Client::new();
        for i in 0..20 {
            let r = http
                .post(format!("{base}/{KEY}/event"))
                .json(&serde_json::json!({"event": "kept", "userId": i}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
        // One client stalls mid-body, one mid-header, one follows the stream.
        let address = base.trim_start_matches("http://").to_owned();
        let mut body = TcpStream::connect(&address).await.unwrap();
        body.write_all(format!("{}{{\"ev", post_head("content-length: 100\r\n")).as_bytes())
            .await
            .unwrap();
        let mut header = TcpStream::connect(&address).await.unwrap();
        header
            .write_all(b"POST /k/event HTTP/1.1\r\n")
            .await
            .unwrap();
        let stream = open_stream(&address).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        (body, header, stream)
    });
    let stopped = Instant::now();
    crate::support::sigterm(&child);
    let exit = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(8),
            "serve still runs 8 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
    drop(stalled);
    let log = crate::support::stderr_of(&mut child);

    let (mut again, base) = start();
    let stored = rt.block_on(async {
        reqwest::get(format!("{base}/_local/{KEY}/stats"))
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    });
    assert_eq!(stored["events"], 20, "{stored} {log}");
    let _ = again.kill();
    let _ = again.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_bind_accepts_ip_literals_localhost_and_allowed_names_only() {
    let s = TestServer::with(ServerConfig {
        listen: "0.0.0.0:0".parse().unwrap(),
        limits: Limits {
            allowed_hosts: vec!["demo.lan".into()],
            ..Limits::default()
        },
        ..ServerConfig::ephemeral(Storage::Memory)
    })
    .await;
    let port = s.server.addr().port();
    let health = |host: String| {
        let http = s.http.clone();
        async move {
            http.get(format!("http://127.0.0.1:{port}/_local/health"))
                .header("host", host)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(health(format!("127.0.0.1:{port}")).await, 200);
    assert_eq!(health(format!("192.168.1.7:{port}")).await, 200);
    assert_eq!(health(format!("localhost:{port}")).await, 200);
    assert_eq!(health(format!("demo.lan:{port}")).await, 200);
    assert_eq!(health(format!("attacker.example:{port}")).await, 403);
    assert_eq!(health("demo.lan.attacker.example".to_owned()).await, 403);
}

#[test]
fn serve_warns_on_a_network_bind() {
    let mut child = Command::new(binary())
        .args(["serve", "--listen", "0.0.0.0:0", "--memory"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = listening_on(&mut child);
    std::thread::sleep(Duration::from_millis(200));
    crate::support::sigterm(&child);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning: listening on 0.0.0.0"), "{stderr}");
    assert!(stderr.contains("--allow-host"), "{stderr}");
}

#[test]
fn three_hundred_idle_connections_under_256_descriptors_do_not_shut_a_client_out() {
    let mut child = Command::new("prlimit")
        .arg("--nofile=256")
        .arg(binary())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--quiet",
            "--memory",
            "--header-timeout",
            "1s",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = listening_on(&mut child);
    let address = base.trim_start_matches("http://").to_owned();
    let idle: Vec<std::net::TcpStream> = (0..300)
        .filter_map(|_| std::net::TcpStream::connect(&address).ok())
        .collect();
    assert!(idle.len() >= 250, "{} connected", idle.len());
    let started = Instant::now();
    let rt = crate::support::runtime();
    let status = rt.block_on(async {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap()
            .post(format!("{base}/{KEY}/user"))
            .json(&serde_json::json!({"userId": 1}))
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    assert_eq!(
        status.ok(),
        Some(200),
        "served after {:?}",
        started.elapsed()
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    drop(idle);
    crate::support::sigterm(&child);
    assert!(child.wait().unwrap().success());
}

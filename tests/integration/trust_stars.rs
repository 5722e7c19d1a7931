//! What a web page, a greedy request or a client that leaves can make the STARS route and the
//! other `/_local` routes do, over real sockets: pages of other origins and bodies that are not
//! JSON are refused before any work; a request names at most 100 features, each computed once;
//! a computation stops at its budget, when its client goes away, and when `serve` is stopped.

use crate::support::{KEY, TestServer, assert_error_shape, binary, code, listening_on};
use bucket_console::server::{Limits, ServerConfig, Storage};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

/// Every `/_local` route, as (method, path after the key's prefix).
const ROUTES: [(&str, &str); 11] = [
    ("GET", "/_local/health"),
    ("GET", "/_local/KEY/users"),
    ("GET", "/_local/KEY/users/u1"),
    ("GET", "/_local/KEY/companies"),
    ("GET", "/_local/KEY/companies/c1"),
    ("GET", "/_local/KEY/events"),
    ("GET", "/_local/KEY/feedback"),
    ("GET", "/_local/KEY/stats"),
    ("GET", "/_local/KEY/requests"),
    ("GET", "/_local/KEY/requests/stream"),
    ("POST", "/_local/KEY/stars"),
];

async fn send(s: &TestServer, method: &str, path: &str, origin: Option<&str>) -> (u16, Value) {
    let url = format!("{}{}", s.base, path.replace("KEY", KEY));
    let mut req = match method {
        "POST" => s
            .http
            .post(url)
            .header("content-type", "application/json")
            .body("{}"),
        _ => s.http.get(url),
    };
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    if path.ends_with("/stream") && status == 200 {
        return (status, Value::Null);
    }
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_of_other_origins_are_refused_on_every_local_route() {
    let s = TestServer::start().await;
    s.ok("company", json!({"companyId": "c1", "userId": "u1"}))
        .await;
    let own = format!("http://{}", s.base.trim_start_matches("http://"));
    for (method, path) in ROUTES {
        for origin in ["https://evil.example", "null", "http://127.0.0.1:1"] {
            let (status, body) = send(&s, method, path, Some(origin)).await;
            assert_eq!(status, 403, "{method} {path} from {origin}: {body}");
            assert_error_shape(&body);
            assert_eq!(code(&body), "FORBIDDEN_ORIGIN", "{body}");
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("not web pages"),
                "{body}"
            );
        }
        // The console and the command line send no Origin; a page of this very server may.
        for origin in [None, Some(own.as_str())] {
            let (status, body) = send(&s, method, path, origin).await;
            assert_eq!(status, 200, "{method} {path} from {origin:?}: {body}");
        }
    }
}

async fn stars_raw(s: &TestServer, content_type: Option<&str>, body: &str) -> (u16, Value) {
    let mut req = s
        .http
        .post(format!("{}/_local/{KEY}/stars", s.base))
        .body(body.to_owned());
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_a_page_could_send_without_asking_is_refused() {
    let s = TestServer::start().await;
    s.ok("event", json!({"event": "e", "userId": "u1"})).await;
    let request = r#"{"features": []}"#;
    for ct in [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let (status, body) = stars_raw(&s, ct, request).await;
        assert_eq!(status, 415, "{ct:?}: {body}");
        assert_eq!(code(&body), "UNSUPPORTED_CONTENT_TYPE", "{body}");
    }
    let (status, body) = stars_raw(&s, Some("application/json; charset=utf-8"), request).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.as_array().map(Vec::len), Some(1), "{body}");
}

fn feature(name: &str) -> Value {
    json!({"name": name, "kind": "event", "events": [name], "feedback": name})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_names_at_most_100_features_and_a_repeated_one_is_computed_once() {
    let s = TestServer::start().await;
    s.ok("event", json!({"event": "f0", "userId": "u1"})).await;
    let names = |n: usize| {
        (0..n)
            .map(|i| feature(&format!("f{i}")))
            .collect::<Vec<_>>()
    };
    let (status, body) = stars_raw(
        &s,
        Some("application/json"),
        &json!({"features": names(101)}).to_string(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_error_shape(&body);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("at most 100 features"), "{message}");
    assert!(message.contains("101"), "{message}");

    let (status, body) = stars_raw(
        &s,
        Some("application/json"),
        &json!({"features": names(100)}).to_string(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.as_array().unwrap().len(), 100);

    let repeated = json!({"features": [feature("f0"), feature("b"), feature("f0"), feature("f0")]});
    let (status, body) = stars_raw(&s, Some("application/json"), &repeated.to_string()).await;
    assert_eq!(status, 200, "{body}");
    let got: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["feature"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(got, vec!["f0", "b"], "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stars_asks_for_many_features_in_parts_and_relays_a_refusal_in_the_servers_words() {
    let s = TestServer::start().await;
    s.ok("event", json!({"event": "f7", "userId": "u1"})).await;
    let cli = std::sync::Arc::new(crate::support::Cli::new());
    cli.add_profile("app", &s.base, KEY);
    let names: Vec<String> = (0..150).map(|i| format!("f{i}")).collect();
    let mut args = vec!["stars", "--profile", "app", "--json"];
    args.extend(names.iter().map(String::as_str));
    let out = cli.run_async(&args).await;
    assert_eq!(out.code, 0, "{out:?}");
    let got: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["feature"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, names);

    let spent = TestServer::with(ServerConfig {
        limits: Limits {
            stars_timeout: Duration::ZERO,
            ..Limits::default()
        },
        ..ServerConfig::ephemeral(Storage::Memory)
    })
    .await;
    cli.add_profile("spent", &spent.base, KEY);
    let out = cli.run_async(&["stars", "--profile", "spent", "f1"]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("503") && out.stderr.contains("took longer than"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("needs the local server's store"),
        "a server that refused a request is a local server: {}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_past_its_bound_is_refused_with_what_to_ask_instead() {
    let s = TestServer::with(ServerConfig {
        limits: Limits {
            stars_answer_bytes: 4096,
            ..Limits::default()
        },
        ..ServerConfig::ephemeral(Storage::Memory)
    })
    .await;
    s.ok("company", json!({"companyId": "c1", "userId": "u1"}))
        .await;
    let names: Vec<Value> = (0..40).map(|i| feature(&format!("feature-{i}"))).collect();
    let (status, body) = stars_raw(
        &s,
        Some("application/json"),
        &json!({"features": names}).to_string(),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(code(&body), "ANSWER_TOO_LARGE", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("fewer features"),
        "{body}"
    );
    let (status, _) = stars_raw(
        &s,
        Some("application/json"),
        &json!({"features": [feature("feature-1")]}).to_string(),
    )
    .await;
    assert_eq!(status, 200);
}

/// A store on which the STARS funnel costs long: 200 companies of one user each, every user with
/// 500 events without a company, and each event [`costly_request`] asks for used once, before
/// 1970, by one of them. Such a use has no day in `event_blocks`, so the uses before the window
/// are read from the events, each event asked for reading each user's events again (minutes).
pub async fn costly_store(dir: &Path) -> PathBuf {
    let db = dir.join("costly.sqlite3");
    let s = TestServer::with(ServerConfig::ephemeral(Storage::File(db.clone()))).await;
    s.ok("company", json!({"companyId": "c0", "userId": "u0"}))
        .await;
    s.server.shutdown().await.unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "BEGIN;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 199)
         INSERT INTO companies (key_id, company_id, attributes, first_seen)
              SELECT 1, 'c' || i, '{}', 0 FROM n;
         INSERT INTO memberships (key_id, company_id, user_id)
              SELECT 1, company_id, 'u' || substr(company_id, 2) FROM companies WHERE company_id != 'c0';
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99999)
         INSERT INTO events (key_id, event, user_id, company_id, attributes, timestamp, received_at)
              SELECT 1, 'seen', 'u' || (i % 200), NULL, '{}', 1796000000000 - i, i FROM n;
         WITH RECURSIVE f(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM f WHERE i < 1999)
         INSERT INTO events (key_id, event, user_id, company_id, attributes, timestamp, received_at)
              SELECT 1, 'never-' || (i / 20) || '-' || (i % 20), 'u1', NULL, '{}', -86400000, 0
                FROM f;
         COMMIT;",
    )
    .unwrap();
    let key_id: i64 = conn
        .query_row("SELECT id FROM tracking_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(key_id, 1, "the seed above writes key 1's rows");
    db
}

/// 100 features of 20 events each, none used in the window.
pub fn costly_request() -> String {
    let features: Vec<Value> = (0..100)
        .map(|f| {
            let events: Vec<String> = (0..20).map(|e| format!("never-{f}-{e}")).collect();
            json!({"name": format!("f{f}"), "kind": "event", "events": events, "feedback": "x"})
        })
        .collect();
    json!({"features": features, "asOf": 1_796_000_000_000_i64}).to_string()
}

fn http_request(address: &str, body: &str) -> String {
    format!(
        "POST /_local/{KEY}/stars HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    )
}

async fn until(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_computation_past_its_budget_is_stopped_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = costly_store(dir.path()).await;
    let s = TestServer::with(ServerConfig {
        limits: Limits {
            stars_timeout: Duration::from_millis(300),
            ..Limits::default()
        },
        ..ServerConfig::ephemeral(Storage::File(db))
    })
    .await;
    let answer = tokio::time::timeout(
        Duration::from_secs(60),
        stars_raw(&s, Some("application/json"), &costly_request()),
    )
    .await
    .expect("answered long before the computation's end");
    let (status, body) = answer;
    assert_eq!(status, 503, "{body}");
    assert_eq!(code(&body), "QUERY_TIMEOUT", "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("0.3 s"),
        "{body}"
    );
    assert_eq!(s.server.reads_running(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_goes_away_stops_its_computation() {
    let dir = tempfile::tempdir().unwrap();
    let db = costly_store(dir.path()).await;
    let s = TestServer::with(ServerConfig {
        limits: Limits {
            stars_timeout: Duration::from_secs(3600),
            ..Limits::default()
        },
        ..ServerConfig::ephemeral(Storage::File(db))
    })
    .await;
    let address = s.base.trim_start_matches("http://").to_owned();
    let mut client = tokio::net::TcpStream::connect(&address).await.unwrap();
    client
        .write_all(http_request(&address, &costly_request()).as_bytes())
        .await
        .unwrap();
    until("the computation's start", Duration::from_secs(30), || {
        s.server.reads_running() == 1
    })
    .await;
    drop(client);
    // Minutes of work are left: only stopping it ends the read this soon.
    until("the computation's end", Duration::from_secs(30), || {
        s.server.reads_running() == 0
    })
    .await;
    let (status, _) = s.get(&format!("/_local/{KEY}/stats")).await;
    assert_eq!(status, 200);
}

/// CPU seconds a process has used (user and system), from /proc.
#[cfg(target_os = "linux")]
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split(' ').collect();
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

#[cfg(target_os = "linux")]
#[test]
fn sigterm_stops_serve_within_8_s_while_a_stars_computation_runs() {
    let rt = crate::support::runtime();
    let dir = tempfile::tempdir().unwrap();
    let db = rt.block_on(costly_store(dir.path()));
    let mut child = Command::new(binary())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--quiet",
            "--stars-timeout",
            "60m",
            "--db",
        ])
        .arg(&db)
        .env("HOME", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = listening_on(&mut child);
    let address = base.trim_start_matches("http://").to_owned();
    let idle = cpu_seconds(child.id());
    let client = rt.block_on(async {
        let mut client = tokio::net::TcpStream::connect(&address).await.unwrap();
        client
            .write_all(http_request(&address, &costly_request()).as_bytes())
            .await
            .unwrap();
        client
    });
    // A second of CPU on an otherwise idle server: the computation runs (it has minutes left).
    let started = Instant::now();
    while cpu_seconds(child.id()) - idle < 1.0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the computation never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let stopped = Instant::now();
    crate::support::sigterm(&child);
    let exit = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if stopped.elapsed() > Duration::from_secs(8) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve still runs 8 s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    drop(client);
    assert!(exit.success(), "{exit:?}");
}

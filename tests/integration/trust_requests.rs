//! What `serve` makes of hostile requests, over real sockets: bodies cut short, codings it must
//! refuse, paths that are not text, ids past 64 bits, floods into the recorder, readers that stop
//! reading, a disk that refuses to grow, a real service that answers too much.

use crate::support::{KEY, TestServer, binary, listening_on};
use crate::trust_server::{
    EVENT, addr, events_stored, post_head, quick_server, read_until_closed, records,
};
use bucket_console::server::{Limits, ServerConfig, Storage};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_cut_short_is_never_stored_and_its_record_says_so() {
    let s = quick_server().await;
    // A declared length the client never reaches, then it closes.
    let mut stream = TcpStream::connect(addr(&s)).await.unwrap();
    let head = format!("{}{EVENT}", post_head("content-length: 1000\r\n"));
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.shutdown().await.unwrap();
    let _ = read_until_closed(&mut stream, Duration::from_secs(3)).await;
    // A chunked body without its last chunk, then it closes.
    let mut stream = TcpStream::connect(addr(&s)).await.unwrap();
    let head = format!(
        "{}{:x}\r\n{EVENT}\r\n",
        post_head("transfer-encoding: chunked\r\n"),
        EVENT.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.shutdown().await.unwrap();
    let _ = read_until_closed(&mut stream, Duration::from_secs(3)).await;

    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(events_stored(&s).await, 0, "nothing half-arrived is stored");
    let recorded = records(&s).await;
    assert_eq!(recorded.len(), 2, "{recorded:?}");
    for r in &recorded {
        assert_eq!(r["bodyIncomplete"], true, "{r}");
        assert_ne!(r["local"]["status"], 200, "{r}");
    }
    // The same body, whole, is stored: the refusal was about the cut, not the content.
    let (status, _) = s
        .post_raw(KEY, "event", Some("application/json"), EVENT.into())
        .await;
    assert_eq!(status, 200);
    assert_eq!(events_stored(&s).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recorder_keeps_one_budget_across_keys() {
    let s = TestServer::with(ServerConfig {
        limits: Limits {
            record_memory: 1 << 20,
            ..Limits::default()
        },
        ..ServerConfig::ephemeral(Storage::Memory)
    })
    .await;
    // 200 invalid 16 KiB bodies, each under its own key: 3 MiB offered to a 1 MiB budget.
    let body = format!("{{\"userId\": \"{}\"", "x".repeat(16 * 1024));
    for i in 0..200 {
        let key = format!("flood{i:04}");
        let (status, _) = s
            .post_raw(
                &key,
                "user",
                Some("application/json"),
                body.clone().into_bytes(),
            )
            .await;
        assert_eq!(status, 400);
        let (held, _) = s.server.recorder_held();
        assert!(held <= 1 << 20, "{held} bytes held");
    }
    let (_, keys) = s.server.recorder_held();
    assert!(
        keys < 200 && keys > 10,
        "old keys are forgotten, new ones kept: {keys}"
    );
    let (_, first) = s.get("/_local/flood0000/requests").await;
    assert_eq!(first, serde_json::json!([]));
    let (_, last) = s.get("/_local/flood0199/requests").await;
    assert_eq!(last.as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_fell_behind_gets_everything_in_order_a_page_at_a_time() {
    let s = TestServer::start().await;
    let mut stream = crate::trust_server::open_stream(&addr(&s)).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    // More than the live channel holds (1 024 notices), while the reader reads nothing.
    let n = 1500;
    let http = s.http.clone();
    let url = format!("{}/{KEY}/event", s.base);
    let body = "\u{1}\u{2}".repeat(200);
    for _ in 0..n {
        http.post(&url)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut text = String::new();
    let mut buf = vec![0u8; 64 * 1024];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while seen.len() < n {
        let got = tokio::time::timeout_at(deadline, stream.read(&mut buf))
            .await
            .expect("the stream delivers everything")
            .unwrap();
        assert!(got > 0);
        text.push_str(&String::from_utf8_lossy(&buf[..got]));
        while let Some(at) = text.find("\nid: ") {
            let rest = &text[at + 5..];
            let Some(end) = rest.find('\n') else { break };
            seen.push(rest[..end].trim().parse::<u64>().unwrap());
            text = rest[end..].to_owned();
        }
    }
    assert_eq!(seen.len(), n);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "in order, no repeats");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gzip_transfer_coding_is_refused_with_501() {
    let s = quick_server().await;
    let mut stream = TcpStream::connect(addr(&s)).await.unwrap();
    let request = format!(
        "{}{:x}\r\n{EVENT}\r\n0\r\n\r\n",
        post_head("transfer-encoding: gzip, chunked\r\n"),
        EVENT.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).await.unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 501"), "{answer}");
    assert!(answer.contains("UNSUPPORTED_TRANSFER_ENCODING"), "{answer}");
    assert_eq!(events_stored(&s).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_that_is_not_utf8_is_a_400_with_one_validation_error() {
    let s = TestServer::start().await;
    let (status, body) = s.get("/_local/%ff%fe/stats").await;
    assert_eq!(status, 400);
    crate::support::assert_error_shape(&body);
    assert_eq!(
        body["error"]["validationErrors"].as_array().map(Vec::len),
        Some(1),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_are_64_bit_integers_minus_zero_is_zero_and_attribute_digits_are_kept() {
    let s = TestServer::start().await;
    let body = r#"{"userId": -0, "attributes": {"big": 18446744073709551616, "tiny": 1e-400}}"#;
    let (status, answer) = s
        .post_raw(KEY, "user", Some("application/json"), body.into())
        .await;
    assert_eq!(status, 200, "{answer}");
    let raw = s
        .http
        .get(format!("{}/_local/{KEY}/users/0", s.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        raw.contains("18446744073709551616"),
        "digits as sent: {raw}"
    );
    let (status, _) = s
        .post_raw(
            KEY,
            "user",
            Some("application/json"),
            r#"{"userId": 18446744073709551615}"#.into(),
        )
        .await;
    assert_eq!(status, 200);
    let (status, answer) = s
        .post_raw(
            KEY,
            "user",
            Some("application/json"),
            r#"{"userId": 18446744073709551616}"#.into(),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        crate::support::problems(&answer),
        [("/userId".to_owned(), "OUT_OF_RANGE".to_owned())],
        "{answer}"
    );
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("18446744073709551615")
    );
}

#[test]
fn a_file_size_limit_answers_500_and_the_server_lives_on() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("t.sqlite3");
    let mut child = Command::new("prlimit")
        .arg("--fsize=400000")
        .arg(binary())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--quiet",
            "--record",
            "0",
            "--db",
        ])
        .arg(&db)
        .env("HOME", home.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("prlimit (util-linux) runs serve under a file-size limit");
    let base = listening_on(&mut child);
    let rt = crate::support::runtime();
    let statuses = rt.block_on(async {
        let http = reqwest::Client::new();
        let mut statuses = Vec::new();
        let padding = "p".repeat(20_000);
        for i in 0..60 {
            let r = http
                .post(format!("{base}/{KEY}/user"))
                .json(&serde_json::json!({"userId": i, "attributes": {"pad": padding}}))
                .send()
                .await
                .expect("the server is still there");
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap();
            if status == 500 {
                assert_eq!(body["error"]["code"], "UNKNOWN_ERROR", "{body}");
            }
            statuses.push(status);
            if status == 500 && statuses.iter().filter(|s| **s == 500).count() >= 3 {
                break;
            }
        }
        let health = http
            .get(format!("{base}/_local/health"))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
        statuses
    });
    assert!(
        statuses.contains(&200) && statuses.contains(&500),
        "{statuses:?}"
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "alive after the limit was hit"
    );
    crate::support::sigterm(&child);
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forward_answers_502_when_the_real_service_answers_too_much() {
    let (upstream, _) = crate::trust_client::endless_answer(false, 16).await;
    let s = TestServer::with(ServerConfig {
        forward: Some(upstream),
        ..ServerConfig::ephemeral(Storage::Memory)
    })
    .await;
    let (status, body) = s
        .post("event", serde_json::json!({"event": "e", "userId": 1}))
        .await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["error"]["code"], "UPSTREAM_FAILED");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("answer too large"),
        "{body}"
    );
    let recorded = records(&s).await;
    assert_eq!(
        recorded[0]["local"]["status"], 200,
        "checked and stored here"
    );
    assert!(
        recorded[0]["upstream"]["message"]
            .as_str()
            .unwrap()
            .contains("too large")
    );
}

#[tokio::test]
async fn an_infinite_attribute_or_a_year_0_timestamp_is_refused_and_stores_nothing() {
    let s = TestServer::start().await;
    let before = s.snapshot().await;
    for (body, path) in [
        (
            r#"{"userId": 1, "attributes": {"spend": 1e400}}"#,
            "/attributes/spend",
        ),
        (
            r#"{"userId": 1, "timestamp": "0000-01-01T00:00:00Z"}"#,
            "/timestamp",
        ),
    ] {
        let (status, answer) = s
            .post_raw(KEY, "user", Some("application/json"), body.into())
            .await;
        assert_eq!(status, 400, "{body}: {answer}");
        let problems = crate::support::problems(&answer);
        assert_eq!(problems.len(), 1, "{answer}");
        assert_eq!(problems[0].0, path, "{answer}");
    }
    assert_eq!(s.snapshot().await, before);
}

//! Connection slots and the Host rule as a careless or hostile client meets them, over raw
//! sockets to servers started here on 127.0.0.1: kept-alive connections that fill every slot,
//! repeated `Host` headers, absolute-form request targets.

use crate::support::TestServer;
use crate::trust_server::{addr, read_until_closed};
use bucket_console::server::{Limits, ServerConfig, Storage};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends `request` and reads one answer framed by its content-length (the server's answers
/// here all have one); returns it, or what came before the server closed.
async fn exchange(stream: &mut TcpStream, request: &str) -> String {
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if got.len() >= end + 4 + length {
                return text;
            }
        }
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
            _ => return text,
        }
    }
}

const HEALTH: &str = "GET /_local/health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_kept_alive_connections_hold_every_slot_the_longest_idle_makes_room() {
    let s = TestServer::with(ServerConfig {
        limits: Limits {
            max_connections: 2,
            ..Limits::default()
        },
        ..ServerConfig::ephemeral(Storage::Memory)
    })
    .await;
    let mut oldest = TcpStream::connect(addr(&s)).await.unwrap();
    assert!(
        exchange(&mut oldest, HEALTH)
            .await
            .starts_with("HTTP/1.1 200")
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut newer = TcpStream::connect(addr(&s)).await.unwrap();
    assert!(
        exchange(&mut newer, HEALTH)
            .await
            .starts_with("HTTP/1.1 200")
    );

    // Both slots are held by idle connections, for the 75 s idle timeout if nothing made room.
    let mut waiting = TcpStream::connect(addr(&s)).await.unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(5), exchange(&mut waiting, HEALTH))
        .await
        .expect("a new client is served without waiting out the idle timeout");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let (rest, closed) = read_until_closed(&mut oldest, Duration::from_secs(2)).await;
    assert!(
        closed && rest.is_empty(),
        "the longest idle is closed: {rest:?}"
    );
    // The other kept its connection (its slot was not needed).
    let again = exchange(&mut newer, HEALTH).await;
    assert!(again.starts_with("HTTP/1.1 200"), "{again}");
}

#[tokio::test]
async fn two_host_headers_are_a_400_whichever_comes_first() {
    let s = TestServer::start().await;
    for hosts in [
        "host: 127.0.0.1\r\nhost: evil.example",
        "host: evil.example\r\nhost: 127.0.0.1",
        "host: 127.0.0.1\r\nhost: 127.0.0.1",
    ] {
        let mut stream = TcpStream::connect(addr(&s)).await.unwrap();
        let answer = exchange(
            &mut stream,
            &format!("GET /_local/health HTTP/1.1\r\n{hosts}\r\n\r\n"),
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{hosts}: {answer}");
        assert!(answer.contains("INVALID_HOST"), "{answer}");
    }
}

#[tokio::test]
async fn an_absolute_form_target_must_name_an_allowed_host_too() {
    let s = TestServer::start().await;
    let port = addr(&s).rsplit(':').next().unwrap().to_owned();
    let ask = |target: String, host: &'static str| {
        let address = addr(&s);
        async move {
            let mut stream = TcpStream::connect(address).await.unwrap();
            exchange(
                &mut stream,
                &format!("GET {target} HTTP/1.1\r\nhost: {host}\r\n\r\n"),
            )
            .await
        }
    };
    for target in [
        "http://evil.example/_local/health".to_owned(),
        format!(
            "http://evil.example:{port}/_local/{}/events",
            crate::support::KEY
        ),
        "http://127.0.0.1@evil.example/_local/health".to_owned(),
    ] {
        let answer = ask(target.clone(), "127.0.0.1").await;
        assert!(answer.starts_with("HTTP/1.1 403"), "{target}: {answer}");
        assert!(answer.contains("FORBIDDEN_HOST"), "{answer}");
    }
    let answer = ask(
        format!("http://127.0.0.1:{port}/_local/health"),
        "127.0.0.1",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let answer = ask(
        format!("http://localhost:{port}/_local/health"),
        "evil.example",
    )
    .await;
    assert!(
        answer.starts_with("HTTP/1.1 403"),
        "a bad Host still counts: {answer}"
    );
}

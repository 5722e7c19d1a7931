//! The full-size floods of the "Trust" issue, measured on a `serve` child process: too heavy for
//! every `cargo test`, so ignored. Run them with
//! `cargo test --release --test integration trust_heavy -- --ignored --nocapture --test-threads 1`.
//! Each prints the memory it measured; every server is started here on 127.0.0.1.

use crate::support::{KEY, binary, listening_on};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A field of `/proc/PID/status` in MiB (`VmRSS`, `VmHWM`).
fn memory_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| {
            l.strip_prefix(field)?
                .trim_start_matches(':')
                .split_whitespace()
                .next()?
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn serve(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(binary())
        .args(["serve", "--listen", "127.0.0.1:0", "--quiet", "--memory"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = listening_on(&mut child);
    (child, base)
}

fn stop(mut child: Child) {
    crate::support::sigterm(&child);
    let _ = child.wait();
}

/// Sends `n` bodies from 16 tasks; `key_of(i)` and `body_of(i)` say what.
async fn flood(base: &str, n: usize, key_of: fn(usize) -> String, body: String) {
    let http = reqwest::Client::new();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (http, next, body, base) =
                (http.clone(), next.clone(), body.clone(), base.to_owned());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= n {
                        return;
                    }
                    let _ = http
                        .post(format!("{base}/{}/event", key_of(i)))
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

#[test]
#[ignore = "full-size flood: run with --ignored (see the module's note)"]
fn twenty_thousand_32_kib_bodies_under_ten_thousand_keys_stay_under_256_mb() {
    let (child, base) = serve(&[]);
    let pid = child.id();
    let before = memory_mib(pid, "VmRSS");
    // Invalid on purpose (a string too long for an id): recorded, never stored.
    let body = format!(
        "{{\"event\":\"e\",\"userId\":\"{}\"}}",
        "x".repeat(32 * 1024 - 40)
    );
    crate::support::runtime().block_on(flood(
        &base,
        20_000,
        |i| format!("flood{:05}", i % 10_000),
        body,
    ));
    let after = memory_mib(pid, "VmRSS");
    let peak = memory_mib(pid, "VmHWM");
    eprintln!(
        "recorder flood: RSS {before:.0} MiB before, {after:.0} MiB after, peak {peak:.0} MiB"
    );
    stop(child);
    assert!(peak < 256.0, "peak {peak:.0} MiB");
}

/// RSS of a server after 1 500 bodies of control characters while `readers` streams read nothing.
fn after_a_flood_with(readers: usize) -> f64 {
    let (child, base) = serve(&[]);
    let pid = child.id();
    let rt = crate::support::runtime();
    let address = base.trim_start_matches("http://").to_owned();
    let streams = rt.block_on(async {
        let mut streams = Vec::new();
        for _ in 0..readers {
            streams.push(crate::trust_server::open_stream(&address).await);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        streams
    });
    // Control characters: each is six bytes once escaped in the stream's JSON.
    let body = "\u{1}".repeat(30 * 1024);
    rt.block_on(flood(&base, 1_500, |_| KEY.to_owned(), body));
    std::thread::sleep(Duration::from_millis(500));
    let rss = memory_mib(pid, "VmRSS");
    drop(streams);
    stop(child);
    rss
}

#[test]
#[ignore = "full-size flood: run with --ignored (see the module's note)"]
fn two_stream_readers_that_stop_reading_add_under_64_mb() {
    let without = after_a_flood_with(0);
    let with = after_a_flood_with(2);
    eprintln!(
        "after the flood: RSS {without:.0} MiB without readers, {with:.0} MiB with two lagging"
    );
    assert!(with - without < 64.0, "{without:.0} → {with:.0} MiB");
}

#[test]
#[ignore = "full-size flood: run with --ignored (see the module's note)"]
fn forward_against_a_1_gib_answer_stays_under_256_mb() {
    let rt = crate::support::runtime();
    let (upstream, _) = rt.block_on(crate::trust_client::endless_answer(false, 1024));
    let (child, base) = serve(&["--forward", &upstream]);
    let pid = child.id();
    let status = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{base}/{KEY}/event"))
            .json(&serde_json::json!({"event": "e", "userId": 1}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    let peak = memory_mib(pid, "VmHWM");
    eprintln!("forward against a 1 GiB answer: {status}, peak RSS {peak:.0} MiB");
    stop(child);
    assert_eq!(status, 502);
    assert!(peak < 256.0, "{peak:.0} MiB");
}

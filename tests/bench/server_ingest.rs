//! `cargo bench --bench server_ingest`: durable valid-event requests per second and p50/p99
//! latency at 1, 16, 64 and 256 keep-alive connections against the real server (SQLite file,
//! WAL, synchronous=FULL, group commit), beside a handler that only answers {"success":true}.
//!
//! Set BENCH_SECONDS to change the measured window per step (default 4).
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark, like a test, should stop at the first failure"
)]

mod load;

use axum::Router;
use axum::routing::post;
use bucket_console::server::{self, ServerConfig, Storage};
use std::net::SocketAddr;
use std::time::Duration;

const KEY: &str = "trCqx4DGo1lk3Lcct5NHLjWy";
const STEPS: [usize; 4] = [1, 16, 64, 256];

fn event_request(conn: usize, i: usize) -> Vec<u8> {
    let body = format!(
        r#"{{"event":"Sent message","userId":{},"companyId":"c{}","attributes":{{"i":{i}}}}}"#,
        conn * 7 + i % 50,
        conn % 10
    );
    load::post(&format!("/{KEY}/event"), &body)
}

fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let measure = Duration::from_secs(seconds);
    let warmup = Duration::from_millis(500);
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // On the project's disk, not a tmpfs: fsync must cost what it costs for users.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let db = dir.path().join("bench.sqlite3");
    let real = server_rt
        .block_on(server::start(ServerConfig::ephemeral(Storage::File(
            db.clone(),
        ))))
        .expect("server starts");
    let ceiling = server_rt.block_on(ceiling_server());

    println!(
        "# server_ingest: {}s per step, client and server on this machine ({} cpus)",
        seconds,
        num_cpus()
    );
    println!("# database: {} (WAL, synchronous=FULL)", db.display());
    let mut one = 0.0;
    let mut at = std::collections::BTreeMap::new();
    for conns in STEPS {
        let before = real.write_stats();
        let report = client_rt.block_on(load::run(
            real.addr(),
            conns,
            warmup,
            measure,
            event_request,
        ));
        let after = real.write_stats();
        let commits = (after.commits - before.commits).max(1);
        let per_commit = (after.calls - before.calls) as f64 / commits as f64;
        println!("{}  {per_commit:.1} calls/commit", report.line("event"));
        assert_eq!(report.non_200, 0, "every request must be accepted");
        if conns == 1 {
            one = report.rate();
        }
        at.insert(conns, (report.rate(), report.percentile_ms(0.99)));
    }
    for conns in STEPS {
        let report = client_rt.block_on(load::run(ceiling, conns, warmup, measure, event_request));
        println!("{}", report.line("ceiling"));
    }
    println!(
        "# fsync on this disk: {:.3} ms median",
        fsync_ms(dir.path())
    );
    let (r64, _) = at[&64];
    let (r256, p99_256) = at[&256];
    println!(
        "# group commit: 64 connections = {:.1}x one connection (target >= 30x)",
        r64 / one
    );
    println!(
        "# 256 connections: {r256:.0} req/s (target >= 25000), p99 {p99_256:.2} ms (target < 50)"
    );
    recording_cost(&server_rt, &client_rt, dir.path(), warmup, measure);
    let events: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    println!("# {events} events stored");
}

/// The traffic recorder's price: the same load against a server recording every request (the
/// default) and one with `--record 0`, four times each in alternating order.
fn recording_cost(
    server_rt: &tokio::runtime::Runtime,
    client_rt: &tokio::runtime::Runtime,
    dir: &std::path::Path,
    warmup: Duration,
    measure: Duration,
) {
    let start = |record: usize, name: &str| {
        let mut config = ServerConfig::ephemeral(Storage::File(dir.join(name)));
        config.record = record;
        server_rt.block_on(server::start(config)).unwrap()
    };
    let on = start(server::traffic::DEFAULT_KEEP, "recording.sqlite3");
    let off = start(0, "not-recording.sqlite3");
    for conns in [64, 256] {
        let (mut with, mut without) = (Vec::new(), Vec::new());
        for round in 0..4 {
            // Which goes first alternates, so drift over the run hits both alike.
            let mut pair = [(&on, &mut with), (&off, &mut without)];
            if round % 2 == 1 {
                pair.reverse();
            }
            for (server, rates) in pair {
                let report = client_rt.block_on(load::run(
                    server.addr(),
                    conns,
                    warmup,
                    measure,
                    event_request,
                ));
                assert_eq!(report.non_200, 0);
                rates.push(report.rate());
            }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (a, b) = (mean(&with), mean(&without));
        println!(
            "recording    conns={conns:<4} {a:>9.0} req/s recording, {b:>9.0} req/s with --record 0: cost {:.1}% (target <= 10%)",
            (1.0 - a / b) * 100.0
        );
    }
}

/// What one fsync costs on the benchmark's disk: what bounds a single connection.
fn fsync_ms(dir: &std::path::Path) -> f64 {
    use std::io::Write;
    let path = dir.join("fsync.probe");
    let mut file = std::fs::File::create(&path).unwrap();
    let mut times: Vec<f64> = (0..200)
        .map(|_| {
            file.write_all(&[0u8; 128]).unwrap();
            let started = std::time::Instant::now();
            file.sync_all().unwrap();
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// The ceiling: the same HTTP stack answering {"success":true} without reading or storing.
async fn ceiling_server() -> SocketAddr {
    let app = Router::new().route(
        "/{key}/{method}",
        post(|| async {
            (
                [("content-type", "application/json")],
                r#"{"success":true}"#,
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

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
    let (warmup, measure) = load::windows(4);
    let (server_rt, client_rt) = load::runtimes();

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
        measure.as_secs(),
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
/// default) and one with `--record 0`, in ten back-to-back pairs whose order alternates; the
/// median of the pairs' ratios, because a shared 2-core machine drifts by ±10% between windows.
fn recording_cost(
    server_rt: &tokio::runtime::Runtime,
    client_rt: &tokio::runtime::Runtime,
    dir: &std::path::Path,
    warmup: Duration,
    _measure: Duration,
) {
    let start = |record: usize, name: &str| {
        let mut config = ServerConfig::ephemeral(Storage::File(dir.join(name)));
        config.record = record;
        server_rt.block_on(server::start(config)).unwrap()
    };
    let on = start(server::traffic::DEFAULT_KEEP, "recording.sqlite3");
    let off = start(0, "not-recording.sqlite3");
    let window = Duration::from_secs(2);
    for conns in [64, 256] {
        let mut ratios = Vec::new();
        let (mut with, mut without) = (0.0, 0.0);
        for round in 0..10 {
            let rate = |server: &server::RunningServer| {
                let report = client_rt.block_on(load::run(
                    server.addr(),
                    conns,
                    warmup,
                    window,
                    event_request,
                ));
                assert_eq!(report.non_200, 0);
                report.rate()
            };
            let (a, b) = if round % 2 == 0 {
                let a = rate(&on);
                (a, rate(&off))
            } else {
                let b = rate(&off);
                (rate(&on), b)
            };
            with += a / 10.0;
            without += b / 10.0;
            ratios.push(a / b);
        }
        ratios.sort_by(f64::total_cmp);
        let median = f64::midpoint(ratios[4], ratios[5]);
        println!(
            "recording    conns={conns:<4} {with:>9.0} req/s recording, {without:>9.0} req/s with --record 0 (means of 10 pairs): cost {:.1}% by the median pair, {:.1}% by the means (target <= 10%)",
            (1.0 - median) * 100.0,
            (1.0 - with / without) * 100.0
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

//! `cargo bench --bench runtime_ingest`: the Runtime API's figures against the real server
//! (SQLite file, WAL, synchronous=FULL, group commit), each measurement on a fresh store:
//! - events per second stored by `/bulk` batches of 100 against single `/event` calls at the
//!   same concurrency (target: at least 2x);
//! - single runtime calls (`POST /event` with a Bearer key) against path-key calls
//!   (`POST /{key}/event`), in alternating pairs, the median ratio (target: within 10%).
//!
//! Set BENCH_SECONDS to change the measured window per step (default 3).
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark, like a test, should stop at the first failure"
)]

mod load;

use bucket_console::api::runtime::env::LOCAL_PUBLISHABLE;
use bucket_console::server::{self, ServerConfig, Storage};
use std::time::Duration;

const KEY: &str = "trCqx4DGo1lk3Lcct5NHLjWy";
const CONNS: usize = 16;

fn event(conn: usize, i: usize) -> String {
    format!(
        r#"{{"event":"Sent message","userId":{},"companyId":"c{}","attributes":{{"i":{i}}}}}"#,
        conn * 7 + i % 50,
        conn % 10
    )
}

fn with_key(path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {LOCAL_PUBLISHABLE}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn runtime_event(conn: usize, i: usize) -> Vec<u8> {
    with_key("/event", &event(conn, i))
}

fn path_key_event(conn: usize, i: usize) -> Vec<u8> {
    load::post(&format!("/{KEY}/event"), &event(conn, i))
}

fn bulk_of_100(conn: usize, i: usize) -> Vec<u8> {
    let items: Vec<String> = (0..100)
        .map(|n| {
            let e = event(conn, i * 100 + n);
            format!(r#"{{"type":"event",{}"#, &e[1..])
        })
        .collect();
    with_key("/bulk", &format!("[{}]", items.join(",")))
}

fn main() {
    let (warmup, measure) = load::windows(3);
    let (server_rt, client_rt) = load::runtimes();
    // On the project's disk, not a tmpfs: fsync must cost what it costs for users.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let mut fresh = 0;
    let mut rate = |request: fn(usize, usize) -> Vec<u8>, window: Duration| {
        fresh += 1;
        let db = dir.path().join(format!("fresh-{fresh}.sqlite3"));
        let server = server_rt
            .block_on(server::start(ServerConfig::ephemeral(Storage::File(db))))
            .unwrap();
        let report = client_rt.block_on(load::run(server.addr(), CONNS, warmup, window, request));
        assert_eq!(report.non_200, 0, "every request must be accepted");
        server_rt.block_on(server.shutdown()).unwrap();
        report
    };
    println!(
        "# runtime_ingest: {}s per step, {CONNS} connections, a fresh store each",
        measure.as_secs()
    );
    let single = rate(runtime_event, measure);
    let bulk = rate(bulk_of_100, measure);
    let (single_eps, bulk_eps) = (single.rate(), bulk.rate() * 100.0);
    println!("{}", single.line("/event"));
    println!("{}", bulk.line("/bulk x100"));
    println!(
        "# events/s: /bulk of 100 {bulk_eps:.0}, single /event {single_eps:.0}: {:.1}x (target >= 2x)",
        bulk_eps / single_eps
    );
    let mut ratios = Vec::new();
    for round in 0..6 {
        let window = Duration::from_secs(2);
        let (runtime, path_key) = if round % 2 == 0 {
            let r = rate(runtime_event, window).rate();
            (r, rate(path_key_event, window).rate())
        } else {
            let p = rate(path_key_event, window).rate();
            (rate(runtime_event, window).rate(), p)
        };
        println!("pair {round}: runtime {runtime:.0} req/s, path key {path_key:.0} req/s");
        ratios.push(runtime / path_key);
    }
    ratios.sort_by(f64::total_cmp);
    let median = f64::midpoint(ratios[2], ratios[3]);
    println!(
        "# single runtime calls at {:.1}% of path-key calls by the median pair (target within 10%)",
        median * 100.0
    );
}

//! `cargo bench --bench flags_served`: `GET /features/evaluated` against ingestion in the same
//! run, on the real server (SQLite file, WAL, synchronous=FULL, group commit), 256 keep-alive
//! connections each: with 10 flags of 3 rules each, evaluating for a context must answer at
//! least as many requests per second as `POST /{key}/event` stores events (target: ratio >= 1).
//!
//! Set BENCH_SECONDS to change the measured window per step (default 3).
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark, like a test, should stop at the first failure"
)]

mod load;

use bucket_console::api::flags::parse_definitions;
use bucket_console::api::runtime::env::LOCAL_PUBLISHABLE;
use bucket_console::server::{self, ServerConfig, Storage};
use serde_json::json;

const CONNS: usize = 256;
const KEY: &str = "trCqx4DGo1lk3Lcct5NHLjWy";

/// 10 flags, each of 3 rules: a group of a company list, a number comparison and a rollout.
fn flags() -> Vec<bucket_console::api::flags::FlagDefinition> {
    let features: Vec<_> = (0..10)
        .map(|f| {
            let rules: Vec<_> = (0..3)
                .map(|r| {
                    json!({"filter": {"type": "group", "operator": "and", "filters": [
                        {"type": "context", "field": "company.id", "operator": "ANY_OF",
                         "values": [format!("c{r}"), format!("c{}", r + 3), "acme"]},
                        {"type": "context", "field": "company.seats", "operator": "GT",
                         "values": [format!("{}", f * 3 + r)]},
                        {"type": "rolloutPercentage", "key": format!("flag-{f}"),
                         "partialRolloutAttribute": "user.id", "partialRolloutThreshold": 50000}
                    ]}})
                })
                .collect();
            json!({"key": format!("flag-{f}"), "targeting": {"version": 1, "rules": rules}})
        })
        .collect();
    parse_definitions(&json!({ "features": features })).unwrap()
}

fn evaluated(conn: usize, i: usize) -> Vec<u8> {
    format!(
        "GET /features/evaluated?context.company.id=c{}&context.company.seats={}&context.user.id=u{} \
         HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {LOCAL_PUBLISHABLE}\r\n\r\n",
        conn % 10,
        i % 40,
        conn * 1000 + i
    )
    .into_bytes()
}

/// A tracking call, as `server_ingest` sends them.
fn event(conn: usize, i: usize) -> Vec<u8> {
    let body = format!(
        r#"{{"event":"Sent message","userId":"u{}","companyId":"c{}","attributes":{{"i":{i}}}}}"#,
        conn * 7 + i % 50,
        conn % 10
    );
    load::post(&format!("/{KEY}/event"), &body)
}

fn main() {
    let (warmup, measure) = load::windows(3);
    let (server_rt, client_rt) = load::runtimes();
    // On the project's disk, not a tmpfs: fsync must cost what it costs for users.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let config = ServerConfig {
        flags: flags(),
        ..ServerConfig::ephemeral(Storage::File(dir.path().join("flags.sqlite3")))
    };
    let server = server_rt.block_on(server::start(config)).unwrap();
    println!(
        "# flags_served: {}s per step, {CONNS} connections, one server",
        measure.as_secs()
    );
    let mut ratios = Vec::new();
    for round in 0..2 {
        let run = |request: fn(usize, usize) -> Vec<u8>| {
            let report =
                client_rt.block_on(load::run(server.addr(), CONNS, warmup, measure, request));
            assert_eq!(report.non_200, 0, "every request must be answered 200");
            report
        };
        // Alternating which goes first, so neither always meets a warmer or fuller store.
        let (flags, events) = if round == 0 {
            let f = run(evaluated);
            (f, run(event))
        } else {
            let e = run(event);
            (run(evaluated), e)
        };
        println!("{}", flags.line("evaluated"));
        println!("{}", events.line("event"));
        ratios.push(flags.rate() / events.rate());
    }
    println!(
        "# /features/evaluated at {:.2}x and {:.2}x the events/s ingest stores (target >= 1)",
        ratios[0], ratios[1]
    );
    server_rt.block_on(server.shutdown()).unwrap();
}

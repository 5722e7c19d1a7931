//! `cargo bench --bench ingest_curve`: does storing slow down as the store grows?
//!
//! Starts `bucket-console serve` (the real binary, WAL, `synchronous=FULL`: each request is
//! answered after its commit is on disk) on a fresh database under `target/tmp`, and fills it to
//! BENCH_EVENTS events (default 1 000 000) through loopback HTTP from 64 keep-alive connections
//! (BENCH_CONNECTIONS). Prints the rate over each hundred thousand stored, serve's CPU time per
//! thousand events (`/proc/PID/stat`: on a shared machine the rate swings with other work, the
//! CPU per event much less) and its resident memory (`/proc/PID/status`) as it grows, then the
//! two targets: the rate at a million stored at least 80 % of the rate at 10 000, and serve under
//! 64 MiB plus its recorder's budget and its page cache. `BENCH_SERVE_BIN` runs another build's
//! binary, to alternate an old build and a new one.
//!
//! A full fill takes a minute and swings with the machine; the rate at one size is measured more
//! quietly by keeping a filled store and adding to copies of it: `BENCH_KEEP=PATH` copies the
//! store (and its write-ahead log) to PATH at the end, `BENCH_FROM=PATH` starts from a copy of
//! PATH, so `BENCH_FROM=/tmp/curve-1m.sqlite3 BENCH_EVENTS=100000` measures storing at a million,
//! old and new builds alternating on the same store. The ratio's target is then not printed: its
//! early window is no longer early.
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark, like a test, should stop at the first failure"
)]

#[path = "serve.rs"]
mod serve;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Stored events between two recorded instants.
const STEP: u64 = 10_000;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The `n`-th request of a connection: twenty event names, 20 000 users, 500 companies, a third
/// of the events without `companyId`, as a product would send them.
fn request(conn: u64, n: u64) -> Vec<u8> {
    let i = conn * 1_000_003 + n;
    let user = (i * 7919) % 20_000;
    let company = if i.is_multiple_of(3) {
        String::new()
    } else {
        format!(r#","companyId":"c{}""#, user % 500)
    };
    let body = format!(
        r#"{{"event":"e{}","userId":"u{user}"{company},"attributes":{{"i":{i}}}}}"#,
        i % 20
    );
    format!(
        "POST /{}/event HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        serve::KEY,
        body.len()
    )
    .into_bytes()
}

/// A field of `/proc/PID/status` in MiB (`VmRSS`, `VmHWM`).
fn memory_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// serve's CPU time so far (user and system, `/proc/PID/stat`), in milliseconds.
fn cpu_ms(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i)?.parse::<f64>().ok())
        .sum();
    // Clock ticks are a hundredth of a second on Linux.
    ticks * 10.0
}

/// Reads one response and answers whether it was a 200.
async fn answered(stream: &mut TcpStream, buf: &mut [u8]) -> bool {
    let mut filled = 0;
    loop {
        let n = stream.read(&mut buf[filled..]).await.expect("read");
        assert!(n > 0, "serve closed the connection");
        filled += n;
        let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = std::str::from_utf8(&buf[..end]).expect("ascii head");
        let ok = head.starts_with("HTTP/1.1 200");
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        while filled < end + 4 + length {
            let n = stream.read(&mut buf[filled..]).await.expect("read body");
            assert!(n > 0, "serve closed mid-body");
            filled += n;
        }
        return ok;
    }
}

fn main() {
    let total = env("BENCH_EVENTS", 1_000_000).max(4 * STEP);
    let connections = env("BENCH_CONNECTIONS", 64);
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let db = dir.path().join("curve.sqlite3");
    let from = std::env::var_os("BENCH_FROM").map(std::path::PathBuf::from);
    if let Some(from) = &from {
        copy_store(from, &db);
    }
    let server = serve::serve(&db);
    let pid = server.0.id();
    let addr: std::net::SocketAddr = server
        .1
        .trim_start_matches("http://")
        .parse()
        .expect("serve listens on an address");
    println!(
        "# ingest_curve: {total} events through `serve` ({}), {connections} connections, durable",
        db.display()
    );
    println!(
        "{:>9}  {:>9}  {:>13}  {:>10}  {:>9}",
        if from.is_some() { "added" } else { "stored" },
        "events/s",
        "CPU ms per 1k",
        "VmRSS MiB",
        "VmHWM MiB"
    );

    let started = Instant::now();
    let marks = fill(addr, pid, connections, total);
    let rate_between = |from: u64, to: u64| {
        let at = |n: u64| marks.iter().find(|(m, _)| *m == n).map(|(_, t)| *t);
        let (a, b) = (at(from).unwrap(), at(to).unwrap());
        (to - from) as f64 / b.duration_since(a).as_secs_f64()
    };
    let last = marks.last().unwrap().0;
    // Small windows swing with the machine: 20 000 events at each end.
    let early = rate_between(STEP, 3 * STEP);
    let late = rate_between(last - 2 * STEP, last);
    if let Some(from) = &from {
        println!(
            "# {last} events added to a copy of {} in {:.1} s; rate over the first 20k added \
             {early:.0}/s, over the last 20k {late:.0}/s",
            from.display(),
            started.elapsed().as_secs_f64(),
        );
    } else {
        println!(
            "# {} events in {:.1} s; rate at {}–{}k stored {early:.0}/s, at {}–{}k stored \
             {late:.0}/s: {:.0} % (target >= 80 %: {})",
            last,
            started.elapsed().as_secs_f64(),
            STEP / 1000,
            3 * STEP / 1000,
            (last - 2 * STEP) / 1000,
            last / 1000,
            late / early * 100.0,
            if late >= 0.8 * early {
                "met"
            } else {
                "NOT met"
            }
        );
    }
    let (rss, hwm) = (memory_mib(pid, "VmRSS"), memory_mib(pid, "VmHWM"));
    // serve's defaults: the recorder's `--record-memory` and the writer's page cache.
    let recorder = 128.0;
    let page_cache = 32_000.0 * 1000.0 / 1024.0 / 1024.0 * PAGE_CACHES;
    println!(
        "# serve: VmRSS {rss:.1} MiB, VmHWM {hwm:.1} MiB; budget 64 + {recorder:.0} (recorder) + \
         {page_cache:.0} (page cache) = {:.0} MiB: {}",
        64.0 + recorder + page_cache,
        if hwm <= 64.0 + recorder + page_cache {
            "met"
        } else {
            "NOT met"
        }
    );
    drop(server);
    if let Some(keep) = std::env::var_os("BENCH_KEEP") {
        copy_store(&db, std::path::Path::new(&keep));
        println!("# the store is kept in {}", keep.to_string_lossy());
    }
}

/// Copies a store and its write-ahead log (serve was killed: the log holds what the last
/// checkpoint left, and SQLite reads it back on the next open).
fn copy_store(from: &std::path::Path, to: &std::path::Path) {
    let wal = |p: &std::path::Path| {
        let mut name = p.as_os_str().to_owned();
        name.push("-wal");
        std::path::PathBuf::from(name)
    };
    std::fs::copy(from, to)
        .unwrap_or_else(|e| panic!("copying {} to {}: {e}", from.display(), to.display()));
    if wal(from).exists() {
        std::fs::copy(wal(from), wal(to)).unwrap();
    } else {
        let _ = std::fs::remove_file(wal(to));
    }
}

/// Sends events from `connections` connections until `total` are stored, printing the rate of
/// each hundred thousand and serve's memory; answers when each STEP-th event was stored.
fn fill(addr: std::net::SocketAddr, pid: u32, connections: u64, total: u64) -> Vec<(u64, Instant)> {
    let stored = Arc::new(AtomicU64::new(0));
    // The instant each STEP-th answer arrived.
    let marks: Arc<std::sync::Mutex<Vec<(u64, Instant)>>> = Arc::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    marks.lock().unwrap().push((0, Instant::now()));
    runtime.block_on(async {
        let mut tasks = Vec::new();
        for c in 0..connections {
            let (stored, marks) = (stored.clone(), marks.clone());
            tasks.push(tokio::spawn(async move {
                let mut stream = TcpStream::connect(addr).await.expect("connect");
                stream.set_nodelay(true).ok();
                let mut buf = vec![0u8; 16 * 1024];
                for n in 0.. {
                    if stored.load(Ordering::Relaxed) >= total {
                        break;
                    }
                    stream.write_all(&request(c, n)).await.expect("write");
                    assert!(answered(&mut stream, &mut buf).await, "a refused event");
                    let now = stored.fetch_add(1, Ordering::Relaxed) + 1;
                    if now.is_multiple_of(STEP) {
                        marks.lock().unwrap().push((now, Instant::now()));
                    }
                }
            }));
        }
        // Resident memory and serve's CPU time as the store grows, sampled between the answers:
        // the CPU per event moves far less than the rate with other work on a shared machine.
        let mut printed = 0;
        let mut cpu_from = (0, cpu_ms(pid));
        while printed < total {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let marks = marks.lock().unwrap().clone();
            for w in marks.windows(2) {
                let ((_, from), (to_n, to)) = (w[0], w[1]);
                if to_n > printed && to_n.is_multiple_of(100_000) {
                    let (from_n, from) = marks
                        .iter()
                        .find(|(n, _)| *n == to_n - 100_000)
                        .copied()
                        .unwrap_or((0, from));
                    let rate = (to_n - from_n) as f64 / to.duration_since(from).as_secs_f64();
                    let cpu_to = (stored.load(Ordering::Relaxed), cpu_ms(pid));
                    let per_k = (cpu_to.1 - cpu_from.1) * 1000.0 / (cpu_to.0 - cpu_from.0) as f64;
                    cpu_from = cpu_to;
                    println!(
                        "{to_n:>9}  {rate:>9.0}  {per_k:>13.1}  {:>10.1}  {:>9.1}",
                        memory_mib(pid, "VmRSS"),
                        memory_mib(pid, "VmHWM")
                    );
                    printed = to_n;
                }
            }
            if tasks.iter().all(tokio::task::JoinHandle::is_finished) {
                break;
            }
        }
        for t in tasks {
            t.await.expect("connection task");
        }
    });
    marks.lock().unwrap().clone()
}

/// Connections with a `cache_size` of their own that writing fills: the writer's.
const PAGE_CACHES: f64 = 1.0;

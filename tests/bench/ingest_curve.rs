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
//! The machine's speed drifts over the minute or two of a fill, so one pass's early and late
//! rates (printed as "one pass") swing from run to run. The rate target is judged on rounds
//! instead: serve is stopped at 10 000 stored to copy the store, and after the fill each of
//! BENCH_ROUNDS rounds (default 7: single rounds swing by a quarter on a shared machine) adds
//! 20 000 events to a fresh copy of that early store and 20 000 to a fresh copy of the full
//! one (every other round the full one first, so that a drift of the machine's speed over the
//! rounds favours neither), so a round's two rates are measured seconds apart;
//! the median of the rounds' ratios meets the target or not. The restart at 10 000 is why the
//! table's first row covers 10 000 to 100 000.
//!
//! `BENCH_ROUNDS_FROM=PATH` runs the rounds alone on a store kept by an earlier run (below) and
//! its copy at 10 000, to compare builds without filling again. Each round also prints how idle
//! the machine was (`/proc/stat`): what the store costs the writer, the one thread whose work
//! cannot be shared, shows as the other threads waiting on it as much as in CPU time.
//!
//! The rate at one size is measured more quietly by keeping a filled store and adding to copies
//! of it: `BENCH_KEEP=PATH` copies the store (and its write-ahead log) to PATH at the end, and
//! the store at 10 000 to PATH.10k; `BENCH_FROM=PATH` starts from a copy of PATH, so
//! `BENCH_FROM=/tmp/curve-1m.sqlite3 BENCH_EVENTS=100000` measures storing at a million, old and
//! new builds alternating on the same store. The ratio's target and the rounds are then left
//! out: its early window is no longer early.
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
/// of the events without `companyId`, as a product would send them. Each request's user is drawn
/// at random (a hash of the request): the first 10 000 events come from some 7 900 users, as an
/// app's would. (A user proportional to the request number put them on 346 users, whose derived
/// rows then lay on a handful of pages: the early store's rate was a store without users.)
fn request(conn: u64, n: u64) -> Vec<u8> {
    let i = conn * 1_000_003 + n;
    let user = splitmix64(i) % 20_000;
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

/// SplitMix64's output function: a well-spread hash of a counter.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
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

/// The machine's idle and busy time so far (`/proc/stat`'s first line: idle and iowait against
/// the rest), in clock ticks.
fn machine_ticks() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let idle = ticks.iter().skip(3).take(2).sum::<f64>();
    (idle, ticks.iter().sum::<f64>() - idle)
}

/// What serve has written to storage so far (`write_bytes`, `/proc/PID/io`: the log's frames and
/// the checkpoints' pages, counted as they are handed to the kernel), in KiB. Unlike the rate, it
/// does not move with the machine's load.
fn written_kib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/io"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("write_bytes:"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map_or(f64::NAN, |bytes| bytes / 1024.0)
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
    // Each window begins and ends on a mark, one each STEP events.
    let total = env("BENCH_EVENTS", 1_000_000)
        .max(4 * STEP)
        .next_multiple_of(STEP);
    let connections = env("BENCH_CONNECTIONS", 64);
    let rounds = env("BENCH_ROUNDS", 7);
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let db = dir.path().join("curve.sqlite3");
    let early_store = dir.path().join("early.sqlite3");
    if let Some(kept) = std::env::var_os("BENCH_ROUNDS_FROM") {
        rounds_from(kept.into(), rounds, total, connections, dir.path());
        return;
    }
    let from = std::env::var_os("BENCH_FROM").map(std::path::PathBuf::from);
    if let Some(from) = &from {
        copy_store(from, &db);
    }
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
    // The first request number no connection has sent yet: each fill's events are new.
    let mut next = 0;
    let mut filled = 0;
    // Where the fill's events go on after the store at STEP: the rounds' early copies take the
    // same events the pass's early window took (new users come at the same pace as there).
    let mut early_next = 0;
    if from.is_none() {
        // The rounds start from the store at STEP events. serve is stopped for the copy (every
        // answered event is committed), so the pass's early window, like a round's, starts
        // right after serve starts, and the restart itself falls in no window.
        let server = serve::serve(&db);
        (_, next) = fill(&server, connections, 0..STEP, next, false);
        early_next = next;
        drop(server);
        copy_store(&db, &early_store);
        filled = STEP;
    }
    let server = serve::serve(&db);
    let marks;
    (marks, next) = fill(&server, connections, filled..total, next, true);
    let pid = server.0.id();
    let memory = (memory_mib(pid, "VmRSS"), memory_mib(pid, "VmHWM"));
    drop(server);
    // Small windows swing with the machine: 20 000 events at each end.
    let early = rate(&marks, STEP, 3 * STEP);
    let late = rate(&marks, total - 2 * STEP, total);
    let elapsed = started.elapsed().as_secs_f64();
    if let Some(from) = &from {
        println!(
            "# {total} events added to a copy of {} in {elapsed:.1} s; rate over the first 20k \
             added {early:.0}/s, over the last 20k {late:.0}/s",
            from.display(),
        );
    } else {
        println!(
            "# {total} events in {elapsed:.1} s; one pass: rate at {}–{}k stored {early:.0}/s, at \
             {}–{}k stored {late:.0}/s: {:.0} %",
            STEP / 1000,
            3 * STEP / 1000,
            (total - 2 * STEP) / 1000,
            total / 1000,
            late / early * 100.0,
        );
    }
    if let Some(keep) = std::env::var_os("BENCH_KEEP") {
        copy_store(&db, std::path::Path::new(&keep));
        if from.is_none() {
            copy_store(&early_store, &with(std::path::Path::new(&keep), ".10k"));
        }
        println!(
            "# the store is kept in {} (at 10 000: .10k)",
            keep.to_string_lossy()
        );
    }

    if from.is_none() && rounds > 0 {
        alternate(
            rounds,
            [(&early_store, early_next), (&db, next)],
            total,
            connections,
            &dir.path().join("round.sqlite3"),
        );
    }

    let (rss, hwm) = memory;
    // serve's defaults: the recorder's `--record-memory` and the writer's page cache.
    let recorder = 128.0;
    let page_cache = 8_000.0 * 1000.0 / 1024.0 / 1024.0 * PAGE_CACHES;
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
}

/// The rounds alone, on a store kept by an earlier run (`BENCH_KEEP`) and its copy at STEP; each
/// connection goes on about where that run's stopped.
fn rounds_from(
    kept: std::path::PathBuf,
    rounds: u64,
    total: u64,
    connections: u64,
    dir: &std::path::Path,
) {
    let early = with(&kept, ".10k");
    alternate(
        rounds,
        [
            (&early, STEP / connections + 1),
            (&kept, total / connections + 1),
        ],
        total,
        connections,
        &dir.join("round.sqlite3"),
    );
}

/// Runs `rounds` rounds, each adding 20 000 events to a fresh copy of the store at STEP
/// (`stores[0]`) and to one of the full store of `total` (`stores[1]`), in turn first, each
/// store's events from its request number on (every round the same ones), and prints each
/// round's rates and the median of their ratios against the target.
fn alternate(
    rounds: u64,
    stores: [(&std::path::Path, u64); 2],
    total: u64,
    connections: u64,
    copy: &std::path::Path,
) {
    // One pass's early and late windows are a minute or more apart, and the machine's speed
    // drifts in between; alternating copies of the early and the full store measures both in the
    // same minutes.
    // The rate, and serve's CPU per 1 000 events: what the store costs, whatever else the
    // machine does in those seconds.
    let add = |(store, first): (&std::path::Path, u64), size: u64| {
        copy_store(store, copy);
        let server = serve::serve(copy);
        let (cpu, written) = (cpu_ms(server.0.id()), written_kib(server.0.id()));
        let machine = machine_ticks();
        let (marks, _) = fill(&server, connections, size..size + 2 * STEP, first, false);
        let now = machine_ticks();
        let idle = (now.0 - machine.0) / (now.0 - machine.0 + now.1 - machine.1) * 100.0;
        let per_k = (cpu_ms(server.0.id()) - cpu) * 1000.0 / (2 * STEP) as f64;
        let per_event = (written_kib(server.0.id()) - written) / (2 * STEP) as f64;
        (rate(&marks, size, size + 2 * STEP), per_k, per_event, idle)
    };
    let mut ratios = Vec::new();
    for round in 1..=rounds {
        // Every other round the full store goes first: a machine that speeds up or slows down
        // over the rounds then favours neither side (early, late; late, early; …).
        let ((early, early_cpu, early_kib, early_idle), (late, late_cpu, late_kib, late_idle)) =
            if round % 2 == 1 {
                let early = add(stores[0], STEP);
                (early, add(stores[1], total))
            } else {
                let late = add(stores[1], total);
                (add(stores[0], STEP), late)
            };
        println!(
            "# round {round}: rate at {}–{}k stored {early:.0}/s, at {}–{}k stored {late:.0}/s: \
             {:.0} % (serve's CPU per 1k events {early_cpu:.1} → {late_cpu:.1} ms; written per \
             event {early_kib:.1} → {late_kib:.1} KiB; machine idle {early_idle:.0} → \
             {late_idle:.0} %)",
            STEP / 1000,
            3 * STEP / 1000,
            total / 1000,
            (total + 2 * STEP) / 1000,
            late / early * 100.0
        );
        ratios.push(late / early);
    }
    ratios.sort_by(f64::total_cmp);
    let mid = ratios.len() / 2;
    let median = if ratios.len().is_multiple_of(2) {
        f64::midpoint(ratios[mid - 1], ratios[mid])
    } else {
        ratios[mid]
    };
    println!(
        "# median of {rounds} rounds: late {:.0} % of early (target >= 80 %: {})",
        median * 100.0,
        if median >= 0.8 { "met" } else { "NOT met" }
    );
}

/// Events per second between the marks at `from` and at `to` stored.
fn rate(marks: &[(u64, Instant)], from: u64, to: u64) -> f64 {
    let at = |n: u64| marks.iter().find(|(m, _)| *m == n).unwrap().1;
    (to - from) as f64 / at(to).duration_since(at(from)).as_secs_f64()
}

/// `path` with `suffix` added to its file name: a store's log (`-wal`), or the kept store at
/// 10 000 (`.10k`).
fn with(path: &std::path::Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    std::path::PathBuf::from(name)
}

/// Copies a store and its write-ahead log (serve was killed: the log holds what the last
/// checkpoint left, and SQLite reads it back on the next open).
fn copy_store(from: &std::path::Path, to: &std::path::Path) {
    copy_pages(from, to);
    if with(from, "-wal").exists() {
        copy_pages(&with(from, "-wal"), &with(to, "-wal"));
    } else {
        let _ = std::fs::remove_file(with(to, "-wal"));
    }
    // The rounds copy over the same file: nothing of the last round's index of its log stays.
    let _ = std::fs::remove_file(with(to, "-shm"));
    // On disk before serve starts: a copy of a million events is 160 MB of dirty pages that the
    // kernel would otherwise write back while the round runs, in the same queue as serve's syncs.
    for file in [to.to_path_buf(), with(to, "-wal")] {
        if let Ok(file) = std::fs::File::open(&file) {
            file.sync_all().unwrap();
        }
    }
}

/// Copies a file in writes of a page. `std::fs::copy` hands the kernel the whole file
/// (`copy_file_range`), which caches the copy in large folios (ext4 on Linux 6.x): each 4 KiB page
/// a checkpoint then writes dirties a whole folio, and the kernel writes all of it back, 45 KiB
/// for each 4 KiB page measured here. serve's own store, written and read a page at a time, is
/// cached a page at a time; so is a copy made like this one, and its checkpoints write what they
/// write (docs/performance.md).
fn copy_pages(from: &std::path::Path, to: &std::path::Path) {
    use std::io::{Read, Write};
    let mut source = std::fs::File::open(from)
        .unwrap_or_else(|e| panic!("copying {} to {}: {e}", from.display(), to.display()));
    let mut copy = std::fs::File::create(to).unwrap();
    let mut page = vec![0u8; 4096];
    loop {
        let n = source.read(&mut page).unwrap();
        if n == 0 {
            break;
        }
        copy.write_all(&page[..n]).unwrap();
    }
}

/// Sends events from `connections` connections, request numbers from `first` on, until the store
/// holds `span.end` events (it holds `span.start`). Answers the instant each STEP-th event was
/// stored, and the first request number no connection sent. `table` prints the rate of each
/// hundred thousand and serve's memory.
fn fill(
    server: &serve::Serve,
    connections: u64,
    span: std::ops::Range<u64>,
    first: u64,
    table: bool,
) -> (Vec<(u64, Instant)>, u64) {
    let pid = server.0.id();
    let addr: std::net::SocketAddr = server
        .1
        .trim_start_matches("http://")
        .parse()
        .expect("serve listens on an address");
    let end = span.end;
    let claimed = Arc::new(AtomicU64::new(span.start));
    let stored = Arc::new(AtomicU64::new(span.start));
    // The instant each STEP-th answer arrived.
    let marks: Arc<std::sync::Mutex<Vec<(u64, Instant)>>> = Arc::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    marks.lock().unwrap().push((span.start, Instant::now()));
    let next = runtime.block_on(async {
        let mut tasks = Vec::new();
        for c in 0..connections {
            let (claimed, stored, marks) = (claimed.clone(), stored.clone(), marks.clone());
            tasks.push(tokio::spawn(async move {
                let mut stream = TcpStream::connect(addr).await.expect("connect");
                stream.set_nodelay(true).ok();
                let mut buf = vec![0u8; 16 * 1024];
                let mut n = first;
                // Claimed before it is sent, so the store ends at exactly `end`: the rounds'
                // early store is the store at STEP.
                while claimed.fetch_add(1, Ordering::Relaxed) < end {
                    stream.write_all(&request(c, n)).await.expect("write");
                    assert!(answered(&mut stream, &mut buf).await, "a refused event");
                    n += 1;
                    let now = stored.fetch_add(1, Ordering::Relaxed) + 1;
                    if now.is_multiple_of(STEP) {
                        marks.lock().unwrap().push((now, Instant::now()));
                    }
                }
                n
            }));
        }
        // Resident memory and serve's CPU time as the store grows, sampled between the answers:
        // the CPU per event moves far less than the rate with other work on a shared machine.
        let mut printed = span.start;
        let mut cpu_from = (span.start, cpu_ms(pid));
        let mut done = !table;
        while !done {
            tokio::time::sleep(Duration::from_millis(200)).await;
            // Before the marks are read: the last mark is in when the last task is done.
            done = tasks.iter().all(tokio::task::JoinHandle::is_finished);
            let marks = marks.lock().unwrap().clone();
            for &(to_n, _) in &marks {
                if to_n > printed && to_n.is_multiple_of(100_000) {
                    // The first row of a fill started later than 0 begins where it started.
                    let from_n = to_n.saturating_sub(100_000).max(span.start);
                    let cpu_to = (stored.load(Ordering::Relaxed), cpu_ms(pid));
                    let per_k = (cpu_to.1 - cpu_from.1) * 1000.0 / (cpu_to.0 - cpu_from.0) as f64;
                    cpu_from = cpu_to;
                    println!(
                        "{to_n:>9}  {:>9.0}  {per_k:>13.1}  {:>10.1}  {:>9.1}",
                        rate(&marks, from_n, to_n),
                        memory_mib(pid, "VmRSS"),
                        memory_mib(pid, "VmHWM")
                    );
                    printed = to_n;
                }
            }
        }
        let mut next = first;
        for t in tasks {
            next = next.max(t.await.expect("connection task"));
        }
        next
    });
    (marks.lock().unwrap().clone(), next)
}

/// Connections with a `cache_size` of their own that writing fills: the writer's.
const PAGE_CACHES: f64 = 1.0;

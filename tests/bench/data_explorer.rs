//! `cargo bench --bench data_explorer`: the console's Data view on a store of 1 000 000 events.
//!
//! The store is filled through the real server (HTTP, durable), once: it is kept in
//! `target/tmp/data-explorer/` and reused while it holds enough events (BENCH_EVENTS, default
//! 1 000 000). Each measured step is what the console does for one key press: `update` → the
//! page request through `inspect` over loopback HTTP → `update` with the answer → one frame
//! drawn (120×40, TestBackend). Target: under 50 ms per step; a search that matches nothing
//! (the whole store read before the search index) under 20 ms. Then the store read behind one
//! page, deep and near the start, by offset and by cursor: under 2 ms anywhere. Last, the
//! process's peak resident memory against the console's budget (< 64 MB).
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark, like a test, should stop at the first failure"
)]

mod load;

use bucket_console::api::{Method, TrackingKey};
use bucket_console::inspect::Inspector;
use bucket_console::profiles::{Profile, Profiles};
use bucket_console::server::{self, ServerConfig, Storage};
use bucket_console::tui::action::{Action, Effect};
use bucket_console::tui::state::State;
use bucket_console::tui::{update::update, view};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};

const KEY: &str = "trCqx4DGo1lk3Lcct5NHLjWy";

fn main() {
    let wanted: u64 = std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let (server_rt, client_rt) = load::runtimes();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("data-explorer");
    let db = dir.join("bench.sqlite3");
    let running = server_rt
        .block_on(server::start(ServerConfig::ephemeral(Storage::File(
            db.clone(),
        ))))
        .unwrap();
    let base = running.base_url();
    let inspector = Inspector::new(&base, TrackingKey::parse(KEY).unwrap()).unwrap();
    let stored = fill(&client_rt, &inspector, running.addr(), wanted);
    println!(
        "# data_explorer: {stored} events stored in {}",
        db.display()
    );

    let profile = Profile {
        name: "bench".into(),
        base_url: base.clone(),
        key: bucket_console::api::AnyKey::Tracking(TrackingKey::parse(KEY).unwrap()),
        ..Profile::local()
    };
    let mut state = State::new(
        Profiles::default(),
        profile,
        base,
        Method::Event,
        false,
        bucket_console::api::timestamp::now_ms(),
    );
    state.size = (120, 40);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut step = |state: &mut State, code: KeyCode| -> f64 {
        let started = Instant::now();
        let effects = update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        run(&client_rt, &inspector, state, effects);
        terminal.draw(|f| view::draw(f, state)).unwrap();
        started.elapsed().as_secs_f64() * 1000.0
    };

    step(&mut state, KeyCode::F(2));
    let mut open = Vec::new();
    for _ in 0..10 {
        step(&mut state, KeyCode::Char('1'));
        open.push(step(&mut state, KeyCode::Char('3')));
    }
    let mut pages = Vec::new();
    for _ in 0..50 {
        pages.push(step(&mut state, KeyCode::PageDown));
    }
    for _ in 0..50 {
        pages.push(step(&mut state, KeyCode::PageUp));
    }
    let mut rows = Vec::new();
    for _ in 0..200 {
        rows.push(step(&mut state, KeyCode::Down));
    }
    let flip = step(&mut state, KeyCode::Char('s'));
    let mut oldest = Vec::new();
    for _ in 0..20 {
        oldest.push(step(&mut state, KeyCode::PageDown));
    }
    step(&mut state, KeyCode::Char('s'));
    // Far down the list by offset: a seek on each event's position (it walked every earlier row).
    state.inspect.query.offset = stored / 2;
    let deep = step(&mut state, KeyCode::Char('r'));
    step(&mut state, KeyCode::Home);
    step(&mut state, KeyCode::Char('/'));
    let (nothing, typing) = searches(&mut state, &mut step);

    println!("{}", line("open the Events tab", &open));
    println!("{}", line("page down / page up", &pages));
    println!("{}", line("↓ (a page loads every 50)", &rows));
    println!("{}", line("page down, oldest first", &oldest));
    println!("sort flip (first page, oldest first)   {flip:>7.2} ms");
    println!(
        "jump to row {} by offset (a seek)  {deep:>7.2} ms (not a key press; not in the target)",
        stored / 2
    );
    print_searches(&nothing, &typing);
    let worst = open
        .iter()
        .chain(&pages)
        .chain(&rows)
        .chain(&oldest)
        .chain([&flip])
        .fold(0.0f64, |a, b| a.max(*b));
    println!(
        "# slowest step opening and scrolling: {worst:.2} ms (target < 50 ms: {})",
        verdict(worst, 50.0)
    );
    paging(&db, stored);
    println!("{}", memory_line());
    drop(running);
}

/// A search that matches nothing, five times; then a user id typed key by key, which searches at
/// each key press, from dense matches ("u": every event) through about 12 000 ("u12") to about a
/// hundred ("u1234").
fn searches(
    state: &mut State,
    step: &mut impl FnMut(&mut State, KeyCode) -> f64,
) -> (Vec<f64>, Vec<(String, f64)>) {
    let mut nothing = Vec::new();
    for _ in 0..5 {
        nothing.push(step(state, KeyCode::Char('x')));
        step(state, KeyCode::Backspace);
    }
    let mut typed = String::new();
    let mut typing = Vec::new();
    for c in "u1234".chars() {
        typed.push(c);
        typing.push((typed.clone(), step(state, KeyCode::Char(c))));
    }
    (nothing, typing)
}

fn print_searches(nothing: &[f64], typing: &[(String, f64)]) {
    let slowest = nothing.iter().fold(0.0f64, |a, b| a.max(*b));
    println!(
        "{} (target < 20 ms: {})",
        line("search that matches nothing (\"x\")", nothing),
        verdict(slowest, 20.0)
    );
    for (typed, ms) in typing {
        println!(
            "search {:<32}{ms:>7.2} ms (target < 50 ms: {})",
            format!("\"{typed}\", typed key by key"),
            verdict(*ms, 50.0)
        );
    }
}

fn verdict(ms: f64, target: f64) -> &'static str {
    if ms < target { "met" } else { "NOT met" }
}

/// Issue 27's memory budget: the console under 64 MB resident while it browses the store. The
/// peak (VmHWM) of this process bounds it from above: the process runs the console's update and
/// view, and also the inspector's client and the server with its SQLite page cache.
fn memory_line() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |field: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
    };
    match (kib("VmHWM:"), kib("VmRSS:")) {
        (Some(peak), Some(now)) => format!(
            "# resident memory, whole bench process (console + server): peak {:.1} MB, now {:.1} MB (console target < 64 MB: {})",
            peak as f64 / 1024.0,
            now as f64 / 1024.0,
            if peak < 64 * 1024 { "met" } else { "NOT met" }
        ),
        _ => "# resident memory: /proc/self/status is not readable here".to_owned(),
    }
}

/// Paging by key: the store read behind one page of 50, as the server runs it (its own reader
/// connection, no HTTP), deep in the list and near its start. Target: under 2 ms, anywhere.
fn paging(db: &std::path::Path, stored: u64) {
    use bucket_console::server::store::queries::{self, EventFilter, Order, Page};
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let page = |offset: u64, after, order| Page {
        limit: 50,
        offset,
        after,
        order,
        search: None,
    };
    let events = |p: &Page| queries::events(&conn, KEY, &EventFilter::default(), p).unwrap();
    // The cursor of the row just before `at` (`at` > 0), as the page before it answers.
    let cursor_before = |at: u64, order| {
        let limit = at.min(50);
        let p = Page {
            limit: limit as u32,
            ..page(at - limit, None, order)
        };
        events(&p).next
    };
    // Median of 15 reads, after one that warms the cache.
    let median = |read: &dyn Fn() -> usize| -> f64 {
        read();
        let mut v: Vec<f64> = (0..15)
            .map(|_| {
                let started = Instant::now();
                read();
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let time = |read: &dyn Fn() -> usize| -> f64 {
        assert_eq!(read(), 50, "a full page");
        median(read)
    };
    let target = |ms: f64| {
        format!(
            "{ms:>8.3} ms (target < 2 ms: {})",
            if ms < 2.0 { "met" } else { "NOT met" }
        )
    };
    let deep = 520_000.min(stored - 100);
    let walk_sql = "SELECT id, event, user_id, company_id, attributes, timestamp, received_at
        FROM events WHERE key_id = (SELECT id FROM tracking_keys WHERE key_sha256 = ?1)
        ORDER BY received_at DESC, id DESC LIMIT 50 OFFSET ?2";
    let digest = bucket_console::api::key::digest(KEY);
    let walk = time(&|| {
        conn.prepare_cached(walk_sql)
            .unwrap()
            .query_map(rusqlite::params![digest, deep], |_| Ok(()))
            .unwrap()
            .count()
    });
    let by_offset = time(&|| events(&page(deep, None, Order::Newest)).rows.len());
    let cursor = cursor_before(deep, Order::Newest);
    let by_cursor = time(&|| events(&page(0, cursor.clone(), Order::Newest)).rows.len());
    println!("# paging by key (store read of a 50-row page, at the server; median of 15):");
    println!(
        "page {deep} deep, LIMIT/OFFSET walk (before) {walk:>8.3} ms (what `data --offset {deep}` cost)"
    );
    println!(
        "page {deep} deep by offset (seek)      {}",
        target(by_offset)
    );
    println!(
        "the same page by cursor (after=)      {}",
        target(by_cursor)
    );
    let last = stored - 50;
    for at in [10, last] {
        let label = format!("row {at}");
        let offset = time(&|| events(&page(at, None, Order::Oldest)).rows.len());
        let cursor = cursor_before(at, Order::Oldest);
        let after = time(&|| events(&page(0, cursor.clone(), Order::Oldest)).rows.len());
        println!(
            "oldest first, page at {label:<16} by offset {}",
            target(offset)
        );
        println!(
            "oldest first, page at {label:<16} by cursor {}",
            target(after)
        );
    }
    let searched = Page {
        search: Some("e".into()),
        ..page(deep, None, Order::Newest)
    };
    let filtered = time(&|| events(&searched).rows.len());
    println!(
        "page {deep} deep by offset, searched (walks) {filtered:>8.3} ms (not in the target: a search or filter walks; its cursor does not)"
    );
    owned(&conn, &median);
    users(&conn, &time);
}

/// One user's events (about fifty of each of 20 000 users) and one company's (a fiftieth of
/// all: common enough that the list is walked), first page, newest first.
fn owned(conn: &rusqlite::Connection, median: &dyn Fn(&dyn Fn() -> usize) -> f64) {
    use bucket_console::server::store::queries::{self, EventFilter, Order, Page};
    let page = Page {
        limit: 50,
        offset: 0,
        after: None,
        order: Order::Newest,
        search: None,
    };
    for (label, filter, before) in [
        (
            "one user's events",
            EventFilter {
                user_id: Some("u123".into()),
                ..EventFilter::default()
            },
            "read by id; was a walk of every event, 270-400 ms at a million",
        ),
        (
            "one company's events",
            EventFilter {
                company_id: Some("c7".into()),
                ..EventFilter::default()
            },
            "5 000 events or more: walked, as before",
        ),
    ] {
        let read = || {
            queries::events(conn, KEY, &filter, &page)
                .unwrap()
                .rows
                .len()
        };
        let rows = read();
        let ms = median(&read);
        println!("{label:<21} first page ({rows} rows)  {ms:>8.3} ms ({before})");
    }
}

/// Users have no seek-offset (their order changes as they are seen): a deep offset walks (and
/// sorts), their cursor does not.
fn users(conn: &rusqlite::Connection, time: &dyn Fn(&dyn Fn() -> usize) -> f64) {
    use bucket_console::server::store::queries::{self, Order, Page};
    let page = |offset: u64, after| Page {
        limit: 50,
        offset,
        after,
        order: Order::Newest,
        search: None,
    };
    let read = |p: &Page| queries::users(conn, KEY, p).unwrap();
    let count = queries::stats(conn, KEY).unwrap().users;
    let half = count / 2;
    let by_offset = time(&|| read(&page(half, None)).rows.len());
    let before = read(&page(half - 50, None)).next;
    let by_cursor = time(&|| read(&page(0, before.clone())).rows.len());
    println!(
        "users ({count}): page {half} deep by offset {by_offset:>8.3} ms, by cursor {by_cursor:>8.3} ms (no seek-offset: their order changes as they are seen)"
    );
}

fn line(label: &str, samples: &[f64]) -> String {
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    format!(
        "{label:<38} median {:>6.2} ms  p95 {:>6.2} ms  max {:>6.2} ms  ({} steps)",
        at(0.5),
        at(0.95),
        v[v.len() - 1],
        v.len()
    )
}

/// Runs the effects a key press asked for, as the console's loop does, and feeds the answers back.
fn run(
    rt: &tokio::runtime::Runtime,
    inspector: &Inspector,
    state: &mut State,
    effects: Vec<Effect>,
) {
    for effect in effects {
        match effect {
            Effect::LoadData {
                query, generation, ..
            } => {
                let result = rt
                    .block_on(inspector.read(&query))
                    .map_err(bucket_console::term::Failure::from);
                assert!(result.is_ok(), "{result:?}");
                update(state, Action::InspectLoaded { generation, result });
            }
            Effect::LoadEntity { which, .. } => {
                let result = rt
                    .block_on(inspector.entity(&which))
                    .map_err(bucket_console::term::Failure::from);
                update(state, Action::EntityLoaded { which, result });
            }
            _ => {}
        }
    }
}

/// Sends events through the server until it holds `wanted`; returns how many it holds.
fn fill(
    rt: &tokio::runtime::Runtime,
    inspector: &Inspector,
    addr: std::net::SocketAddr,
    wanted: u64,
) -> u64 {
    let count = || rt.block_on(inspector.stats()).unwrap().events;
    let mut have = count();
    if have < wanted {
        println!("# filling the store to {wanted} events through the server (once)…");
    }
    while have < wanted {
        let request = |conn: usize, i: usize| {
            let body = format!(
                r#"{{"event":"e{}","userId":"u{}","companyId":"c{}","attributes":{{"i":{i}}}}}"#,
                i % 20,
                (conn * 131 + i) % 20_000,
                conn % 50
            );
            load::post(&format!("/{KEY}/event"), &body)
        };
        let report = rt.block_on(load::run(
            addr,
            64,
            Duration::ZERO,
            Duration::from_secs(5),
            request,
        ));
        have = count();
        println!("#   {have} events ({})", report.line("fill").trim());
    }
    have
}

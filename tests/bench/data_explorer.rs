//! `cargo bench --bench data_explorer`: the console's Data view on a store of 1 000 000 events.
//!
//! The store is filled through the real server (HTTP, durable), once: it is kept in
//! `target/tmp/data-inspector/` and reused while it holds enough events (BENCH_EVENTS, default
//! 1 000 000). Each measured step is what the console does for one key press: `update` → the
//! page request through `inspect` over loopback HTTP → `update` with the answer → one frame
//! drawn (120×40, TestBackend). Target: under 50 ms per step.
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
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("data-inspector");
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
    // Far down the list: offset paging makes SQLite walk past every earlier row.
    state.inspect.query.offset = stored / 2;
    let deep = step(&mut state, KeyCode::Char('r'));
    step(&mut state, KeyCode::Home);
    step(&mut state, KeyCode::Char('/'));
    let search = step(&mut state, KeyCode::Char('x'));

    println!("{}", line("open the Events tab", &open));
    println!("{}", line("page down / page up", &pages));
    println!("{}", line("↓ (a page loads every 50)", &rows));
    println!("{}", line("page down, oldest first", &oldest));
    println!("sort flip (first page, oldest first)   {flip:>7.2} ms");
    println!(
        "jump to row {} (offset paging)    {deep:>7.2} ms (not a key press; not in the target)",
        stored / 2
    );
    println!("search \"x\" (no match: a scan)          {search:>7.2} ms (not in the target)");
    let worst = open
        .iter()
        .chain(&pages)
        .chain(&rows)
        .chain(&oldest)
        .chain([&flip])
        .fold(0.0f64, |a, b| a.max(*b));
    println!(
        "# slowest step opening and scrolling: {worst:.2} ms (target < 50 ms: {})",
        if worst < 50.0 { "met" } else { "NOT met" }
    );
    drop(running);
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

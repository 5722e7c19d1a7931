//! `cargo bench --bench stars`: the STARS funnel over a large store.
//!
//! The store holds BENCH_EVENTS events (default 1 000 000), half of them the feature's, from
//! 10 000 companies of two users each over 60 days; a third carry no `companyId` and count
//! through their user's company. Rows are written straight into the store's own tables (as that
//! many calls would leave them) so that setting up takes seconds, not minutes.
//!
//! 1. The funnel of one feature, read from the store: median of 10 (target < 200 ms); and the
//!    three features of `assets/stars-demo.toml` the same way (the server's share of F6).
//! 2. What F6 asks for through the local server's route, answered and decoded: the list (the
//!    three features, counts only; target < 100 ms computed, < 5 ms reused), then a feature's
//!    drill-down (its standings), and for comparison the whole answer `stars --json` asks for
//!    (every id at every step): the first request (computed) and the median of nine repeats over
//!    the unchanged store (reused).
//! 3. The console's side of F6 (target: a key press, < 50 ms): the key to its first frame
//!    ("computing…", the request sent off the loop), and the answer to the frame with the bars.
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark, like a test, should stop at the first failure"
)]

use bucket_console::api::TrackingKey;
use bucket_console::api::stars::{Feature, Listing, StarsRequest, Usage};
use bucket_console::server::store::{Store, stars};
use bucket_console::server::{self, ServerConfig, Storage};
use rusqlite::{Connection, params};
use std::time::Instant;

const KEY: &str = "benchKey_0123456789abcdef";
const COMPANIES: u64 = 10_000;
const DAY: i64 = 86_400_000;
/// 2026-11-30T12:00:00Z.
const AS_OF: i64 = 1_796_040_000_000;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A small deterministic generator (xorshift), so every run builds the same store.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn fill(path: &std::path::Path, events: u64) {
    // Opening the store once creates its tables and indexes, then it is dropped.
    drop(Store::open(&Storage::File(path.to_path_buf())).unwrap());
    std::thread::sleep(std::time::Duration::from_millis(100));
    let mut conn = Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")
        .unwrap();
    let tx = conn.transaction().unwrap();
    tx.execute(
        "INSERT INTO tracking_keys (id, key_sha256) VALUES (1, ?1)",
        [bucket_console::api::key::digest(KEY)],
    )
    .unwrap();
    {
        let mut company = tx
            .prepare("INSERT INTO companies (key_id, company_id, attributes, first_seen, last_seen) VALUES (1, ?1, ?2, 0, 0)")
            .unwrap();
        let mut user = tx
            .prepare("INSERT INTO users (key_id, user_id, attributes, first_seen, last_seen) VALUES (1, ?1, '{}', 0, 0)")
            .unwrap();
        let mut member = tx
            .prepare("INSERT INTO memberships (key_id, company_id, user_id) VALUES (1, ?1, ?2)")
            .unwrap();
        for c in 0..COMPANIES {
            let id = format!("company-{c:05}");
            let attributes = format!(
                "{{\"plan\":\"{}\",\"hasSlackEnabled\":{}}}",
                if c % 3 == 0 { "enterprise" } else { "pro" },
                c % 2 == 0
            );
            company.execute(params![id, attributes]).unwrap();
            for u in 0..2 {
                let uid = format!("user-{c:05}-{u}");
                user.execute([&uid]).unwrap();
                member.execute([&id, &uid]).unwrap();
            }
        }
        let mut event = tx
            .prepare("INSERT INTO events (key_id, event, user_id, company_id, attributes, timestamp, received_at) VALUES (1, ?1, ?2, ?3, '{}', ?4, ?4)")
            .unwrap();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for i in 0..events {
            let r = rng.next();
            let c = r % COMPANIES;
            let name = if i % 2 == 0 {
                "Exported report"
            } else {
                ["Sent message", "Opened dashboard", "Signed in with SSO"][(r >> 20) as usize % 3]
            };
            let user = format!("user-{c:05}-{}", (r >> 40) & 1);
            let company = (!(r >> 41).is_multiple_of(3)).then(|| format!("company-{c:05}"));
            let t = AS_OF - ((r >> 8) % (60 * DAY as u64)) as i64;
            event.execute(params![name, user, company, t]).unwrap();
        }
        let mut feedback = tx
            .prepare("INSERT INTO feedback (feedback_id, key_id, feature_id, user_id, company_id, score, source, created_at, updated_at) VALUES (?1, 1, 'export', ?2, ?3, ?4, 'bench', ?5, ?5)")
            .unwrap();
        for c in (0..COMPANIES).step_by(5) {
            feedback
                .execute(params![
                    format!("fb-{c}"),
                    format!("user-{c:05}-0"),
                    format!("company-{c:05}"),
                    1 + (c / 5) % 5,
                    AS_OF - i64::try_from(c).unwrap()
                ])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    drop(conn);
    // What the writer writes for stored events (their blocks of days, `store::derived`): opening
    // the store writes it for rows inserted by hand.
    drop(Store::open(&Storage::File(path.to_path_buf())).unwrap());
    std::thread::sleep(std::time::Duration::from_millis(100));
    let conn = Connection::open(path).unwrap();
    conn.execute_batch("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
}

fn demo_features() -> Vec<Feature> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/stars-demo.toml");
    bucket_console::collection::load(std::path::Path::new(path), &[])
        .unwrap()
        .features
}

fn main() {
    let events: u64 = std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    // BENCH_DB keeps the store between runs (built when the file does not exist yet).
    let path = std::env::var_os("BENCH_DB").map_or_else(
        || dir.path().join("bench.sqlite3"),
        std::path::PathBuf::from,
    );
    let started = Instant::now();
    if !path.exists() {
        fill(&path, events);
    }
    println!(
        "# stars: {events} events ({} the feature's), {COMPANIES} companies; built in {:.1} s",
        events.div_ceil(2),
        started.elapsed().as_secs_f64()
    );

    from_the_store(&path);
    let answer = over_the_route(&path);
    memory();
    console_side(answer);
}

/// The funnels read from the store directly: one feature with everything listed (what the
/// route's first versions answered), then F6's three with their counts alone.
fn from_the_store(path: &std::path::Path) {
    let export = Feature {
        usage: Usage::Event {
            events: vec!["Exported report".into()],
        },
        ..Feature::from_event("export")
    };
    let conn =
        Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut last = None;
    let times: Vec<f64> = (0..10)
        .map(|_| {
            let t = Instant::now();
            last = Some(
                stars::funnels(
                    &conn,
                    KEY,
                    std::slice::from_ref(&export),
                    AS_OF,
                    Listing::ALL,
                )
                .unwrap(),
            );
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let f = &last.unwrap()[0];
    println!(
        "funnel of one feature    median {:.1} ms (target < 200 ms)  [{} / {} / {} / {} / {}]",
        median(times),
        f.segment,
        f.tried,
        f.adopted,
        f.retained,
        f.satisfied
    );

    let list_only = Listing {
        companies: false,
        standings: false,
        only: None,
    };
    let times: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            stars::funnels(&conn, KEY, &demo_features(), AS_OF, list_only).unwrap();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    println!(
        "F6's 3 features, read   median {:.1} ms (from the store, counts only: the server's share)",
        median(times)
    );
}

/// What F6 and `stars --json` ask of the local server's route, first computed then reused; F6's
/// list as the console draws it.
fn over_the_route(path: &std::path::Path) -> Vec<bucket_console::api::stars::Funnel> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let server = server::start(ServerConfig::ephemeral(Storage::File(path.to_path_buf())))
            .await
            .unwrap();
        let x = bucket_console::inspect::Inspector::new(
            &server.base_url(),
            TrackingKey::parse(KEY).unwrap(),
        )
        .unwrap();
        let features = demo_features();
        let mut answer = Vec::new();
        // (label, features, standings, companies, targets)
        let asked = [
            ("F6: the list", features.clone(), false, false, true),
            (
                "F6: a drill-down",
                vec![features[0].clone()],
                true,
                false,
                false,
            ),
            (
                "stars --json (all ids)",
                features.clone(),
                false,
                true,
                false,
            ),
        ];
        for (label, features, standings, companies, targets) in asked {
            // The first request computes; the store unchanged, the others reuse its answer. Each
            // asks a second later, as F6 reopened asks for now.
            let mut times = Vec::new();
            let mut bytes = 0;
            for i in 0..10 {
                let request = StarsRequest {
                    features: features.clone(),
                    as_of: Some((AS_OF + i * 1000).into()),
                    company_id: None,
                    standings,
                    companies,
                };
                let t = Instant::now();
                let got = x.stars(&request).await.unwrap();
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                assert_eq!(got.len(), features.len());
                if i == 0 {
                    bytes = serde_json::to_vec(&got).unwrap().len();
                    if !standings && !companies {
                        answer = got;
                    }
                }
            }
            let computed = times.remove(0);
            let (first, again) = if targets {
                (" (target < 100 ms)", " (target < 5 ms)")
            } else {
                ("", "")
            };
            println!(
                "{label:<24} first {computed:.1} ms{first}, reopened median {:.1} ms{again} \
                 ({} feature(s), answer {:.0} KiB)",
                median(times),
                features.len(),
                bytes as f64 / 1024.0
            );
        }
        answer
    })
}

/// The process's resident memory after the server's requests: the server runs in this process,
/// so the figure also holds the bench's own client, its decoded answers and the store it wrote.
fn memory() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mib = |field: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    println!(
        "# memory: VmRSS {:.1} MiB, VmHWM {:.1} MiB (serve in this process with the bench's \
         client; budget for serve: 64 MiB + the recorder's 128 MiB + page caches)",
        mib("VmRSS"),
        mib("VmHWM")
    );
}

/// F6 in the console, at 120×40 on ratatui's TestBackend: the key to its first frame, and the
/// computed funnels to the frame that shows them (median of 100 each).
fn console_side(answer: Vec<bucket_console::api::stars::Funnel>) {
    use bucket_console::profiles::{Profile, Profiles};
    use bucket_console::tui::action::{Action, StarsPurpose};
    use bucket_console::tui::state::State;
    use bucket_console::tui::{update::update, view};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let fresh = || {
        let mut s = State::new(
            Profiles::default(),
            Profile::local(),
            "http://127.0.0.1:8787".into(),
            bucket_console::api::Method::Event,
            true,
            AS_OF,
        );
        s.size = (120, 40);
        s
    };
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    let (mut press, mut shown) = (Vec::new(), Vec::new());
    for _ in 0..100 {
        let mut s = fresh();
        let t = Instant::now();
        let effects = update(
            &mut s,
            Action::Key(KeyEvent::new(KeyCode::F(6), KeyModifiers::NONE)),
        );
        terminal.draw(|f| view::draw(f, &s)).unwrap();
        press.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(effects.len(), 1);
        let generation = s.stars.generation;
        let t = Instant::now();
        update(
            &mut s,
            Action::StarsLoaded {
                purpose: StarsPurpose::List(generation),
                result: Ok(answer.clone()),
            },
        );
        terminal.draw(|f| view::draw(f, &s)).unwrap();
        shown.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "F6: key to first frame   median {:.2} ms (target < 50 ms)",
        median(press)
    );
    println!(
        "F6: funnels to frame     median {:.2} ms (3 funnels, 10 000 companies each)",
        median(shown)
    );
}

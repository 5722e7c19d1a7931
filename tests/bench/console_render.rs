//! `cargo bench --bench console_render`: one frame of the console with 100 000 exchanges in the
//! log (target: under 2 ms), at 120×40 on ratatui's TestBackend, the log pane focused and the
//! selection in the middle, then the form screen, then the log filtered to 4xx with the selection
//! 50 000 rows deep (target: under 0.5 ms). Median and p99 of BENCH_FRAMES (default 300).
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark, like a test, should stop at the first failure"
)]

use bucket_console::api::Method;
use bucket_console::client::{Attempt, Exchange, Outcome, Response};
use bucket_console::profiles::{Profile, Profiles};
use bucket_console::tui::action::Action;
use bucket_console::tui::state::{Focus, ServerStatus, State};
use bucket_console::tui::{update::update, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Instant;

fn exchange(i: usize) -> Exchange {
    let status = if i.is_multiple_of(7) { 400 } else { 200 };
    Exchange {
        id: Some(i as i64),
        started_at: format!("2026-11-26T12:{:02}:{:02}.000Z", (i / 60) % 60, i % 60),
        profile: "local".into(),
        base_url: "http://127.0.0.1:8787".into(),
        url: "http://127.0.0.1:8787/l…/event".into(),
        key_masked: "…".into(),
        key_fingerprint: "#000000".into(),
        api: None,
        method: "event".into(),
        request_body: format!("{{\"event\":\"Sent message\",\"userId\":\"{i}\"}}"),
        attempts: vec![Attempt {
            started_at: String::new(),
            status: Some(status),
            error: None,
            latency_ms: 2.5,
        }],
        response: Some(Response {
            status,
            headers: vec![],
            body: "{\"success\":true}".into(),
        }),
        outcome: if status == 200 {
            Outcome::Delivered
        } else {
            Outcome::Rejected
        },
        possibly_duplicated: i.is_multiple_of(11),
        latency_ms: 2.7,
        warnings: vec![],
        validation_errors: vec![],
        error_code: None,
        error_message: None,
        feedback_id: None,
        outbox_id: None,
    }
}

fn frames(state: &State, n: usize) -> Vec<f64> {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    (0..n)
        .map(|_| {
            let started = Instant::now();
            terminal.draw(|f| view::draw(f, state)).unwrap();
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect()
}

fn report(label: &str, mut times: Vec<f64>) {
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "{label:<34} median {:.3} ms  p99 {:.3} ms  ({} frames)",
        p(0.5),
        p(0.99),
        times.len()
    );
}

fn main() {
    let n: usize = std::env::var("BENCH_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let mut state = State::new(
        Profiles::default(),
        Profile::local(),
        "http://127.0.0.1:8787".into(),
        Method::Event,
        true,
        bucket_console::api::timestamp::now_ms(),
    );
    state.size = (120, 40);
    state.server = ServerStatus::Answers;
    let built = Instant::now();
    update(
        &mut state,
        Action::HistoryLoaded(Ok((0..100_000).map(exchange).collect())),
    );
    println!(
        "# console_render: 120x40 TestBackend, 100 000 log entries (loaded in {:.1} ms)",
        built.elapsed().as_secs_f64() * 1000.0
    );
    state.focus = Focus::Log;
    state.log.selected = 50_000;
    report("log focused, selection at 50 000", frames(&state, n));
    state.focus = Focus::Form;
    report("form focused", frames(&state, n));
    // The filtered index is kept as entries arrive; the selection deep in the log was the worst
    // case when a frame walked the log up to it.
    state.focus = Focus::Log;
    state.log.set_filter(bucket_console::history::Filter {
        status: Some(bucket_console::history::StatusClass::Hundreds(400)),
        ..Default::default()
    });
    state.log.selected = 49_994;
    report(
        "log filtered to 4xx, selection at 49 994 (target < 0.5 ms)",
        frames(&state, n),
    );
}

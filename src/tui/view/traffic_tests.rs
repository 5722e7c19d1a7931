//! Snapshots of the Traffic view: empty, the live list, a rejected request opened, and a
//! forwarded one with both verdicts.

use super::draw;
use crate::api::Method;
use crate::tui::action::Action;
use crate::tui::fixtures::{press, render, requests, state};
use crate::tui::state::{ServerStatus, State};
use crate::tui::traffic::Link;
use crate::tui::update::update;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn snapshot(name: &str, state: &State, width: u16, height: u16) {
    insta::assert_snapshot!(name, render(state, width, height).backend());
}

fn live(records: Vec<crate::api::inspect::RequestRecord>) -> State {
    let mut s = state(Method::User);
    s.server = ServerStatus::Answers;
    s.log.loading = false;
    press(&mut s, KeyCode::F(3));
    let generation = s.traffic.generation;
    update(
        &mut s,
        Action::TrafficLink {
            generation,
            link: Link::Live,
        },
    );
    for record in records {
        update(
            &mut s,
            Action::TrafficRecord {
                generation,
                record: Box::new(record),
            },
        );
    }
    s
}

#[test]
fn empty_and_live() {
    snapshot("traffic_empty", &live(vec![]), 80, 24);
    let mut records = requests::three();
    records.push(requests::forwarded());
    let mut s = live(records);
    snapshot("traffic_list", &s, 100, 24);
    press(&mut s, KeyCode::Char(' '));
    let generation = s.traffic.generation;
    let mut more = requests::three().remove(0);
    more.id = "9".into();
    update(
        &mut s,
        Action::TrafficRecord {
            generation,
            record: Box::new(more),
        },
    );
    update(
        &mut s,
        Action::TrafficLink {
            generation,
            link: Link::Lost("the server is not answering: connection refused".into()),
        },
    );
    snapshot("traffic_paused_and_lost", &s, 80, 24);
}

#[test]
fn a_rejected_request_opened() {
    let mut s = live(requests::three());
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Enter);
    snapshot("traffic_rejected_detail", &s, 100, 30);
}

#[test]
fn a_forwarded_request_shows_both_verdicts() {
    let mut s = live(vec![requests::forwarded()]);
    press(&mut s, KeyCode::Enter);
    snapshot("traffic_forwarded_detail", &s, 100, 30);
}

#[test]
fn help_in_the_traffic_view() {
    let mut s = live(requests::three());
    press(&mut s, KeyCode::F(1));
    snapshot("traffic_help", &s, 80, 24);
}

#[test]
fn a_long_list_shows_the_selected_request() {
    let records: Vec<_> = (1..=500)
        .map(|i| {
            let mut r = requests::three().remove(0);
            r.id = i.to_string();
            r.headers.sdk_version = Some(format!("sdk-{i}"));
            r
        })
        .collect();
    let mut s = live(records);
    for _ in 0..60 {
        press(&mut s, KeyCode::Down);
    }
    let mut terminal = Terminal::new(TestBackend::new(100, 24)).unwrap();
    s.size = (100, 24);
    terminal.draw(|f| draw(f, &s)).unwrap();
    let screen = terminal.backend().to_string();
    // Newest first: the 61st row is request 440.
    assert!(
        screen.contains("sdk-440") && !screen.contains("sdk-500"),
        "{screen}"
    );
}

/// The server's ids are long (`request 1796204579058003`): the title numbers requests as they
/// arrived instead; `watch` and the stream keep the real ids.
#[test]
fn an_opened_request_is_titled_by_a_short_number() {
    let records: Vec<_> = requests::three()
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            r.id = (1_796_204_579_058_003_u64 + i as u64).to_string();
            r
        })
        .collect();
    let mut s = live(records);
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Enter);
    let screen = render(&s, 100, 30).backend().to_string();
    assert!(
        screen.contains(" request #2 · ") && !screen.contains("1796204579058"),
        "{screen}"
    );
}

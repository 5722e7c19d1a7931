//! The Traffic view's updates: arrivals, pause, filters, stale streams, and "open in form".

use super::update;
use crate::api::Method;
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::{press, requests, state};
use crate::tui::state::{Focus, Screen, State};
use crate::tui::traffic::Link;
use crossterm::event::KeyCode;

fn arrive(s: &mut State, records: Vec<crate::api::inspect::RequestRecord>) {
    let generation = s.traffic.generation;
    for record in records {
        update(
            s,
            Action::TrafficRecord {
                generation,
                record: Box::new(record),
            },
        );
    }
}

#[test]
fn f3_starts_one_stream_and_a_profile_switch_restarts_it() {
    let mut s = state(Method::User);
    let effects = press(&mut s, KeyCode::F(3));
    assert_eq!(s.screen, Screen::Traffic);
    assert!(matches!(
        effects.as_slice(),
        [Effect::WatchTraffic { generation: 1, .. }]
    ));
    press(&mut s, KeyCode::Esc);
    assert!(press(&mut s, KeyCode::F(3)).is_empty(), "already streaming");
    arrive(&mut s, requests::three());
    let other = s.profiles.get("staging").unwrap();
    let effects = update(
        &mut s,
        Action::TargetReady(Ok((other, "https://tracking.example".into(), false))),
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::WatchTraffic { generation: 2, .. }))
    );
    assert!(
        s.traffic.records.is_empty(),
        "another key's traffic starts empty"
    );
    arrive(&mut s, vec![]);
    update(
        &mut s,
        Action::TrafficRecord {
            generation: 1,
            record: Box::new(requests::three().remove(0)),
        },
    );
    assert!(
        s.traffic.records.is_empty(),
        "the old stream's records are dropped"
    );
    update(
        &mut s,
        Action::TrafficLink {
            generation: 2,
            link: Link::Live,
        },
    );
    assert_eq!(s.traffic.link, Link::Live);
}

#[test]
fn newest_first_pause_holds_and_filters_narrow() {
    let mut s = state(Method::User);
    press(&mut s, KeyCode::F(3));
    arrive(&mut s, requests::three());
    let ids = |s: &State| {
        s.traffic
            .shown()
            .iter()
            .map(|r| r.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&s), ["3", "2", "1"]);
    arrive(&mut s, requests::three());
    assert_eq!(
        ids(&s).len(),
        3,
        "a record seen twice (after a reconnect) is shown once"
    );
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Char(' '));
    arrive(&mut s, vec![requests::forwarded()]);
    assert_eq!(ids(&s), ["3", "2", "1"], "paused: the list holds still");
    assert_eq!(s.traffic.held.len(), 1);
    press(&mut s, KeyCode::Char('p'));
    assert_eq!(ids(&s), ["4", "3", "2", "1"]);
    press(&mut s, KeyCode::Char('f'));
    assert_eq!(
        ids(&s),
        ["3", "2"],
        "4xx: by what the sender got (4 was accepted upstream)"
    );
    press(&mut s, KeyCode::Char('m'));
    assert_eq!(ids(&s), Vec::<String>::new(), "4xx user calls: none");
    for _ in 0..4 {
        press(&mut s, KeyCode::Char('m'));
    }
    assert_eq!(ids(&s), ["3"], "other routes: the typo");
}

#[test]
fn a_rejected_request_opens_in_its_form_with_the_errors_on_the_fields() {
    let mut s = state(Method::User);
    press(&mut s, KeyCode::F(3));
    arrive(&mut s, requests::three());
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.traffic.opened.as_deref(), Some("2"));
    press(&mut s, KeyCode::Char('o'));
    assert_eq!(
        (s.screen, s.method, s.focus),
        (Screen::Console, Method::Event, Focus::Form)
    );
    let form = s.form();
    assert!(
        form.raw.is_some(),
        "userID and a nested attribute cannot be fields: raw JSON"
    );
    // Focus and hints agree: the keys go to the JSON, and the hint line says so.
    let context = s.context();
    assert_eq!(context, crate::tui::keys::Context::RawJson);
    assert!(s.keymap.hints(context).starts_with("type JSON"));
    let before = s.form().body_text();
    press(&mut s, KeyCode::Char('5'));
    assert_ne!(s.form().body_text(), before, "the digit went into the text");
    press(&mut s, KeyCode::Backspace);
    assert_eq!(s.form().body_text(), before);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("request #2 loaded into the event form")),
        "{:?}",
        s.message
    );
    press(&mut s, KeyCode::F(3));
    assert_eq!(s.screen, Screen::Traffic);
    assert_eq!(
        s.traffic.opened, None,
        "F3 comes back to the list, not a stale detail"
    );
    press(&mut s, KeyCode::Home);
    press(&mut s, KeyCode::Char('o'));
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("`evnt` is not a method")),
        "{:?}",
        s.message
    );
}

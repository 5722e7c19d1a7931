use super::update;
use crate::api::{FieldCode, Method, ValidationError};
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::{ctrl, exchange, key, state, type_text};
use crate::tui::state::{Confirm, Focus, Overlay};
use crossterm::event::KeyCode;
use serde_json::json;

#[test]
fn ctrl_s_sends_a_valid_form_and_asks_before_an_invalid_one() {
    let mut s = state(Method::User);
    assert!(update(&mut s, ctrl('s')).is_empty());
    assert_eq!(
        s.overlay,
        Overlay::Confirm(Confirm::SendAnyway { problems: 1 })
    );
    assert!(update(&mut s, key(KeyCode::Esc)).is_empty());
    assert_eq!(s.overlay, Overlay::None);
    type_text(&mut s, "42");
    let effects = update(&mut s, ctrl('s'));
    assert_eq!(
        effects,
        vec![Effect::Send {
            target: s.target(),
            method: Method::User,
            body: "{\"userId\":\"42\"}".into()
        }]
    );
    assert!(s.needs_ticks(), "ticks only while in flight");
    assert!(
        update(&mut s, ctrl('s')).is_empty(),
        "one request at a time"
    );
    update(
        &mut s,
        Action::Sent(Box::new(exchange(
            "user",
            200,
            "{\"userId\":\"42\"}",
            vec![],
        ))),
    );
    assert!(!s.needs_ticks());
    assert_eq!(s.log.entries().len(), 1);
}

#[test]
fn send_anyway_sends_the_invalid_body() {
    let mut s = state(Method::Event);
    update(&mut s, ctrl('s'));
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(&effects[..], [Effect::Send { body, .. }] if body == "{}"));
}

#[test]
fn a_400s_errors_land_on_their_fields_and_the_detail_jumps_there() {
    let mut s = state(Method::Event);
    let error = ValidationError::new(
        "/userId",
        FieldCode::Required,
        "is required: the id of the user who did it",
    );
    update(
        &mut s,
        Action::Sent(Box::new(exchange(
            "event",
            400,
            "{\"event\":\"e\"}",
            vec![error],
        ))),
    );
    let user = &s.forms[2].fields[1];
    assert_eq!(
        user.errors,
        ["is required: the id of the user who did it"],
        "not twice"
    );
    update(&mut s, ctrl('l'));
    assert_eq!(s.focus, Focus::Log);
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.focus, Focus::Detail);
    s.method = Method::User;
    update(&mut s, key(KeyCode::Enter));
    assert_eq!((s.focus, s.method), (Focus::Form, Method::Event));
    assert_eq!(s.form().focused().name, "userId");
    assert_eq!(s.form().body(), json!({"event": "e"}));
}

#[test]
fn a_delivered_feedback_makes_the_hint_line_offer_results() {
    let mut s = state(Method::Feedback);
    assert!(!s.results.feedback_delivered);
    update(
        &mut s,
        Action::Sent(Box::new(exchange("feedback", 200, "{}", vec![]))),
    );
    assert!(s.results.feedback_delivered);
    let screen = format!("{:?}", crate::tui::fixtures::render(&s, 80, 24).backend());
    assert!(screen.contains("F5 results"), "{screen}");
}

/// A send the server did not answer is queued, and its delivery later moves the same row from
/// "queued" to 200: one exchange, one row.
#[test]
fn a_queued_send_stays_one_row_until_delivered() {
    let mut s = state(Method::Event);
    let mut failed = exchange("event", 200, "{\"event\":\"e\",\"userId\":\"u\"}", vec![]);
    failed.id = Some(41);
    failed.outcome = crate::client::Outcome::Failed;
    failed.response = None;
    failed.attempts[0].status = None;
    let effects = update(&mut s, Action::Sent(Box::new(failed.clone())));
    assert!(effects.iter().any(|e| matches!(e, Effect::Enqueue(_))));
    update(
        &mut s,
        Action::Queued {
            entry: Some(41),
            result: Ok((9, 1)),
        },
    );
    assert_eq!(s.log.entries().len(), 1);
    assert!(s.log.entries()[0].is_queued());
    let mut delivered = exchange("event", 200, "{\"event\":\"e\",\"userId\":\"u\"}", vec![]);
    delivered.id = Some(41);
    delivered.outbox_id = Some(9);
    update(
        &mut s,
        Action::OutboxDelivered {
            exchanges: vec![delivered],
            delivered: 1,
            rejected: 0,
            waiting: 0,
        },
    );
    assert_eq!(s.log.entries().len(), 1, "the same row, moved on");
    assert_eq!(s.log.entries()[0].status(), Some(200));
}

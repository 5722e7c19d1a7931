use super::*;
use crate::api::{FieldCode, ValidationError};
use crate::tui::fixtures::{exchange, state};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        update(state, key(KeyCode::Char(c)));
    }
}

#[test]
fn typing_and_tab_follow_the_contracts_order() {
    let mut s = state(Method::Event);
    type_text(&mut s, "Sent message");
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "42");
    assert_eq!(
        s.form().body(),
        json!({"event": "Sent message", "userId": "42"})
    );
    assert_eq!(s.form().focused().name, "userId");
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!(s.form().focused().name, "event");
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!(
        s.form().focused().name,
        "timestamp",
        "Shift+Tab wraps to the last field"
    );
}

#[test]
fn the_score_picker_takes_1_to_5_arrows_and_clear() {
    let mut s = state(Method::Feedback);
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Tab));
    }
    assert_eq!(s.form().focused().name, "score");
    for (press, want) in [
        (KeyCode::Char('4'), Some(4)),
        (KeyCode::Right, Some(5)),
        (KeyCode::Right, Some(5)),
        (KeyCode::Char('1'), Some(1)),
        (KeyCode::Left, None),
        (KeyCode::Char('9'), None),
        (KeyCode::Char('2'), Some(2)),
        (KeyCode::Backspace, None),
    ] {
        update(&mut s, key(press));
        assert!(
            matches!(s.form().focused().value, FieldValue::Score(v) if v == want),
            "{press:?}"
        );
    }
}

#[test]
fn ctrl_s_sends_a_valid_form_and_asks_before_an_invalid_one() {
    let mut s = state(Method::User);
    assert!(update(&mut s, ctrl('s')).is_empty());
    assert_eq!(s.overlay, Overlay::ConfirmSend { problems: 1 });
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
    assert_eq!(s.log.len(), 1);
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
fn log_keys_resend_load_and_copy() {
    let mut s = state(Method::User);
    update(
        &mut s,
        Action::HistoryLoaded(Ok(vec![
            exchange("user", 200, "{\"userId\":\"1\"}", vec![]),
            exchange("event", 200, "{\"event\":\"e\",\"userId\":\"2\"}", vec![]),
        ])),
    );
    update(&mut s, ctrl('l'));
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.log_selected, 1);
    let copied = update(&mut s, key(KeyCode::Char('c')));
    assert!(
        matches!(&copied[..], [Effect::Copy(text)] if text.contains("$BUCKET_TRACKING_KEY/event") && text.contains("http://127.0.0.1:8787"))
    );
    let resent = update(&mut s, key(KeyCode::Char('r')));
    assert!(
        matches!(&resent[..], [Effect::Send { method: Method::Event, body, .. }] if body == "{\"event\":\"e\",\"userId\":\"2\"}")
    );
    update(
        &mut s,
        Action::Sent(Box::new(exchange("event", 200, "{}", vec![]))),
    );
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Char('e')));
    assert_eq!((s.method, s.focus), (Method::User, Focus::Form));
    assert_eq!(s.form().body(), json!({"userId": "1"}));
}

#[test]
fn profiles_switch_and_fill_defaults() {
    let mut s = state(Method::Event);
    update(&mut s, ctrl('p'));
    assert_eq!(s.overlay, Overlay::Profiles { selected: 0 });
    update(&mut s, key(KeyCode::Down));
    let effects = update(&mut s, key(KeyCode::Enter));
    let Some(Effect::SwitchProfile(p)) = effects.first() else {
        panic!("{effects:?}")
    };
    assert_eq!(p.name, "staging");
    let p = p.clone();
    let effects = update(
        &mut s,
        Action::TargetReady(Ok((p, "https://tracking.example".into()))),
    );
    assert_eq!(
        effects,
        vec![Effect::CheckHealth {
            base_url: "https://tracking.example".into()
        }]
    );
    assert_eq!(s.profile.name, "staging");
    assert_eq!(
        s.form().body(),
        json!({"userId": "u-default"}),
        "the profile's default fills the empty id"
    );
}

#[test]
fn raw_json_paste_tabs_help_and_quit() {
    let mut s = state(Method::User);
    update(&mut s, Action::Paste("4\n2".into()));
    assert_eq!(s.form().body(), json!({"userId": "4 2"}));
    update(&mut s, ctrl('r'));
    assert!(s.form().raw.is_some());
    update(&mut s, Action::Paste(",".into()));
    assert!(
        s.form()
            .body_errors
            .iter()
            .any(|e| e.contains("not valid JSON")),
        "{:?}",
        s.form().body_errors
    );
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('4'), KeyModifiers::ALT)),
    );
    assert_eq!(s.method, Method::Feedback);
    update(&mut s, key(KeyCode::F(1)));
    assert_eq!(s.overlay, Overlay::Help);
    update(&mut s, ctrl('c'));
    assert!(s.quit, "Ctrl+C quits from anywhere, overlays included");
}

#[test]
fn context_and_attributes_are_edited_in_place() {
    let mut s = state(Method::User);
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "plan");
    update(&mut s, key(KeyCode::Enter));
    type_text(&mut s, "3");
    update(&mut s, ctrl('t'));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Char(' ')));
    update(&mut s, key(KeyCode::Char(' ')));
    assert_eq!(
        s.form().body(),
        json!({"attributes": {"plan": 3}, "context": {"active": false}})
    );
}

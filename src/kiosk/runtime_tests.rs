//! The kiosk on a runtime profile: the feedback names its feature by flag key, as the SDKs do,
//! in the score and in the comment that follows it.

use super::state::KioskState;
use super::update::{Action, Effect, update};
use crate::api::{Api, Method, validate_runtime};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

fn press(s: &mut KioskState, code: KeyCode) -> Vec<Effect> {
    update(s, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn sent(effect: &Effect) -> Value {
    match effect {
        Effect::Send { body, .. } => body.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn on_a_runtime_profile_the_kiosk_sends_the_flag_key() {
    let mut s = KioskState::new("huddle".into(), None, None, false, "s1".into());
    s.api = Api::Runtime;
    let effects = press(&mut s, KeyCode::Char('5'));
    let score = sent(&effects[0]);
    assert_eq!(score["key"], json!("huddle"));
    assert!(score.get("featureId").is_none(), "{score}");
    assert!(validate_runtime(Method::Feedback, &score, 0).is_ok());
    let Effect::Send {
        purpose,
        respondent,
        method,
        ..
    } = &effects[0]
    else {
        panic!()
    };
    let mut ex = crate::fixtures::exchange(method, 200, &score.to_string(), vec![]);
    ex.feedback_id = Some("0b7c3c4e-8d1e-4d59-9a55-1f0e9f6b7a10".into());
    update(
        &mut s,
        Action::Sent {
            purpose: *purpose,
            respondent: *respondent,
            exchange: Box::new(ex),
        },
    );
    for c in "Nice".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let comment = sent(&press(&mut s, KeyCode::Enter)[0]);
    assert_eq!(comment["key"], json!("huddle"), "{comment}");
    assert!(validate_runtime(Method::Feedback, &comment, 0).is_ok());
}

//! Alt+B's batch: collecting, sending one `/bulk`, the answer on the batch and its items, an
//! item back in its form, dropping; and what a tracking profile says instead.

use super::update;
use crate::api::{Api, Method};
use crate::tui::action::{Action, Effect};
use crate::tui::batch_fixtures::{
    alt_b, ctrl_s, refused_batch, runtime, runtime_exchange, three_pending,
};
use crate::tui::fixtures::{press, state};
use crate::tui::form::FieldValue;
use crate::tui::state::{Confirm, Focus, Level, Overlay};
use crossterm::event::KeyCode;
use serde_json::{Value, json};

fn sent_body(effects: &[Effect]) -> String {
    match effects {
        [Effect::SendBatch { body, target }] => {
            assert_eq!(target.key.api(), Api::Runtime);
            body.clone()
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn on_a_tracking_profile_alt_b_says_there_is_no_bulk() {
    let mut s = state(Method::Event);
    assert!(alt_b(&mut s).is_empty());
    assert!(s.batch.is_none());
    let (level, text) = s.message.clone().unwrap();
    assert_eq!(level, Level::Warning);
    assert!(
        text.contains("tracking API, which has no /bulk") && text.contains("local-runtime"),
        "{text}"
    );
}

#[test]
fn sends_collect_as_pending_items_and_alt_b_sends_them_as_one_bulk() {
    let mut s = runtime(Method::Event);
    three_pending(&mut s);
    let batch = s.batch.clone().unwrap();
    assert_eq!(batch.items.len(), 3, "{:?}", s.message);
    assert!(!batch.sending);
    assert!(s.message.clone().unwrap().1.contains("3 items pending"));
    let body = sent_body(&alt_b(&mut s));
    let items: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        items,
        json!([
            {"type": "event", "event": "Sent message", "userId": "u1"},
            {"type": "user", "attributes": {"plan": "pro"}},
            {"type": "feedback", "key": "huddle", "userId": "u1", "score": 4}
        ])
    );
    assert!(s.batch.as_ref().unwrap().sending);
    assert!(alt_b(&mut s).is_empty(), "one batch on its way at a time");
    assert!(
        ctrl_s(&mut s).is_empty(),
        "nothing is added while it travels"
    );
    assert_eq!(s.batch.as_ref().unwrap().items.len(), 3);

    update(
        &mut s,
        Action::BatchSent(Box::new(runtime_exchange("bulk", 200, &body))),
    );
    assert!(s.batch.is_none(), "a stored batch is done");
    assert_eq!(s.log.entries().len(), 1, "one log row for the batch");
    assert_eq!(s.message.clone().unwrap().0, Level::Success);
}

#[test]
fn a_batch_with_no_answer_keeps_its_items_to_send_again() {
    let mut s = runtime(Method::Event);
    three_pending(&mut s);
    let body = sent_body(&alt_b(&mut s));
    let mut failed = runtime_exchange("bulk", 503, &body);
    failed.response = None;
    failed.attempts[0].status = None;
    failed.attempts[0].error = Some("connection refused".into());
    failed.outcome = crate::client::Outcome::Failed;
    update(&mut s, Action::BatchSent(Box::new(failed)));
    let batch = s.batch.clone().unwrap();
    assert_eq!((batch.items.len(), batch.sending), (3, false));
    let text = s.message.clone().unwrap().1;
    assert!(
        text.contains("stay pending") && text.contains("connection refused"),
        "{text}"
    );
    assert_eq!(
        sent_body(&alt_b(&mut s)),
        body,
        "Alt+B sends the same items"
    );
}

#[test]
fn a_400_puts_each_problem_on_its_item_and_the_item_opens_into_its_form() {
    let mut s = runtime(Method::Event);
    three_pending(&mut s);
    let body = sent_body(&alt_b(&mut s));
    update(&mut s, Action::BatchSent(Box::new(refused_batch(&body))));
    assert!(s.batch.is_none(), "the log row holds the refused items");
    assert_eq!(s.focus, Focus::Log);
    let text = s.message.clone().unwrap().1;
    assert!(text.contains("problems on item #1"), "{text}");

    press(&mut s, KeyCode::Enter);
    let detail = s.detail.clone().unwrap();
    let lines = detail.text().join("\n");
    assert!(lines.contains("#1   user"), "{lines}");
    assert!(lines.contains("/1/userId"), "{lines}");
    assert!(lines.contains("not stored"), "{lines}");

    press(&mut s, KeyCode::Down);
    assert_eq!(s.detail.as_ref().unwrap().selected_error, 1);
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Down);
    assert_eq!(
        s.detail.as_ref().unwrap().selected_error,
        2,
        "the choice stops at the last item"
    );
    press(&mut s, KeyCode::Up);
    press(&mut s, KeyCode::Enter);
    assert_eq!((s.method, s.focus), (Method::User, Focus::Form));
    let form = s.form();
    let user_id = form.fields.iter().position(|f| f.name == "userId").unwrap();
    assert_eq!(form.focus, user_id, "the cursor on the item's problem");
    assert!(
        form.fields[user_id]
            .errors
            .iter()
            .any(|e| e.starts_with("is required")),
        "{:?}",
        form.fields[user_id].errors
    );
    assert_eq!(
        form.body(),
        json!({"attributes": {"plan": "pro"}}),
        "the item without its type"
    );
}

#[test]
fn esc_on_the_form_asks_before_pending_items_are_dropped() {
    let mut s = runtime(Method::Event);
    three_pending(&mut s);
    s.focus = Focus::Form;
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.overlay, Overlay::Confirm(Confirm::DropBatch { items: 3 }));
    press(&mut s, KeyCode::Char('n'));
    assert_eq!(s.batch.as_ref().unwrap().items.len(), 3, "no keeps them");
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Char('y'));
    assert!(s.batch.is_none());
    assert!(
        s.message
            .clone()
            .unwrap()
            .1
            .contains("3 items were not sent")
    );
    // An empty batch closes without asking.
    alt_b(&mut s);
    press(&mut s, KeyCode::Esc);
    assert_eq!((s.batch.is_none(), &s.overlay), (true, &Overlay::None));
}

#[test]
fn a_runtime_profile_gives_the_feedback_form_the_flag_key() {
    let s = runtime(Method::Feedback);
    let feedback = &s.forms[crate::tui::state::method_index(Method::Feedback)];
    assert_eq!(feedback.api, Api::Runtime);
    assert_eq!(feedback.fields[0].name, "key");
    assert!(
        matches!(&feedback.fields[0].value, FieldValue::Line(l) if l.text() == "huddle"),
        "the profile's feature is the flag key"
    );
}

#[test]
fn a_refused_key_is_said_in_words() {
    let mut s = runtime(Method::Event);
    let mut refused = runtime_exchange("event", 403, "{}");
    refused.error_code = Some(crate::api::ErrorCode::KeyMalformed);
    refused.error_message =
        Some("the key is malformed: the key has nothing after its prefix".into());
    update(&mut s, Action::Sent(Box::new(refused)));
    let text = s.message.clone().unwrap().1;
    assert!(
        text.contains("refused the key sec_…only (secret key)")
            && text.contains("KEY_MALFORMED")
            && text.contains("nothing after its prefix"),
        "{text}"
    );
}

#[test]
fn quitting_with_pending_items_says_so_once() {
    let mut s = runtime(Method::Event);
    three_pending(&mut s);
    let quit = || {
        Action::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('c'),
            crossterm::event::KeyModifiers::CONTROL,
        ))
    };
    update(&mut s, quit());
    assert!(!s.quit);
    let text = s.message.clone().unwrap().1;
    assert!(text.contains("3 items were never sent"), "{text}");
    update(&mut s, quit());
    assert!(s.quit, "the second quit quits");
}

#[test]
fn r_on_a_batch_row_sends_its_items_again_as_one_bulk() {
    let mut s = runtime(Method::Event);
    three_pending(&mut s);
    let body = sent_body(&alt_b(&mut s));
    update(&mut s, Action::BatchSent(Box::new(refused_batch(&body))));
    assert_eq!(s.focus, Focus::Log);
    assert_eq!(sent_body(&press(&mut s, KeyCode::Char('r'))), body);
}

//! Snapshots of the console on a runtime profile: a batch's pending items, its log row and its
//! items opened after a 400, an item back in its form, the question before dropping a batch,
//! the feedback form with `key`, a refused key in words, and Ctrl+P's add dialog on runtime.

use crate::api::Method;
use crate::tui::action::Action;
use crate::tui::batch_fixtures::{alt_b, refused_batch, runtime, runtime_exchange, three_pending};
use crate::tui::fixtures::{press, render};
use crate::tui::state::{Focus, State};
use crate::tui::update::update;
use crossterm::event::KeyCode;

fn snapshot(name: &str, state: &State) {
    insta::assert_snapshot!(name, render(state, 100, 26).backend());
}

/// Three items collected, the batch sent and refused for its item #1.
fn refused() -> State {
    let mut s = runtime(Method::Event);
    three_pending(&mut s);
    let effects = alt_b(&mut s);
    let [crate::tui::action::Effect::SendBatch { body, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    update(&mut s, Action::BatchSent(Box::new(refused_batch(body))));
    s
}

#[test]
fn batch_pending() {
    let mut s = runtime(Method::Event);
    three_pending(&mut s);
    s.method = Method::Event;
    s.focus = Focus::Form;
    snapshot("batch_pending", &s);
}

#[test]
fn batch_refused_log_row() {
    snapshot("batch_refused_log_row", &refused());
}

#[test]
fn batch_opened_with_its_items_problems() {
    let mut s = refused();
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Down);
    snapshot("batch_opened_400_items", &s);
}

#[test]
fn batch_item_loaded_into_its_form() {
    let mut s = refused();
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Enter);
    snapshot("batch_item_in_form", &s);
}

#[test]
fn runtime_feedback_form_with_key() {
    let mut s = runtime(Method::Feedback);
    s.focus = Focus::Form;
    snapshot("runtime_feedback_key", &s);
}

#[test]
fn refused_key_in_words() {
    let mut s = runtime(Method::Event);
    let mut refused = runtime_exchange("event", 403, "{\"event\":\"e\",\"userId\":\"u1\"}");
    refused.error_code = Some(crate::api::ErrorCode::SecretKeyInQuery);
    refused.error_message = Some(
        "a secret key was sent in the URL (`?publishableKey=`), where proxies, logs and browser \
         histories keep it: send it only as `Authorization: Bearer sec_…`, and rotate this one"
            .into(),
    );
    update(&mut s, Action::Sent(Box::new(refused)));
    snapshot("refused_key_in_words", &s);
}

#[test]
fn batch_drop_question() {
    let mut s = runtime(Method::Event);
    three_pending(&mut s);
    s.focus = Focus::Form;
    press(&mut s, KeyCode::Esc);
    snapshot("batch_drop_question", &s);
}

#[test]
fn runtime_profile_editor() {
    let mut s = crate::tui::fixtures::state(Method::Event);
    s.color = false;
    let ctrl = |c| {
        Action::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char(c),
            crossterm::event::KeyModifiers::CONTROL,
        ))
    };
    update(&mut s, ctrl('p'));
    press(&mut s, KeyCode::Char('a'));
    for c in "rt".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    update(&mut s, ctrl('t'));
    press(&mut s, KeyCode::Tab);
    snapshot("runtime_profile_editor", &s);
}

/// A runtime profile's header says more (the key's kind) than fits in 100 columns: the least
/// needed parts go, and the server's answer, said nowhere else, stays whole.
#[test]
fn a_narrow_header_keeps_the_server_answer() {
    let s = runtime(Method::Event);
    for width in [100, 80, 60] {
        let terminal = render(&s, width, 26);
        let top: String = (0..width)
            .map(|x| terminal.backend().buffer()[(x, 0)].symbol().to_owned())
            .collect();
        assert!(top.contains("● answers"), "{width}: {top}");
        assert!(top.contains("local-runtime"), "{width}: {top}");
    }
    let wide = render(&s, 160, 26);
    let top: String = (0..160)
        .map(|x| wide.backend().buffer()[(x, 0)].symbol().to_owned())
        .collect();
    assert!(
        top.contains("(in-process)") && top.contains("· runtime"),
        "{top}"
    );
}

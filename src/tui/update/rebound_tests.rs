//! A field's own keys and a question's yes and no are bindings: `config.toml` rebinds them, and
//! `update` follows the keymap in its state.

use super::update;
use crate::api::Method;
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::{ctrl, key, state};
use crate::tui::form::FieldValue;
use crate::tui::keys::Keymap;
use crate::tui::state::{Overlay, State};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn rebound(method: Method, config: &str) -> State {
    let config = crate::tui::config::parse(std::path::Path::new("config.toml"), config)
        .expect("a valid config");
    let mut s = state(method);
    s.keymap = Keymap::new(config.bindings);
    s
}

fn alt(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT))
}

#[test]
fn the_moves_between_fields_follow_the_keymap() {
    let mut s = rebound(Method::Event, "[keys.form]\nnext-field = \"alt+n\"\n");
    let first = s.form().focus;
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(s.form().focus, first, "Tab no longer moves");
    update(&mut s, alt('n'));
    assert_eq!(s.form().focus, first + 1, "Alt+N does");
}

#[test]
fn a_scores_keys_follow_the_keymap() {
    let mut s = rebound(Method::Feedback, "[keys.score]\nraise = \"k\"\n");
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Tab));
    }
    assert_eq!(s.form().focused().name, "score");
    update(&mut s, key(KeyCode::Right));
    assert!(matches!(s.form().focused().value, FieldValue::Score(None)));
    update(&mut s, key(KeyCode::Char('k')));
    assert!(matches!(
        s.form().focused().value,
        FieldValue::Score(Some(1))
    ));
}

#[test]
fn a_questions_yes_follows_the_keymap() {
    let mut s = rebound(Method::Event, "[keys.confirm]\nyes = \"j\"\n");
    update(&mut s, ctrl('s'));
    assert!(matches!(s.overlay, Overlay::Confirm(_)), "{:?}", s.overlay);
    let effects = update(&mut s, key(KeyCode::Char('y')));
    assert!(effects.is_empty(), "y no longer says yes");
    assert!(
        matches!(s.overlay, Overlay::Confirm(_)),
        "the question stays"
    );
    let effects = update(&mut s, key(KeyCode::Char('j')));
    assert!(matches!(&effects[..], [Effect::Send { .. }]), "{effects:?}");
}

#[test]
fn a_key_that_types_into_a_field_is_refused_for_a_fields_command() {
    let error = crate::tui::config::parse(
        std::path::Path::new("config.toml"),
        "[keys.attributes]\nadd-row = \"r\"\n",
    )
    .expect_err("r types into the attribute's key");
    assert!(
        error.to_string().contains("that key types into the field"),
        "{error}"
    );
}

//! A field's own keys and a question's yes and no are bindings: `config.toml` rebinds them, and
//! `update` follows the keymap in its state.

use super::update;
use crate::api::Method;
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::{ctrl, key, state, type_text};
use crate::tui::form::FieldValue;
use crate::tui::keys::Keymap;
use crate::tui::state::{Overlay, Screen, State};
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

fn f(n: u8) -> Action {
    key(KeyCode::F(n))
}

#[test]
fn the_palettes_keys_follow_the_keymap() {
    let mut s = rebound(Method::Event, "[keys.palette-box]\nback = \"f10\"\n");
    update(&mut s, alt('x'));
    update(&mut s, key(KeyCode::Esc));
    assert!(
        matches!(s.overlay, Overlay::Palette(_)),
        "Esc no longer closes"
    );
    update(&mut s, f(10));
    assert_eq!(s.overlay, Overlay::None, "F10 does");
}

#[test]
fn f1s_own_keys_follow_the_keymap() {
    let config =
        "[keys.help-box]\nsearch = \"?\"\nback = \"x\"\n\n[keys.help-filter]\ncancel = \"f10\"\n";
    let mut s = rebound(Method::Event, config);
    let filter = |s: &State| match &s.overlay {
        Overlay::Help(view) => Some((view.filter.clone(), view.typing)),
        _ => None,
    };
    update(&mut s, f(1));
    update(&mut s, key(KeyCode::Char('/')));
    assert_eq!(
        filter(&s),
        Some((String::new(), false)),
        "/ no longer filters"
    );
    update(&mut s, key(KeyCode::Char('?')));
    type_text(&mut s, "xq");
    assert_eq!(
        filter(&s),
        Some(("xq".to_owned(), true)),
        "? does; x and q are text"
    );
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(
        filter(&s),
        Some(("xq".to_owned(), true)),
        "Esc no longer clears"
    );
    update(&mut s, f(10));
    assert_eq!(filter(&s), Some((String::new(), false)), "F10 does");
    update(&mut s, key(KeyCode::Esc));
    assert!(filter(&s).is_some(), "Esc no longer closes");
    update(&mut s, key(KeyCode::Char('x')));
    assert_eq!(s.overlay, Overlay::None, "x does");
}

#[test]
fn the_data_views_search_keys_follow_the_keymap() {
    let config = "[keys.data]\nback = \"q\"\n\n[keys.data-search]\naccept = \"tab\"\n";
    let mut s = rebound(Method::Event, config);
    update(&mut s, f(2));
    update(&mut s, key(KeyCode::Char('/')));
    type_text(&mut s, "ab");
    update(&mut s, key(KeyCode::Enter));
    assert!(s.inspect.typing, "Enter no longer keeps the search");
    update(&mut s, key(KeyCode::Tab));
    assert!(!s.inspect.typing, "Tab does");
    assert_eq!(s.inspect.search.text(), "ab");
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.inspect.search.text(), "ab", "Esc no longer clears it");
    // The rebound back clears the search first, as Esc did, then leaves the view.
    update(&mut s, key(KeyCode::Char('q')));
    assert_eq!(s.inspect.search.text(), "");
    assert_eq!(s.screen, Screen::Data);
    update(&mut s, key(KeyCode::Char('q')));
    assert_eq!(s.screen, Screen::Console);
}

#[test]
fn the_save_prompts_keys_follow_the_keymap() {
    let mut s = rebound(Method::Event, "[keys.save]\naccept = \"f10\"\n");
    s.overlay = Overlay::SaveRequest {
        name: crate::term::LineInput::new("mine"),
    };
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(effects.is_empty(), "Enter no longer saves");
    assert!(matches!(s.overlay, Overlay::SaveRequest { .. }));
    let effects = update(&mut s, f(10));
    assert!(
        matches!(&effects[..], [Effect::SaveRequest { name, .. }] if name == "mine"),
        "F10 does: {effects:?}"
    );
}

#[test]
fn the_exchange_searchs_keys_follow_the_keymap() {
    let mut s = rebound(Method::Event, "[keys.detail-search]\ncancel = \"f10\"\n");
    let sent = crate::tui::fixtures::exchange("event", 200, "{\"event\":\"e\"}", vec![]);
    update(&mut s, Action::HistoryLoaded(Ok(vec![sent])));
    update(&mut s, ctrl('l'));
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Char('/')));
    type_text(&mut s, "ev");
    let search = |s: &State| s.detail.as_ref().and_then(|d| d.search.clone());
    update(&mut s, key(KeyCode::Esc));
    assert!(search(&s).is_some(), "Esc no longer drops the search");
    assert_eq!(s.context(), crate::tui::keys::Context::DetailSearch);
    update(&mut s, f(10));
    assert!(search(&s).is_none(), "F10 does");
}

#[test]
fn the_profile_editors_keys_follow_the_keymap() {
    let config = "[keys.profile-editor]\nnext-field = \"alt+n\"\ncancel = \"f10\"\n";
    let mut s = rebound(Method::Event, config);
    update(&mut s, ctrl('p'));
    update(&mut s, key(KeyCode::Char('a')));
    let focus = |s: &State| match &s.overlay {
        Overlay::ProfileEditor(editor) => Some(editor.focus),
        _ => None,
    };
    let first = focus(&s).expect("the editor is open");
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(focus(&s), Some(first), "Tab no longer moves");
    update(&mut s, alt('n'));
    assert_eq!(focus(&s), Some(first + 1), "Alt+N does");
    update(&mut s, key(KeyCode::Esc));
    assert!(focus(&s).is_some(), "Esc no longer closes");
    update(&mut s, f(10));
    assert!(matches!(s.overlay, Overlay::Profiles { .. }), "F10 does");
}

#[test]
fn the_comment_boxs_keys_follow_the_keymap() {
    let mut s = rebound(Method::Feedback, "[keys.comment]\nundo = \"alt+z\"\n");
    while s.form().focused().name != "comment" {
        update(&mut s, key(KeyCode::Tab));
    }
    type_text(&mut s, "ab");
    let comment = |s: &State| s.form().body()["comment"].clone();
    update(&mut s, ctrl('z'));
    assert_eq!(comment(&s), "ab", "Ctrl+Z no longer undoes");
    update(&mut s, alt('z'));
    assert_ne!(comment(&s), "ab", "Alt+Z does");
}

#[test]
fn the_flags_context_editors_keys_follow_the_keymap() {
    let (mut s, _) = crate::tui::update::flags_tests::on_flags();
    s.keymap = rebound(Method::Event, "[keys.flags-edit]\nnext-field = \"down\"\n").keymap;
    update(&mut s, key(KeyCode::Char('e')));
    let field = |s: &State| s.flags.editing.as_ref().map(|(at, _)| *at);
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(field(&s), Some(0), "Tab no longer moves");
    update(&mut s, key(KeyCode::Down));
    assert_eq!(field(&s), Some(1), "↓ does");
}

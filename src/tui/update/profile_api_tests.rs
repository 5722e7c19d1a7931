//! Ctrl+P's add dialog offers the Runtime API, as `profiles add --runtime --base` does: Ctrl+T
//! chooses it, the base is `reflag`, `reflag-eu` or a URL, and the key a `pub_`/`sec_` key.

use super::update;
use crate::api::{Api, Method};
use crate::profiles::Change;
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::{press, state};
use crate::tui::state::{Overlay, State};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn ctrl(s: &mut State, c: char) -> Vec<Effect> {
    update(
        s,
        Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

fn type_text(s: &mut State, text: &str) {
    for c in text.chars() {
        press(s, KeyCode::Char(c));
    }
}

fn editor_error(s: &State) -> Option<String> {
    match &s.overlay {
        Overlay::ProfileEditor(e) => e.error.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_runtime_profile_is_added_in_the_console() {
    let mut s = state(Method::Event);
    ctrl(&mut s, 'p');
    press(&mut s, KeyCode::Char('a'));
    type_text(&mut s, "rt-eu");
    ctrl(&mut s, 't');
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "reflag-eu");
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "pub_prod_2xYh7dGm4kQ");
    let effects = ctrl(&mut s, 's');
    let [Effect::ChangeProfiles(Change::Put { profile, .. })] = effects.as_slice() else {
        panic!("{effects:?} {:?}", s.overlay)
    };
    assert_eq!(profile.api(), Api::Runtime);
    assert_eq!(profile.key.describe(), "runtime · publishable");
    assert_eq!(profile.base_url, "https://front-eu.reflag.com");
    assert_eq!(
        s.profiles.get("rt-eu").unwrap().base_url,
        "https://front-eu.reflag.com"
    );
}

#[test]
fn an_empty_runtime_base_is_reflag_and_a_tracking_key_is_refused_with_the_rule() {
    let mut s = state(Method::Event);
    ctrl(&mut s, 'p');
    press(&mut s, KeyCode::Char('a'));
    type_text(&mut s, "rt");
    ctrl(&mut s, 't');
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Tab);
    ctrl(&mut s, 's');
    assert_eq!(
        editor_error(&s).as_deref(),
        Some("the runtime key is required")
    );
    type_text(&mut s, "trCqx4DGo1lk3Lcct5NHLjWy");
    ctrl(&mut s, 's');
    let error = editor_error(&s).unwrap_or_default();
    assert!(error.contains("`pub_`"), "{error}");
    for _ in 0.."trCqx4DGo1lk3Lcct5NHLjWy".len() {
        press(&mut s, KeyCode::Backspace);
    }
    type_text(&mut s, "sec_prod_8fJk2LmN4pQr6sTu8vWx");
    ctrl(&mut s, 's');
    let saved = s.profiles.get("rt").unwrap();
    assert_eq!(
        (saved.base_url.as_str(), saved.key.describe()),
        ("https://front.reflag.com", "runtime · secret")
    );
}

#[test]
fn a_saved_profile_keeps_its_api_and_a_runtime_key_on_tracking_says_ctrl_t() {
    let mut s = state(Method::Event);
    ctrl(&mut s, 'p');
    press(&mut s, KeyCode::Char('e'));
    ctrl(&mut s, 't');
    let error = editor_error(&s).unwrap_or_default();
    assert!(error.contains("keeps the API"), "{error}");
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Char('a'));
    type_text(&mut s, "oops");
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "sec_prod_8fJk2LmN4pQr6sTu8vWx.x");
    ctrl(&mut s, 's');
    let error = editor_error(&s).unwrap_or_default();
    assert!(error.contains("Ctrl+T"), "{error}");
}

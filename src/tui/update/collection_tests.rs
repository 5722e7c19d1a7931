use super::update;
use crate::api::Method;
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::state;
use crate::tui::state::State;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(code: KeyCode, modifiers: KeyModifiers) -> Action {
    Action::Key(KeyEvent::new(code, modifiers))
}

fn with_collection(text: &str) -> State {
    let mut s = state(Method::User);
    let loaded = crate::collection::parse(std::path::Path::new("c.toml"), text, &[]).unwrap();
    update(&mut s, Action::CollectionLoaded(Ok(Some(loaded))));
    s
}

/// `{{env NAME}}` in the console reads what the console was started with `--allow-env` for,
/// read then: a send resolves from the state, never from the environment.
#[test]
fn env_comes_from_what_was_allowed_at_start() {
    let text = "[requests.from-env]\nmethod = \"user\"\nbody = { userId = \"{{env BC_USER}}\" }\n";
    let send = |s: &mut State| {
        update(s, key(KeyCode::Char('o'), KeyModifiers::CONTROL));
        update(s, key(KeyCode::Enter, KeyModifiers::NONE));
        update(s, key(KeyCode::Char('s'), KeyModifiers::CONTROL))
    };
    let mut refused = with_collection(text);
    let effects = send(&mut refused);
    let problems = &refused.form().body_errors;
    assert!(
        problems.iter().any(|p| p.contains("--allow-env BC_USER")),
        "{problems:?}"
    );
    assert!(!format!("{effects:?}").contains("Send"), "{effects:?}");

    let mut allowed = with_collection(text);
    allowed.collection.env = crate::collection::template::Env::with([(
        "BC_USER".to_owned(),
        Some("u-from-start".to_owned()),
    )]);
    let effects = send(&mut allowed);
    let effects = format!("{effects:?}");
    assert!(effects.contains("u-from-start"), "{effects}");
}

/// With no collection loaded, Alt+S creates the file the console was told of at start.
#[test]
fn a_first_save_goes_where_the_console_started() {
    let mut s = state(Method::User);
    s.collection.new_file = std::path::PathBuf::from("/project/bucket-console.toml");
    update(&mut s, key(KeyCode::Char('o'), KeyModifiers::CONTROL));
    update(&mut s, key(KeyCode::Char('s'), KeyModifiers::ALT));
    for c in "mine".chars() {
        update(&mut s, key(KeyCode::Char(c), KeyModifiers::NONE));
    }
    let effects = update(&mut s, key(KeyCode::Enter, KeyModifiers::NONE));
    let [Effect::SaveRequest { path, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(
        path,
        &std::path::PathBuf::from("/project/bucket-console.toml")
    );
}

use super::update;
use crate::api::Method;
use crate::profiles::Change;
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::{ctrl, key, state, type_text};
use crate::tui::state::{Confirm, Overlay};
use crossterm::event::KeyCode;
use serde_json::json;

#[test]
fn profiles_switch_and_fill_defaults() {
    let mut s = state(Method::Event);
    update(&mut s, ctrl('p'));
    assert_eq!(s.overlay, Overlay::Profiles { selected: 0 });
    // Past `local-runtime`, the second built-in profile.
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Down));
    let effects = update(&mut s, key(KeyCode::Enter));
    let Some(Effect::SwitchProfile(p)) = effects.first() else {
        panic!("{effects:?}")
    };
    assert_eq!(p.name, "staging");
    let p = p.clone();
    let effects = update(
        &mut s,
        Action::TargetReady(Ok((p, "https://tracking.example".into(), false))),
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
fn profiles_are_added_edited_made_default_and_deleted_in_the_console() {
    const SECRET: &str = "trCqx4DGo1lk3Lcct5NHLjWy";
    let mut s = state(Method::User);
    update(&mut s, ctrl('p'));
    update(&mut s, key(KeyCode::Char('d')));
    assert!(
        matches!(s.overlay, Overlay::Profiles { .. }),
        "local cannot be deleted"
    );
    update(&mut s, key(KeyCode::Char('a')));
    assert!(matches!(s.overlay, Overlay::ProfileEditor(_)));
    type_text(&mut s, "prod");
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, Action::Paste(SECRET.into()));
    update(&mut s, ctrl('s'));
    let Overlay::Profiles { .. } = s.overlay else {
        panic!("saved and back to the list: {:?}", s.overlay)
    };
    assert_eq!(s.profiles.get("prod").unwrap().key.expose(), SECRET);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("…LjWy") && !m.contains(SECRET))
    );

    // local, prod, staging: the list keeps prod, just saved, chosen.
    let effects = update(&mut s, key(KeyCode::Char('*')));
    assert_eq!(
        effects,
        [Effect::ChangeProfiles(Change::SetDefault("prod".into()))]
    );
    assert_eq!(s.profiles.default_name(), "prod");

    update(&mut s, key(KeyCode::Char('e')));
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Tab));
    }
    type_text(&mut s, "42");
    let effects = update(&mut s, ctrl('s'));
    assert!(
        matches!(&effects[..], [Effect::ChangeProfiles(Change::Put { was: Some(w), keep_key: true, .. })] if w == "prod"),
        "not the active profile: no switch; the saved key is kept by the file's own: {effects:?}"
    );
    assert_eq!(
        s.profiles.get("prod").unwrap().user_id.as_deref(),
        Some("42")
    );
    assert_eq!(
        s.profiles.get("prod").unwrap().key.expose(),
        SECRET,
        "an empty key field keeps the key"
    );

    update(&mut s, key(KeyCode::Char('d')));
    assert_eq!(
        s.overlay,
        Overlay::Confirm(Confirm::DeleteProfile {
            name: "prod".into()
        })
    );
    update(&mut s, key(KeyCode::Char('n')));
    assert!(s.profiles.get("prod").is_some());
    // Past `local-runtime`, the second built-in profile.
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Char('d')));
    let effects = update(&mut s, key(KeyCode::Char('y')));
    assert_eq!(
        effects,
        [Effect::ChangeProfiles(Change::Remove("prod".into()))]
    );
    assert!(s.profiles.get("prod").is_none());
    assert_eq!(s.profiles.default_name(), "local");
}

/// The built-in profile takes default ids in Ctrl+P's editor; its name, base URL and key cannot
/// be reached, and saving keeps them.
#[test]
fn the_built_in_profile_takes_default_ids_in_the_console() {
    let mut s = state(Method::User);
    update(&mut s, ctrl('p'));
    update(&mut s, key(KeyCode::Char('e')));
    let Overlay::ProfileEditor(editor) = &s.overlay else {
        panic!("local opens in the editor: {:?}", s.overlay)
    };
    assert_eq!(editor.focus, 3, "on its default userId, not its fixed name");
    for _ in 0..5 {
        update(&mut s, key(KeyCode::Tab));
    }
    let Overlay::ProfileEditor(editor) = &s.overlay else {
        panic!()
    };
    assert!(
        editor.focus >= 3,
        "Tab never reaches the fixed fields: {}",
        editor.focus
    );
    while matches!(&s.overlay, Overlay::ProfileEditor(e) if e.focus != 3) {
        update(&mut s, key(KeyCode::Tab));
    }
    type_text(&mut s, "u-demo");
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "acme");
    let effects = update(&mut s, ctrl('s'));
    assert!(
        matches!(&effects[..], [Effect::ChangeProfiles(Change::Put { was: Some(w), .. }), Effect::SwitchProfile(p)]
            if w == "local" && p.user_id.as_deref() == Some("u-demo")),
        "{effects:?}"
    );
    let local = s.profiles.get("local").unwrap();
    assert_eq!(local.user_id.as_deref(), Some("u-demo"));
    assert_eq!(local.company_id.as_deref(), Some("acme"));
    assert_eq!(
        (local.base_url.as_str(), local.key.expose()),
        ("http://127.0.0.1:8787", "local")
    );
}

#[test]
fn a_bad_profile_stays_in_the_editor_with_the_reason() {
    use crate::tui::profile_editor::{BASE_FIELD, KEY_FIELD};
    let mut s = state(Method::User);
    update(&mut s, ctrl('p'));
    update(&mut s, key(KeyCode::Char('a')));
    type_text(&mut s, "x");
    assert!(update(&mut s, ctrl('s')).is_empty());
    let Overlay::ProfileEditor(editor) = &s.overlay else {
        panic!()
    };
    assert_eq!(
        editor.error.as_deref(),
        Some("the tracking key is required")
    );
    assert_eq!(
        editor.focus, KEY_FIELD,
        "the cursor goes where the problem is"
    );
    update(&mut s, key(KeyCode::BackTab));
    type_text(&mut s, "127.0.0.1:8787");
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "pk_test_abcdefghijklmnop");
    update(&mut s, ctrl('s'));
    let Overlay::ProfileEditor(editor) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    assert_eq!(editor.focus, BASE_FIELD, "{:?}", editor.error);
}

#[test]
fn a_change_that_did_not_land_reads_the_file_again_but_a_failed_read_does_not_loop() {
    let mut s = state(Method::User);
    let effects = update(
        &mut s,
        Action::ProfilesChanged(Err(crate::term::Failure::message("disk full"))),
    );
    assert_eq!(effects, [Effect::LoadProfiles]);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("not saved: disk full"))
    );
    let effects = update(
        &mut s,
        Action::ProfilesRead(Err(crate::term::Failure::message("unreadable"))),
    );
    assert!(effects.is_empty());
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("could not be read"))
    );
}

#[test]
fn adding_a_profile_types_into_empty_fields_and_speaks_in_the_consoles_keys() {
    let mut s = state(Method::User);
    update(&mut s, ctrl('p'));
    update(&mut s, key(KeyCode::Char('a')));
    type_text(&mut s, "prod");
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "http://127.0.0.1:9999");
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "trCqx4DGo1lk3Lcct5NHLjWy");
    update(&mut s, ctrl('s'));
    let prod = s.profiles.get("prod").expect("saved");
    assert_eq!(
        prod.base_url, "http://127.0.0.1:9999",
        "typed, not appended to a default"
    );
    // local, local-runtime, prod, staging: the saved one stays chosen.
    assert_eq!(s.overlay, Overlay::Profiles { selected: 2 });
    // An empty base URL is the default one; a taken name is said without CLI flags.
    update(&mut s, key(KeyCode::Char('a')));
    type_text(&mut s, "staging");
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "trCqx4DGo1lk3Lcct5NHLjWy");
    update(&mut s, ctrl('s'));
    let Overlay::ProfileEditor(editor) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    let error = editor.error.clone().unwrap_or_default();
    assert!(
        error.contains("exists already") && !error.contains("--force"),
        "{error}"
    );
    assert_eq!(editor.focus, 0, "on the name, the field to fix");
    update(&mut s, key(KeyCode::End));
    for _ in 0..7 {
        update(&mut s, key(KeyCode::Backspace));
    }
    type_text(&mut s, "beta");
    update(&mut s, ctrl('s'));
    assert_eq!(
        s.profiles.get("beta").unwrap().base_url,
        "https://tracking.bucket.co"
    );
}

//! The Flags view's updates (F7): what it asks for, the store's attributes filling the context,
//! the context editor, and answers of older loads ignored.

use crate::api::flags::explain_tests::fixture;
use crate::api::flags::parse_definitions;
use crate::api::{AnyKey, Api, Method};
use crate::profiles::Profile;
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::{press, state};
use crate::tui::flags::{Loaded, Source};
use crate::tui::keys::Context;
use crate::tui::state::{Screen, State};
use crate::tui::update::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A console on `local-runtime` with the forms' ids u1 and acme, F7 pressed.
pub(crate) fn on_flags() -> (State, Vec<Effect>) {
    let mut s = state(Method::Event);
    s.profile = Profile::local_runtime();
    s.form_mut()
        .load(r#"{"event": "x", "userId": "u1", "companyId": "acme"}"#);
    let effects = press(&mut s, KeyCode::F(7));
    (s, effects)
}

pub(crate) fn definitions(stored: Option<Vec<(&str, &str)>>) -> Action {
    Action::FlagsLoaded {
        generation: 1,
        result: Ok(Loaded {
            source: Source::Definitions(parse_definitions(&fixture()).unwrap()),
            stored: stored.map(|s| {
                s.into_iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect()
            }),
            checks: None,
        }),
    }
}

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        update(
            s,
            Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
}

#[test]
fn f7_asks_for_the_forms_user_and_company_on_a_runtime_profile() {
    let (s, effects) = on_flags();
    assert_eq!(s.screen, Screen::Flags);
    assert_eq!(s.context(), Context::Flags);
    match effects.as_slice() {
        [
            Effect::LoadFlags {
                generation: 1,
                context,
                company,
                local_store: true,
                prefill: true,
                ..
            },
            Effect::WatchFlags { watch: 1, .. },
        ] => {
            assert_eq!(company.as_deref(), Some("acme"));
            assert_eq!(context.get("user.id").map(String::as_str), Some("u1"));
            assert_eq!(context.get("company.id").map(String::as_str), Some("acme"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_tracking_profile_is_told_to_use_a_runtime_one_and_nothing_is_sent() {
    let mut s = state(Method::Event);
    let effects = press(&mut s, KeyCode::F(7));
    assert!(effects.is_empty(), "{effects:?}");
    let why = s
        .flags
        .loaded
        .as_ref()
        .unwrap()
        .as_ref()
        .unwrap_err()
        .to_string();
    assert!(why.contains("local-runtime"), "{why}");
}

#[test]
fn stored_attributes_fill_the_context_and_unsent_ones_are_named() {
    let (mut s, _) = on_flags();
    update(&mut s, definitions(Some(vec![("company.name", "Acme")])));
    assert_eq!(s.flags.editor.fields[2].text(), "company.name=Acme");
    let huddle = &s.flags.reports[0];
    assert!(huddle.enabled);
    assert_eq!(huddle.unsent, ["company.plan"]);
    assert_eq!(huddle.missing, ["company.plan"]);
    // An answer to an older load changes nothing.
    let mut old = definitions(None);
    if let Action::FlagsLoaded { generation, .. } = &mut old {
        *generation = 0;
    }
    update(&mut s, old);
    assert_eq!(s.flags.editor.fields[2].text(), "company.name=Acme");
}

#[test]
fn editing_the_context_evaluates_again_here_and_esc_puts_it_back() {
    let (mut s, _) = on_flags();
    update(&mut s, definitions(None));
    press(&mut s, KeyCode::Char('e'));
    assert_eq!(s.context(), Context::FlagsEdit);
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Tab);
    typed(&mut s, "company.plan=pro");
    // Typed letters are text, not commands (r would reload, j move).
    assert_eq!(s.flags.editor.fields[2].text(), "company.plan=pro");
    let effects = press(&mut s, KeyCode::Enter);
    assert!(effects.is_empty(), "{effects:?}");
    let huddle = &s.flags.reports[0];
    assert_eq!(huddle.variant.as_ref().unwrap().0, "beta");
    assert!(huddle.missing.is_empty());
    press(&mut s, KeyCode::Char('e'));
    typed(&mut s, "zz");
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.flags.editor.fields[0].text(), "u1");
    assert_eq!(s.context(), Context::Flags);
    // Another company may have other stored attributes: it is read again.
    press(&mut s, KeyCode::Char('e'));
    press(&mut s, KeyCode::Tab);
    typed(&mut s, "2");
    let effects = press(&mut s, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::LoadFlags { company: Some(c), prefill: false, .. }] if c == "acme2"),
        "{effects:?}"
    );
}

#[test]
fn a_publishable_key_asks_the_server_again_for_a_new_context() {
    let (mut s, _) = on_flags();
    s.profile.key =
        AnyKey::parse(Api::Runtime, crate::api::runtime::env::LOCAL_PUBLISHABLE).unwrap();
    update(&mut s, definitions(None));
    if let Some(Ok(loaded)) = &mut s.flags.loaded {
        loaded.source = Source::Evaluated(Vec::new());
    }
    press(&mut s, KeyCode::Char('e'));
    typed(&mut s, "x");
    let effects = press(&mut s, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::LoadFlags { context, .. }] if context["user.id"] == "u1x"),
        "{effects:?}"
    );
    assert_eq!(s.screen, Screen::Flags);
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.screen, Screen::Console);
}

#[test]
fn page_keys_scroll_the_explanation_and_a_new_flag_starts_at_its_top() {
    let (mut s, _) = on_flags();
    update(&mut s, definitions(None));
    press(&mut s, KeyCode::PageDown);
    assert_eq!(s.flags.scroll, 10);
    press(&mut s, KeyCode::PageUp);
    press(&mut s, KeyCode::PageUp);
    assert_eq!(s.flags.scroll, 0);
    press(&mut s, KeyCode::PageDown);
    press(&mut s, KeyCode::Down);
    assert_eq!((s.flags.selected, s.flags.scroll), (1, 0));
    press(&mut s, KeyCode::Char('r'));
    assert!(s.flags.loaded.is_none(), "r reads the flags again");
}

/// A local server's flag reload reads F7 again while it is in front and not being edited;
/// another watch's report (an earlier profile's), or one while away, changes nothing.
#[test]
fn a_reload_on_the_server_reads_the_flags_again_while_f7_shows_them() {
    let (mut s, _) = on_flags();
    update(&mut s, definitions(None));
    let again = update(&mut s, Action::FlagsChanged { watch: 1 });
    assert!(
        matches!(again.as_slice(), [Effect::LoadFlags { generation: 2, .. }]),
        "{again:?}"
    );
    assert!(s.flags.loaded.is_none(), "shown as reading");
    assert!(update(&mut s, Action::FlagsChanged { watch: 0 }).is_empty());
    press(&mut s, KeyCode::Char('e'));
    assert!(
        update(&mut s, Action::FlagsChanged { watch: 1 }).is_empty(),
        "the context being typed is not pulled from under the user"
    );
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Esc);
    assert_ne!(s.screen, Screen::Flags);
    assert!(update(&mut s, Action::FlagsChanged { watch: 1 }).is_empty());
    let reopened = press(&mut s, KeyCode::F(7));
    assert!(
        reopened
            .iter()
            .any(|e| matches!(e, Effect::WatchFlags { watch: 2, .. })),
        "{reopened:?}"
    );
}

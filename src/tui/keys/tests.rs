//! The bindings against themselves, the shared keys, the hint line's width and docs/keys.md.

use super::*;
use crossterm::event::{KeyCode, KeyModifiers};

fn event(k: &Key) -> KeyEvent {
    let mut modifiers = KeyModifiers::NONE;
    if k.ctrl {
        modifiers |= KeyModifiers::CONTROL;
    }
    if k.alt {
        modifiers |= KeyModifiers::ALT;
    }
    KeyEvent::new(k.code, modifiers)
}

#[test]
fn every_binding_reaches_its_command_and_no_key_is_bound_twice_in_a_context() {
    for b in BINDINGS {
        for k in b.keys {
            assert_eq!(
                Keymap::default().command(b.context, &event(k)),
                Some(b.command),
                "{} in {:?} is taken by another binding",
                k.label(),
                b.context
            );
        }
    }
}

#[test]
fn a_view_binding_never_hides_a_shared_one() {
    let shared: Vec<&Key> = BINDINGS
        .iter()
        .filter(|b| b.context == Context::Anywhere)
        .flat_map(|b| b.keys)
        .collect();
    for b in BINDINGS.iter().filter(|b| b.context != Context::Anywhere) {
        for k in b.keys {
            // A view's own F-key closes it: the router hands it over on purpose. An overlay
            // takes every key but quit, so its own may be a shared one (Ctrl+S saves a profile).
            let own_f_key = b.command == Command::Back && matches!(k.code, KeyCode::F(_));
            let quit = Key::ctrl(KeyCode::Char('c'));
            assert!(
                own_f_key || (b.context.is_overlay() && *k != quit) || !shared.contains(&k),
                "{} in {:?} is also a shared key",
                k.label(),
                b.context
            );
        }
    }
}

#[test]
fn every_hint_line_fits_80_columns_and_says_something() {
    for c in [
        Context::Form,
        Context::Score,
        Context::Log,
        Context::Detail,
        Context::Data,
        Context::DataDetail,
        Context::Traffic,
        Context::TrafficDetail,
        Context::Outbox,
        Context::Results,
        Context::Features,
        Context::FeaturesDetail,
        Context::Flags,
        Context::FlagsEdit,
        Context::Comment,
        Context::DetailSearch,
        Context::DataSearch,
        Context::ProfileEditor,
        Context::SaveName,
        Context::Palette,
        Context::Help,
        Context::HelpFilter,
    ] {
        let line = Keymap::default().hints(c);
        assert!(line.chars().count() <= 79, "{c:?}: {line}");
        assert!(line.contains(" · "), "{c:?}: {line}");
    }
}

#[test]
fn the_key_docs_show_the_keys_in_force() {
    let page = include_str!("../../../docs/keys.md");
    let table = Keymap::default().markdown_table();
    assert!(
        page.contains(&table),
        "docs/keys.md's key table differs from the bindings; it should read:\n{table}"
    );
}

#[test]
fn what_is_likely_next_comes_first_and_is_not_said_twice() {
    let line = Keymap::default().hints_with(
        Context::Form,
        &[(Command::OpenOutbox, "outbox (2)".to_owned())],
        80,
    );
    assert!(line.starts_with("F4 outbox (2) · "), "{line}");
    assert_eq!(line.matches("F4").count(), 1, "{line}");
    assert!(line.chars().count() <= 79);
}

#[test]
fn update_runs_under_the_keymap_in_its_state() {
    use crate::api::Method;
    use crate::tui::action::Action;
    use crate::tui::fixtures::state;
    let config = crate::tui::config::parse(
        std::path::Path::new("config.toml"),
        "[keys]\nsend = \"ctrl+g\"\n",
    )
    .expect("a valid config");
    let mut rebound = state(Method::Event);
    rebound.keymap = Keymap::new(config.bindings);
    let ctrl = |c| Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    let before = format!("{rebound:?}");
    let effects = crate::tui::update::update(&mut rebound, ctrl('s'));
    assert!(effects.is_empty(), "Ctrl+S no longer sends");
    assert_eq!(format!("{rebound:?}"), before, "Ctrl+S does nothing");
    let mut default = state(Method::Event);
    let sent = crate::tui::update::update(&mut default, ctrl('s'));
    let effects = crate::tui::update::update(&mut rebound, ctrl('g'));
    assert_eq!(format!("{effects:?}"), format!("{sent:?}"), "Ctrl+G sends");
    assert_eq!(rebound.overlay, default.overlay);
    assert_ne!(format!("{rebound:?}"), before);
}

#[test]
fn no_view_hides_a_list_move_by_default() {
    let moves: Vec<&Key> = BINDINGS
        .iter()
        .filter(|b| b.context == Context::List)
        .flat_map(|b| b.keys)
        .collect();
    for b in BINDINGS.iter().filter(|b| b.context.falls_back_to_list()) {
        for k in b.keys {
            assert!(
                !moves.contains(&k),
                "{} in {:?} hides a list move",
                k.label(),
                b.context
            );
        }
    }
}

/// A command bound to two keys shows both in the palette (Alt+X), not only the first.
#[test]
fn the_palette_names_every_key_of_a_command() {
    use crate::api::Method;
    use crate::tui::action::Action;
    use crate::tui::fixtures::state;
    use crate::tui::state::Overlay;
    let config = crate::tui::config::parse(
        std::path::Path::new("config.toml"),
        "[keys]\nquit = [\"ctrl+c\", \"ctrl+q\"]\n",
    )
    .expect("a valid config");
    let mut s = state(Method::Event);
    s.keymap = Keymap::new(config.bindings);
    crate::tui::update::update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::ALT)),
    );
    let Overlay::Palette(palette) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    let entries = palette.entries(&s.keymap);
    let (_, keys, _) = entries
        .iter()
        .find(|(c, _, _)| *c == Command::Quit)
        .expect("quit is offered");
    let labels: Vec<String> = keys.iter().map(Key::label).collect();
    assert_eq!(labels, ["Ctrl+C", "Ctrl+Q"]);
}

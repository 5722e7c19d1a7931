//! The boxes' hints and the views' notes name their keys as bound: each command rebound, the
//! screen names the new key and not the default.

use super::keys_named_tests::{hit, text};
use crate::api::Method;
use crate::tui::fixtures::state;
use crate::tui::keys::Keymap;
use crate::tui::state::State;

/// A console whose keymap is `config`'s.
fn keyed(config: &str) -> State {
    let config = crate::tui::config::parse(std::path::Path::new("config.toml"), config)
        .expect("a valid config");
    let mut s = state(Method::Event);
    s.keymap = Keymap::new(config.bindings);
    s.log.loading = false;
    s
}

fn names(screen: &str, shown: &str, gone: &[&str]) {
    assert!(screen.contains(shown), "{shown:?} missing:\n{screen}");
    for g in gone {
        assert!(!screen.contains(g), "still says {g:?}:\n{screen}");
    }
}

/// The profile list falls back to the list's moves, so `[keys.list]` rebinds its ↑↓.
#[test]
fn the_profile_list_names_its_keys_as_bound() {
    let mut s = keyed(
        "[keys.list]\nup = \"w\"\ndown = \"z\"\n\n[keys.profiles]\nopen = \"tab\"\n\
         add-profile = \"n\"\nedit-profile = \"i\"\ndelete-profile = \"x\"\n\
         make-default = \"m\"\nback = \"f10\"\n",
    );
    hit(&mut s, "ctrl+p");
    names(
        &text(&s, 80, 24),
        "wz choose · Tab use · n add · i edit · x delete · m default · F10 close",
        &[
            "↑↓",
            "Enter use",
            "a add",
            "e edit",
            "d delete",
            "* default",
            "Esc close",
        ],
    );
}

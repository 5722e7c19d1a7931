//! The boxes' hints and the views' notes name their keys as bound: each command rebound, the
//! screen names the new key and not the default.

use super::keys_named_tests::{hit, text};
use crate::api::Method;
use crate::tui::action::Action;
use crate::tui::fixtures::{exchange, state};
use crate::tui::keys::Keymap;
use crate::tui::state::State;
use crate::tui::update::update;

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

/// The saved requests (Ctrl+O) have their own ↑↓, not the list's; typing filters, a fixed key.
#[test]
fn the_saved_requests_name_their_keys_as_bound() {
    let mut s =
        keyed("[keys.picker]\nup = \"alt+k\"\ndown = \"alt+j\"\nopen = \"tab\"\nback = \"f10\"\n");
    hit(&mut s, "ctrl+o");
    names(
        &text(&s, 80, 24),
        "type to filter · Alt+KAlt+J choose · Tab load into the form · F10 close",
        &["↑↓", "Enter load", "Esc close"],
    );
}

/// A scenario's run names its keys as bound.
#[test]
fn a_scenario_run_names_its_keys_as_bound() {
    use crate::collection::run::Verdict;
    use crate::tui::collection::{ScenarioCall, ScenarioRun};
    let mut s =
        keyed("[keys.scenario]\nup = \"pgup\"\ndown = \"pgdn\"\nopen = \"tab\"\nback = \"f10\"\n");
    s.overlay = crate::tui::state::Overlay::Scenario(Box::new(ScenarioRun {
        name: "onboarding".into(),
        calls: vec![ScenarioCall {
            step: 1,
            method: Method::Event,
            status: Some(202),
            verdict: Verdict::Passed,
            log_id: None,
        }],
        done: true,
        selected: 0,
    }));
    names(
        &text(&s, 80, 24),
        "PgUpPgDn choose a call · Tab open its exchange · F10 close",
        &["↑↓", "Enter open", "Esc close"],
    );
}

/// The copy-as box (x on a log row) names its keys as bound.
#[test]
fn copy_as_names_its_keys_as_bound() {
    let mut s =
        keyed("[keys.copy-as]\nup = \"home\"\ndown = \"end\"\nopen = \"tab\"\nback = \"f10\"\n");
    update(
        &mut s,
        Action::HistoryLoaded(Ok(vec![exchange(
            "event",
            202,
            "{\"event\":\"e\"}",
            vec![],
        )])),
    );
    hit(&mut s, "ctrl+l");
    hit(&mut s, "x");
    names(
        &text(&s, 80, 24),
        "HomeEnd choose · Tab copy to the clipboard (OSC 52) · F10 close",
        &["↑↓", "Enter copy", "Esc close"],
    );
}

//! The boxes' hints and the views' notes name their keys as bound: each command rebound, the
//! screen names the new key and not the default.

use super::keys_named_tests::{hit, text};
use crate::api::Method;
use crate::inspect::{EntityRef, Rows};
use crate::tui::action::{Action, StarsPurpose};
use crate::tui::fixtures::{exchange, funnels, state, stored};
use crate::tui::keys::Keymap;
use crate::tui::state::{ServerStatus, State};
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

/// The Data view (F2) on `rows`, its keys as `config` binds them.
fn data(config: &str, rows: Rows) -> State {
    let mut s = keyed(config);
    s.server = ServerStatus::Answers;
    hit(&mut s, "f2");
    loaded(&mut s, rows);
    s
}

fn loaded(s: &mut State, rows: Rows) {
    let generation = s.inspect.generation;
    update(
        s,
        Action::InspectLoaded {
            generation,
            result: Ok(rows.into()),
        },
    );
}

/// A search that matches nothing: while typed, the search's cancel clears it; once kept, the
/// list's back does, and the status line names the list's search and back.
#[test]
fn the_data_views_search_names_its_keys_as_bound() {
    let mut s = data(
        "[keys.data]\nsearch = \"?\"\nback = \"f10\"\n\n[keys.data-search]\ncancel = \"f9\"\n",
        Rows::Users(stored::users()),
    );
    hit(&mut s, "?");
    for c in ["s", "i", "g", "n"] {
        hit(&mut s, c);
    }
    loaded(&mut s, Rows::Users(vec![]));
    names(
        &text(&s, 80, 24),
        "No users match “sign”. F9 clears the search.",
        &["Esc clears"],
    );
    hit(&mut s, "enter");
    let kept = text(&s, 80, 24);
    names(
        &kept,
        "No users match “sign”. F10 clears the search.",
        &["Esc clears", "F9 clears"],
    );
    names(
        &kept,
        "search “sign” · ? edits it · F10 clears",
        &["/ edits it"],
    );
}

/// Nothing stored yet: the list's back, as bound, leads to the forms.
#[test]
fn the_empty_data_view_names_its_back_key_as_bound() {
    let s = data("[keys.data]\nback = \"f10\"\n", Rows::Users(vec![]));
    names(
        &text(&s, 80, 24),
        "F10 goes back to the forms",
        &["Esc goes back"],
    );
}

fn refused() -> crate::term::Failure {
    crate::term::Failure::message("refused")
}

/// The list could not be read: the list's reload, as bound, retries it.
#[test]
fn the_data_views_failed_read_names_its_reload_as_bound() {
    let mut s = keyed("[keys.data]\nreload = \"f9\"\n");
    s.server = ServerStatus::Answers;
    hit(&mut s, "f2");
    let generation = s.inspect.generation;
    update(
        &mut s,
        Action::InspectLoaded {
            generation,
            result: Err(refused()),
        },
    );
    names(&text(&s, 80, 24), "✗ refused · F9 retries", &["r retries"]);
}

/// A user or company that could not be read: the opened one's reload, as bound, retries it.
#[test]
fn an_opened_user_that_failed_names_its_reload_as_bound() {
    let mut s = data(
        "[keys.data-detail]\nreload = \"f9\"\n",
        Rows::Users(stored::users()),
    );
    let which = s.inspect.open(EntityRef::User("42".into()));
    update(
        &mut s,
        Action::EntityLoaded {
            which,
            result: Err(refused()),
        },
    );
    names(&text(&s, 80, 24), "refused · F9 retries", &["r retries"]);
}

/// The Results view (F5) that could not be read names its reload as bound.
#[test]
fn the_results_that_failed_name_their_reload_as_bound() {
    let mut s = keyed("[keys.results]\nreload = \"f9\"\n");
    hit(&mut s, "f5");
    update(&mut s, Action::ResultsLoaded(Err(refused())));
    names(&text(&s, 80, 24), "refused · F9 retries", &["r retries"]);
}

/// The Features view (F6) names its reload as bound when the funnels could not be computed.
#[test]
fn the_features_that_failed_name_their_reload_as_bound() {
    let mut s = keyed("[keys.features]\nreload = \"f9\"\n");
    hit(&mut s, "f6");
    update(
        &mut s,
        Action::StarsLoaded {
            purpose: StarsPurpose::List(1),
            result: Err(refused()),
        },
    );
    names(&text(&s, 80, 24), "refused · F9 retries", &["r retries"]);
}

/// A feature opened whose companies could not be computed names the drill's reload as bound.
#[test]
fn a_feature_that_failed_names_its_reload_as_bound() {
    let mut s = keyed("[keys.features-detail]\nreload = \"f9\"\n");
    hit(&mut s, "f6");
    update(
        &mut s,
        Action::StarsLoaded {
            purpose: StarsPurpose::List(1),
            result: Ok(funnels()),
        },
    );
    hit(&mut s, "enter");
    update(
        &mut s,
        Action::StarsLoaded {
            purpose: StarsPurpose::Drill("export".into()),
            result: Err(refused()),
        },
    );
    names(&text(&s, 80, 24), "refused · F9 retries", &["r retries"]);
}

fn full_page_of_users() -> Rows {
    let one = stored::users()[0].clone();
    Rows::Users(vec![one; crate::tui::inspect::PAGE as usize])
}

/// A full page: the list's page down, as bound, reads the next.
#[test]
fn a_full_page_names_its_page_down_as_bound() {
    let s = data("[keys.list]\npage-down = \"f9\"\n", full_page_of_users());
    names(&text(&s, 120, 24), " · F9 more ", &["PgDn more"]);
}

/// Paged past the last row: the list's page up, as bound, goes back.
#[test]
fn past_the_last_row_names_its_page_up_as_bound() {
    let mut s = data(
        "[keys.list]\npage-up = \"f8\"\npage-down = \"f9\"\n",
        full_page_of_users(),
    );
    hit(&mut s, "f9");
    loaded(&mut s, Rows::Users(vec![]));
    names(
        &text(&s, 80, 24),
        "No more rows. F8 goes back.",
        &["PgUp goes back"],
    );
}

/// A broken edit of the collection: the status line names the saved requests' key as bound.
#[test]
fn a_broken_collection_names_the_saved_requests_key_as_bound() {
    let mut s = keyed("[keys]\nopen-collection = \"alt+o\"\n");
    update(
        &mut s,
        Action::CollectionLoaded(Err(crate::collection::CollectionError {
            path: "c.toml".into(),
            problems: vec![crate::collection::Problem {
                line: Some(3),
                message: "bad".into(),
            }],
        })),
    );
    names(&text(&s, 80, 24), " · Alt+O shows all", &["Ctrl+O"]);
}

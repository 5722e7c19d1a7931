//! Snapshots of the Results view (F5).

use crate::api::Method;
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::{press, render, state};
use crate::tui::state::{ServerStatus, State};
use crate::tui::update::update;
use crossterm::event::KeyCode;

fn snapshot(name: &str, state: &State) {
    insta::assert_snapshot!(name, render(state, 80, 24).backend());
}

#[test]
fn the_results_view() {
    use crate::results::Results;
    let mut s = state(Method::Feedback);
    s.server = ServerStatus::Answers;
    s.log.loading = false;
    let effects = press(&mut s, KeyCode::F(5));
    assert!(matches!(effects.as_slice(), [Effect::LoadResults(_)]));
    snapshot("results_loading", &s);
    update(&mut s, Action::ResultsLoaded(Ok(vec![])));
    snapshot("results_empty", &s);
    let rows = crate::tui::fixtures::stored::feedback();
    let mut other = rows[0].clone();
    other.feature_id = "onboarding".into();
    other.score = Some(2);
    other.comment = None;
    update(
        &mut s,
        Action::ResultsLoaded(Ok(vec![
            Results::from_stored("export", &rows),
            Results::from_stored("onboarding", &[other]),
        ])),
    );
    snapshot("results_two_features", &s);
}

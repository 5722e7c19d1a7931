//! Snapshots of the Outbox and Results views, and their keys.

use super::draw;
use crate::api::Method;
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::{outbox_items, state};
use crate::tui::state::{Screen, ServerStatus, State};
use crate::tui::update::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn snapshot(name: &str, state: &State) {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut state = state.clone();
    state.size = (80, 24);
    terminal.draw(|f| draw(f, &state)).unwrap();
    insta::assert_snapshot!(name, terminal.backend());
}

fn press(state: &mut State, code: KeyCode) -> Vec<Effect> {
    update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn opened(items: Vec<crate::outbox::Item>) -> State {
    let mut s = state(Method::Feedback);
    s.server = ServerStatus::Down("connection refused".into());
    s.log_loading = false;
    assert_eq!(press(&mut s, KeyCode::F(4)), vec![Effect::LoadOutbox]);
    update(&mut s, Action::OutboxLoaded(Ok(items)));
    s
}

#[test]
fn empty_waiting_and_refused() {
    snapshot("outbox_empty", &opened(vec![]));
    let mut s = opened(outbox_items());
    assert_eq!(s.outbox_waiting, 2, "the header counts what waits");
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Down);
    snapshot("outbox_items", &s);
}

#[test]
fn retry_now_and_drop_after_confirming() {
    let mut s = opened(outbox_items());
    assert_eq!(press(&mut s, KeyCode::Char('r')), vec![Effect::RetryOutbox]);
    press(&mut s, KeyCode::Down);
    assert!(press(&mut s, KeyCode::Char('d')).is_empty());
    snapshot("outbox_confirm_drop", &s);
    assert!(
        press(&mut s, KeyCode::Esc).is_empty(),
        "anything but yes keeps it"
    );
    press(&mut s, KeyCode::Char('d'));
    assert_eq!(
        press(&mut s, KeyCode::Enter),
        vec![Effect::DropOutboxItem(5)]
    );
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.screen, Screen::Console);
}

#[test]
fn the_results_view() {
    use crate::results::Results;
    let mut s = state(Method::Feedback);
    s.server = ServerStatus::Answers;
    s.log_loading = false;
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

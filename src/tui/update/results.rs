//! The Results view (F5): every feature's responses, scores and comments.

#[allow(
    clippy::wildcard_imports,
    reason = "the update's shared imports and helpers"
)]
use super::*;

/// F5: every feature's responses, scores and comments, read afresh.
pub(super) fn open_results(state: &mut State) -> Vec<Effect> {
    state.screen = Screen::Results;
    state.results = crate::tui::results::ResultsView::default();
    vec![Effect::LoadResults(state.target())]
}

pub(super) fn results_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let scroll = &mut state.results.scroll;
    match key.code {
        KeyCode::Esc | KeyCode::F(5) => state.screen = Screen::Console,
        KeyCode::Char('r') => return open_results(state),
        KeyCode::Down | KeyCode::Char('j') => *scroll = scroll.saturating_add(1),
        KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
        KeyCode::PageDown => *scroll = scroll.saturating_add(10),
        KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
        KeyCode::Home => *scroll = 0,
        _ => {}
    }
    vec![]
}

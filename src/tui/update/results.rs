//! The Results view (F5): every feature's responses, scores and comments.

#[allow(
    clippy::wildcard_imports,
    reason = "the update's shared imports and helpers"
)]
use super::*;

/// F5: every feature's responses, scores and comments, read afresh.
pub(super) fn open_results(state: &mut State) -> Vec<Effect> {
    state.screen = Screen::Results;
    state.results.loaded = crate::term::Load::Loading;
    state.results.scroll = 0;
    vec![Effect::LoadResults(state.target())]
}

pub(super) fn results_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let scroll = &mut state.results.scroll;
    match state.keymap.command(Context::Results, &key) {
        Some(Command::Back) => state.screen = Screen::Console,
        Some(Command::Reload) => return open_results(state),
        Some(Command::Down) => *scroll = scroll.saturating_add(1),
        Some(Command::Up) => *scroll = scroll.saturating_sub(1),
        Some(Command::PageDown) => *scroll = scroll.saturating_add(10),
        Some(Command::PageUp) => *scroll = scroll.saturating_sub(10),
        Some(Command::First) => *scroll = 0,
        _ => {}
    }
    vec![]
}

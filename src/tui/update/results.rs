//! The Results view (F5): every feature's responses, scores and comments.

use crate::term::Failure;
use crate::tui::action::Effect;
use crate::tui::keys::{Command, Context};
use crate::tui::state::{Screen, State};
use crossterm::event::KeyEvent;

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

/// F5 and the header must agree: a read that found the server silent says so above.
pub fn results_loaded(
    state: &mut State,
    result: Result<Vec<crate::results::Results>, Failure>,
) -> Vec<Effect> {
    let effects = super::health::silent_server(state, result.as_ref().err());
    state.results.loaded = result.into();
    effects
}

//! The console's state for its unit and snapshot tests; the data lives in `crate::fixtures`.

use crate::api::Method;
use crate::profiles::{Profile, Profiles};
use crate::tui::state::State;

pub use crate::fixtures::{exchange, outbox_items, requests, stored};

use crate::tui::action::{Action, Effect};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The console drawn at `width`×`height` (snapshot it where the test is, so insta names the file
/// after that module).
pub fn render(state: &State, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut state = state.clone();
    state.size = (width, height);
    terminal
        .draw(|f| crate::tui::view::draw(f, &state))
        .unwrap();
    terminal
}

/// One key, without modifiers.
pub fn press(state: &mut State, code: KeyCode) -> Vec<Effect> {
    crate::tui::update::update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// A console on the local profile with a second, saved profile.
pub fn state(method: Method) -> State {
    let mut profiles = Profiles::default();
    let other = Profile {
        name: "staging".into(),
        base_url: "https://tracking.example".into(),
        user_id: Some("u-default".into()),
        ..Profile::local()
    };
    profiles.add(other, false).unwrap();
    let mut state = State::new(
        profiles,
        Profile::local(),
        "http://127.0.0.1:8787".into(),
        method,
        true,
        FIXED_NOW,
    );
    // A console on `local` runs its own server, as on a fresh machine.
    if let Some(local) = &mut state.local {
        local.in_process = true;
    }
    state
}

/// 2026-11-26T06:37:47.877Z: what the console's tests take for now.
pub const FIXED_NOW: i64 = 1_795_588_667_877;

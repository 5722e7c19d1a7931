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

/// Three funnels as the local server computes them at [`FIXED_NOW`]: an event-based feature
/// with a company at every step and a user left out, and an attribute-based one.
pub fn funnels() -> Vec<crate::api::stars::Funnel> {
    use crate::api::stars::{CompanyUse, DAY_MS, Excluded, Feature, Usage, Window, funnel};
    let day = |ago: i64| (FIXED_NOW - ago * DAY_MS).div_euclid(DAY_MS);
    let company =
        |[id, member]: [&'static str; 2], days: u32, first: i64, last: i64, score| CompanyUse {
            company_id: id,
            days,
            first_day: (days > 0 || first > 0).then(|| day(first)),
            last_day: (days > 0 || last > 0).then(|| day(last)),
            score,
            member: Some(member),
            ..CompanyUse::default()
        };
    let export = Feature {
        usage: Usage::Event {
            events: vec!["Exported report".into(), "Exported CSV".into()],
        },
        ..Feature::from_event("export")
    };
    let w = Window::ending(FIXED_NOW, &export.rules);
    let export = funnel(
        &export,
        w,
        &[
            company(["acme", "acme-admin"], 9, 25, 1, Some(5)),
            company(["globex", "globex-admin"], 8, 24, 2, Some(3)),
            company(["initech", "initech-admin"], 6, 9, 0, None),
            company(["umbrella", "umbrella-admin"], 4, 20, 3, None),
            company(["hooli", "hooli-admin"], 0, 0, 0, None),
        ],
        Excluded {
            events: 3,
            user_ids: vec!["visitor-7".into()],
        },
    );
    let slack = Feature {
        usage: Usage::Attribute {
            attribute: "hasSlackEnabled".into(),
        },
        ..Feature::from_event("slack")
    };
    let mut on = company(["acme", "acme-admin"], 0, 0, 0, None);
    on.truthy = true;
    let slack = funnel(
        &slack,
        w,
        &[on, company(["globex", "globex-admin"], 0, 0, 0, None)],
        Excluded::default(),
    );
    vec![export, slack]
}

/// One key, without modifiers, as an action.
pub fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Ctrl and a letter, as an action.
pub fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Types `text` a key at a time, as a user would.
pub fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        crate::tui::update::update(state, key(KeyCode::Char(c)));
    }
}

/// A left click at `column`, `row`.
pub fn click(s: &mut State, column: u16, row: u16) {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    crate::tui::update::update(
        s,
        Action::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }),
    );
}

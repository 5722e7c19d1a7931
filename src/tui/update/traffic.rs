//! Keys and stream results of the Traffic view (F3).

use super::super::action::Effect;
use super::super::keys::{Command, Context};
use super::super::state::{Level, Screen, State};
use super::load_into_form;
use crate::api::Method;
use crate::sanitize::sanitize;
use crossterm::event::KeyEvent;

/// F3: show the Traffic view, starting its stream the first time.
pub fn open(state: &mut State) -> Vec<Effect> {
    state.screen = Screen::Traffic;
    if state.traffic.started {
        return vec![];
    }
    restart(state)
}

/// A new stream for the current target (first open, or after a profile switch).
pub fn restart(state: &mut State) -> Vec<Effect> {
    let generation = state.traffic.restart();
    vec![Effect::WatchTraffic {
        target: state.target(),
        generation,
    }]
}

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let traffic = &mut state.traffic;
    if traffic.opened.is_some() {
        match state.keymap.command(Context::TrafficDetail, &key) {
            Some(Command::Back) => traffic.opened = None,
            Some(Command::OpenInForm) => open_in_form(state),
            Some(Command::Down) => traffic.scroll = traffic.scroll.saturating_add(1),
            Some(Command::Up) => traffic.scroll = traffic.scroll.saturating_sub(1),
            Some(Command::PageDown) => traffic.scroll = traffic.scroll.saturating_add(10),
            Some(Command::PageUp) => traffic.scroll = traffic.scroll.saturating_sub(10),
            Some(Command::First) => traffic.scroll = 0,
            _ => {}
        }
        return vec![];
    }
    match state.keymap.command(Context::Traffic, &key) {
        Some(Command::Back) => state.screen = Screen::Console,
        Some(Command::Down) => traffic.move_selection(true, 1),
        Some(Command::Up) => traffic.move_selection(false, 1),
        Some(Command::PageDown) => traffic.move_selection(true, 10),
        Some(Command::PageUp) => traffic.move_selection(false, 10),
        Some(Command::First) => traffic.selected = 0,
        Some(Command::Last) => traffic.move_selection(true, usize::MAX / 2),
        Some(Command::Pause) => traffic.toggle_pause(),
        Some(Command::StatusFilter) => traffic.cycle_status(),
        Some(Command::RouteFilter) => traffic.cycle_route(),
        Some(Command::Open) => {
            traffic.opened = traffic.selected_record().map(|r| r.id.clone());
            traffic.scroll = 0;
        }
        Some(Command::OpenInForm) => open_in_form(state),
        _ => {}
    }
    vec![]
}

/// Loads the request into its method's form with the local verdict's errors on their fields.
fn open_in_form(state: &mut State) {
    let traffic = &state.traffic;
    let Some(record) = traffic
        .opened_record()
        .or_else(|| traffic.selected_record())
        .cloned()
    else {
        return;
    };
    let Some((method, _)) = Method::from_route(record.route()) else {
        state.message = Some((
            Level::Warning,
            format!(
                "`{}` is not a method the forms know",
                sanitize(record.route())
            ),
        ));
        return;
    };
    // The detail is done with: F3 comes back to the list, and the next `o` takes the selection.
    state.traffic.opened = None;
    state.traffic.scroll = 0;
    let first = record
        .local
        .validation_errors
        .first()
        .map(|e| e.path.clone());
    load_into_form(
        state,
        method,
        &record.body,
        &record.local.validation_errors,
        first.as_deref(),
    );
    state.message = Some((
        Level::Info,
        format!(
            "request #{} loaded into the {method} form: fix it and {} resends it",
            sanitize(&record.id),
            state.keymap.shared(Command::Send)
        ),
    ));
}

/// Clicks choose a row (the list starts under its border and header); the wheel scrolls.
pub fn on_mouse(
    state: &mut State,
    mouse: crossterm::event::MouseEvent,
    areas: &super::super::layout::Areas,
) -> Vec<Effect> {
    use crossterm::event::{MouseButton, MouseEventKind};
    if state.overlay != super::super::state::Overlay::None || state.traffic.opened.is_some() {
        return vec![];
    }
    let traffic = &mut state.traffic;
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) if mouse.row >= areas.body.y + 2 => {
            let row = usize::from(mouse.row - areas.body.y - 2);
            let index = super::super::layout::data_offset(traffic.selected, areas.body) + row;
            if index < traffic.shown().len() {
                traffic.selected = index;
            }
        }
        MouseEventKind::ScrollDown => traffic.move_selection(true, 3),
        MouseEventKind::ScrollUp => traffic.move_selection(false, 3),
        _ => {}
    }
    vec![]
}

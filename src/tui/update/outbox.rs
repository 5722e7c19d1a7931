//! The Outbox view (F4): its keys, and what the outbox reports (queued, delivered, loaded).

use super::health::health_from;
use super::is_delivered_feedback;
use crate::tui::action::{Action, Effect};
use crate::tui::keys::{Command, Context};
use crate::tui::state::{Confirm, Level, Overlay, Screen, State};
use crossterm::event::KeyEvent;

pub(super) fn open_outbox(state: &mut State) -> Vec<Effect> {
    state.screen = Screen::Outbox;
    vec![Effect::LoadOutbox]
}

pub(super) fn outbox_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let view = &mut state.outbox;
    match state.keymap.command(Context::Outbox, &key) {
        Some(Command::Back) => state.screen = Screen::Console,
        Some(Command::Down) => view.move_selection(true),
        Some(Command::Up) => view.move_selection(false),
        Some(Command::Retry) => return vec![Effect::RetryOutbox],
        Some(Command::Drop) => {
            if let Some(item) = view.selected_item() {
                state.overlay = Overlay::Confirm(Confirm::DropOutboxItem { id: item.id });
            }
        }
        _ => {}
    }
    vec![]
}

pub(super) fn outbox_action(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Queued { entry, result } => queued(state, entry, result),
        Action::OutboxDelivered { .. } => {
            let mut effects = outbox_delivered(state, action);
            effects.extend(reload_outbox(state));
            return effects;
        }
        Action::OutboxLoaded(result) => {
            if let Ok(items) = &result {
                state.outbox_waiting = items
                    .iter()
                    .filter(|i| i.state == crate::outbox::State::Queued)
                    .count() as u64;
            }
            state.outbox.loaded(result);
            return vec![];
        }
        _ => return vec![],
    }
    reload_outbox(state)
}

/// The Outbox view shows the outbox as it is now.
pub(super) fn reload_outbox(state: &State) -> Vec<Effect> {
    if state.screen == Screen::Outbox {
        vec![Effect::LoadOutbox]
    } else {
        vec![]
    }
}

pub(super) fn queued(
    state: &mut State,
    entry: Option<i64>,
    result: Result<(i64, u64), crate::term::Failure>,
) {
    state.message = Some(match result {
        Ok((id, waiting)) => {
            state.outbox_waiting = waiting;
            if let Some(at) = state
                .log
                .entries()
                .iter()
                .position(|e| entry.is_some() && e.id == entry)
            {
                state.log.change(at, |row| row.outbox_id = Some(id));
            }
            (
                Level::Warning,
                format!(
                    "not delivered: queued in the outbox as #{id} ({waiting} waiting); it is sent when the server answers"
                ),
            )
        }
        Err(e) => (
            Level::Error,
            format!("not delivered, and the outbox could not keep it: {e}"),
        ),
    });
}

pub(super) fn outbox_delivered(state: &mut State, action: Action) -> Vec<Effect> {
    let Action::OutboxDelivered {
        exchanges,
        delivered,
        rejected,
        waiting,
    } = action
    else {
        return vec![];
    };
    state.outbox_waiting = waiting;
    // The newest delivery says how the server is doing.
    let effects = exchanges
        .last()
        .map(|e| health_from(state, e))
        .unwrap_or_default();
    for exchange in exchanges {
        state.results.feedback_delivered |= is_delivered_feedback(&exchange);
        // A call already in the log is that row, moved on (queued → delivered); the journal
        // gave the exchange the row's id.
        match state
            .log
            .entries()
            .iter()
            .position(|e| exchange.id.is_some() && e.id == exchange.id)
        {
            Some(at) => state.log.replace(at, exchange),
            None => {
                state.log.push_front(exchange);
                if let Some(detail) = &mut state.detail {
                    detail.index += 1;
                }
            }
        }
    }
    state.bound_log();
    if delivered + rejected > 0 {
        state.message = Some((
            if rejected > 0 {
                Level::Warning
            } else {
                Level::Success
            },
            format!(
                "outbox: {delivered} delivered, {rejected} refused by the server, {waiting} waiting"
            ),
        ));
    }
    effects
}

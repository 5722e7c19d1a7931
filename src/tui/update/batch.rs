//! Alt+B: collecting sends as pending items and sending them as one `/bulk`; the answer on the
//! batch's log row and on each item; an item opened back into its form.

use super::health::health_from;
use super::{inspect, log};
use crate::api::Method;
use crate::api::runtime::MAX_BULK_ITEMS;
use crate::api::runtime::bulk::item_index;
use crate::client::{Exchange, Outcome};
use crate::sanitize::sanitize;
use crate::tui::action::Effect;
use crate::tui::batch::{Batch, Pending, items, sent_items};
use crate::tui::keys::{Command, Context};
use crate::tui::state::{Confirm, Focus, Level, Overlay, State};
use crossterm::event::KeyEvent;

/// Alt+B: starts a batch, or sends the one collected; a tracking profile has no `/bulk`.
pub(super) fn toggle(state: &mut State) -> Vec<Effect> {
    if state.profile.api() != crate::api::Api::Runtime {
        let pending = state.batch.as_ref().map_or(0, |b| b.items.len());
        let keep = if pending > 0 {
            format!(
                "; the batch keeps its {}: switch back to a runtime profile to send them, or {} \
                 on the form drops them",
                items(pending),
                state.keymap.label(Context::Form, Command::DropBatch)
            )
        } else {
            String::new()
        };
        state.message = Some((
            Level::Warning,
            format!(
                "profile {} speaks the tracking API, which has no /bulk: batches are sent on \
                 runtime profiles ({} chooses one, such as local-runtime){keep}",
                state.profile.name,
                state.keymap.shared(Command::Profiles)
            ),
        ));
        return vec![];
    }
    let send = state.keymap.shared(Command::Send);
    let batch_key = state.keymap.shared(Command::Batch);
    match &mut state.batch {
        None => {
            state.batch = Some(Batch::default());
            state.message = Some((
                Level::Info,
                format!(
                    "batch started: {send} adds the form to it; {batch_key} sends the items as \
                     one /bulk; {} on the form drops it",
                    state.keymap.label(Context::Form, Command::DropBatch)
                ),
            ));
            vec![]
        }
        Some(batch) if batch.sending => {
            state.message = Some((
                Level::Warning,
                "the batch is on its way; wait for its answer".into(),
            ));
            vec![]
        }
        Some(batch) if batch.items.is_empty() => {
            state.batch = None;
            state.message = Some((Level::Info, "batch closed: it had no items".into()));
            vec![]
        }
        Some(batch) => match batch.body() {
            Ok(body) => {
                batch.sending = true;
                state.message = Some((
                    Level::Info,
                    format!("sending the batch of {} as one /bulk…", batch.count()),
                ));
                vec![Effect::SendBatch {
                    target: state.target(),
                    body,
                }]
            }
            Err(e) => {
                state.message = Some((Level::Error, format!("the batch was not sent: {e}")));
                vec![]
            }
        },
    }
}

/// A send while a batch is collected: the form's call becomes a pending item (the form keeps
/// its content, for the next item).
pub(super) fn add(state: &mut State, method: Method, body: String) -> Vec<Effect> {
    let batch_key = state.keymap.shared(Command::Batch);
    let Some(batch) = &mut state.batch else {
        return vec![];
    };
    let refused = if batch.sending {
        Some("the batch is on its way; wait for its answer".to_owned())
    } else if batch.items.len() >= MAX_BULK_ITEMS {
        Some(format!(
            "a batch takes at most {MAX_BULK_ITEMS} items: {batch_key} sends these first"
        ))
    } else {
        crate::client::batch::item_from_text(method, &body)
            .err()
            .map(|e| e.to_string())
    };
    if let Some(why) = refused {
        state.message = Some((Level::Warning, format!("not added to the batch: {why}")));
        return vec![];
    }
    batch.items.push(Pending { method, body });
    state.message = Some((
        Level::Info,
        format!(
            "{method} added to the batch as item #{}: {} pending · {batch_key} sends them as one /bulk",
            batch.items.len() - 1,
            batch.count()
        ),
    ));
    vec![]
}

/// Whether a key on the console asks to drop the batch being collected (Esc on the form).
pub(super) fn asks_to_drop(state: &State, key: &KeyEvent) -> bool {
    state.focus == Focus::Form
        && state.batch.as_ref().is_some_and(|b| !b.sending)
        && state.keymap.command(Context::Form, key) == Some(Command::DropBatch)
}

/// Whether quitting waits: the first quit with pending items says they were never sent; the
/// next one quits.
pub(super) fn holds_quit(state: &mut State) -> bool {
    let quit = state.keymap.shared(Command::Quit);
    let batch_key = state.keymap.shared(Command::Batch);
    let Some(batch) = state
        .batch
        .as_mut()
        .filter(|b| !b.items.is_empty() && !b.quit_warned)
    else {
        return false;
    };
    batch.quit_warned = true;
    state.message = Some((
        Level::Warning,
        format!(
            "the batch's {} were never sent: {batch_key} sends them; {quit} again quits without them",
            batch.count()
        ),
    ));
    true
}

/// Asks before pending items are dropped; an empty batch just closes.
pub(super) fn ask_drop(state: &mut State) -> Vec<Effect> {
    let pending = state.batch.as_ref().map_or(0, |b| b.items.len());
    if pending == 0 {
        state.batch = None;
        state.message = Some((Level::Info, "batch closed: it had no items".into()));
    } else {
        state.overlay = Overlay::Confirm(Confirm::DropBatch { items: pending });
    }
    vec![]
}

pub(super) fn drop_batch(state: &mut State) -> Vec<Effect> {
    if let Some(batch) = state.batch.take() {
        state.message = Some((
            Level::Info,
            format!("dropped the batch: its {} were not sent", batch.count()),
        ));
    }
    vec![]
}

/// The `/bulk` answer: one log row for the batch. Stored, the batch is done; refused for its
/// items (400), the row holds each problem on its item; otherwise (no answer, a refused key)
/// the items stay pending, to be sent again.
pub(super) fn sent(state: &mut State, exchange: Exchange) -> Vec<Effect> {
    let mut effects = inspect::after_send(state, &exchange);
    effects.extend(health_from(state, &exchange));
    let sent_count = sent_items(&exchange).len();
    let status = exchange
        .status()
        .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
    let item_problems: Vec<usize> = {
        let mut at: Vec<usize> = exchange
            .validation_errors
            .iter()
            .filter_map(|e| item_index(&e.path))
            .collect();
        at.sort_unstable();
        at.dedup();
        at
    };
    let refused = crate::tui::refusal::key_refusal(&exchange);
    let problem = exchange.problem();
    let outcome = exchange.outcome;
    // A single call may be in flight beside the batch: its spinner keeps going.
    let request = state.request.clone();
    super::send::sent(state, exchange);
    state.request = request;
    let batch_key = state.keymap.shared(Command::Batch);
    let (level, text) = if outcome == Outcome::Delivered {
        state.batch = None;
        (
            Level::Success,
            format!(
                "batch of {} stored ({status}, one /bulk)",
                items(sent_count)
            ),
        )
    } else if !item_problems.is_empty() {
        state.batch = None;
        state.focus = Focus::Log;
        let at: Vec<String> = item_problems.iter().map(|i| format!("#{i}")).collect();
        (
            Level::Warning,
            format!(
                "batch refused ({status}): nothing of it was stored; problems on item{} {} — {} \
                 opens the row, Enter an item into its form",
                if at.len() == 1 { "" } else { "s" },
                at.join(", "),
                state.keymap.label(Context::Log, Command::Open)
            ),
        )
    } else {
        if let Some(batch) = &mut state.batch {
            batch.sending = false;
        }
        let why = refused
            .or(problem)
            .map_or_else(String::new, |p| format!(": {}", sanitize(&p)));
        (
            if outcome == Outcome::Failed {
                Level::Error
            } else {
                Level::Warning
            },
            format!(
                "batch not stored ({status}){why}; its {} stay pending: {batch_key} sends them again",
                items(sent_count)
            ),
        )
    };
    state.message = Some((level, text));
    effects
}

/// Enter on an item of a batch's detail: the item in its form, its problems on its fields.
pub(super) fn open_item(state: &mut State, index: usize, item: usize) {
    let Some(ex) = state.log.entries().get(index).cloned() else {
        return;
    };
    let Some(value) = sent_items(&ex).into_iter().nth(item) else {
        return;
    };
    let Some((method, body)) = crate::client::batch::split(&value) else {
        state.message = Some((
            Level::Warning,
            format!(
                "item #{item} is a {}: the forms hold user, company, event and feedback calls",
                sanitize(value["type"].as_str().unwrap_or("value without a type"))
            ),
        ));
        return;
    };
    let prefix = format!("/{item}");
    let own: Vec<crate::api::ValidationError> = ex
        .validation_errors
        .iter()
        .filter(|e| item_index(&e.path) == Some(item))
        .map(|e| {
            let mut e = e.clone();
            e.path = e.path[prefix.len()..].to_owned();
            e
        })
        .collect();
    log::load_into_form(state, method, &body, &own, None);
    let form = state.form_mut();
    if let Some(first) = form.fields.iter().position(|f| !f.errors.is_empty()) {
        form.focus = first;
    }
    state.message = Some((
        if own.is_empty() {
            Level::Info
        } else {
            Level::Warning
        },
        format!(
            "item #{item} of the batch loaded into the {method} form{}",
            match own.len() {
                0 => String::new(),
                1 => ": 1 problem marked".to_owned(),
                n => format!(": {n} problems marked"),
            }
        ),
    ));
}

/// `r` on a batch's row: the same items as one `/bulk` again.
pub(super) fn resend(state: &mut State, body: String) -> Vec<Effect> {
    if state.profile.api() != crate::api::Api::Runtime {
        return toggle(state);
    }
    state.message = Some((Level::Info, "resending the batch as one /bulk…".into()));
    vec![Effect::SendBatch {
        target: state.target(),
        body,
    }]
}

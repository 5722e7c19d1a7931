//! Sending the form (Ctrl+S, after asking when it breaks rules) and taking the answer in.

use super::is_delivered_feedback;
use crate::api::Method;
use crate::client::{Exchange, Outcome};
use crate::sanitize::sanitize;
use crate::tui::action::Effect;
use crate::tui::state::{Confirm, Level, Overlay, RequestState, State, method_index};

/// Ctrl+S: send, or ask first when the form breaks the server's rules (sending it anyway is a use
/// of this tool); a problem only the console has stops it, as the form cannot be sent as shown.
pub(super) fn request_send(state: &mut State) -> Vec<Effect> {
    if in_flight(state) {
        return vec![];
    }
    let now = state.now_ms;
    state.form_mut().validate(now);
    if !state.form().console_problems().is_empty() {
        state.overlay = Overlay::Confirm(Confirm::CannotSend);
        return vec![];
    }
    let problems = state.form().error_count();
    if problems > 0 {
        state.overlay = Overlay::Confirm(Confirm::SendAnyway { problems });
        return vec![];
    }
    send(state)
}

pub(super) fn send(state: &mut State) -> Vec<Effect> {
    match super::collection::body_to_send(state) {
        Ok(body) if state.batch.is_some() => super::batch::add(state, state.method, body),
        Ok(body) => start_send(state, state.method, body, "sending"),
        Err(e) => {
            state.message = Some((Level::Error, format!("not sent: {e}")));
            vec![]
        }
    }
}

/// One request at a time: says so and is `true` while one is in flight.
fn in_flight(state: &mut State) -> bool {
    let busy = matches!(state.request, RequestState::Sending { .. });
    if busy {
        state.message = Some((
            Level::Warning,
            "a request is in flight; wait for its answer".into(),
        ));
    }
    busy
}

/// The one way a request starts: the form's send and the log's resend (`doing` says which).
pub(super) fn start_send(
    state: &mut State,
    method: Method,
    body: String,
    doing: &str,
) -> Vec<Effect> {
    if in_flight(state) {
        return vec![];
    }
    state.request = RequestState::Sending { method, ticks: 0 };
    state.message = Some((Level::Info, format!("{doing} {method}…")));
    vec![Effect::Send {
        target: state.target(),
        method,
        body,
    }]
}

pub(super) fn sent(state: &mut State, exchange: Exchange) {
    state.request = RequestState::Idle;
    let status = exchange
        .status()
        .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
    let level = match exchange.outcome {
        Outcome::Delivered if exchange.warnings.is_empty() => Level::Success,
        Outcome::Delivered | Outcome::Rejected => Level::Warning,
        Outcome::Failed => Level::Error,
    };
    let mut text = format!(
        "{} {status} in {:.0} ms",
        exchange.method, exchange.latency_ms
    );
    if let Some(refused) = crate::tui::refusal::key_refusal(&exchange) {
        text = format!("{text}: {refused}");
    } else if let Some(problem) = exchange.problem() {
        text = format!("{text}: {}", sanitize(&problem));
    } else if let Some(w) = exchange.warnings.first() {
        text = format!("{text}, warning: {}", sanitize(&w.message));
    }
    state.message = Some((level, text));
    if let Some(method) = Method::parse(&exchange.method) {
        let now = state.now_ms;
        let form = &mut state.forms[method_index(method)];
        form.validate(now);
        for e in &exchange.validation_errors {
            form.place_error(&e.path, &sanitize(&e.message));
        }
        if !exchange.validation_errors.is_empty() {
            form.jump_to_first_problem();
        }
    }
    state.results.feedback_delivered |= is_delivered_feedback(&exchange);
    // The file watcher may have brought this entry in already: it is that row.
    if let Some(at) = state
        .log
        .entries()
        .iter()
        .position(|e| exchange.id.is_some() && e.id == exchange.id)
    {
        state.log.replace(at, exchange);
        state.log.selected = at;
        return;
    }
    state.log.push_front(exchange);
    state.log.selected = 0;
    if let Some(detail) = &mut state.detail {
        detail.index += 1;
    }
    state.bound_log();
}

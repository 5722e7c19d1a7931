//! The header's word on the server: a health check's result, or what an exchange or a read says
//! of it, and the probe that checks again while it does not answer.

use crate::client::Exchange;
use crate::profiles::Profile;
use crate::term::Failure;
use crate::tui::action::Effect;
use crate::tui::state::{Level, ServerStatus, State};

/// The header follows what happens: a health check's result, or any exchange's (an answer means
/// the server answers; no answer means it does not). While it does not, a probe checks again
/// after 1 s, then 2, 4… up to 30 s; while it answers nothing is scheduled, so an idle console
/// wakes up for nothing.
pub fn health(state: &mut State, base_url: &str, result: Result<(), Failure>) -> Vec<Effect> {
    if base_url != state.base_url {
        return vec![];
    }
    match result {
        Ok(()) => {
            state.server = ServerStatus::Answers;
            state.probe_ms = None;
            vec![]
        }
        Err(e)
            if state.profile.is_local()
                && state.local.as_ref().is_some_and(|l| !l.in_process)
                && state.probe_ms.is_none() =>
        {
            // The `serve` that `local` used is gone: the console's own server takes over, on the
            // same default database.
            state.server = ServerStatus::Down(e);
            state.message = Some((
                Level::Warning,
                "the local serve stopped answering: starting the console's own local server".into(),
            ));
            vec![Effect::SwitchProfile(
                state
                    .profiles
                    .get(crate::profiles::LOCAL)
                    .unwrap_or_else(Profile::local),
            )]
        }
        Err(e) => {
            state.server = ServerStatus::Down(e);
            let after_ms = state.probe_ms.map_or(1_000, |ms| (ms * 2).min(30_000));
            state.probe_ms = Some(after_ms);
            vec![Effect::ProbeHealth {
                base_url: base_url.to_owned(),
                after_ms,
            }]
        }
    }
}

/// The embedded server did not start: the header says down with the reason, the status line
/// says what to do, and no probe is scheduled (the address it was bound to has nobody behind it).
pub fn local_server_failed(state: &mut State, base_url: &str, error: Failure) -> Vec<Effect> {
    if base_url != state.base_url {
        return vec![];
    }
    let profiles = state.keymap.shared(crate::tui::keys::Command::Profiles);
    state.message = Some((
        Level::Error,
        format!(
            "the local server did not start: {error}; fix that and choose `local` again ({profiles})"
        ),
    ));
    state.server = ServerStatus::Down(error);
    state.probe_ms = None;
    vec![]
}

/// The header is the one place that says whether the server answers: a view's read (F2, F5,
/// F6) that found it silent marks it down there, and the probe takes over, as a failed send does.
pub fn silent_server(state: &mut State, failure: Option<&Failure>) -> Vec<Effect> {
    match failure {
        Some(e) if not_answering(e) => {
            let base_url = state.base_url.clone();
            health(state, &base_url, Err(e.clone()))
        }
        _ => vec![],
    }
}

/// Whether a read failed because the server did not answer (not because it refused).
pub fn not_answering(e: &Failure) -> bool {
    use crate::inspect::InspectError;
    use crate::results::ResultsError;
    let error = e.error();
    matches!(
        error.downcast_ref::<ResultsError>(),
        Some(ResultsError::Server(InspectError::NotAnswering(_)))
    ) || matches!(
        error.downcast_ref::<InspectError>(),
        Some(InspectError::NotAnswering(_))
    )
}

/// What an exchange says of its server's health, for the header.
pub fn health_from(state: &mut State, exchange: &Exchange) -> Vec<Effect> {
    if exchange.base_url != state.base_url {
        return vec![];
    }
    match (exchange.status(), &state.server) {
        (Some(_), _) => health(state, &exchange.base_url, Ok(())),
        // A probe is already on its way.
        (None, ServerStatus::Down(_)) if state.probe_ms.is_some() => vec![],
        (None, _) => {
            let why = exchange
                .attempts
                .last()
                .and_then(|a| a.error.clone())
                .unwrap_or_else(|| "no answer".to_owned());
            let base_url = exchange.base_url.clone();
            health(state, &base_url, Err(Failure::message(why)))
        }
    }
}

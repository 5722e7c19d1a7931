//! The console's effects by concern, run in tasks that report back as actions. `run` starts one;
//! the external editor is not among them (the loop runs it, as it owns the terminal).

mod collection;
mod delivery;
mod inspect;
mod outbox;
mod profiles;
mod traffic;

use crate::client::Client;
use crate::delivery::Journals;
use crate::outbox::Outbox;
use crate::server::RunningServer;
use crate::term::Failure;
use crate::tui::action::{Action, Effect};
use base64::Engine;
use std::io::Write;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::UnboundedSender;

pub(super) use delivery::deliver_outbox;

/// What the effects need, shared by their tasks.
pub(super) struct Runner {
    pub(super) actions: UnboundedSender<Action>,
    pub(super) client: Client,
    /// For health checks and the Data view's reads.
    pub(super) http: reqwest::Client,
    pub(super) journals: Arc<Journals>,
    pub(super) embedded: Arc<tokio::sync::Mutex<Option<RunningServer>>>,
    /// The Traffic view's stream; a new one replaces it.
    pub(super) traffic: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// F7's watch for the server's flag reloads; a new one replaces it.
    pub(super) flags_watch: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// Opened on first use, off the path to the first frame.
    pub(super) outbox: std::sync::OnceLock<Result<Arc<Mutex<Outbox>>, Failure>>,
    /// Wakes the delivery task (an item was just queued).
    pub(super) outbox_wake: Arc<tokio::sync::Notify>,
}

/// Starts `effect` in a task of its concern.
pub(super) fn run(runner: &Arc<Runner>, effect: Effect) {
    let runner = Arc::clone(runner);
    match effect {
        Effect::Send { .. }
        | Effect::SendBatch { .. }
        | Effect::LoadHistory
        | Effect::LoadHistoryChanges { .. } => {
            delivery::effect(runner, effect);
        }
        Effect::RunScenario { .. } | Effect::LoadCollection | Effect::SaveRequest { .. } => {
            collection::collection_effect(runner, effect);
        }
        Effect::CheckHealth { .. }
        | Effect::ProbeHealth { .. }
        | Effect::SwitchProfile(_)
        | Effect::ChangeProfiles(_)
        | Effect::LoadProfiles => profiles::effect(runner, effect),
        Effect::LoadData { .. }
        | Effect::LoadEntity { .. }
        | Effect::LoadStars { .. }
        | Effect::LoadResults(_) => inspect::effect(runner, effect),
        Effect::LoadFlags { .. } => {
            crate::tui::flags_effect::run(runner.http.clone(), runner.actions.clone(), effect);
        }
        Effect::Enqueue(exchange) => outbox::enqueue(runner, *exchange),
        Effect::LoadOutbox | Effect::RetryOutbox | Effect::DropOutboxItem(_) => {
            outbox::outbox_effect(runner, effect);
        }
        Effect::WatchTraffic { target, generation } => traffic::watch(runner, target, generation),
        Effect::WatchFlags { target, watch } => {
            let task = crate::tui::flags_effect::watch(
                runner.http.clone(),
                runner.actions.clone(),
                target,
                watch,
            );
            if let Ok(mut slot) = runner.flags_watch.lock()
                && let Some(old) = slot.replace(task)
            {
                old.abort();
            }
        }
        // Run by the loop itself, which owns the terminal.
        Effect::EditExternally { .. } => {}
        Effect::Copy(text) => {
            // OSC 52: the terminal (or tmux, or the SSH client's terminal) sets the clipboard.
            let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
            let mut out = std::io::stdout();
            let _ = write!(out, "\u{1b}]52;c;{encoded}\u{7}");
            let _ = out.flush();
        }
    }
}

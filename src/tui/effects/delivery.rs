//! Sending and the log it lands in: a call of the form, the history's first read and its
//! changes, and the outbox delivered in the background.

use super::Runner;
use super::outbox::outbox;
use crate::client::{Exchange, Target};
use crate::delivery;
use crate::term::Failure;
use crate::tui::action::{Action, Effect};
use std::sync::Arc;

type Done = fn(Exchange) -> Action;
/// One call (a form's, or a batch's `/bulk`), logged; its exchange comes back as `done` says.
fn send(runner: Arc<Runner>, to: Target, route: &'static str, body: String, done: Done) {
    tokio::spawn(async move {
        let (body, origin) = (bytes::Bytes::from(body), crate::outbox::Origin::Console);
        let exchange =
            delivery::send_logged(&runner.client, &runner.journals, origin, &to, route, body).await;
        let _ = runner.actions.send(done(exchange));
    });
}

/// Entries of the history shown in the log.
const LOG_ENTRIES: u64 = crate::tui::log_view::LogView::KEEP as u64;

pub(super) fn effect(runner: Arc<Runner>, effect: Effect) {
    match effect {
        Effect::Send {
            target,
            method,
            body,
        } => send(runner, target, method.as_str(), body, |e| {
            Action::Sent(Box::new(e))
        }),
        Effect::SendBatch { target, body } => {
            let done = |e| Action::BatchSent(Box::new(e));
            send(runner, target, crate::client::batch::ROUTE, body, done);
        }
        Effect::LoadHistory => {
            tokio::task::spawn_blocking(move || {
                let history = runner.journals.developer.open().map_err(Failure::from);
                // The mark first: whatever is written after it is read as a change later.
                if let Ok(last) = history.as_ref().map(crate::history::History::last_change) {
                    let _ = runner
                        .actions
                        .send(Action::HistoryChanges(Ok((Vec::new(), last.unwrap_or(0)))));
                }
                let result = history.and_then(|h| h.recent(LOG_ENTRIES, 0).map_err(Failure::from));
                let _ = runner.actions.send(Action::HistoryLoaded(result));
            });
        }
        Effect::LoadHistoryChanges { since } => {
            tokio::task::spawn_blocking(move || {
                let result = runner
                    .journals
                    .developer
                    .changes_since(since)
                    .map_err(Failure::from);
                let _ = runner.actions.send(Action::HistoryChanges(result));
            });
        }
        _ => {}
    }
}

/// Delivers the outbox in the background for whichever profile is in use.
pub(in crate::tui) async fn deliver_outbox(
    runner: Arc<Runner>,
    targets: tokio::sync::watch::Receiver<crate::client::Target>,
) {
    let opened = {
        let runner = Arc::clone(&runner);
        tokio::task::spawn_blocking(move || outbox(&runner)).await
    };
    let Ok(Ok(outbox)) = opened else {
        return;
    };
    let deliverer = delivery::Deliverer {
        outbox,
        client: runner.client.clone(),
        journals: Arc::clone(&runner.journals),
        face: crate::outbox::Origin::Console,
        wake: Arc::clone(&runner.outbox_wake),
    };
    let actions = runner.actions.clone();
    delivery::run(deliverer, targets, move |round| {
        let _ = actions.send(Action::OutboxDelivered {
            exchanges: round.exchanges,
            delivered: round.delivered,
            rejected: round.rejected,
            waiting: round.waiting,
        });
    })
    .await;
}

//! The outbox: committing a call that could not be delivered, and its view's reads and changes.

use super::Runner;
use crate::delivery;
use crate::outbox::Outbox;
use crate::term::Failure;
use crate::tui::action::{Action, Effect};
use std::sync::{Arc, Mutex};

/// Commits a call that could not be delivered to the outbox, then says so.
pub(super) fn enqueue(runner: Arc<Runner>, exchange: crate::client::Exchange) {
    tokio::task::spawn_blocking(move || {
        let result = outbox(&runner).and_then(|outbox| {
            delivery::enqueue(
                &outbox,
                &runner.journals,
                &exchange,
                crate::outbox::Origin::Console,
            )
            .map_err(Failure::from)
        });
        let _ = runner.actions.send(Action::Queued {
            entry: exchange.id,
            result,
        });
        runner.outbox_wake.notify_one();
    });
}

/// Reads the outbox for its view, after retrying or dropping when asked.
pub(super) fn outbox_effect(runner: Arc<Runner>, effect: Effect) {
    tokio::task::spawn_blocking(move || {
        let result = outbox(&runner).and_then(|outbox| {
            let outbox = outbox
                .lock()
                .map_err(|_| Failure::message("the outbox was left unusable by a crashed task"))?;
            match effect {
                Effect::RetryOutbox => outbox.retry_now(),
                Effect::DropOutboxItem(id) => outbox.drop_item(id).inspect(|()| {
                    runner.journals.developer.unlink(id);
                }),
                _ => Ok(()),
            }
            .map_err(Failure::from)?;
            outbox.list().map_err(Failure::from)
        });
        let _ = runner.actions.send(Action::OutboxLoaded(result));
        runner.outbox_wake.notify_one();
    });
}

/// The outbox, opened the first time it is needed.
pub(super) fn outbox(runner: &Runner) -> Result<Arc<Mutex<Outbox>>, Failure> {
    runner
        .outbox
        .get_or_init(|| delivery::open_outbox().map_err(Failure::from))
        .clone()
}

//! Delivering the outbox: the due items of one profile, oldest first, each with the client's
//! retries; the first that still cannot be delivered stops the round, so order is kept and a
//! server that is down is not hammered.

use super::{Outbox, OutboxError};
use crate::api::timestamp;
use crate::client::{Client, Exchange, Outcome, RetryPolicy, Target};
use std::sync::Mutex;
use std::time::Duration;

/// What a round did; `sent` are the exchanges it made of the console's items, for the log, and
/// `kiosk` those of the kiosk's, for the kiosk's own record.
#[derive(Debug, Default)]
pub struct Delivered {
    pub sent: Vec<Exchange>,
    pub kiosk: Vec<Exchange>,
    pub delivered: usize,
    pub rejected: usize,
    /// Still waiting: the server did not take them (yet).
    pub waiting: usize,
    /// Another process held the right to deliver: the `waiting` items are in its hands, and
    /// this round sent nothing.
    pub busy: bool,
}

/// Waits between rounds for an item that failed, after its n-th attempt (assets/contract.md §8's
/// exponential backoff with full jitter, capped at a minute for items that may wait long).
fn backoff(attempts: u32) -> Duration {
    RetryPolicy {
        attempts: 3,
        base: Duration::from_secs(1),
        cap: Duration::from_secs(60),
    }
    .backoff(attempts)
}

/// Delivers `target`'s due items. The outbox is locked only between requests.
pub async fn deliver_due(
    outbox: &Mutex<Outbox>,
    client: &Client,
    target: &Target,
) -> Result<Delivered, OutboxError> {
    let lock = || outbox.lock().map_err(|_| OutboxError::Poisoned);
    let (items, _delivering) = {
        let outbox = lock()?;
        let items = outbox.queued(&target.profile)?;
        match outbox.delivery_lock() {
            Some(guard) => (items, guard),
            // Another process is delivering: leave it to it this round.
            None => {
                return Ok(Delivered {
                    waiting: items.len(),
                    busy: true,
                    ..Delivered::default()
                });
            }
        }
    };
    let fingerprint = target.key.fingerprint();
    let mut report = Delivered::default();
    let mut stopped = false;
    for item in items {
        if item.api != target.key.api() {
            // A runtime call sent to a tracking profile (or the reverse) would go to a route
            // that means something else there, with the key where that API does not take it.
            let other = format!(
                "queued for the {} API, and profile `{}` now speaks the {} API: point a {} \
                 profile of this name at it again, or drop the item",
                item.api.as_str(),
                target.profile,
                target.key.api().as_str(),
                item.api.as_str()
            );
            if item.last_error.as_deref() != Some(other.as_str()) {
                lock()?.failed(item.id, &other, item.next_try_ms)?;
            }
            report.waiting += 1;
            continue;
        }
        if item.key_fingerprint != fingerprint {
            // Another key's call: sending it with this one would file it under the wrong key.
            const CHANGED: &str = "the profile's tracking key changed since this was queued: \
                                   restore the key, or drop the item";
            if item.last_error.as_deref() != Some(CHANGED) {
                lock()?.failed(item.id, CHANGED, item.next_try_ms)?;
            }
            report.waiting += 1;
            continue;
        }
        if stopped || item.next_try_ms > timestamp::now_ms() {
            report.waiting += 1;
            stopped = true;
            continue;
        }
        let mut exchange = client
            .send(target, &item.method, bytes::Bytes::from(item.body.clone()))
            .await;
        exchange.outbox_id = Some(item.id);
        let outbox = lock()?;
        match exchange.outcome {
            Outcome::Delivered => {
                outbox.delivered(item.id)?;
                report.delivered += 1;
            }
            Outcome::Rejected => {
                outbox.rejected(
                    item.id,
                    exchange.status().unwrap_or(400),
                    &exchange.problem().unwrap_or_default(),
                    &exchange.validation_errors,
                )?;
                report.rejected += 1;
            }
            Outcome::Failed => {
                let wait = backoff(item.attempts + 1);
                let next = timestamp::now_ms() + i64::try_from(wait.as_millis()).unwrap_or(60_000);
                outbox.failed(item.id, &exchange.problem().unwrap_or_default(), next)?;
                report.waiting += 1;
                stopped = true;
            }
        }
        drop(outbox);
        match item.origin {
            super::Origin::Console => report.sent.push(exchange),
            super::Origin::Kiosk => report.kiosk.push(exchange),
        }
    }
    Ok(report)
}

//! Keeping calls that could not be delivered, and delivering them later: shared by the console
//! and the kiosk, which each report rounds as their own actions.

use crate::client::{Client, Exchange, Target};
use crate::history::{self, History};
use crate::outbox::Outbox;
use crate::paths;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// What a delivery task works with.
pub struct Deliverer {
    pub outbox: Arc<Mutex<Outbox>>,
    pub client: Client,
    pub history: Arc<Mutex<Option<History>>>,
    /// Notified when an item is queued, so it goes at once.
    pub wake: Arc<Notify>,
}

/// One round: the exchanges it made and how many still wait.
pub struct Round {
    pub exchanges: Vec<Exchange>,
    pub delivered: usize,
    pub rejected: usize,
    pub waiting: u64,
}

/// Why the outbox or the history could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    NoHome(#[from] paths::NoHome),
    #[error(transparent)]
    Outbox(#[from] crate::outbox::OutboxError),
    #[error(transparent)]
    History(#[from] history::HistoryError),
}

pub fn open_outbox() -> Result<Arc<Mutex<Outbox>>, DeliveryError> {
    let path = paths::outbox_database()?;
    Ok(Arc::new(Mutex::new(Outbox::open(&path)?)))
}

/// Commits `exchange`'s call to the outbox; its id and how many wait in all.
pub fn enqueue(outbox: &Mutex<Outbox>, exchange: &Exchange) -> Result<(i64, u64), DeliveryError> {
    let outbox = outbox
        .lock()
        .map_err(|_| crate::outbox::OutboxError::Poisoned)?;
    let id = outbox.enqueue(
        &exchange.profile,
        &exchange.key_fingerprint,
        &exchange.method,
        &exchange.request_body,
        &exchange.problem().unwrap_or_default(),
    )?;
    let waiting = outbox.waiting()?;
    Ok((id, waiting))
}

pub fn waiting(outbox: &Mutex<Outbox>) -> u64 {
    outbox
        .lock()
        .ok()
        .and_then(|o| o.waiting().ok())
        .unwrap_or(0)
}

/// Delivers while items wait, every few seconds (each item keeps its own backoff) and at once
/// when one is queued, for the target of the moment; sleeps without a timer while none waits,
/// so an idle screen stays at 0% CPU.
pub async fn run(d: Deliverer, targets: watch::Receiver<Target>, on_round: impl Fn(Round) + Send) {
    loop {
        if waiting(&d.outbox) == 0 {
            d.wake.notified().await;
            continue;
        }
        let target = targets.borrow().clone();
        if let Ok(report) = crate::outbox::deliver_due(&d.outbox, &d.client, &target).await {
            let mut exchanges = report.sent;
            log(&d.history, &mut exchanges);
            on_round(Round {
                exchanges,
                delivered: report.delivered,
                rejected: report.rejected,
                waiting: waiting(&d.outbox),
            });
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(3)) => {}
            () = d.wake.notified() => {}
        }
    }
}

/// Sends one call and logs it (off the async threads); a history that cannot be written leaves
/// the exchange unlogged, never lost.
pub async fn send_logged(
    client: &Client,
    history: &Arc<Mutex<Option<History>>>,
    target: &Target,
    route: &str,
    body: bytes::Bytes,
) -> Exchange {
    let exchange = client.send(target, route, body).await;
    let unlogged = exchange.clone();
    let history = Arc::clone(history);
    tokio::task::spawn_blocking(move || {
        let mut one = [exchange];
        log(&history, &mut one);
        let [logged] = one;
        logged
    })
    .await
    .unwrap_or(unlogged)
}

/// Appends exchanges to the history (opened on first use), setting their ids; a history that
/// cannot be written leaves them unlogged rather than failing anything.
pub fn log(history: &Mutex<Option<History>>, exchanges: &mut [Exchange]) {
    if exchanges.is_empty() {
        return;
    }
    if let Ok(mut slot) = history.lock() {
        if slot.is_none() {
            *slot = open_history().ok();
        }
        if let Some(h) = slot.as_mut() {
            let _ = h.append(exchanges);
        }
    }
}

pub fn open_history() -> Result<History, DeliveryError> {
    let path = paths::history_database()?;
    Ok(History::open(&path, history::limit_from_env())?)
}

//! Keeping calls that could not be delivered, and delivering them later: shared by the console
//! and the kiosk, which each report rounds as their own actions.

use crate::client::{Client, Exchange, Target};
use crate::history::{self, History};
use crate::outbox::{Origin, Outbox};
use crate::paths;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// Where a face's exchanges are recorded, opened on first use: the developer's log
/// (`history.sqlite3`, what `log` and the console's log pane show) or the kiosk's own record
/// (`kiosk.sqlite3`), so that visitors' answers never reach the developer's log.
pub struct Journal {
    file: fn() -> Result<PathBuf, paths::NoHome>,
    slot: Mutex<Option<History>>,
}

impl Journal {
    pub fn developer() -> Self {
        Self {
            file: paths::history_database,
            slot: Mutex::new(None),
        }
    }

    pub fn kiosk() -> Self {
        Self {
            file: paths::kiosk_database,
            slot: Mutex::new(None),
        }
    }

    /// A connection of its own, for reading.
    pub fn open(&self) -> Result<History, DeliveryError> {
        Ok(History::open(&(self.file)()?, history::limit_from_env())?)
    }

    /// Appends exchanges, setting their ids; a record that cannot be written leaves them
    /// unrecorded rather than failing anything.
    pub fn append(&self, exchanges: &mut [Exchange]) {
        if !exchanges.is_empty() {
            self.with(|h| h.append(exchanges));
        }
    }

    /// Files an outbox delivery's exchanges into the entries of their items (see
    /// [`History::settle`]); each becomes the entry as stored.
    pub fn settle(&self, exchanges: &mut [Exchange]) {
        if !exchanges.is_empty() {
            self.with(|h| h.settle(exchanges));
        }
    }

    /// Marks entry `id` as waiting in the outbox as item `outbox_id`.
    pub fn link(&self, id: i64, outbox_id: i64) {
        self.with(|h| h.link(id, outbox_id).map(drop));
    }

    /// Item `outbox_id` was dropped: its entry no longer waits.
    pub fn unlink(&self, outbox_id: i64) {
        self.with(|h| h.unlink(outbox_id).map(drop));
    }

    /// The entries written after change `since`, and the latest change's number.
    pub fn changes_since(&self, since: i64) -> Result<(Vec<Exchange>, i64), DeliveryError> {
        let mut slot = self
            .slot
            .lock()
            .map_err(|_| crate::outbox::OutboxError::Poisoned)?;
        if slot.is_none() {
            *slot = Some(self.open()?);
        }
        match slot.as_ref() {
            Some(h) => Ok(h.changed_since(since)?),
            None => Ok((Vec::new(), since)),
        }
    }

    /// Runs `f` on the shared connection, opened on first use; errors are dropped: the record
    /// is a convenience that must never fail a call.
    fn with(&self, f: impl FnOnce(&mut History) -> Result<(), history::HistoryError>) {
        if let Ok(mut slot) = self.slot.lock() {
            if slot.is_none() {
                *slot = self.open().ok();
            }
            if let Some(h) = slot.as_mut() {
                let _ = f(h);
            }
        }
    }
}

/// Both records: a delivery round files each exchange under the face that queued its call.
pub struct Journals {
    pub developer: Journal,
    pub kiosk: Journal,
}

impl Journals {
    pub fn new() -> Self {
        Self {
            developer: Journal::developer(),
            kiosk: Journal::kiosk(),
        }
    }

    pub fn of(&self, origin: Origin) -> &Journal {
        match origin {
            Origin::Console => &self.developer,
            Origin::Kiosk => &self.kiosk,
        }
    }
}

impl Default for Journals {
    fn default() -> Self {
        Self::new()
    }
}

/// What a delivery task works with.
pub struct Deliverer {
    pub outbox: Arc<Mutex<Outbox>>,
    pub client: Client,
    pub journals: Arc<Journals>,
    /// The face running it: its rounds report its own exchanges.
    pub face: Origin,
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

/// Commits `exchange`'s call to the outbox, and links its entry in `origin`'s journal to the
/// item; the item's id and how many wait in all.
pub fn enqueue(
    outbox: &Mutex<Outbox>,
    journals: &Journals,
    exchange: &Exchange,
    origin: Origin,
) -> Result<(i64, u64), DeliveryError> {
    let outbox = outbox
        .lock()
        .map_err(|_| crate::outbox::OutboxError::Poisoned)?;
    let id = outbox.queue(&crate::outbox::NewItem {
        origin,
        profile: &exchange.profile,
        key_fingerprint: &exchange.key_fingerprint,
        api: exchange.api.unwrap_or_else(|| exchange.api_by_url()),
        route: &exchange.method,
        body: &exchange.request_body,
        error: &exchange.problem().unwrap_or_default(),
    })?;
    let waiting = outbox.waiting()?;
    drop(outbox);
    if let Some(entry) = exchange.id {
        journals.of(origin).link(entry, id);
    }
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
            let (mut console, mut kiosk) = (report.sent, report.kiosk);
            d.journals.developer.settle(&mut console);
            d.journals.kiosk.settle(&mut kiosk);
            on_round(Round {
                exchanges: match d.face {
                    Origin::Console => console,
                    Origin::Kiosk => kiosk,
                },
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

/// Sends one call and records it in `journal` (off the async threads); a record that cannot be
/// written leaves the exchange unrecorded, never lost.
pub async fn send_logged(
    client: &Client,
    journals: &Arc<Journals>,
    journal: Origin,
    target: &Target,
    route: &str,
    body: bytes::Bytes,
) -> Exchange {
    let exchange = client.send(target, route, body).await;
    let unlogged = exchange.clone();
    let journals = Arc::clone(journals);
    tokio::task::spawn_blocking(move || {
        let mut one = [exchange];
        journals.of(journal).append(&mut one);
        let [logged] = one;
        logged
    })
    .await
    .unwrap_or(unlogged)
}

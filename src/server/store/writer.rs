//! The single writer: group commit. Calls waiting in the queue are applied together in one
//! transaction and answered only after the commit that holds them, so concurrent requests share
//! one fsync instead of paying one each.

mod batch;
mod log;

use super::apply::{self, Call, Outcome, storage_failed};
use super::derived;
use super::known::Known;
use super::owners::Sweeps;
use crate::api::payload::Payload;
use crate::api::runtime::bulk::Item;
pub use batch::BatchJob;
use rusqlite::{Connection, TransactionBehavior};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Most calls in one transaction: bounds the latency of the first call in a batch.
const MAX_BATCH: usize = 1024;

/// A call waiting to be stored.
pub struct WriteJob {
    pub key: String,
    pub payload: Payload,
    pub received_ms: i64,
    pub reply: oneshot::Sender<Outcome>,
}

/// A read that must run on the writer's connection (in-memory stores have only that one).
pub type ReadJob = Box<dyn FnOnce(&Connection) + Send>;

#[expect(
    clippy::large_enum_variant,
    reason = "jobs move once through the queue; boxing costs more"
)]
pub enum Job {
    Write(WriteJob),
    /// Runtime API items stored together or not at all (a `/bulk` call, or one flag check).
    Batch(BatchJob),
    Read(ReadJob),
    /// The last reader ended with the write-ahead log past its limit: empty it if no reader
    /// came back meanwhile.
    Checkpoint,
    /// Write what stored events change in other rows (`store::derived`), then answer: a read
    /// is about to start on another connection.
    Flush(oneshot::Sender<Result<(), String>>),
    /// A clean stop: empty the log into the database, close, then answer.
    Close(oneshot::Sender<()>),
}

/// When what events change in other rows (`store::derived`) is written: after this many commits
/// holding events, this long, or this many events, whichever comes first, or once the writer has
/// had nothing to do for `FLUSH_IDLE`. Reads never wait for these: each asks for a write first.
/// Under a steady flood that is some 10 000 events a write; to an interactive user, a few
/// milliseconds after each send. The rows it writes are spread over the tables by owner: a
/// million events in (20 000 users), `event_blocks` is 2 200 pages, and a write of 5 000 events
/// reached nearly all of them. Twice the events share them: at a million serve writes 11.5 KiB an
/// event instead of 12.9 and the rate ratio rose from 81 to 84 % (twenty rounds each). Each write
/// holds the calls behind it: 20 000 events a write gained as much again for the million but held
/// them 120–150 ms (60–90 at 5 000 to 8 000), and once took the p99 of 256 connections past 50 ms
/// (docs/performance.md).
const FLUSH_COMMITS: u32 = 1024;
const FLUSH_AGE: Duration = Duration::from_secs(2);
const FLUSH_IDLE: Duration = Duration::from_millis(20);
const FLUSH_EVENTS: u64 = 10_000;

/// After a failed write of those changes (a full disk), the next try waits this long, doubling
/// with each failure up to `RETRY_MAX`: a store that cannot write is not hammered with transactions
/// that roll back. A read still asks for a write at once, and gets the failure.
const RETRY_FIRST: Duration = FLUSH_IDLE;
const RETRY_MAX: Duration = Duration::from_secs(2);

/// Events stored since their changes were last written, and since when.
#[derive(Default)]
struct Held {
    events: u64,
    commits: u32,
    since: Option<Instant>,
    /// Writes failed in a row, and when the next may be tried.
    failures: u32,
    retry_at: Option<Instant>,
}

impl Held {
    fn note(&mut self, events: u64) {
        if events > 0 {
            self.events += events;
            self.commits += 1;
            self.since.get_or_insert_with(Instant::now);
        }
    }

    fn holding(&self) -> bool {
        self.events > 0
    }

    fn retry_allowed(&self) -> bool {
        self.retry_at.is_none_or(|at| Instant::now() >= at)
    }

    fn due(&self) -> bool {
        self.retry_allowed()
            && (self.commits >= FLUSH_COMMITS
                || self.events >= FLUSH_EVENTS
                || self.since.is_some_and(|t| t.elapsed() >= FLUSH_AGE))
    }

    /// How long the idle writer waits for a job before writing what it holds; `None` if it
    /// holds nothing.
    fn idle_wait(&self) -> Option<Duration> {
        let wait = self.retry_at.map_or(FLUSH_IDLE, |at| {
            at.saturating_duration_since(Instant::now()).max(FLUSH_IDLE)
        });
        self.holding().then_some(wait)
    }

    /// Writes the changes of every event after the mark, ours or another server's on the same
    /// file. It leaves `Store::changes` as it was: the changes belong to commits already counted,
    /// and every read writes them before it looks. A failed write leaves the mark where it was:
    /// the next one covers the same events.
    fn write(&mut self, conn: &mut Connection, counters: &WriteCounters) -> Result<(), String> {
        match derived::write(conn) {
            Ok(_) => {
                *self = Held::default();
                Ok(())
            }
            Err(e) => {
                counters.derive_failures.fetch_add(1, Ordering::Relaxed);
                let backoff = RETRY_FIRST
                    .saturating_mul(1 << self.failures.min(16))
                    .min(RETRY_MAX);
                self.failures += 1;
                self.retry_at = Some(Instant::now() + backoff);
                Err(e.to_string())
            }
        }
    }
}

/// The events among `work`'s calls: those whose changes to other rows are held back.
fn events(work: &Work) -> u64 {
    let event = |p: &Payload| matches!(p, Payload::Event(_));
    match work {
        Work::One(w) => u64::from(event(&w.payload)),
        Work::Many(b) => b
            .items
            .iter()
            .filter(|i| matches!(i, Item::Call(p) if event(p)))
            .count() as u64,
    }
}

/// A write waiting in the writer: one call, or a batch of items.
#[expect(
    clippy::large_enum_variant,
    reason = "the common single call stays unboxed; works move once through a vector"
)]
enum Work {
    One(WriteJob),
    Many(BatchJob),
}

impl Work {
    fn key(&self) -> &str {
        match self {
            Work::One(w) => &w.key,
            Work::Many(b) => &b.key,
        }
    }

    fn calls(&self) -> u64 {
        match self {
            Work::One(_) => 1,
            Work::Many(b) => b.items.len() as u64,
        }
    }

    fn reply(self, outcome: Outcome) {
        // The requester may have gone away; its call is stored all the same.
        let _ = match self {
            Work::One(w) => w.reply.send(outcome),
            Work::Many(b) => b.reply.send(outcome),
        };
    }
}

/// How much batching the writer achieved: calls stored per commit is the group-commit factor.
#[derive(Debug, Default)]
pub struct WriteCounters {
    pub commits: AtomicU64,
    pub calls: AtomicU64,
    /// A [`Job::Checkpoint`] is queued: readers ask once, not once each.
    pub checkpoint_asked: AtomicBool,
    /// Writes of what events change in other rows (`store::derived`) that failed.
    pub derive_failures: AtomicU64,
}

/// Runs until every sender is dropped, then returns (closing the connection).
pub fn run(mut conn: Connection, jobs: &Receiver<Job>, counters: &WriteCounters) {
    let mut keys = KeyIds::default();
    let mut known = Known::default();
    let mut writes: Vec<Work> = Vec::with_capacity(MAX_BATCH);
    let mut reads: Vec<ReadJob> = Vec::new();
    let mut flushes = Vec::new();
    let mut checkpoint = false;
    let mut close = None;
    let mut held = Held::default();
    let mut building = super::search::ready(&conn).is_ok_and(|ready| !ready);
    let mut sweeps = Sweeps::counted(&conn);
    let log = log::Log::watch(&conn);
    loop {
        let first = match next_job(&conn, jobs, &mut building, held.idle_wait()) {
            Next::Job(job) => job,
            Next::Idle => {
                if held.retry_allowed() {
                    let _ = held.write(&mut conn, counters);
                }
                continue;
            }
            Next::Gone => {
                // Every handle was dropped without a close: nothing is left for a restart to do.
                let _ = held.write(&mut conn, counters);
                break;
            }
        };
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Write(w) => writes.push(Work::One(w)),
                Job::Batch(b) => writes.push(Work::Many(b)),
                Job::Read(r) => reads.push(r),
                Job::Checkpoint => checkpoint = true,
                Job::Flush(reply) => flushes.push(reply),
                Job::Close(reply) => close = Some(reply),
            }
            if writes.len() < MAX_BATCH {
                next = jobs.try_recv().ok();
            }
        }
        if !writes.is_empty() {
            let outcomes = commit_batch(&mut conn, &writes, &mut keys, &mut known, &mut sweeps);
            held.note(writes.iter().map(events).sum());
            // Release: a reader that sees the new count also sees the commit (Store::changes).
            counters.commits.fetch_add(1, Ordering::Release);
            let calls = writes.iter().map(Work::calls).sum();
            counters.calls.fetch_add(calls, Ordering::Relaxed);
            for (job, outcome) in writes.drain(..).zip(outcomes) {
                job.reply(outcome);
            }
        }
        // Asked for by a read on another connection: events of another server may be waiting.
        let asked = !flushes.is_empty();
        let ours = held.holding() && (held.due() || !reads.is_empty() || close.is_some());
        if asked || ours {
            let written = held.write(&mut conn, counters);
            for reply in flushes.drain(..) {
                let _ = reply.send(written.clone());
            }
        }
        // A checkpoint asked for before a read was queued runs before it, as the jobs came.
        if std::mem::take(&mut checkpoint) {
            counters.checkpoint_asked.store(false, Ordering::Release);
            empty_the_log(&conn, Duration::ZERO);
        }
        for read in reads.drain(..) {
            read(&conn);
        }
        // After the calls are answered, not inside the commit that took the log past its limit.
        log.copy_if_long(&conn);
        if let Some(reply) = close.take() {
            empty_the_log(&conn, BUSY_TIMEOUT);
            // The last connection to close also removes the (now empty) log and its index.
            drop(conn);
            let _ = reply.send(());
            return;
        }
    }
}

#[expect(
    clippy::large_enum_variant,
    reason = "made and matched at once, never kept"
)]
enum Next {
    Job(Job),
    /// Nothing came for [`FLUSH_IDLE`] (or until the next retry) while changes were held.
    Idle,
    /// Every sender is gone.
    Gone,
}

/// The next job. While the search index of a store made before it is being built, one step of
/// the build runs before each batch and whenever no job waits: the build neither starves under
/// steady calls nor holds a call longer than one step.
fn next_job(
    conn: &Connection,
    jobs: &Receiver<Job>,
    building: &mut bool,
    idle: Option<Duration>,
) -> Next {
    while *building {
        // A failed step leaves the index unbuilt (searches keep scanning); the next start resumes.
        *building = super::search::build_step(conn).unwrap_or(false);
        match jobs.try_recv() {
            Ok(job) => return Next::Job(job),
            Err(TryRecvError::Disconnected) => return Next::Gone,
            Err(TryRecvError::Empty) if idle.is_some() => return Next::Idle,
            Err(TryRecvError::Empty) => {}
        }
    }
    if let Some(wait) = idle {
        return match jobs.recv_timeout(wait) {
            Ok(job) => Next::Job(job),
            Err(RecvTimeoutError::Timeout) => Next::Idle,
            Err(RecvTimeoutError::Disconnected) => Next::Gone,
        };
    }
    jobs.recv().map_or(Next::Gone, Next::Job)
}

/// The writer's `busy_timeout` (schema::WRITER_PRAGMAS).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Copies the write-ahead log into the database and truncates it, waiting at most `wait` for
/// readers of older snapshots; with readers left it stays for the next try (a later reader's end,
/// or the stop).
fn empty_the_log(conn: &Connection, wait: Duration) {
    let _ = conn.busy_timeout(wait);
    let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    let _ = conn.busy_timeout(BUSY_TIMEOUT);
}

/// Applies the batch in one transaction. Should SQLite fail inside it, every call is retried in a
/// transaction of its own so one bad call cannot fail the others.
fn commit_batch(
    conn: &mut Connection,
    writes: &[Work],
    keys: &mut KeyIds,
    known: &mut Known,
    sweeps: &mut Sweeps,
) -> Vec<Outcome> {
    match apply_all(conn, writes, keys, known, sweeps) {
        Ok(outcomes) => outcomes,
        Err(_) if writes.len() > 1 => writes
            .iter()
            .map(|w| {
                apply_all(conn, std::slice::from_ref(w), keys, known, sweeps)
                    .map_or_else(|e| Err(storage_failed(&e.to_string())), |mut o| o.remove(0))
            })
            .collect(),
        Err(e) => vec![Err(storage_failed(&e.to_string()))],
    }
}

fn apply_all(
    conn: &mut Connection,
    writes: &[Work],
    keys: &mut KeyIds,
    known: &mut Known,
    sweeps: &mut Sweeps,
) -> rusqlite::Result<Vec<Outcome>> {
    let result = apply_in_transaction(conn, writes, keys, known, sweeps);
    if result.is_err() {
        // The transaction rolled back: ids it gave new keys, and rows noted as stored, never were.
        keys.0.clear();
        known.forget();
    }
    result
}

fn apply_in_transaction(
    conn: &mut Connection,
    writes: &[Work],
    keys: &mut KeyIds,
    known: &mut Known,
    sweeps: &mut Sweeps,
) -> rusqlite::Result<Vec<Outcome>> {
    let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    known.check(&tx)?;
    let mut outcomes = Vec::with_capacity(writes.len());
    for work in writes {
        let key_id = keys.resolve(&tx, work.key())?;
        let outcome = match work {
            Work::One(w) => apply::apply(
                &tx,
                known,
                &Call {
                    key_id,
                    payload: &w.payload,
                    received_ms: w.received_ms,
                },
            )?,
            Work::Many(b) => batch::apply(&mut tx, known, key_id, b)?,
        };
        outcomes.push(outcome);
    }
    // In the batch's own commit: moving entries costs no commit (and no fsync) of its own.
    sweeps.step(&tx, writes.iter().map(events).sum());
    tx.commit()?;
    Ok(outcomes)
}

/// The id of each tracking key seen, so a call costs no lookup of its key.
#[derive(Default)]
struct KeyIds(HashMap<String, i64>);

impl KeyIds {
    fn resolve(&mut self, conn: &Connection, key: &str) -> rusqlite::Result<i64> {
        if let Some(id) = self.0.get(key) {
            return Ok(*id);
        }
        let digest = crate::api::key::digest(key);
        conn.prepare_cached(
            "INSERT INTO tracking_keys (key_sha256) VALUES (?1) ON CONFLICT (key_sha256) DO NOTHING",
        )?
        .execute([&digest])?;
        let id = conn
            .prepare_cached("SELECT id FROM tracking_keys WHERE key_sha256 = ?1")?
            .query_row([&digest], |r| r.get(0))?;
        self.0.insert(key.to_owned(), id);
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::{FLUSH_EVENTS, Held};

    /// Under a flood of small commits the held rows wait for 1 024 of them (a write of fewer
    /// events rewrites most of the derived tables' pages for few changes), or for 10 000 events.
    #[test]
    fn a_flood_writes_what_it_held_every_1024_commits() {
        let mut held = Held::default();
        for _ in 0..1023 {
            held.note(9);
        }
        assert!(!held.due(), "written after 1 023 commits");
        held.note(9);
        assert!(held.due(), "not written after 1 024 commits");

        let mut held = Held::default();
        held.note(FLUSH_EVENTS);
        assert!(held.due(), "a batch of 10 000 events waits");
    }
}

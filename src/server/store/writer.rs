//! The single writer: group commit. Calls waiting in the queue are applied together in one
//! transaction and answered only after the commit that holds them, so concurrent requests share
//! one fsync instead of paying one each.

use super::apply::{self, Call, Outcome, storage_failed};
use crate::api::payload::Payload;
use rusqlite::{Connection, TransactionBehavior};
use std::sync::mpsc::Receiver;
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
    Read(ReadJob),
}

/// Runs until every sender is dropped, then returns (closing the connection).
pub fn run(mut conn: Connection, jobs: &Receiver<Job>) {
    let mut writes: Vec<WriteJob> = Vec::with_capacity(MAX_BATCH);
    let mut reads: Vec<ReadJob> = Vec::new();
    while let Ok(first) = jobs.recv() {
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Write(w) => writes.push(w),
                Job::Read(r) => reads.push(r),
            }
            if writes.len() < MAX_BATCH {
                next = jobs.try_recv().ok();
            }
        }
        if !writes.is_empty() {
            let outcomes = commit_batch(&mut conn, &writes);
            for (job, outcome) in writes.drain(..).zip(outcomes) {
                // The requester may have gone away; its call is stored all the same.
                let _ = job.reply.send(outcome);
            }
        }
        for read in reads.drain(..) {
            read(&conn);
        }
    }
}

/// Applies the batch in one transaction. Should SQLite fail inside it, every call is retried in a
/// transaction of its own so one bad call cannot fail the others.
fn commit_batch(conn: &mut Connection, writes: &[WriteJob]) -> Vec<Outcome> {
    match apply_all(conn, writes) {
        Ok(outcomes) => outcomes,
        Err(_) if writes.len() > 1 => writes
            .iter()
            .map(|w| {
                apply_all(conn, std::slice::from_ref(w))
                    .map_or_else(|e| Err(storage_failed(&e.to_string())), |mut o| o.remove(0))
            })
            .collect(),
        Err(e) => vec![Err(storage_failed(&e.to_string()))],
    }
}

fn apply_all(conn: &mut Connection, writes: &[WriteJob]) -> rusqlite::Result<Vec<Outcome>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut outcomes = Vec::with_capacity(writes.len());
    for w in writes {
        let call = Call {
            key: &w.key,
            payload: &w.payload,
            received_ms: w.received_ms,
        };
        outcomes.push(apply::apply(&tx, &call)?);
    }
    tx.commit()?;
    Ok(outcomes)
}

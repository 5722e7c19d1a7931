//! Reads that end when nobody waits for them: a read runs on a blocking thread, which a dropped
//! future cannot stop, so SQLite's progress handler asks every few thousand steps whether the
//! read's client went away (the future holding [`CancelOnDrop`] was dropped: a closed connection,
//! a server stopping) or its budget ran out, and interrupts the statement if so. The handler sees
//! the flag between statements too, where `sqlite3_interrupt` alone would be lost.

use super::StoreError;
use rusqlite::Connection;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Virtual machine steps between two checks: well under a millisecond of work.
const STEPS_PER_CHECK: i32 = 10_000;

/// What one read is told: stop, or stop at a deadline.
pub(super) struct Watch {
    cancelled: AtomicBool,
    budget: Option<(Duration, Instant)>,
}

/// Held by the future that awaits a read; dropping it stops the read.
pub(super) struct CancelOnDrop(Arc<Watch>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancelled.store(true, Ordering::Release);
    }
}

impl Watch {
    /// A watch for one read and the guard that cancels it, with an optional time budget that
    /// starts now.
    pub(super) fn new(budget: Option<Duration>) -> (Arc<Self>, CancelOnDrop) {
        let watch = Arc::new(Self {
            cancelled: AtomicBool::new(false),
            budget: budget.map(|b| (b, Instant::now() + b)),
        });
        (Arc::clone(&watch), CancelOnDrop(watch))
    }

    fn should_stop(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
            || self.budget.is_some_and(|(_, at)| Instant::now() >= at)
    }

    fn why(&self) -> StoreError {
        match self.budget {
            Some((budget, at)) if Instant::now() >= at => StoreError::OverBudget(budget),
            _ => StoreError::Cancelled,
        }
    }

    /// Runs `query` on `conn`, interrupted as soon as it should stop.
    pub(super) fn run<T>(
        self: &Arc<Self>,
        conn: &Connection,
        query: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        if self.should_stop() {
            return Err(self.why());
        }
        let me = Arc::clone(self);
        conn.progress_handler(STEPS_PER_CHECK, Some(move || me.should_stop()));
        let result = query(conn);
        conn.progress_handler(0, None::<fn() -> bool>);
        result.map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::OperationInterrupted =>
            {
                self.why()
            }
            other => StoreError::Read(other),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A query long enough to meet several checks: a million-row recursive count.
    const LONG: &str =
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
                        SELECT count(*) FROM n";

    #[test]
    fn a_guard_dropped_between_statements_stops_the_next_and_the_connection_stays_usable() {
        let conn = Connection::open_in_memory().unwrap();
        let (watch, guard) = Watch::new(None);
        let stopped = watch.run(&conn, move |c| {
            let first: i64 = c.query_row("SELECT 1", [], |r| r.get(0))?;
            drop(guard);
            c.query_row(LONG, [], |r| r.get::<_, i64>(0))
                .map(|n| n + first)
        });
        assert!(matches!(stopped, Err(StoreError::Cancelled)), "{stopped:?}");
        let (watch, _guard) = Watch::new(None);
        let n = watch.run(&conn, |c| c.query_row(LONG, [], |r| r.get::<_, i64>(0)));
        assert_eq!(n.unwrap(), 1_000_000);
    }

    #[test]
    fn a_spent_budget_stops_the_read_and_says_so() {
        let conn = Connection::open_in_memory().unwrap();
        let (watch, _guard) = Watch::new(Some(Duration::ZERO));
        let stopped = watch.run(&conn, |c| c.query_row(LONG, [], |r| r.get::<_, i64>(0)));
        assert!(
            matches!(stopped, Err(StoreError::OverBudget(b)) if b.is_zero()),
            "{stopped:?}"
        );
    }
}

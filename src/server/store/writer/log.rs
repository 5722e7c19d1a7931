//! When the writer copies the write-ahead log into the database. SQLite's own rule
//! (`wal_autocheckpoint`) copies it inside the commit that took the log past its limit, so the
//! calls of that commit waited for the copy (and its sync of the database) before they were
//! answered, and every other call waited behind them. The writer notes the log's length after
//! each commit instead, and copies it once that commit's calls are answered: their clients send
//! their next calls while it copies.

use rusqlite::Connection;
use rusqlite::hooks::Wal;
use std::cell::Cell;

thread_local! {
    /// The log's frames after the last commit on this thread's connection (SQLite's WAL hook
    /// runs on the committing thread: the store's writer).
    static FRAMES: Cell<i32> = const { Cell::new(0) };
}

#[expect(
    clippy::unnecessary_wraps,
    reason = "the signature SQLite's WAL hook takes"
)]
fn noted(_: &Wal, frames: i32) -> rusqlite::Result<()> {
    FRAMES.set(frames);
    Ok(())
}

/// SQLite's own `wal_autocheckpoint` when none was set.
const DEFAULT_LIMIT: i32 = 1_000;

/// The writer's rule for copying the log.
pub struct Log {
    /// Frames past which the log is copied: the connection's `wal_autocheckpoint`
    /// (`schema::WRITER_PRAGMAS`), read before the hook replaces it.
    copy_at: i32,
}

impl Log {
    /// Takes over from `wal_autocheckpoint` on the writer's connection, at its limit: commits
    /// only note the log's length, and [`Log::copy_if_long`] copies it. A limit of 0 copies
    /// nothing, as SQLite's would.
    pub fn watch(conn: &Connection) -> Log {
        let copy_at = conn
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .unwrap_or(DEFAULT_LIMIT);
        FRAMES.set(0);
        conn.wal_hook(Some(noted));
        Log { copy_at }
    }

    /// Copies the log into the database if the last commit left it at the limit or more, as far
    /// as readers of older snapshots let it (the next commit after a complete copy starts the log
    /// over). A failed copy leaves the log as it was; the next commit notes it again.
    pub fn copy_if_long(&self, conn: &Connection) {
        if self.copy_at > 0 && FRAMES.get() >= self.copy_at {
            FRAMES.set(0);
            let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Log;
    use rusqlite::Connection;

    /// A commit that takes the log past the limit leaves the copy to the writer: the database
    /// file does not grow until [`Log::copy_if_long`] runs, after the commit's calls are answered.
    #[test]
    fn a_long_log_is_copied_after_the_commit_not_inside_it() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = dir.path().join("store.sqlite3");
        let conn = Connection::open(&db).expect("open");
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 8000;
             CREATE TABLE pages (b BLOB);",
        )
        .expect("setup");
        let log = Log::watch(&conn);
        let before = std::fs::metadata(&db).expect("the database").len();
        conn.execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8200)
             INSERT INTO pages SELECT randomblob(3000) FROM n;",
        )
        .expect("a commit of 8 200 pages");
        let committed = std::fs::metadata(&db).expect("the database").len();
        assert_eq!(committed, before, "the commit copied the log itself");
        log.copy_if_long(&conn);
        let copied = std::fs::metadata(&db).expect("the database").len();
        assert!(
            copied > 8_000 * 4096,
            "the log was not copied: {copied} bytes"
        );
    }
}

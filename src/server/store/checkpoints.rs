//! Copying the write-ahead log into the database off the writer's thread. A checkpoint run by
//! the writer itself (SQLite's automatic one after a commit) stops every call until thousands of
//! pages are written back and synced; the larger the store, the more of those pages differ, so
//! storing slowed as the store grew. Here a thread of its own, with a connection of its own,
//! copies what was committed while the writer goes on committing (a PASSIVE checkpoint never
//! blocks it). Commits stay as durable as before: a call is answered once the log holding it is
//! synced, whoever copies it later. The writer's own automatic checkpoint stays as a backstop
//! ([`super::schema::WRITER_PRAGMAS`]), now only finishing what is left.

use super::writer::WriteCounters;
use rusqlite::Connection;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often committed pages are copied while calls keep coming: often enough that the log's
/// copy stays ahead of the writer's backstop, seldom enough that a page written many times is
/// copied once.
const EVERY: Duration = Duration::from_millis(200);

/// Without commits the thread sleeps longer, up to this.
const IDLE: Duration = Duration::from_secs(2);

/// The checkpointing thread of a file store; stopped before the writer's last checkpoint.
pub struct Checkpoints {
    stopped: Arc<(Mutex<bool>, Condvar)>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Checkpoints {
    /// Starts the thread for the store at `path`; it ends with [`Checkpoints::stop`], or once the
    /// writer and every handle are gone.
    pub fn start(path: PathBuf, counters: &Arc<WriteCounters>) -> std::io::Result<Self> {
        let stopped = Arc::new((Mutex::new(false), Condvar::new()));
        let (flag, counters) = (Arc::clone(&stopped), Arc::downgrade(counters));
        let thread = std::thread::Builder::new()
            .name("store-checkpoints".into())
            .spawn(move || run(&path, &counters, &flag))?;
        Ok(Self {
            stopped,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Stops the thread and waits until its connection is closed: the writer's last checkpoint
    /// then runs alone, and the log goes with the last connection.
    pub fn stop(&self) {
        let (lock, wake) = &*self.stopped;
        if let Ok(mut stopped) = lock.lock() {
            *stopped = true;
            wake.notify_all();
        }
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

fn run(path: &PathBuf, counters: &Weak<WriteCounters>, stopped: &(Mutex<bool>, Condvar)) {
    let (lock, wake) = stopped;
    let mut conn: Option<Connection> = None;
    let mut copied = 0;
    let mut wait = EVERY;
    loop {
        {
            let Ok(guard) = lock.lock() else { return };
            let Ok((guard, _)) = wake.wait_timeout_while(guard, wait, |stopped| !*stopped) else {
                return;
            };
            if *guard {
                return;
            }
        }
        let Some(commits) = counters
            .upgrade()
            .map(|c| c.commits.load(Ordering::Acquire))
        else {
            return;
        };
        if commits == copied {
            wait = (wait * 2).min(IDLE);
            continue;
        }
        wait = EVERY;
        if conn.is_none() {
            conn = Connection::open(path)
                .and_then(|c| c.busy_timeout(Duration::ZERO).map(|()| c))
                .ok();
        }
        // A failure (a reader's snapshot in the way, the writer's own checkpoint running) leaves
        // the pages for the next round, or for the writer's backstop.
        if let Some(conn) = &conn
            && conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                .is_ok()
        {
            copied = commits;
        }
    }
}

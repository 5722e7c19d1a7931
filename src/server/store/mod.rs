//! The local server's store: SQLite with one writer thread (group commit) and a pool of readers.

mod apply;
mod cancel;
mod derived;
pub mod flag_checks;
mod flag_state;
mod known;
mod open;
mod owners;
mod paging;
#[cfg(test)]
mod paging_tests;
pub mod queries;
mod schema;
mod search;
mod sequence;
pub mod stars;
mod writer;

pub use apply::{Applied, Outcome};
pub use paging::Paged;

use crate::api::payload::Payload;
use cancel::Watch;
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;
use writer::{Job, WriteCounters, WriteJob};

/// Where the store keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// A database file, created with its directory if missing.
    File(PathBuf),
    /// A private in-memory database, gone when the server stops.
    Memory,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the directory {0}: {1}")]
    CreateDir(PathBuf, std::io::Error),
    #[error("cannot open the database {0}: {1}")]
    Open(PathBuf, rusqlite::Error),
    #[error("cannot prepare the database: {0}")]
    Setup(rusqlite::Error),
    #[error("cannot start the store's writer thread: {0}")]
    Thread(std::io::Error),
    #[error(
        "{0} has schema version {1}, written by a newer bucket-console (this one reads up to {2}); \
         it was left as it was: use another --db file or a matching bucket-console"
    )]
    Version(PathBuf, i64, i64),
    #[error(
        "{0} is {1}, not a bucket-console store; it was left as it was: give --db a file of its \
         own (a path that does not exist yet is created)"
    )]
    Foreign(PathBuf, String),
    #[error(
        "{0} is damaged ({1}); it was left as it was and is not served: keep it aside \
         (`sqlite3 FILE .recover` may save its rows) and give --db a new file, or move it away \
         to start afresh"
    )]
    Damaged(PathBuf, String),
    #[error("the store has shut down")]
    Closed,
    #[error("the read was stopped: its client went away, or the server is stopping")]
    Cancelled,
    #[error("the read took longer than its budget of {} s and was stopped", .0.as_secs_f64())]
    OverBudget(Duration),
    #[error(
        "the store could not write what its events change in other rows ({0}); nothing was \
         read, and reading again is safe"
    )]
    Derive(String),
    #[error("reading the store failed: {0}")]
    Read(#[from] rusqlite::Error),
}

/// A handle to the store; clones share the same writer and readers.
#[derive(Clone)]
pub struct Store {
    jobs: mpsc::Sender<Job>,
    readers: Option<Arc<ReaderPool>>,
    counters: Arc<WriteCounters>,
    running: Arc<AtomicUsize>,
    /// The log's size past which the last reader's end empties it: [`schema::WAL_LIMIT`].
    wal_limit: u64,
}

/// Batches committed and calls stored since the store opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    pub commits: u64,
    pub calls: u64,
}

struct ReaderPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Store {
    /// Opens (creating if needed) the store and starts its writer thread.
    pub fn open(storage: &Storage) -> Result<Store, StoreError> {
        let mut conn = match storage {
            Storage::File(path) => open::open_file(path)?,
            Storage::Memory => Connection::open_in_memory().map_err(StoreError::Setup)?,
        };
        conn.execute_batch(schema::WRITER_PRAGMAS)
            .map_err(StoreError::Setup)?;
        if let Some(found) = schema::create(&conn).map_err(StoreError::Setup)? {
            let path = match storage {
                Storage::File(path) => path.clone(),
                Storage::Memory => PathBuf::from(":memory:"),
            };
            return Err(StoreError::Version(path, found, schema::VERSION));
        }
        // What a killed server (or rows inserted by hand) left unwritten.
        derived::write(&mut conn).map_err(StoreError::Setup)?;
        let (jobs, queue) = mpsc::channel();
        let counters = Arc::new(WriteCounters::default());
        let writer_counters = Arc::clone(&counters);
        std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || writer::run(conn, &queue, &writer_counters))
            .map_err(StoreError::Thread)?;
        let readers = match storage {
            Storage::File(path) => Some(Arc::new(ReaderPool {
                path: path.clone(),
                idle: Mutex::new(Vec::new()),
            })),
            Storage::Memory => None,
        };
        Ok(Store {
            jobs,
            readers,
            counters,
            running: Arc::default(),
            wal_limit: schema::WAL_LIMIT,
        })
    }

    /// Reads running now. A read whose caller went away stops at SQLite's next check.
    pub fn reads_running(&self) -> usize {
        self.running.load(Ordering::Acquire)
    }

    /// A clean stop: closes the idle readers, checkpoints the write-ahead log into the database
    /// and empties it, and ends the writer. Calls after this fail with [`StoreError::Closed`].
    pub async fn close(&self) {
        if let Some(pool) = &self.readers
            && let Ok(mut idle) = pool.idle.lock()
        {
            idle.clear();
        }
        let (reply, done) = oneshot::channel();
        if self.jobs.send(Job::Close(reply)).is_ok() {
            let _ = done.await;
        }
    }

    /// Bumped by every write batch the writer commits (or tries to): a read made after this
    /// answered `n` sees at least the store as it stood at `n`, so an answer computed from it may
    /// be reused while this still says `n`.
    pub fn changes(&self) -> u64 {
        self.counters.commits.load(Ordering::Acquire)
    }

    /// How well group commit is batching.
    pub fn write_stats(&self) -> WriteStats {
        WriteStats {
            commits: self.counters.commits.load(Ordering::Relaxed),
            calls: self.counters.calls.load(Ordering::Relaxed),
        }
    }

    /// Stores one validated call; answers after the commit that holds it.
    pub async fn write(
        &self,
        key: &str,
        payload: Payload,
        received_ms: i64,
    ) -> Result<Outcome, StoreError> {
        let answer = self.submit(key, payload, received_ms)?;
        answer.await.map_err(|_| StoreError::Closed)
    }

    /// Queues a call for the writer; the receiver yields its outcome after the commit.
    fn submit(
        &self,
        key: &str,
        payload: Payload,
        received_ms: i64,
    ) -> Result<oneshot::Receiver<Outcome>, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job = WriteJob {
            key: key.to_owned(),
            payload,
            received_ms,
            reply,
        };
        self.jobs
            .send(Job::Write(job))
            .map_err(|_| StoreError::Closed)?;
        Ok(answer)
    }

    /// Runs a query on a reader connection (on the writer's, for an in-memory store). Dropping
    /// the future stops the query.
    pub async fn read<T, F>(&self, query: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.read_watched(None, query).await
    }

    /// [`Store::read`], stopped with [`StoreError::OverBudget`] once it has run `budget`.
    pub async fn read_within<T, F>(&self, budget: Duration, query: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.read_watched(Some(budget), query).await
    }

    async fn read_watched<T, F>(&self, budget: Option<Duration>, query: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        // Dropped with this future: the read stops when its caller stops waiting.
        let (watch, _cancel) = Watch::new(budget);
        let running = Running::start(self);
        match &self.readers {
            Some(pool) => {
                let pool = Arc::clone(pool);
                let jobs = self.jobs.clone();
                tokio::task::spawn_blocking(move || {
                    let result = pool.run(|conn| {
                        written_before(conn, &jobs)?;
                        watch.run(conn, query)
                    });
                    drop(running);
                    result
                })
                .await
                .map_err(|_| StoreError::Closed)?
            }
            None => {
                let (reply, answer) = oneshot::channel();
                let job: writer::ReadJob = Box::new(move |conn| {
                    let _ = reply.send(watch.run(conn, query));
                    drop(running);
                });
                self.jobs
                    .send(Job::Read(job))
                    .map_err(|_| StoreError::Closed)?;
                answer.await.map_err(|_| StoreError::Closed)?
            }
        }
    }
}

/// Every call answered before a read is in what it sees, what its event changes in other rows
/// included: when events are stored whose changes are not written yet (`store::derived`; ours,
/// or another server's on the same file), the writer writes them first. The writer does the same
/// for reads on its own connection.
fn written_before(conn: &Connection, jobs: &mpsc::Sender<Job>) -> Result<(), StoreError> {
    if !derived::behind(conn)? {
        return Ok(());
    }
    let (reply, written) = oneshot::channel();
    jobs.send(Job::Flush(reply))
        .map_err(|_| StoreError::Closed)?;
    written
        .blocking_recv()
        .map_err(|_| StoreError::Closed)?
        .map_err(StoreError::Derive)
}

/// One read counted in [`Store::reads_running`] until it ends. The last reader to end asks the
/// writer to checkpoint a write-ahead log that grew past [`schema::WAL_LIMIT`] while readers held
/// it: nothing else would shrink it before the next burst of writes.
struct Running {
    count: Arc<AtomicUsize>,
    jobs: mpsc::Sender<Job>,
    wal: Option<PathBuf>,
    wal_limit: u64,
    counters: Arc<WriteCounters>,
}

impl Running {
    fn start(store: &Store) -> Self {
        store.running.fetch_add(1, Ordering::AcqRel);
        Self {
            count: Arc::clone(&store.running),
            jobs: store.jobs.clone(),
            wal: store.readers.as_ref().map(|pool| {
                let mut wal = pool.path.clone().into_os_string();
                wal.push("-wal");
                PathBuf::from(wal)
            }),
            wal_limit: store.wal_limit,
            counters: Arc::clone(&store.counters),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.count.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        let grown = self
            .wal
            .as_ref()
            .and_then(|wal| std::fs::metadata(wal).ok())
            .is_some_and(|m| m.len() > self.wal_limit);
        if grown && !self.counters.checkpoint_asked.swap(true, Ordering::AcqRel) {
            let _ = self.jobs.send(Job::Checkpoint);
        }
    }
}

impl ReaderPool {
    fn run<T>(
        &self,
        query: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let conn = Connection::open_with_flags(&self.path, flags)
                    .map_err(|e| StoreError::Open(self.path.clone(), e))?;
                conn.execute_batch(schema::READER_PRAGMAS)?;
                conn
            }
        };
        let result = query(&conn);
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Method, validate};
    use serde_json::json;

    /// The writer's log is bounded: a checkpoint truncates it back to the limit.
    #[tokio::test]
    async fn the_writer_bounds_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&Storage::File(dir.path().join("s.sqlite3"))).unwrap();
        let (reply, answer) = oneshot::channel();
        let job: writer::ReadJob = Box::new(move |conn| {
            let _ =
                reply.send(conn.query_row("PRAGMA journal_size_limit", [], |r| r.get::<_, i64>(0)));
        });
        store.jobs.send(Job::Read(job)).unwrap();
        let limit = answer.await.unwrap().unwrap();
        assert_eq!(u64::try_from(limit).unwrap(), schema::WAL_LIMIT);
    }

    /// Runs `query` on the writer's connection, after every job queued before it.
    async fn on_writer<T: Send + 'static>(
        store: &Store,
        query: impl FnOnce(&Connection) -> T + Send + 'static,
    ) -> T {
        let (reply, answer) = oneshot::channel();
        let job: writer::ReadJob = Box::new(move |conn| {
            let _ = reply.send(query(conn));
        });
        store.jobs.send(Job::Read(job)).unwrap();
        answer.await.unwrap()
    }

    /// A reader holding an old snapshot while calls come in keeps the log growing; once the last
    /// reader ends, the log is emptied (here with a limit of 0 bytes, so that a few calls pass it).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_is_emptied_when_the_last_reader_ends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let mut store = Store::open(&Storage::File(path.clone())).unwrap();
        store.wal_limit = 0;
        let wal_size =
            || std::fs::metadata(dir.path().join("s.sqlite3-wal")).map_or(0, |m| m.len());
        let pinned = Connection::open(&path).unwrap();
        pinned
            .execute_batch("BEGIN; SELECT count(*) FROM events;")
            .unwrap();
        for i in 0..50 {
            let payload = validate(Method::Event, &json!({"event": "e", "userId": i}), 0);
            let outcome = store.write("k", payload.unwrap().payload, 0).await.unwrap();
            assert!(outcome.is_ok());
        }
        let count =
            |c: &Connection| c.query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0));
        assert_eq!(store.read(count).await.unwrap(), 50_i64);
        on_writer(&store, |_| ()).await;
        assert!(wal_size() > 0, "an old snapshot keeps the log");

        pinned.execute_batch("COMMIT").unwrap();
        assert_eq!(store.read(count).await.unwrap(), 50_i64);
        on_writer(&store, |_| ()).await;
        assert_eq!(wal_size(), 0);
    }

    /// Calls that wait while the writer is busy are committed together, in one transaction.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiting_calls_share_one_commit() {
        let store = Store::open(&Storage::Memory).unwrap();
        // An in-memory store runs reads on the writer thread: hold it with one.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (entered, in_read) = oneshot::channel::<()>();
        let reader = store.clone();
        let blocker = tokio::spawn(async move {
            reader
                .read(move |_| {
                    let _ = entered.send(());
                    let _ = held.recv();
                    Ok(())
                })
                .await
        });
        in_read.await.unwrap();
        let answers: Vec<_> = (0..50)
            .map(|i| {
                let payload = validate(Method::Event, &json!({"event": "e", "userId": i}), 0);
                store.submit("k", payload.unwrap().payload, 0).unwrap()
            })
            .collect();
        release.send(()).unwrap();
        blocker.await.unwrap().unwrap();
        for answer in answers {
            let outcome = answer.await.unwrap();
            assert!(outcome.is_ok(), "{outcome:?}");
        }
        assert_eq!(
            store.write_stats(),
            WriteStats {
                commits: 1,
                calls: 50
            }
        );
    }
}

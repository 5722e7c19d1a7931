//! The local server's store: SQLite with one writer thread (group commit) and a pool of readers.

mod apply;
pub mod queries;
mod schema;
pub mod stars;
mod writer;

pub use apply::{Applied, Outcome};

use crate::api::payload::Payload;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
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
        "the database has schema version {0}, written by a newer bucket-console (this one reads up to {1}); \
         use another --db file or a matching bucket-console"
    )]
    Version(i64, i64),
    #[error("the store has shut down")]
    Closed,
    #[error("reading the store failed: {0}")]
    Read(#[from] rusqlite::Error),
}

/// A handle to the store; clones share the same writer and readers.
#[derive(Clone)]
pub struct Store {
    jobs: mpsc::Sender<Job>,
    readers: Option<Arc<ReaderPool>>,
    counters: Arc<WriteCounters>,
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
        let conn = match storage {
            Storage::File(path) => open_file(path)?,
            Storage::Memory => Connection::open_in_memory().map_err(StoreError::Setup)?,
        };
        conn.execute_batch(schema::WRITER_PRAGMAS)
            .map_err(StoreError::Setup)?;
        if let Some(found) = schema::create(&conn).map_err(StoreError::Setup)? {
            return Err(StoreError::Version(found, schema::VERSION));
        }
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
        })
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

    /// Runs a query on a reader connection (on the writer's, for an in-memory store).
    pub async fn read<T, F>(&self, query: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        match &self.readers {
            Some(pool) => {
                let pool = Arc::clone(pool);
                tokio::task::spawn_blocking(move || pool.run(query))
                    .await
                    .map_err(|_| StoreError::Closed)?
            }
            None => {
                let (reply, answer) = oneshot::channel();
                let job: writer::ReadJob = Box::new(move |conn| {
                    let _ = reply.send(query(conn));
                });
                self.jobs
                    .send(Job::Read(job))
                    .map_err(|_| StoreError::Closed)?;
                Ok(answer.await.map_err(|_| StoreError::Closed)??)
            }
        }
    }
}

impl ReaderPool {
    fn run<T>(
        &self,
        query: impl FnOnce(&Connection) -> rusqlite::Result<T>,
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
        Ok(result?)
    }
}

fn open_file(path: &Path) -> Result<Connection, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::files::create_private_dir(dir)
            .map_err(|e| StoreError::CreateDir(dir.to_path_buf(), e))?;
    }
    // The database holds tracking keys: readable by its owner only (SQLite gives its -wal and
    // -shm files the same mode).
    crate::files::create_private(path).map_err(|e| StoreError::CreateDir(path.to_path_buf(), e))?;
    Connection::open(path).map_err(|e| StoreError::Open(path.to_path_buf(), e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Method, validate};
    use serde_json::json;

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

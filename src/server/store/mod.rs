//! The local server's store: SQLite with one writer thread (group commit) and a pool of readers.

mod apply;
pub mod queries;
mod schema;
mod writer;

pub use apply::{Applied, Outcome};

use crate::api::payload::Payload;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;
use writer::{Job, WriteJob};

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
        schema::create(&conn).map_err(StoreError::Setup)?;
        let (jobs, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || writer::run(conn, &queue))
            .map_err(StoreError::Thread)?;
        let readers = match storage {
            Storage::File(path) => Some(Arc::new(ReaderPool {
                path: path.clone(),
                idle: Mutex::new(Vec::new()),
            })),
            Storage::Memory => None,
        };
        Ok(Store { jobs, readers })
    }

    /// Stores one validated call; answers after the commit that holds it.
    pub async fn write(
        &self,
        key: &str,
        payload: Payload,
        received_ms: i64,
    ) -> Result<Outcome, StoreError> {
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
        answer.await.map_err(|_| StoreError::Closed)
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
        std::fs::create_dir_all(dir).map_err(|e| StoreError::CreateDir(dir.to_path_buf(), e))?;
    }
    restrict_new_file(path).map_err(|e| StoreError::CreateDir(path.to_path_buf(), e))?;
    Connection::open(path).map_err(|e| StoreError::Open(path.to_path_buf(), e))
}

/// The database holds tracking keys: create it readable by its owner only (SQLite gives its -wal
/// and -shm files the same mode).
#[cfg(unix)]
fn restrict_new_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        other => other.map(drop),
    }
}

#[cfg(not(unix))]
fn restrict_new_file(_: &Path) -> std::io::Result<()> {
    Ok(())
}

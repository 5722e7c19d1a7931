//! Replay's history writer, off the sending path.
//!
//! The history keeps only the newest `limit` entries, so of `total` exchanges the first
//! `total - limit` to finish would be dropped by the end of the run: they are never written, and
//! the task that made them drops them itself. The rest wait in a buffer that a thread writes out
//! every second and at the end, so sending never wakes it. Writing everything, one wake-up per
//! exchange, cost replay a sixth of its throughput; an interrupted run loses the log of at most
//! a second and of what the bound would have dropped, never the calls (the server has those).

use super::context;
use bucket_console::client::Exchange;
use bucket_console::history;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

const FLUSH_EVERY: Duration = Duration::from_secs(1);

pub struct LogBook {
    first_kept: usize,
    finished: AtomicUsize,
    pending: Mutex<Vec<Exchange>>,
}

impl LogBook {
    /// Takes one finished exchange of the run.
    pub fn offer(&self, exchange: Exchange) {
        if self.finished.fetch_add(1, Ordering::Relaxed) >= self.first_kept
            && let Ok(mut pending) = self.pending.lock()
        {
            pending.push(exchange);
        }
    }

    fn take(&self) -> Vec<Exchange> {
        self.pending
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default()
    }
}

/// The writer thread; dropping `done`'s sender (or sending on it) makes it write what is left
/// and stop.
pub struct Writer {
    pub book: Arc<LogBook>,
    done: mpsc::Sender<()>,
    thread: JoinHandle<()>,
}

impl Writer {
    pub fn start(total: usize) -> Self {
        let limit = usize::try_from(history::limit_from_env()).unwrap_or(usize::MAX);
        let book = Arc::new(LogBook {
            first_kept: total.saturating_sub(limit),
            finished: AtomicUsize::new(0),
            pending: Mutex::new(Vec::new()),
        });
        let (done, stop) = mpsc::channel::<()>();
        let shared = book.clone();
        let thread = std::thread::spawn(move || write_until_done(&shared, &stop));
        Self { book, done, thread }
    }

    /// Writes what is left and waits for it.
    pub fn finish(self) {
        drop(self.done);
        let _ = self.thread.join();
    }
}

fn write_until_done(book: &LogBook, stop: &mpsc::Receiver<()>) {
    let mut history = context::open_history();
    loop {
        let last = !matches!(
            stop.recv_timeout(FLUSH_EVERY),
            Err(RecvTimeoutError::Timeout)
        );
        let mut batch = book.take();
        if let Some(history) = history.as_mut()
            && !batch.is_empty()
            && let Err(e) = history.append(&mut batch)
        {
            eprintln!(
                "warning: exchanges not logged: {}",
                bucket_console::sanitize::sanitize(&e.to_string())
            );
        }
        if last {
            return;
        }
    }
}

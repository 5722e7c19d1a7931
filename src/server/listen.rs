//! The accept loop, on hyper directly because axum's `serve` exposes none of what a server facing
//! careless or hostile clients needs:
//!
//! - a connection must finish a request's headers within the header timeout, counted from its
//!   opening or from the first byte of the request (nginx's `client_header_timeout`);
//! - a kept-alive connection may wait for its next request only the idle timeout
//!   (`keepalive_timeout`). hyper's own `header_read_timeout` also runs while a kept-alive
//!   connection waits, which would cut idle connections at the header timeout, so both are kept
//!   here from what the connection reads and which requests are in flight;
//! - at most `max_connections` are served at once; more wait in the kernel's backlog, and those
//!   being served never starve for descriptors. When every slot is taken and a client waits, the
//!   kept-alive connection idle the longest is closed to make room (nginx reuses connections the
//!   same way): otherwise clients that each sent one request and kept the connection would make
//!   every new client wait out the idle timeout;
//! - a stop ends accepting, lets requests in flight finish for [`GRACE`], then closes the rest.
//!
//! Body timeouts belong to the handlers, which know when they read a body.

use super::limits::Limits;
use axum::Router;
use axum::body::Body;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt;

/// How long requests in flight may finish after a stop before their connections are closed.
pub const GRACE: Duration = Duration::from_secs(3);

/// How long a connection closed for a waiting client may take to send what it still holds.
const EVICTION_FLUSH: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Serving,
    /// No new requests; those in flight finish.
    Draining,
    /// Every connection closes now.
    Closing,
}

/// Serves `app` on `listener` until `stop` completes, then drains and returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Arc<Limits>,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let max = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX >> 3);
    let permits = Arc::new(Semaphore::new(max as usize));
    let (phase_tx, phase) = watch::channel(Phase::Serving);
    let idle = Arc::new(IdleList::default());
    tokio::pin!(stop);
    loop {
        // Accepting before a slot is free holds one descriptor more than the slots, and tells
        // that a client waits, which is when an idle connection is worth closing.
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        match accepted {
            Ok((stream, _)) => {
                let permit = tokio::select! {
                    permit = make_room(&permits, &idle) => match permit {
                        Some(p) => p,
                        None => break,
                    },
                    () = &mut stop => break,
                };
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(
                    stream,
                    app.clone(),
                    Arc::clone(&limits),
                    phase.clone(),
                    permit,
                    Arc::clone(&idle),
                ));
            }
            // Out of descriptors, or a connection reset before it was taken: retrying at once
            // would spin.
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    drop(listener);
    let _ = phase_tx.send(Phase::Draining);
    // Every connection holds a permit: all of them back means every connection has ended.
    let all_closed = || permits.acquire_many(max);
    if tokio::time::timeout(GRACE, all_closed()).await.is_err() {
        let _ = phase_tx.send(Phase::Closing);
        let _ = tokio::time::timeout(Duration::from_secs(1), all_closed()).await;
    }
    Ok(())
}

/// A slot for a client that waits: a free one, or the one the longest-idle kept-alive
/// connection gives back when told to close. `None` once the slots are closed.
async fn make_room(permits: &Arc<Semaphore>, idle: &IdleList) -> Option<OwnedSemaphorePermit> {
    let mut asked: Option<Arc<Activity>> = None;
    loop {
        if let Ok(permit) = Arc::clone(permits).try_acquire_owned() {
            return Some(permit);
        }
        // One connection at a time: the one asked may have started a request meanwhile, and
        // then says so through `idle.changed`.
        if asked
            .as_ref()
            .is_none_or(|a| !a.evicted.load(Ordering::Acquire))
        {
            asked = idle.close_longest_idle();
        }
        tokio::select! {
            permit = Arc::clone(permits).acquire_owned() => return permit.ok(),
            () = idle.changed.notified() => {}
        }
    }
}

/// Every open connection's [`Activity`], to find the kept-alive one idle the longest.
#[derive(Default)]
struct IdleList {
    open: Mutex<Open>,
    /// Told when a connection becomes idle or refuses to close because a request came.
    changed: Notify,
}

/// Connections that ended are pruned once the list has doubled since the last pruning, so a
/// flood of short connections costs constant time each.
#[derive(Default)]
struct Open {
    list: Vec<Weak<Activity>>,
    after_prune: usize,
}

impl Open {
    fn prune(&mut self) {
        self.list.retain(|a| a.strong_count() > 0);
        self.after_prune = self.list.len();
    }
}

impl IdleList {
    fn add(&self, activity: &Arc<Activity>) {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if open.list.len() >= (2 * open.after_prune).max(64) {
            open.prune();
        }
        open.list.push(Arc::downgrade(activity));
    }

    /// Asks the kept-alive connection that has waited longest for its next request to close;
    /// returns it, or `None` when no connection is idle.
    fn close_longest_idle(&self) -> Option<Arc<Activity>> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        open.prune();
        let oldest = open
            .list
            .iter()
            .filter_map(Weak::upgrade)
            .filter_map(|a| a.idle_since().map(|since| (since, a)))
            .min_by_key(|(since, _)| *since)
            .map(|(_, a)| a)?;
        oldest.evicted.store(true, Ordering::Release);
        oldest.changed.notify_one();
        Some(oldest)
    }
}

async fn connection(
    stream: TcpStream,
    app: Router,
    limits: Arc<Limits>,
    mut phase: watch::Receiver<Phase>,
    _permit: OwnedSemaphorePermit,
    idle: Arc<IdleList>,
) {
    let activity = Arc::new(Activity::new(Arc::clone(&idle)));
    idle.add(&activity);
    let io = TokioIo::new(Counted {
        inner: stream,
        activity: Arc::clone(&activity),
    });
    let service = {
        let activity = Arc::clone(&activity);
        hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let guard = InFlight::start(Arc::clone(&activity));
            let app = app.clone();
            async move {
                let Ok(response) = app.oneshot(request.map(Body::new)).await;
                Ok::<_, Infallible>(response.map(|body| {
                    Body::new(Guarded {
                        body,
                        _guard: guard,
                    })
                }))
            }
        })
    };
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(None)
        .serve_connection(io, service);
    tokio::pin!(connection);
    if *phase.borrow() != Phase::Serving {
        connection.as_mut().graceful_shutdown();
    }
    loop {
        let deadline = activity.deadline(&limits);
        tokio::select! {
            _ = connection.as_mut() => return,
            () = sleep_until(deadline) => {
                if activity.deadline(&limits).is_some_and(|d| d <= Instant::now()) {
                    return;
                }
            }
            () = activity.changed.notified() => {
                if activity.evicted.load(Ordering::Acquire) {
                    if activity.idle_since().is_some() {
                        // Graceful, so the end of the last answer still goes out; a peer that
                        // does not read it does not keep the slot.
                        connection.as_mut().graceful_shutdown();
                        let _ = tokio::time::timeout(EVICTION_FLUSH, connection.as_mut()).await;
                        return;
                    }
                    activity.evicted.store(false, Ordering::Release);
                    idle.changed.notify_one();
                }
            }
            changed = phase.changed() => match changed.map(|()| *phase.borrow()) {
                Ok(Phase::Draining) => connection.as_mut().graceful_shutdown(),
                Ok(Phase::Serving) => {}
                Ok(Phase::Closing) | Err(_) => return,
            },
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

/// What the watchdog of one connection needs: whether a request is being served, and since when
/// the connection waits or reads a request's headers. Times are milliseconds since it opened,
/// plus one, 0 meaning "not now".
struct Activity {
    opened: Instant,
    in_flight: AtomicUsize,
    served: AtomicBool,
    idle_since: AtomicU64,
    header_started: AtomicU64,
    /// Told when the deadline moves earlier or goes away, or the connection is asked to close.
    changed: Notify,
    /// Asked to close to give its slot to a waiting client.
    evicted: AtomicBool,
    /// Told when this connection becomes idle, in case a client waits for a slot.
    list: Arc<IdleList>,
}

impl Activity {
    fn new(list: Arc<IdleList>) -> Self {
        Self {
            opened: Instant::now(),
            in_flight: AtomicUsize::new(0),
            served: AtomicBool::new(false),
            idle_since: AtomicU64::new(0),
            header_started: AtomicU64::new(0),
            changed: Notify::new(),
            evicted: AtomicBool::new(false),
            list,
        }
    }

    /// Since when a kept-alive connection waits for its next request with nothing read of it;
    /// `None` while it reads or serves one, or before its first.
    fn idle_since(&self) -> Option<Instant> {
        (self.in_flight.load(Ordering::Acquire) == 0
            && self.header_started.load(Ordering::Acquire) == 0
            && self.served.load(Ordering::Acquire))
        .then(|| self.at(self.idle_since.load(Ordering::Acquire)))
    }

    fn now(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
    }

    fn at(&self, mark: u64) -> Instant {
        self.opened + Duration::from_millis(mark.saturating_sub(1))
    }

    /// Bytes came in: between requests, they start the next request's header timeout.
    fn read_some(&self) {
        if self.in_flight.load(Ordering::Acquire) == 0
            && self.header_started.load(Ordering::Acquire) == 0
        {
            self.header_started.store(self.now(), Ordering::Release);
            self.changed.notify_one();
        }
    }

    /// When the connection is to be closed if nothing changes; `None` while a request is served.
    fn deadline(&self, limits: &Limits) -> Option<Instant> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        let started = self.header_started.load(Ordering::Acquire);
        Some(if started > 0 {
            self.at(started) + limits.header_timeout
        } else if self.served.load(Ordering::Acquire) {
            self.at(self.idle_since.load(Ordering::Acquire)) + limits.idle_timeout
        } else {
            self.opened + limits.header_timeout
        })
    }
}

/// A request being served, from its headers to the end of its answer's body.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn start(activity: Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::AcqRel);
        activity.header_started.store(0, Ordering::Release);
        activity.served.store(true, Ordering::Release);
        activity.changed.notify_one();
        Self(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let activity = &self.0;
        if activity.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            activity.idle_since.store(activity.now(), Ordering::Release);
            activity.changed.notify_one();
            activity.list.changed.notify_one();
        }
    }
}

/// An answer's body that ends the request's [`InFlight`] when it is done or dropped, so a
/// long-lived stream counts as served, not idle.
struct Guarded {
    body: Body,
    _guard: InFlight,
}

impl hyper::body::Body for Guarded {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The socket, telling [`Activity`] when bytes arrive.
struct Counted {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Counted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let me = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut me.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            me.activity.read_some();
        }
        polled
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

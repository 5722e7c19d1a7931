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
//!   being served never starve for descriptors;
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
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt;

/// How long requests in flight may finish after a stop before their connections are closed.
pub const GRACE: Duration = Duration::from_secs(3);

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
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        match accepted {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(
                    stream,
                    app.clone(),
                    Arc::clone(&limits),
                    phase.clone(),
                    permit,
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

async fn connection(
    stream: TcpStream,
    app: Router,
    limits: Arc<Limits>,
    mut phase: watch::Receiver<Phase>,
    _permit: OwnedSemaphorePermit,
) {
    let activity = Arc::new(Activity::new());
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
            () = activity.changed.notified() => {}
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
    /// Told when the deadline moves earlier or goes away.
    changed: Notify,
}

impl Activity {
    fn new() -> Self {
        Self {
            opened: Instant::now(),
            in_flight: AtomicUsize::new(0),
            served: AtomicBool::new(false),
            idle_since: AtomicU64::new(0),
            header_started: AtomicU64::new(0),
            changed: Notify::new(),
        }
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

//! The local tracking server (assets/contract.md §3–§7): axum routes → `api` validation → the store.
//! [`start`] runs it inside the caller's tokio runtime, so the console and tests embed it.

mod flags;
mod forward;
mod guard;
mod inspect;
pub mod limits;
mod listen;
mod local_only;
mod requests;
mod respond;
mod runtime;
mod runtime_bulk;
mod stars;
mod stars_cache;
pub mod store;
mod track;
pub mod traffic;

use axum::Router;
use axum::routing::{any, get, post};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use store::{Store, StoreError};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use crate::api::runtime::env::Environments;
pub use flags::FlagsHandle;
pub use limits::Limits;
pub use store::{Storage, WriteStats};

/// How to run a server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub storage: Storage,
    /// Share of tracking calls answered 500 without storing, 0.0..=1.0 (fault injection).
    pub fail_rate: f64,
    /// Delay added to every answer.
    pub latency: Duration,
    /// Print one line per request on stderr (route template and key fingerprint, never the key).
    pub access_log: bool,
    /// Requests recorded per tracking key for the traffic routes; 0 records none.
    pub record: usize,
    /// Pass tracking calls on to this base URL (the real service) and answer with its answer.
    pub forward: Option<String>,
    pub limits: Limits,
    /// Which Runtime API keys belong together (`serve --env`); `local` always.
    pub environments: crate::api::runtime::env::Environments,
    /// The flags served at start (`serve --flags`, a collection's `[flags]`); changed later
    /// through [`RunningServer::flags`].
    pub flags: Vec<crate::api::flags::FlagDefinition>,
}

impl ServerConfig {
    /// The default address of `bucket-console serve`.
    pub const DEFAULT_LISTEN: &'static str = "127.0.0.1:8787";

    /// A quiet server on a free loopback port.
    pub fn ephemeral(storage: Storage) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            storage,
            fail_rate: 0.0,
            latency: Duration::ZERO,
            access_log: false,
            record: traffic::DEFAULT_KEEP,
            forward: None,
            limits: Limits::default(),
            environments: crate::api::runtime::env::Environments::default(),
            flags: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
    #[error("--fail-rate must be between 0 and 1, not {0}")]
    FailRate(f64),
    #[error("{0}")]
    Forward(forward::ForwardError),
}

/// What handlers share.
pub(crate) struct AppState {
    pub store: Store,
    pub fail_rate: f64,
    pub latency: Duration,
    pub loopback_only: bool,
    pub access_log: bool,
    pub traffic: traffic::Traffic,
    pub forward: Option<forward::Forward>,
    pub limits: Arc<Limits>,
    pub environments: crate::api::runtime::env::Environments,
    /// The last STARS answers, reused while the store has not changed.
    pub stars_cache: stars_cache::StarsCache,
    /// Turns true when the server shuts down: open streams end, so shutting down does not wait
    /// on a watcher that never hangs up.
    pub stopping: tokio::sync::watch::Receiver<bool>,
    pub flags: flags::FlagState,
}

/// A server running in the background of the current runtime.
pub struct RunningServer {
    addr: SocketAddr,
    state: Arc<AppState>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Changes the flags this server answers with.
    pub fn flags(&self) -> FlagsHandle {
        FlagsHandle(Arc::clone(&self.state))
    }

    /// The address actually bound (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Commits and calls stored so far: calls per commit shows group commit at work.
    pub fn write_stats(&self) -> WriteStats {
        self.state.store.write_stats()
    }

    /// Store reads running now: a STARS computation counts until it ends or is stopped.
    pub fn reads_running(&self) -> usize {
        self.state.store.reads_running()
    }

    /// Bytes the traffic recorder holds, as counted against `--record-memory`, and its keys.
    pub fn recorder_held(&self) -> (usize, usize) {
        (self.state.traffic.held(), self.state.traffic.keys())
    }

    /// The real service calls are passed on to (`--forward`), if any.
    pub fn forwarding(&self) -> Option<&str> {
        self.state.forward.as_ref().map(forward::Forward::base)
    }

    /// The names of the Runtime API environments this server knows.
    pub fn environments(&self) -> Vec<String> {
        self.state
            .environments
            .names()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// `http://ADDR`, the base URL clients use.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, and waits.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.await.unwrap_or(Ok(()))
    }

    /// Waits until the server ends (after `shutdown_on` fires, for `serve`).
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.unwrap_or(Ok(()))
    }
}

/// Opens the store, binds, and serves until shut down. `until` ends it from outside (a signal).
pub async fn start_until(
    config: ServerConfig,
    until: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<RunningServer, ServerError> {
    check(&config)?;
    // The store first: a store that cannot open never leaves a port bound.
    let store = Store::open(&config.storage)?;
    let bound = Bound::bind(config.listen).await?;
    serve_on(config, store, bound, until).await
}

/// A listening socket whose server is not running yet: a connection made now waits in its
/// backlog and is answered once [`start_bound`] has opened the store. The console binds before
/// its first frame (the header shows the address, a scenario run at once has somewhere to go)
/// and opens the store after it.
pub struct Bound {
    listener: TcpListener,
    addr: SocketAddr,
}

impl Bound {
    pub async fn bind(listen: SocketAddr) -> Result<Self, ServerError> {
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|e| ServerError::Bind(listen, e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| ServerError::Bind(listen, e))?;
        Ok(Self { listener, addr })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

/// Opens the store (on a blocking thread: the caller's loop keeps running) and serves on `bound`;
/// `config.listen` is not used. On an error the socket closes, and connections waiting in its
/// backlog are refused.
pub async fn start_bound(config: ServerConfig, bound: Bound) -> Result<RunningServer, ServerError> {
    check(&config)?;
    let storage = config.storage.clone();
    let store = tokio::task::spawn_blocking(move || Store::open(&storage))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?;
    serve_on(config, store, bound, std::future::pending()).await
}

fn check(config: &ServerConfig) -> Result<(), ServerError> {
    if !(0.0..=1.0).contains(&config.fail_rate) {
        return Err(ServerError::FailRate(config.fail_rate));
    }
    Ok(())
}

async fn serve_on(
    config: ServerConfig,
    store: Store,
    bound: Bound,
    until: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<RunningServer, ServerError> {
    survive_file_size_limit();
    let forward = config
        .forward
        .as_deref()
        .map(forward::Forward::new)
        .transpose()
        .map_err(ServerError::Forward)?;
    let flags = flags::FlagState::new(&store, config.flags).await?;
    let Bound { listener, addr } = bound;
    let (stopping_tx, stopping) = tokio::sync::watch::channel(false);
    let limits = Arc::new(config.limits);
    let state = Arc::new(AppState {
        store,
        fail_rate: config.fail_rate,
        latency: config.latency,
        loopback_only: addr.ip().is_loopback(),
        access_log: config.access_log,
        traffic: traffic::Traffic::new(config.record, limits.record_memory),
        forward,
        limits: Arc::clone(&limits),
        environments: config.environments,
        stars_cache: stars_cache::StarsCache::default(),
        stopping,
        flags,
    });
    let app = router(Arc::clone(&state));
    let (stop, stopped) = oneshot::channel::<()>();
    let closing = Arc::clone(&state);
    let task = tokio::spawn(async move {
        let shutdown = async move {
            tokio::select! {
                _ = stopped => {}
                () = until => {}
            }
            let _ = stopping_tx.send(true);
        };
        let served = listen::serve(listener, app, limits, shutdown).await;
        // Every connection is closed and reads in flight were told to stop: the log can be
        // emptied into the database.
        closing.store.close().await;
        served
    });
    Ok(RunningServer {
        addr,
        state,
        stop: Some(stop),
        task,
    })
}

/// A file-size limit (`ulimit -f`) raises SIGXFSZ, whose default action kills the process in the
/// middle of a write. With a handler installed (tokio's, which stays for the process's life) the
/// write fails with EFBIG instead, and the call is answered 500 like a full disk.
fn survive_file_size_limit() {
    #[cfg(unix)]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            use tokio::signal::unix::{SignalKind, signal};
            let _ = signal(SignalKind::from_raw(libc::SIGXFSZ));
        });
    }
}

/// [`start_until`] without an outside stop: ends on [`RunningServer::shutdown`] or when dropped
/// with the runtime.
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    start_until(config, std::future::pending()).await
}

/// The Runtime API (assets/contract.md, "Runtime API"): one-segment routes, and two-segment ones
/// under `features`, `feedback` and `sse`, which therefore are no tracking keys.
fn runtime_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/user", any(runtime::user))
        .route("/company", any(runtime::company))
        .route("/event", any(runtime::event))
        .route("/feedback", any(runtime::feedback))
        .route("/bulk", any(runtime::bulk))
        .route("/features", any(runtime::definitions))
        .route("/features/evaluated", any(runtime::evaluated))
        .route("/features/enabled", any(runtime::evaluated))
        .route("/features/events", any(runtime::flag_events))
        .route("/feedback/prompting-init", any(runtime::prompting_init))
        .route("/feedback/prompt-events", any(runtime::prompt_events))
        .route("/sse/client", any(runtime::stream))
        .route("/sse/server", any(runtime::stream))
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/_local/health", get(inspect::health))
        .route("/_local/{key}/users", get(inspect::users))
        .route("/_local/{key}/users/{id}", get(inspect::user))
        .route("/_local/{key}/companies", get(inspect::companies))
        .route("/_local/{key}/companies/{id}", get(inspect::company))
        .route("/_local/{key}/events", get(inspect::events))
        .route("/_local/{key}/feedback", get(inspect::feedback))
        .route("/_local/{key}/stats", get(inspect::stats))
        .route("/_local/{key}/flag-checks", get(inspect::flag_checks))
        .route("/_local/{key}/stars", post(stars::stars))
        .route("/_local/{key}/requests", get(requests::list))
        .route("/_local/{key}/requests/stream", get(requests::stream))
        .merge(runtime_routes())
        .route("/{key}/{method}", any(track::track))
        .route("/{key}/feedback/prompting-init", any(track::prompting_init))
        .fallback(respond::route_not_found)
        .method_not_allowed_fallback(respond::inspection_method_not_allowed)
        .layer(axum::middleware::from_fn(local_only::local_only))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            guard::guard,
        ))
        .with_state(state)
}

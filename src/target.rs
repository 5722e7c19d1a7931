//! From a profile to a running target: a service above both the client (which sends to a
//! target) and the server (which the built-in `local` profile may start). `local` uses a `serve`
//! already listening on the default address, and otherwise starts the server in-process with the
//! default database, on that address when it is free (else on any free loopback port), so it works
//! on a fresh machine and what it prints can be copied and run.

use crate::client::Target;
use crate::flags;
use crate::paths;
use crate::profiles::{LOCAL_URL, Profile, Selected};
use crate::server::{self, RunningServer, ServerConfig, Storage};
use std::time::Duration;

/// A target, and the embedded server behind it when one was started (keep it alive).
pub struct Resolved {
    pub target: Target,
    pub embedded: Option<RunningServer>,
}

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error(transparent)]
    NoHome(#[from] paths::NoHome),
    #[error("cannot start the local server: {0}")]
    Server(#[from] server::ServerError),
}

/// The target of a profile chosen on the command line (its base URL perhaps overridden).
pub async fn resolve(selected: &Selected) -> Result<Resolved, TargetError> {
    resolve_profile(&selected.profile, selected.base_overridden).await
}

/// The target of `profile`; with `base_overridden`, its base URL as given even for `local`.
pub async fn resolve_profile(
    profile: &Profile,
    base_overridden: bool,
) -> Result<Resolved, TargetError> {
    Ok(match route(profile, base_overridden).await? {
        Route::Ready(target) => Resolved {
            target,
            embedded: None,
        },
        Route::Embedded(target, embedded) => Resolved {
            target,
            embedded: Some(embedded.start().await?),
        },
    })
}

/// The console's target, known at once; its embedded server (if any) is bound, so the address
/// is real and connections wait, but its store is opened only when `starting` is run: after the
/// first frame, which therefore never waits for the database.
pub struct Deferred {
    pub target: Target,
    pub starting: Option<Starting>,
}

/// An embedded server that is bound and not yet serving; run it for the server, or why not.
pub type Starting =
    std::pin::Pin<Box<dyn Future<Output = Result<RunningServer, TargetError>> + Send>>;

/// [`resolve`], leaving the embedded server's store to be opened later.
pub async fn resolve_deferred(selected: &Selected) -> Result<Deferred, TargetError> {
    Ok(
        match route(&selected.profile, selected.base_overridden).await? {
            Route::Ready(target) => Deferred {
                target,
                starting: None,
            },
            Route::Embedded(target, embedded) => Deferred {
                target,
                starting: Some(Box::pin(embedded.start())),
            },
        },
    )
}

enum Route {
    Ready(Target),
    Embedded(Target, Embedded),
}

async fn route(profile: &Profile, base_overridden: bool) -> Result<Route, TargetError> {
    let target = |base_url: String| Target {
        profile: profile.name.clone(),
        base_url,
        key: profile.key.clone(),
    };
    if !profile.is_local() || base_overridden {
        return Ok(Route::Ready(target(profile.base_url.clone())));
    }
    let listen = local_listen();
    if listen.port() != 0 && local_server_answers_on(listen).await {
        return Ok(Route::Ready(target(format!("http://{listen}"))));
    }
    let storage = Storage::File(paths::default_database()?);
    let explicit = std::env::var_os("BUCKET_COLLECTION").map(std::path::PathBuf::from);
    let cwd = std::env::current_dir().unwrap_or_default();
    let sources = flags::Sources {
        file: None,
        collection: crate::collection::locate(explicit.as_deref(), &cwd),
    };
    let embedded = Embedded::bind(listen, storage, sources).await?;
    Ok(Route::Embedded(
        target(format!("http://{}", embedded.bound.addr())),
        embedded,
    ))
}

/// The embedded server between binding and serving.
struct Embedded {
    bound: server::Bound,
    storage: Storage,
    sources: flags::Sources,
}

impl Embedded {
    /// On `listen` when it is free, so copied curl commands, the app under test and `watch`
    /// reach it; when something else holds it, any free loopback port (the header says which).
    async fn bind(
        listen: std::net::SocketAddr,
        storage: Storage,
        sources: flags::Sources,
    ) -> Result<Self, TargetError> {
        let bound = match server::Bound::bind(listen).await {
            Ok(bound) => bound,
            Err(server::ServerError::Bind(..)) => {
                server::Bound::bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await?
            }
            Err(e) => return Err(e.into()),
        };
        Ok(Self {
            bound,
            storage,
            sources,
        })
    }

    /// Opens the store and serves, with the flags of the collection `run` would use. Bad flags do
    /// not keep it from starting: it serves none, and says why in Traffic (the console shows it),
    /// as it does for a bad edit later.
    async fn start(self) -> Result<RunningServer, TargetError> {
        let Self {
            bound,
            storage,
            sources,
        } = self;
        let (initial, refused) = match flags::load(&sources) {
            Ok(loaded) => (loaded.flags, None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        let config = ServerConfig {
            flags: initial,
            ..ServerConfig::ephemeral(storage)
        };
        let server = server::start_bound(config, bound).await?;
        if let Some(problem) = refused {
            server.flags().refused(&format!(
                "{}\nno flags are served until this is fixed",
                crate::sanitize::sanitize(&problem)
            ));
        }
        if sources.collection.is_some() {
            // The console owns the terminal: what a reload says goes to Traffic only. The watch
            // lasts as long as the process, as the embedded server does.
            match flags::watch::serve_edits(
                server.flags(),
                sources,
                tokio::runtime::Handle::current(),
                |_| {},
            ) {
                Ok(following) => following.keep(),
                Err(e) => server.flags().refused(&format!(
                    "the collection is not watched ({e}): edits to [flags] wait for a restart"
                )),
            }
        }
        Ok(server)
    }
}

/// Where the built-in `local` profile's server listens: `127.0.0.1:8787`, or `BUCKET_LOCAL_LISTEN`
/// (tests give `127.0.0.1:0` so that they never meet on one port).
pub fn local_listen() -> std::net::SocketAddr {
    std::env::var("BUCKET_LOCAL_LISTEN")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| {
            LOCAL_URL
                .trim_start_matches("http://")
                .parse()
                .unwrap_or(std::net::SocketAddr::from(([127, 0, 0, 1], 8787)))
        })
}

/// Whether a bucket-console server answers health on the default address. A refused connection
/// (the usual case) is known without building an HTTP client, which keeps start-up fast.
pub async fn local_server_answers() -> bool {
    let listen = local_listen();
    listen.port() != 0 && local_server_answers_on(listen).await
}

/// Whether a bucket-console server answers health at `address`.
pub async fn local_server_answers_on(address: std::net::SocketAddr) -> bool {
    let connect = tokio::net::TcpStream::connect(address);
    if !matches!(
        tokio::time::timeout(Duration::from_millis(250), connect).await,
        Ok(Ok(_))
    ) {
        return false;
    }
    let Ok(http) = crate::net::client_builder()
        .connect_timeout(Duration::from_millis(250))
        .timeout(Duration::from_secs(1))
        .build()
    else {
        return false;
    };
    let Ok(response) = http
        .get(format!("http://{address}/_local/health"))
        .send()
        .await
    else {
        return false;
    };
    crate::net::read_body(response)
        .await
        .ok()
        .and_then(|body| serde_json::from_slice::<crate::api::inspect::Health>(&body).ok())
        .is_some_and(|h| h.ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::runtime::env::LOCAL_SECRET;

    async fn get(server: &RunningServer, path: &str) -> serde_json::Value {
        reqwest::Client::new()
            .get(format!("{}{path}", server.base_url()))
            .header("authorization", format!("Bearer {LOCAL_SECRET}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_embedded_server_serves_the_collection_flags_or_says_why_not() {
        let dir = tempfile::tempdir().unwrap();
        let collection = dir.path().join("bucket-console.toml");
        std::fs::write(&collection, "[flags.huddle]\nenabled = true\n").unwrap();
        let sources = flags::Sources {
            file: None,
            collection: Some(collection.clone()),
        };
        let any = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        let server = Embedded::bind(any, Storage::Memory, sources.clone())
            .await
            .unwrap()
            .start()
            .await
            .unwrap();
        let body = get(&server, "/features").await;
        assert_eq!(body["features"][0]["key"], "huddle", "{body}");
        server.shutdown().await.unwrap();

        std::fs::write(&collection, "[flags.huddle]\nenabld = true\n").unwrap();
        let server = Embedded::bind(any, Storage::Memory, sources)
            .await
            .unwrap()
            .start()
            .await
            .unwrap();
        let body = get(&server, "/features").await;
        assert_eq!(
            body["features"],
            serde_json::json!([]),
            "it runs on, with none"
        );
        let records = reqwest::get(format!("{}/_local/local/requests", server.base_url()))
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap();
        let said = records[0]["local"]["message"].as_str().unwrap_or_default();
        assert!(said.contains("bucket-console.toml:2: "), "{records}");
        assert!(said.contains("did you mean \"enabled\""), "{records}");
        server.shutdown().await.unwrap();
    }
}

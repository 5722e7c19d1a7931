//! The flags this server answers with: `GET /features` (definitions), `/features/evaluated` and
//! `/features/enabled` (evaluated for the context in the query), and the `flags-updated`
//! messages of `GET /sse/server`. Who reads the definitions (a file, a collection) hands them
//! over through [`FlagsHandle`]; this module only serves and numbers them.

use super::AppState;
use super::respond;
use super::store::{Store, StoreError};
use super::traffic::{self, Recorded};
use crate::api::flags::{FlagDefinition, FlatContext, evaluate_flag, render};
use crate::api::timestamp;
use axum::http::{self, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::{Map, Value, json};
use std::convert::Infallible;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// One set of definitions as served: the flags, their number and the `GET /features` answer
/// written once.
pub(super) struct Served {
    flags: Vec<FlagDefinition>,
    version: i64,
    definitions: Bytes,
    digest: String,
}

pub(crate) struct FlagState {
    served: RwLock<Arc<Served>>,
    changes: tokio::sync::watch::Sender<i64>,
    /// One replacement at a time: two edits in a row are numbered in the order they came.
    replacing: tokio::sync::Mutex<()>,
}

/// The flags written as `GET /features` lists them, and their digest.
fn written(flags: &[FlagDefinition]) -> (Vec<Value>, String) {
    let features: Vec<Value> = flags.iter().map(render::definition).collect();
    // The SHA-256 hex the store keeps for keys serves for definitions as well.
    let digest = crate::api::key::digest(&Value::Array(features.clone()).to_string());
    (features, digest)
}

impl Served {
    fn new(flags: Vec<FlagDefinition>, features: Vec<Value>, version: i64, digest: String) -> Self {
        Self {
            flags,
            version,
            definitions: answer(&Value::Array(features), version),
            digest,
        }
    }
}

impl FlagState {
    pub(super) async fn new(store: &Store, flags: Vec<FlagDefinition>) -> Result<Self, StoreError> {
        let (features, digest) = written(&flags);
        let version = store
            .flag_state_version(digest.clone(), flags.is_empty())
            .await?;
        Ok(Self {
            served: RwLock::new(Arc::new(Served::new(flags, features, version, digest))),
            changes: tokio::sync::watch::channel(version).0,
            replacing: tokio::sync::Mutex::new(()),
        })
    }

    fn current(&self) -> Arc<Served> {
        match self.served.read() {
            Ok(s) => Arc::clone(&s),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Serves `flags` from now on; the same definitions again change nothing. Answers the
    /// version, and whether it changed.
    async fn replace(
        &self,
        store: &Store,
        flags: Vec<FlagDefinition>,
    ) -> Result<(i64, bool), StoreError> {
        let _one = self.replacing.lock().await;
        let (features, digest) = written(&flags);
        let current = self.current();
        if current.digest == digest {
            return Ok((current.version, false));
        }
        let version = store
            .flag_state_version(digest.clone(), flags.is_empty())
            .await?;
        let served = Arc::new(Served::new(flags, features, version, digest));
        match self.served.write() {
            Ok(mut s) => *s = served,
            Err(poisoned) => *poisoned.into_inner() = served,
        }
        self.changes.send_replace(version);
        Ok((version, true))
    }
}

/// `GET /features`: every definition and their version (`waitForVersion` is answered at once:
/// the definitions here are always the newest).
pub(super) fn definitions(app: &AppState) -> Response {
    respond::json_bytes(StatusCode::OK, app.flags.current().definitions.clone())
}

/// `GET /features/evaluated` (or `/features/enabled`, which lists only the flags that are on)
/// for the context the query's `context.*` parameters give, and nothing else of the query.
pub(super) fn evaluated(app: &AppState, parts: &http::request::Parts) -> Response {
    let served = app.flags.current();
    let only_enabled = parts.uri.path() == "/features/enabled";
    let context = context_of(parts.uri.query().unwrap_or(""));
    let now = timestamp::now_ms() as f64;
    let mut features = Map::new();
    for flag in &served.flags {
        let evaluation = evaluate_flag(flag, &context, now);
        if only_enabled && !evaluation.is_enabled {
            continue;
        }
        features.insert(flag.key.clone(), render::evaluation(&evaluation));
    }
    respond::json_bytes(
        StatusCode::OK,
        answer(&Value::Object(features), served.version),
    )
}

/// `{"success":true,"features":…,"flagStateVersion":N}`, its members in the service's order.
fn answer(features: &Value, version: i64) -> Bytes {
    Bytes::from(format!(
        r#"{{"success":true,"features":{features},"flagStateVersion":{version}}}"#
    ))
}

/// `context.company.id=acme&context.user.id=u1` → `company.id`, `user.id`: the SDKs send the
/// context flattened already.
fn context_of(query: &str) -> FlatContext {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(name, value)| Some((name.strip_prefix("context.")?.to_owned(), value)))
        .filter(|(name, _)| !name.is_empty())
        .collect()
}

/// `GET /sse/server`: a plain message (no `event:` line) for every new version, the only form
/// the node SDK reads; it then fetches `GET /features?waitForVersion=N`. Ends when the server
/// stops, so stopping waits on no SDK.
pub(super) fn push_stream(app: &AppState) -> Response {
    let mut stopping = app.stopping.clone();
    let stopped = async move {
        let _ = stopping.wait_for(|stop| *stop).await;
    };
    let changes = tokio_stream::wrappers::WatchStream::from_changes(app.flags.changes.subscribe());
    let events = changes
        .map(|version| {
            let message =
                format!(r#"{{"name":"flags-updated","data":{{"flagStateVersion":{version}}}}}"#);
            Ok::<_, Infallible>(Event::default().data(message))
        })
        .take_until(stopped);
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// What the owner of a running server uses to change its flags.
#[derive(Clone)]
pub struct FlagsHandle(pub(super) Arc<AppState>);

impl FlagsHandle {
    /// Serves `flags` from now on: a change is numbered (the number kept in the store), pushed
    /// to `/sse/server` and noted in Traffic; the same definitions again change nothing.
    pub async fn replace(&self, flags: Vec<FlagDefinition>) -> Result<i64, StoreError> {
        let count = flags.len();
        let (version, changed) = self.0.flags.replace(&self.0.store, flags).await?;
        if changed {
            note(
                &self.0,
                200,
                &format!("{count} flag(s) reloaded: flagStateVersion {version}"),
            );
        }
        Ok(version)
    }

    /// Says in Traffic that an edit was refused (the last good definitions stay).
    pub fn refused(&self, problem: &str) {
        note(&self.0, 422, problem);
    }

    pub fn version(&self) -> i64 {
        self.0.flags.current().version
    }

    pub fn count(&self) -> usize {
        self.0.flags.current().flags.len()
    }
}

/// A reload in every named environment's Traffic, as a `RELOAD /features` record: the message
/// is its body, and a refusal's answer carries it as an error, as a refused call's does.
fn note(app: &AppState, status: u16, message: &str) {
    if !app.traffic.enabled() {
        return;
    }
    let answer = if status == 200 {
        json!({"success": true})
    } else {
        json!({"success": false, "error": {"code": "INVALID_FLAGS", "message": message}})
    };
    let answer = answer.to_string();
    let verb = http::Method::from_bytes(b"RELOAD").unwrap_or(http::Method::GET);
    for environment in app.environments.names() {
        app.traffic.record(
            environment,
            Recorded {
                id: 0,
                key: traffic::no_key(),
                received_ms: timestamp::now_ms(),
                verb: verb.clone(),
                texts: traffic::Texts::new(
                    "/features",
                    &http::HeaderMap::new(),
                    message.as_bytes(),
                    answer.as_bytes(),
                ),
                body_truncated: false,
                body_incomplete: false,
                local: (status, 0.0),
                upstream: None,
                runtime_key: Some(Box::from("")),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_context_is_the_context_parameters_only() {
        let c = super::context_of(
            "context.user.id=u1&context.company.plan=pro%20plus&publishableKey=pub_x&key=k\
             &waitForVersion=3&reflag-sdk-version=browser-sdk%2F1&context.=x",
        );
        let names: Vec<_> = c.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(names, ["company.plan=pro plus", "user.id=u1"]);
    }
}

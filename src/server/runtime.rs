//! The Runtime API's routes (assets/contract.md, "Runtime API"), on the tracking API's port: the
//! key from `Authorization: Bearer` or `?publishableKey=`, its environment, then the body's rules
//! ([`super::runtime_bulk`]) and the store, every request recorded under its environment.

use super::AppState;
use super::respond::{self, with_cors};
use super::runtime_bulk;
use super::track::{Arrived, read_at_most};
use super::traffic::{self, Recorded};
use crate::api::key::{fingerprint, mask};
use crate::api::runtime::env::LOCAL;
use crate::api::runtime::key::{Accepts, RuntimeKey, authenticate, redact_query};
use crate::api::runtime::{MAX_BULK_BYTES, SDK_VERSION_NAME};
use crate::api::{MAX_BODY_BYTES, Method, timestamp};
use axum::extract::{Request, State};
use axum::http::{self, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A Runtime API route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Route {
    /// `POST /user`, `/company`, `/event`, `/feedback`.
    Call(Method),
    Bulk,
    /// `POST /features/events`.
    FlagEvents,
    /// `POST /feedback/prompt-events`.
    PromptEvents,
    /// `POST /feedback/prompting-init`.
    PromptingInit,
    /// `GET /features`: flag definitions.
    Definitions,
    /// `GET /features/evaluated` and `/features/enabled`.
    Evaluated,
    /// `GET /sse/client` and `/sse/server`.
    Stream,
}

impl Route {
    fn verb(self) -> http::Method {
        match self {
            Route::Definitions | Route::Evaluated | Route::Stream => http::Method::GET,
            _ => http::Method::POST,
        }
    }

    fn allow(self) -> &'static str {
        if self.verb() == http::Method::GET {
            "GET, OPTIONS"
        } else {
            "POST, OPTIONS"
        }
    }

    fn body_limit(self) -> usize {
        if self == Route::Bulk {
            MAX_BULK_BYTES
        } else {
            MAX_BODY_BYTES
        }
    }
}

macro_rules! handlers {
    ($($name:ident => $route:expr),* $(,)?) => {$(
        pub async fn $name(State(app): State<Arc<AppState>>, req: Request) -> Response {
            exchange(&app, req, $route).await
        }
    )*};
}

handlers! {
    user => Route::Call(Method::User),
    company => Route::Call(Method::Company),
    event => Route::Call(Method::Event),
    feedback => Route::Call(Method::Feedback),
    bulk => Route::Bulk,
    flag_events => Route::FlagEvents,
    prompt_events => Route::PromptEvents,
    prompting_init => Route::PromptingInit,
    definitions => Route::Definitions,
    evaluated => Route::Evaluated,
    stream => Route::Stream,
}

/// What a handler knows of the request once its key is checked.
pub(super) struct Caller<'a> {
    pub environment: &'a str,
    pub key: &'a RuntimeKey,
    pub received_ms: i64,
}

async fn exchange(app: &AppState, req: Request, route: Route) -> Response {
    let started = Instant::now();
    let received_ms = timestamp::now_ms();
    let (parts, body) = req.into_parts();
    if parts.method == http::Method::OPTIONS {
        return preflight();
    }
    let right_verb = parts.method == route.verb();
    let (bytes, arrived) = if right_verb && route.verb() == http::Method::POST {
        read_at_most(body, route.body_limit() + 1, &app.limits).await
    } else {
        (Vec::new(), Arrived::Whole)
    };
    let query = parts.uri.query().unwrap_or("");
    let query_key = query_param(query, "publishableKey");
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{fffd}"));
    let key = authenticate(authorization, query_key.as_deref(), accepts(route));
    let environment = key.as_ref().ok().map(|k| app.environments.name_of(k));
    let local = match (&key, arrived) {
        _ if !right_verb => respond::method_not_allowed(route.allow()),
        (Err(refusal), _) => respond::rejection(StatusCode::FORBIDDEN, refusal.rejection()),
        (_, Arrived::Cut) => respond::body_cut_short(bytes.len()),
        (_, Arrived::TooSlow) => respond::body_too_slow(&app.limits),
        (Ok(key), Arrived::Whole) => {
            let caller = Caller {
                environment: environment.as_deref().unwrap_or(LOCAL),
                key,
                received_ms,
            };
            answer(app, route, &parts, &bytes, &caller).await
        }
    };
    let seen = Seen {
        shown: match &key {
            Ok(k) => format!(
                "{} {} {}",
                k.kind().as_str(),
                mask(k.expose()),
                k.fingerprint()
            ),
            Err(_) => presented_key(&parts).unwrap_or_default(),
        },
        // A refusal names no environment; it goes where the console's runtime profile looks.
        environment: environment.unwrap_or_else(|| LOCAL.to_owned()),
        received_ms,
        arrived,
        status: local.status().as_u16(),
        answer: local
            .extensions()
            .get::<respond::SentBody>()
            .map(|b| b.0.clone())
            .unwrap_or_default(),
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
    };
    // A stream is recorded as it opens, and never forwarded (it would hold a second one open).
    let forwarded = match &app.forward {
        Some(forward) if arrived == Arrived::Whole && right_verb && route != Route::Stream => {
            Some(forward.send_runtime(&parts, bytes.clone()).await)
        }
        _ => None,
    };
    let answer = match &forwarded {
        Some(upstream) => super::forward::answer(upstream),
        None => local,
    };
    record(app, &parts, &bytes, seen, forwarded);
    with_cors(answer)
}

/// What a record keeps of the exchange besides the request.
struct Seen {
    shown: String,
    environment: String,
    received_ms: i64,
    arrived: Arrived,
    status: u16,
    answer: bytes::Bytes,
    latency_ms: f64,
}

fn accepts(route: Route) -> Accepts {
    if route == Route::Definitions {
        Accepts::SecretOnly
    } else {
        Accepts::Either
    }
}

async fn answer(
    app: &AppState,
    route: Route,
    parts: &http::request::Parts,
    bytes: &[u8],
    caller: &Caller<'_>,
) -> Response {
    match route {
        Route::Definitions => super::flags::definitions(app),
        Route::Evaluated => super::flags::evaluated(app, parts),
        Route::Stream if parts.uri.path() == "/sse/server" => super::flags::push_stream(app),
        Route::Stream => idle_stream(app),
        _ => runtime_bulk::post(app, route, &parts.headers, bytes, caller).await,
    }
}

/// The browser SDK's channel (`/sse/client`) speaks another protocol, not implemented here: the
/// stream only keeps itself alive, and ends when the server shuts down so shutting down waits on no SDK.
fn idle_stream(app: &AppState) -> Response {
    let mut stopping = app.stopping.clone();
    let stopped = async move {
        let _ = stopping.wait_for(|stop| *stop).await;
    };
    let events = futures_util::stream::pending::<Result<Event, Infallible>>().take_until(stopped);
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

fn record(
    app: &AppState,
    parts: &http::request::Parts,
    bytes: &[u8],
    seen: Seen,
    forwarded: Option<traffic::Upstream>,
) {
    if !app.traffic.enabled() {
        return;
    }
    let path = redact_query(
        parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path(), |p| p.as_str()),
    );
    let sdk = parts
        .headers
        .get(SDK_VERSION_NAME)
        .map(|v| v.as_bytes().to_vec())
        .or_else(|| {
            query_param(parts.uri.query().unwrap_or(""), SDK_VERSION_NAME).map(String::into_bytes)
        });
    let limit = if path == "/bulk" {
        MAX_BULK_BYTES
    } else {
        MAX_BODY_BYTES
    };
    app.traffic.record(
        &seen.environment,
        Recorded {
            id: 0,
            key: traffic::no_key(),
            received_ms: seen.received_ms,
            verb: parts.method.clone(),
            texts: traffic::Texts::with_sdk(
                &path,
                &parts.headers,
                sdk.as_deref(),
                &bytes[..bytes.len().min(limit)],
                &seen.answer,
            ),
            body_truncated: bytes.len() > limit,
            body_incomplete: seen.arrived != Arrived::Whole,
            local: (seen.status, seen.latency_ms),
            upstream: forwarded.map(traffic::Upstream::for_record),
            runtime_key: Some(seen.shown.into_boxed_str()),
        },
    );
}

/// A refused key as a record may show it: masked, with its fingerprint.
fn presented_key(parts: &http::request::Parts) -> Option<String> {
    let raw = parts
        .headers
        .get(header::AUTHORIZATION)
        .map(|v| {
            let text = String::from_utf8_lossy(v.as_bytes()).into_owned();
            text.split_once(' ')
                .map_or(text.clone(), |(_, k)| k.trim().to_owned())
        })
        .or_else(|| query_param(parts.uri.query().unwrap_or(""), "publishableKey"))?;
    Some(format!("{} {}", mask(&raw), fingerprint(&raw)))
}

/// The first value of a query parameter, percent-decoded.
fn query_param(query: &str, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

/// Browsers ask before a call with a key and a JSON body from another origin.
fn preflight() -> Response {
    respond::preflight(
        "GET, POST, OPTIONS",
        "authorization, content-type, reflag-sdk-version",
    )
}

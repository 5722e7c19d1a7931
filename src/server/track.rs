//! The tracking routes: `POST /{key}/{method}` through every rule of assets/contract.md §2–§4, in the
//! order a sender would fix them: route, verb, key, content type, size, JSON, fields, store.

use super::AppState;
use super::forward;
use super::limits::Limits;
use super::respond::{self, bad_request, with_cors};
use super::traffic::{self, Recorded};
use crate::api::{self, ErrorCode, FieldCode, Method, Rejection, Warning, body, key, timestamp};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{self, StatusCode, header};
use axum::response::Response;
use std::sync::Arc;
use std::time::Instant;

pub async fn track(State(app): State<Arc<AppState>>, req: Request) -> Response {
    exchange(&app, req, Route::Method).await
}

/// `POST /{key}/feedback/prompting-init`: the SDK asks whether live prompts are enabled; they
/// are not, and saying so lets the SDK's browser build run against this server.
pub async fn prompting_init(State(app): State<Arc<AppState>>, req: Request) -> Response {
    exchange(&app, req, Route::PromptingInit).await
}

#[derive(Clone, Copy)]
enum Route {
    Method,
    PromptingInit,
}

/// Reads the request, answers it by the contract, forwards it when asked, and records it.
async fn exchange(app: &AppState, req: Request, route: Route) -> Response {
    let started = Instant::now();
    let received_ms = timestamp::now_ms();
    let (parts, body) = req.into_parts();
    let (bytes, arrived) = read_at_most(body, api::MAX_BODY_BYTES + 1, &app.limits).await;
    let local = match (arrived, route) {
        (Arrived::Whole, Route::Method) => handle(app, &parts, &bytes, received_ms).await,
        (Arrived::Whole, Route::PromptingInit) => prompting_answer(&parts),
        (Arrived::Cut, _) => respond::body_cut_short(bytes.len()),
        (Arrived::TooSlow, _) => respond::body_too_slow(&app.limits),
    };
    if parts.method == http::Method::OPTIONS || !(app.traffic.enabled() || app.forward.is_some()) {
        return with_cors(local);
    }
    let local_latency = started.elapsed().as_secs_f64() * 1000.0;
    let local_status = local.status().as_u16();
    let local_body = local
        .extensions()
        .get::<respond::SentBody>()
        .map(|b| b.0.clone())
        .unwrap_or_default();
    let forwarded = match &app.forward {
        Some(forward) if parts.method == http::Method::POST && arrived == Arrived::Whole => {
            Some(forward.send(&parts, bytes.clone()).await)
        }
        _ => None,
    };
    let answer = match &forwarded {
        Some(upstream) => forward::answer(upstream),
        None => local,
    };
    let (raw_key, rest) = two_segments(parts.uri.path());
    if key::check(raw_key).is_ok() && !api::runtime::is_reserved_path_key(raw_key) {
        let truncated = bytes.len() > api::MAX_BODY_BYTES;
        let body = &bytes[..bytes.len().min(api::MAX_BODY_BYTES)];
        app.traffic.record(
            raw_key,
            Recorded {
                id: 0,
                key: traffic::no_key(),
                received_ms,
                verb: parts.method.clone(),
                texts: traffic::Texts::new(rest, &parts.headers, body, &local_body),
                body_truncated: truncated,
                body_incomplete: arrived != Arrived::Whole,
                local: (local_status, local_latency),
                upstream: forwarded.map(traffic::Upstream::for_record),
                runtime_key: None,
            },
        );
    }
    with_cors(answer)
}

async fn handle(
    app: &AppState,
    parts: &http::request::Parts,
    bytes: &[u8],
    received_ms: i64,
) -> Response {
    let (raw_key, raw_method) = two_segments(parts.uri.path());
    let Some((method, alias)) = Method::from_route(raw_method) else {
        return unknown_method(raw_method);
    };
    match parts.method {
        http::Method::POST => {}
        http::Method::OPTIONS => {
            return respond::preflight("POST, OPTIONS", "content-type, bucket-sdk-version");
        }
        _ => return respond::method_not_allowed("POST, OPTIONS"),
    }
    if let Err(e) = key::check(raw_key) {
        return bad_request(invalid_key(&e));
    }
    if api::runtime::is_reserved_path_key(raw_key) {
        return reserved_key(raw_key);
    }
    let value = match read_json(&parts.headers, bytes) {
        Ok(value) => value,
        Err(r) => return bad_request(r),
    };
    let validated = match api::validate(method, &value, received_ms) {
        Ok(v) => v,
        Err(errors) => return bad_request(Rejection::from_errors(errors)),
    };
    if app.fail_rate > 0.0 && fastrand::f64() < app.fail_rate {
        return respond::storage_failed("fault injected by --fail-rate");
    }
    let mut warnings = Vec::new();
    if alias {
        warnings.push(Warning::events_alias());
    }
    warnings.extend(validated.warnings);
    respond::stored(
        app.store
            .write(raw_key, validated.payload, received_ms)
            .await,
        warnings,
    )
}

fn prompting_answer(parts: &http::request::Parts) -> Response {
    match parts.method {
        http::Method::POST => match key::check(first_segment(parts.uri.path())) {
            Ok(()) => respond::json(StatusCode::OK, &serde_json::json!({"success": false})),
            Err(e) => bad_request(invalid_key(&e)),
        },
        http::Method::OPTIONS => {
            respond::preflight("POST, OPTIONS", "content-type, bucket-sdk-version")
        }
        _ => respond::method_not_allowed("POST, OPTIONS"),
    }
}

fn first_segment(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or("")
}

fn two_segments(path: &str) -> (&str, &str) {
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    (parts.next().unwrap_or(""), parts.next().unwrap_or(""))
}

fn unknown_method(raw: &str) -> Response {
    let shown: String = raw.chars().take(40).collect();
    let hint = api::suggest::nearest(raw, &Method::ALL.map(Method::as_str))
        .map(|m| format!("; did you mean `{m}`?"))
        .unwrap_or_default();
    respond::rejection(
        StatusCode::NOT_FOUND,
        Rejection::new(
            ErrorCode::UnknownMethod,
            format!(
                "unknown method `{shown}`: the methods are {}{hint}",
                Method::list()
            ),
        ),
    )
}

/// `/features/…`, `/feedback/…` and `/sse/…` are the Runtime API's routes.
fn reserved_key(raw: &str) -> Response {
    respond::rejection(
        StatusCode::NOT_FOUND,
        Rejection::whole(
            ErrorCode::NotFound,
            FieldCode::InvalidApiKey,
            format!(
                "`{raw}` cannot be a tracking key: /{raw}/… are Runtime API routes (the reserved \
                 path keys are {}); nothing was stored",
                api::runtime::RESERVED_PATH_KEYS.join(", ")
            ),
        ),
    )
}

fn invalid_key(e: &key::KeyError) -> Rejection {
    Rejection::whole(
        ErrorCode::InvalidApiKey,
        FieldCode::InvalidApiKey,
        format!("{e}; find your tracking key under Settings in Bucket"),
    )
}

pub(super) fn read_json(
    headers: &http::HeaderMap,
    bytes: &[u8],
) -> Result<serde_json::Value, Rejection> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("?"));
    body::check_content_type(content_type)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if bytes.len() > api::MAX_BODY_BYTES {
        return Err(body::oversized(bytes, declared));
    }
    body::parse(bytes)
}

/// How much of a body came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Arrived {
    /// All of it, or the first `limit` bytes of it.
    Whole,
    /// The client closed, or broke the framing, before its end: never validated nor stored.
    Cut,
    /// Too long without a byte, or too long in all (the body timeouts).
    TooSlow,
}

/// Reads the body until it ends or `limit` bytes are in hand, so a huge body is never buffered,
/// within the body timeouts.
pub(super) async fn read_at_most(body: Body, limit: usize, limits: &Limits) -> (Vec<u8>, Arrived) {
    use axum::body::HttpBody as _;
    use http_body_util::BodyExt;
    let mut body = body;
    // Sized once from what the body says it holds, so a small body is one allocation.
    let hint = body
        .size_hint()
        .exact()
        .map_or(0, |n| usize::try_from(n).unwrap_or(limit).min(limit));
    let mut bytes = Vec::with_capacity(hint);
    let all_by = tokio::time::Instant::now() + limits.body_total_timeout;
    while bytes.len() < limit {
        let by = all_by.min(tokio::time::Instant::now() + limits.body_idle_timeout);
        match tokio::time::timeout_at(by, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    bytes.extend_from_slice(&data);
                }
            }
            Ok(None) => break,
            Ok(Some(Err(_))) => return (bytes, Arrived::Cut),
            Err(_) => return (bytes, Arrived::TooSlow),
        }
    }
    (bytes, Arrived::Whole)
}

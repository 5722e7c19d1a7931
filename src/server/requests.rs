//! The traffic routes: `GET /_local/{key}/requests?after=ID&limit=N` (oldest first: after ID, or
//! the newest N) and `GET /_local/{key}/requests/stream`, server-sent events, one `request` event
//! per recorded request as it happens (after the backlog asked for with `?after=ID` or
//! `Last-Event-ID`). No CORS, like every inspection route.

use super::AppState;
use super::inspect::{
    DEFAULT_LIMIT, MAX_LIMIT, Params, bad_number, key_param, pairs, query_rejection,
    unknown_parameter,
};
use super::respond::{self, bad_request};
use super::traffic::Recorded;
use crate::api::ValidationError;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

/// `after` and `limit`, checked like every inspection query.
fn parse(query: &str, with_limit: bool) -> Result<(Option<u64>, usize), Vec<ValidationError>> {
    let pairs = pairs(query)?;
    let known: &[&str] = if with_limit {
        &["after", "limit"]
    } else {
        &["after"]
    };
    let (mut after, mut limit, mut errors) = (None, DEFAULT_LIMIT as usize, Vec::new());
    for (name, value) in pairs {
        let path = format!("/{name}");
        match name.as_str() {
            "after" => match value.parse::<u64>() {
                Ok(n) => after = Some(n),
                Err(_) => errors.push(bad_number(&path, "after", &value)),
            },
            "limit" if with_limit => match value.parse::<u64>() {
                Ok(n) => limit = n.min(u64::from(MAX_LIMIT)) as usize,
                Err(_) => errors.push(bad_number(&path, "limit", &value)),
            },
            other => errors.push(unknown_parameter(&path, other, known)),
        }
    }
    if errors.is_empty() {
        Ok((after, limit))
    } else {
        Err(errors)
    }
}

pub async fn list(
    State(app): State<Arc<AppState>>,
    params: Params,
    RawQuery(q): RawQuery,
) -> Response {
    let key = match key_param(params) {
        Ok((key, _)) => key,
        Err(r) => return r,
    };
    let (after, limit) = match parse(q.as_deref().unwrap_or(""), true) {
        Ok(parsed) => parsed,
        Err(errors) => return bad_request(query_rejection(errors)),
    };
    let records: Vec<_> = app
        .traffic
        .list(&key, after, limit)
        .iter()
        .map(|r| r.to_record())
        .collect();
    respond::json(StatusCode::OK, &records)
}

pub async fn stream(
    State(app): State<Arc<AppState>>,
    params: Params,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let key = match key_param(params) {
        Ok((key, _)) => key,
        Err(r) => return r,
    };
    let (after, _) = match parse(q.as_deref().unwrap_or(""), false) {
        Ok(parsed) => parsed,
        Err(errors) => return bad_request(query_rejection(errors)),
    };
    let after = after.or_else(|| {
        headers
            .get("last-event-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
    });
    // Subscribe before reading the backlog, so nothing falls between the two.
    let live = app.traffic.subscribe();
    let backlog = after.map_or_else(Vec::new, |after| {
        app.traffic.list(&key, Some(after), usize::MAX)
    });
    let mut last = backlog.last().map_or(after.unwrap_or(0), |r| r.id);
    let mine: Arc<str> = Arc::from(key.as_str());
    let traffic_app = Arc::clone(&app);
    let backlog = futures_util::stream::iter(backlog.into_iter().map(|r| Ok(event(&r))));
    let live = BroadcastStream::new(live).flat_map(move |item| {
        let events: Vec<Result<Event, Infallible>> = match item {
            Ok(r) if r.key == mine && r.id > last => {
                last = r.id;
                vec![Ok(event(&r))]
            }
            Ok(_) => vec![],
            // Fell behind: what was missed is still in the table.
            Err(BroadcastStreamRecvError::Lagged(_)) => {
                let key = key.clone();
                let missed = traffic_app.traffic.list(&key, Some(last), usize::MAX);
                if let Some(r) = missed.last() {
                    last = r.id;
                }
                missed.iter().map(|r| Ok(event(r))).collect()
            }
        };
        futures_util::stream::iter(events)
    });
    let mut stopping = app.stopping.clone();
    let stopped = async move {
        let _ = stopping.wait_for(|stop| *stop).await;
    };
    Sse::new(backlog.chain(live).take_until(stopped))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

fn event(r: &Recorded) -> Event {
    Event::default()
        .event("request")
        .id(r.id.to_string())
        .json_data(r.to_record())
        .unwrap_or_else(|_| Event::default().comment("unserializable record"))
}

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
use super::traffic::{Notice, Recorded};
use crate::api::ValidationError;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

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
    let key = match key_param(&app, params) {
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
    let key = match key_param(&app, params) {
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
    let live = app.traffic.subscribe();
    // Subscribed first, so nothing falls between the last id and the first notice.
    let last = after.unwrap_or_else(|| app.traffic.last_id());
    let follow = Follow {
        app: Arc::clone(&app),
        key,
        live,
        last,
        page: VecDeque::new(),
        behind: after.is_some(),
    };
    let events = futures_util::stream::unfold(follow, |mut f| async move {
        let record = f.next().await?;
        Some((Ok::<_, Infallible>(event(&record)), f))
    });
    let mut stopping = app.stopping.clone();
    let stopped = async move {
        let _ = stopping.wait_for(|stop| *stop).await;
    };
    Sse::new(events.take_until(stopped))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// Records a stream reads from the table at a time: a reader that stops reading holds at most
/// this many, however much it has missed.
const PAGE: usize = 32;

/// One stream's place: records are read from the table a page at a time after the last one sent,
/// when a notice says there is something new for this key or when the reader fell behind the
/// notices. Nothing is serialized ahead of what the reader takes.
struct Follow {
    app: Arc<AppState>,
    key: String,
    live: tokio::sync::broadcast::Receiver<Notice>,
    last: u64,
    page: VecDeque<Arc<Recorded>>,
    /// Records after `last` may be in the table: read before waiting for notices.
    behind: bool,
}

impl Follow {
    async fn next(&mut self) -> Option<Arc<Recorded>> {
        loop {
            if let Some(record) = self.page.pop_front() {
                self.last = record.id;
                return Some(record);
            }
            if self.behind {
                self.page = self
                    .app
                    .traffic
                    .list(&self.key, Some(self.last), PAGE)
                    .into();
                self.behind = !self.page.is_empty();
                continue;
            }
            match self.live.recv().await {
                Ok(notice) => {
                    self.behind = notice.id > self.last && *notice.key == *self.key;
                }
                Err(RecvError::Lagged(_)) => self.behind = true,
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

fn event(r: &Recorded) -> Event {
    Event::default()
        .event("request")
        .id(r.id.to_string())
        .json_data(r.to_record())
        .unwrap_or_else(|_| Event::default().comment("unserializable record"))
}

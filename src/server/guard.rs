//! What every request passes through: the Host check that stops DNS rebinding, the injected
//! latency, and the access log (route template and key fingerprint, never the key).

use super::AppState;
use super::respond;
use crate::api::{ErrorCode, Rejection, key, timestamp};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

pub async fn guard(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let log = app.access_log.then(|| LogLine::of(&req));
    let response = if app.loopback_only && !host_allowed(req.headers()) {
        forbidden_host()
    } else {
        next.run(req).await
    };
    if !app.latency.is_zero() {
        tokio::time::sleep(app.latency).await;
    }
    if let Some(line) = log {
        line.print(response.status(), started);
    }
    response
}

/// A server on loopback answers only requests addressed to a loopback name. Requests without a
/// Host (HTTP/1.0 tools) are served: browsers always send one, so rebinding is still stopped.
fn host_allowed(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::HOST) else {
        return true;
    };
    let Ok(host) = value.to_str() else {
        return false;
    };
    let name = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    ["localhost", "127.0.0.1", "[::1]"]
        .iter()
        .any(|ok| name.eq_ignore_ascii_case(ok))
}

fn forbidden_host() -> Response {
    respond::rejection(
        StatusCode::FORBIDDEN,
        Rejection::new(
            ErrorCode::ForbiddenHost,
            "this server listens on loopback and answers only requests addressed to localhost, \
             127.0.0.1 or [::1]",
        ),
    )
}

struct LogLine {
    verb: String,
    template: String,
    fingerprint: Option<String>,
}

impl LogLine {
    fn of(req: &Request) -> Self {
        let template = req
            .extensions()
            .get::<MatchedPath>()
            .map_or_else(|| "(no route)".to_owned(), |p| p.as_str().to_owned());
        let segments: Vec<&str> = req
            .uri()
            .path()
            .trim_start_matches('/')
            .split('/')
            .collect();
        let key_segment = match segments.as_slice() {
            ["_local", "health"] => None,
            ["_local", key, ..] | [key, _, ..] => Some(*key),
            _ => None,
        };
        Self {
            verb: req.method().to_string(),
            template,
            fingerprint: key_segment.map(key::fingerprint),
        }
    }

    fn print(&self, status: StatusCode, started: Instant) {
        let key = self
            .fingerprint
            .as_deref()
            .map(|f| format!(" key{f}"))
            .unwrap_or_default();
        let line = format!(
            "{} {} {}{key} {} {:.1}ms\n",
            timestamp::format(timestamp::now_ms()),
            self.verb,
            self.template,
            status.as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        );
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn allowed(host: Option<&str>) -> bool {
        let mut headers = HeaderMap::new();
        if let Some(h) = host {
            headers.insert(header::HOST, HeaderValue::from_str(h).unwrap());
        }
        host_allowed(&headers)
    }

    #[test]
    fn only_loopback_names_pass() {
        for ok in [
            None,
            Some("localhost"),
            Some("LOCALHOST:8787"),
            Some("127.0.0.1:1"),
            Some("[::1]:80"),
            Some("[::1]"),
        ] {
            assert!(allowed(ok), "{ok:?}");
        }
        for bad in [
            "evil.com",
            "localhost.evil.com",
            "127.0.0.2",
            "[::2]:80",
            "10.0.0.1:8787",
            "",
        ] {
            assert!(!allowed(Some(bad)), "{bad}");
        }
    }
}

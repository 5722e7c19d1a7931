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
    let response = if let Some(refused) =
        host_refusal(&req, app.loopback_only, &app.limits.allowed_hosts)
    {
        refused
    } else if let Some(coding) = unsupported_coding(req.headers()) {
        respond::rejection(
            StatusCode::NOT_IMPLEMENTED,
            Rejection::new(
                ErrorCode::UnsupportedTransferEncoding,
                format!(
                    "transfer coding `{coding}` is not supported: send the body as is or chunked \
                     (RFC 9112 §6.1)"
                ),
            ),
        )
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

/// The Host rule, applied to every name the request is addressed to: more than one `Host` is a
/// 400 (RFC 9112 §3.2: which one a proxy or the server reads would differ), and an absolute-form
/// target (`POST http://evil.example/k/event`), which names the host in place of `Host`
/// (RFC 9112 §3.2.2), must pass the same check as `Host`.
fn host_refusal(req: &Request, loopback_only: bool, allowed: &[String]) -> Option<Response> {
    if req.headers().get_all(header::HOST).iter().nth(1).is_some() {
        return Some(respond::rejection(
            StatusCode::BAD_REQUEST,
            Rejection::new(
                ErrorCode::InvalidHost,
                "a request must carry one `Host` header, not several (RFC 9112 §3.2)",
            ),
        ));
    }
    let target_ok = req.uri().authority().is_none_or(|a| {
        name_allowed(
            a.as_str().rsplit('@').next().unwrap_or(""),
            loopback_only,
            allowed,
        )
    });
    (!target_ok || !host_allowed(req.headers(), loopback_only, allowed))
        .then(|| forbidden_host(loopback_only))
}

/// The Host rule that stops DNS rebinding (a page on an attacker's name that resolves to this
/// server). On loopback, only loopback names pass. On a network address, a request must name the
/// server by an IP literal, `localhost`, or a name given with `--allow-host`: a rebinding page
/// always sends its own name. Requests without a Host (HTTP/1.0 tools) are served: browsers
/// always send one, so rebinding is still stopped.
fn host_allowed(headers: &HeaderMap, loopback_only: bool, allowed: &[String]) -> bool {
    let Some(value) = headers.get(header::HOST) else {
        return true;
    };
    let Ok(host) = value.to_str() else {
        return false;
    };
    name_allowed(host, loopback_only, allowed)
}

/// Whether `host` (a name or address, with or without a port) is one this server answers to.
fn name_allowed(host: &str, loopback_only: bool, allowed: &[String]) -> bool {
    let name = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    if loopback_only {
        return ["localhost", "127.0.0.1", "[::1]"]
            .iter()
            .any(|ok| name.eq_ignore_ascii_case(ok));
    }
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost")
        || bare.parse::<std::net::IpAddr>().is_ok()
        || allowed.iter().any(|ok| name.eq_ignore_ascii_case(ok))
}

fn forbidden_host(loopback_only: bool) -> Response {
    let message = if loopback_only {
        "this server listens on loopback and answers only requests addressed to localhost, \
         127.0.0.1 or [::1]"
    } else {
        "this server answers only requests addressed to an IP address, localhost, or a name \
         allowed with `serve --allow-host NAME`"
    };
    respond::rejection(
        StatusCode::FORBIDDEN,
        Rejection::new(ErrorCode::ForbiddenHost, message),
    )
}

/// The first transfer coding other than `chunked`, if any: hyper frames the body by the final
/// `chunked` and would hand over the gzip (or other) coding as if it were the body itself.
fn unsupported_coding(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::TRANSFER_ENCODING)
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("?").split(','))
        .map(str::trim)
        .find(|c| !c.eq_ignore_ascii_case("chunked"))
        .map(|c| c.chars().take(40).collect())
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

    fn headers(host: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(h) = host {
            headers.insert(header::HOST, HeaderValue::from_str(h).unwrap());
        }
        headers
    }

    fn allowed(host: Option<&str>) -> bool {
        host_allowed(&headers(host), true, &[])
    }

    #[test]
    fn on_a_network_address_names_must_be_ips_localhost_or_allowed() {
        let allow = ["demo.lan".to_owned()];
        let network = |h: &str| host_allowed(&headers(Some(h)), false, &allow);
        for ok in [
            "10.0.0.1:8787",
            "192.168.1.20",
            "[fe80::1]:80",
            "localhost:8787",
            "DEMO.lan:8787",
            "127.0.0.1",
        ] {
            assert!(network(ok), "{ok}");
        }
        for bad in ["evil.com", "demo.lan.evil.com", "10.0.0.1.nip.io", ""] {
            assert!(!network(bad), "{bad}");
        }
    }

    #[test]
    fn only_chunked_is_a_supported_coding() {
        let mut h = HeaderMap::new();
        assert_eq!(unsupported_coding(&h), None);
        h.insert(
            header::TRANSFER_ENCODING,
            HeaderValue::from_static("chunked"),
        );
        assert_eq!(unsupported_coding(&h), None);
        h.insert(
            header::TRANSFER_ENCODING,
            HeaderValue::from_static("gzip, chunked"),
        );
        assert_eq!(unsupported_coding(&h).as_deref(), Some("gzip"));
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

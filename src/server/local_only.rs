//! The `/_local` routes are for the console and the command line, never for web pages: they read
//! everything stored and start costly computations. A page can still aim a request at
//! `127.0.0.1:8787/_local/local/…` without reading the answer (a "no-cors" request needs no
//! preflight), so those requests are refused before any work: one whose `Origin` names another
//! site (browsers send it on every POST and on cross-origin reads; the console and curl send
//! none), and one with a body that is not `application/json` (the only types a no-cors request
//! may send are form and text ones).

use super::respond;
use crate::api::{ErrorCode, Rejection, body};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

pub async fn local_only(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/_local/") {
        return next.run(req).await;
    }
    if let Some(origin) = foreign_origin(req.headers()) {
        return respond::rejection(
            StatusCode::FORBIDDEN,
            Rejection::new(
                ErrorCode::ForbiddenOrigin,
                format!(
                    "the /_local routes answer the console and command-line tools, not web pages: \
                     this request came from the page origin `{origin}`"
                ),
            ),
        );
    }
    let may_carry_a_body = ![Method::GET, Method::HEAD, Method::OPTIONS].contains(req.method());
    if may_carry_a_body {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or("?"));
        if let Err(rejection) = body::check_content_type(content_type) {
            return respond::rejection(StatusCode::UNSUPPORTED_MEDIA_TYPE, rejection);
        }
    }
    next.run(req).await
}

/// The `Origin` of a request from another site (shortened for the answer), if it has one: any
/// origin but this server's own (`http://` and the `Host` it was addressed by). `null`, sent by
/// sandboxed and local pages, is another site too.
fn foreign_origin(headers: &HeaderMap) -> Option<String> {
    let origin = headers.get(header::ORIGIN)?;
    let own = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|host| format!("http://{host}"));
    let same = own.is_some_and(|own| origin.to_str().is_ok_and(|o| o.eq_ignore_ascii_case(&own)));
    (!same).then(|| {
        let shown = String::from_utf8_lossy(origin.as_bytes());
        crate::sanitize::sanitize(&shown.chars().take(100).collect::<String>())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn foreign(origin: Option<&str>, host: Option<&str>) -> bool {
        let mut h = HeaderMap::new();
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        if let Some(v) = host {
            h.insert(header::HOST, HeaderValue::from_str(v).unwrap());
        }
        foreign_origin(&h).is_some()
    }

    #[test]
    fn only_no_origin_or_the_servers_own_passes() {
        assert!(!foreign(None, Some("127.0.0.1:8787")));
        assert!(!foreign(
            Some("http://127.0.0.1:8787"),
            Some("127.0.0.1:8787")
        ));
        assert!(!foreign(
            Some("http://LOCALHOST:8787"),
            Some("localhost:8787")
        ));
        for other in [
            "https://evil.example",
            "null",
            "http://127.0.0.1:8788",
            "http://localhost:8787",
            "https://127.0.0.1:8787",
            "http://127.0.0.1:8787.evil.example",
        ] {
            assert!(foreign(Some(other), Some("127.0.0.1:8787")), "{other}");
        }
        assert!(foreign(Some("http://127.0.0.1:8787"), None));
    }
}

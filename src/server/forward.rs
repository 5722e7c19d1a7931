//! `serve --forward URL`: after answering by the contract, pass each tracking call on unchanged to
//! the real service and give the app the real service's answer; both are recorded side by side.

use super::respond;
use super::traffic::Upstream;
use crate::api::{ErrorCode, Rejection};
use axum::body::Body;
use axum::http::{self, HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use std::time::{Duration, Instant};

/// Request headers passed on; the rest (Host, hop-by-hop, cookies) stay here.
const PASSED_ON: [&str; 5] = [
    "content-type",
    "bucket-sdk-version",
    "user-agent",
    "origin",
    "accept",
];

/// Why `--forward URL` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    #[error("--forward needs an http(s) URL: {0}")]
    NotAUrl(String),
    #[error("--forward needs an http(s) URL, not `{0}:`")]
    Scheme(String),
    /// The HTTP client could not be built (the reason as the client describes it).
    #[error("{0}")]
    Client(String),
}

pub struct Forward {
    base: String,
    http: reqwest::Client,
}

impl Forward {
    /// `base` is checked as an http(s) URL; calls go to `{base}/{key}/{method}`.
    pub fn new(base: &str) -> Result<Self, ForwardError> {
        let url =
            reqwest::Url::parse(base.trim()).map_err(|e| ForwardError::NotAUrl(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ForwardError::Scheme(url.scheme().to_owned()));
        }
        let http = crate::net::client_builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| ForwardError::Client(crate::net::describe(e)))?;
        Ok(Self {
            base: base.trim().trim_end_matches('/').to_owned(),
            http,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub async fn send(&self, parts: &http::request::Parts, body: Vec<u8>) -> Upstream {
        self.pass_on(parts, body, &PASSED_ON).await
    }

    /// A Runtime API call, passed on with its verb and its key (`Authorization`), which the
    /// real service needs as much as the path key of a tracking call.
    pub async fn send_runtime(&self, parts: &http::request::Parts, body: Vec<u8>) -> Upstream {
        const RUNTIME: [&str; 7] = [
            "content-type",
            "reflag-sdk-version",
            "authorization",
            "user-agent",
            "origin",
            "accept",
            "bucket-sdk-version",
        ];
        self.pass_on(parts, body, &RUNTIME).await
    }

    async fn pass_on(
        &self,
        parts: &http::request::Parts,
        body: Vec<u8>,
        headers: &[&str],
    ) -> Upstream {
        let path_and_query = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path(), |p| p.as_str());
        let url = format!("{}{path_and_query}", self.base);
        let mut request = if parts.method == http::Method::GET {
            self.http.get(url)
        } else {
            self.http.post(url).body(body)
        };
        for &name in headers {
            if let Some(value) = parts.headers.get(name) {
                request = request.header(name, value.as_bytes());
            }
        }
        let started = Instant::now();
        let answer = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                crate::net::read_body(response)
                    .await
                    .map(|b| (status, b))
                    .map_err(|e| e.to_string())
            }
            Err(e) => Err(crate::net::describe(e)),
        };
        Upstream {
            answer,
            latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        }
    }
}

/// The real service's answer for the app, or a 502 saying why there was none.
pub fn answer(upstream: &Upstream) -> Response {
    match &upstream.answer {
        Ok((status, body)) => {
            let mut response = Response::new(Body::from(Bytes::clone(body)));
            *response.status_mut() =
                StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_GATEWAY);
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(why) => respond::rejection(
            StatusCode::BAD_GATEWAY,
            Rejection::new(
                ErrorCode::UpstreamFailed,
                format!(
                    "the real service did not answer: {why}; the call was checked and recorded here"
                ),
            ),
        ),
    }
}

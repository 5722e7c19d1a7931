//! Building answers: JSON bodies, the error shape of assets/contract.md §3, and CORS for tracking routes.

use crate::api::{ErrorCode, Rejection, SuccessBody};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;

/// The body of a JSON answer, kept beside it so the traffic recorder can read it without taking
/// the response apart.
#[derive(Clone)]
pub struct SentBody(pub Bytes);

pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    json_bytes(
        status,
        Bytes::from(serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec())),
    )
}

/// An answer of JSON already written.
pub fn json_bytes(status: StatusCode, bytes: Bytes) -> Response {
    let mut response = (status, bytes.clone()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response.extensions_mut().insert(SentBody(bytes));
    response
}

pub fn success(body: &SuccessBody) -> Response {
    json(StatusCode::OK, body)
}

pub fn rejection(status: StatusCode, rejection: Rejection) -> Response {
    json(status, &rejection.into_body())
}

pub fn bad_request(r: Rejection) -> Response {
    rejection(StatusCode::BAD_REQUEST, r)
}

pub fn storage_failed(detail: &str) -> Response {
    rejection(
        StatusCode::INTERNAL_SERVER_ERROR,
        Rejection::new(
            ErrorCode::UnknownError,
            format!("storing the call failed ({detail}); nothing was stored, so retrying is safe"),
        ),
    )
}

/// A body that ended before its end (the answer usually reaches nobody: the client is gone).
pub fn body_cut_short(received: usize) -> Response {
    bad_request(Rejection::new(
        ErrorCode::IncompleteBody,
        format!(
            "the body ended after {received} bytes, before its declared end; nothing was checked \
             or stored"
        ),
    ))
}

/// A body that stalled or dragged on past the body timeouts.
pub fn body_too_slow(limits: &super::Limits) -> Response {
    let mut response = rejection(
        StatusCode::REQUEST_TIMEOUT,
        Rejection::new(
            ErrorCode::RequestTimeout,
            format!(
                "the body did not arrive in time ({} s without a byte, or {} s in all); nothing \
                 was stored",
                limits.body_idle_timeout.as_secs_f64(),
                limits.body_total_timeout.as_secs_f64()
            ),
        ),
    );
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

pub fn not_found(message: impl Into<String>) -> Response {
    rejection(
        StatusCode::NOT_FOUND,
        Rejection::new(ErrorCode::NotFound, message),
    )
}

pub fn method_not_allowed(allow: &'static str) -> Response {
    let mut response = rejection(
        StatusCode::METHOD_NOT_ALLOWED,
        Rejection::new(
            ErrorCode::MethodNotAllowed,
            format!("this route only answers {allow}"),
        ),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

pub async fn route_not_found() -> Response {
    not_found(
        "no such route: tracking calls are POST /{trackingKey}/{user|company|event|feedback}; \
         the local server also answers GET /_local/health and /_local/{trackingKey}/…",
    )
}

pub async fn inspection_method_not_allowed() -> Response {
    method_not_allowed("GET")
}

/// Tracking routes are meant for browsers too: every answer allows any origin.
pub fn with_cors(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// The answer to a CORS preflight: which methods and request headers a page may use.
pub fn preflight(methods: &'static str, headers: &'static str) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(methods),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(headers),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    with_cors(response)
}

/// The answer to a call the store was given: 200 with the warnings, 400 for what the store
/// refused, 500 when storing failed (nothing stored, so a retry is right).
pub fn stored(
    outcome: Result<crate::server::store::Outcome, crate::server::store::StoreError>,
    mut warnings: Vec<crate::api::Warning>,
) -> Response {
    match outcome {
        Ok(Ok(applied)) => {
            warnings.extend(applied.warnings);
            success(&crate::api::SuccessBody::new(applied.feedback_id, warnings))
        }
        Ok(Err(rejection)) if rejection.code == crate::api::ErrorCode::UnknownError => {
            self::rejection(StatusCode::INTERNAL_SERVER_ERROR, rejection)
        }
        Ok(Err(rejection)) => bad_request(rejection),
        Err(e) => storage_failed(&e.to_string()),
    }
}

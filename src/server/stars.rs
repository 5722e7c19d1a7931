//! `POST /_local/{key}/stars` (assets/contract.md §9): each feature's STARS funnel over what this
//! server stored. A POST because the features to evaluate travel in the body.

use super::AppState;
use super::inspect::{Params, key_param};
use super::respond::{self, bad_request};
use super::store::stars;
use crate::api::stars::StarsRequest;
use crate::api::{ErrorCode, FieldCode, Rejection, ValidationError, timestamp};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use std::sync::Arc;

pub async fn stars(State(app): State<Arc<AppState>>, params: Params, body: Bytes) -> Response {
    let key = match key_param(params) {
        Ok((key, _)) => key,
        Err(r) => return r,
    };
    let request: StarsRequest = if body.iter().all(u8::is_ascii_whitespace) {
        StarsRequest {
            features: Vec::new(),
            as_of: None,
            company_id: None,
            standings: false,
        }
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => return refuse("", format!("the body is not a STARS request: {e}")),
        }
    };
    let as_of = match &request.as_of {
        None => timestamp::now_ms(),
        Some(v) => match timestamp::parse(v) {
            Ok(ms) => ms,
            Err(e) => return refuse("/asOf", format!("`asOf` {e}")),
        },
    };
    let problems: Vec<String> = request
        .features
        .iter()
        .flat_map(crate::api::stars::Feature::problems)
        .collect();
    if !problems.is_empty() {
        return refuse("/features", problems.join("; "));
    }
    let StarsRequest {
        features,
        company_id,
        standings,
        ..
    } = request;
    let read = app
        .store
        .read(move |conn| {
            let mut funnels = stars::funnels(conn, &key, &features, as_of, company_id.as_deref())?;
            if !standings && company_id.is_none() {
                for f in &mut funnels {
                    f.standings.clear();
                }
            }
            Ok(funnels)
        })
        .await;
    match read {
        Ok(funnels) => respond::json(StatusCode::OK, &funnels),
        Err(e) => respond::rejection(
            StatusCode::INTERNAL_SERVER_ERROR,
            Rejection::new(
                ErrorCode::UnknownError,
                format!("reading the store failed: {e}"),
            ),
        ),
    }
}

fn refuse(path: &str, message: String) -> Response {
    bad_request(Rejection {
        code: ErrorCode::QueryValidationFailed,
        message: message.clone(),
        validation_errors: vec![ValidationError::new(
            path,
            FieldCode::InvalidParameter,
            message,
        )],
    })
}

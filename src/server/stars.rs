//! `POST /_local/{key}/stars` (assets/contract.md §9): each feature's STARS funnel over what this
//! server stored. A POST because the features to evaluate travel in the body. What one request
//! may cost is bounded: the features it names, the time it computes (stopped too when its client
//! goes away) and the size of its answer.

use super::AppState;
use super::inspect::{Params, key_param};
use super::respond::{self, bad_request};
use super::stars_cache::Question;
use super::store::{StoreError, stars};
use crate::api::stars::{Funnel, StarsRequest};
use crate::api::{ErrorCode, FieldCode, Rejection, ValidationError, timestamp};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use std::sync::Arc;

pub async fn stars(State(app): State<Arc<AppState>>, params: Params, body: Bytes) -> Response {
    let key = match key_param(&app, params) {
        Ok((key, _)) => key,
        Err(r) => return r,
    };
    let request: StarsRequest = if body.iter().all(u8::is_ascii_whitespace) {
        StarsRequest {
            features: Vec::new(),
            as_of: None,
            company_id: None,
            standings: false,
            companies: true,
        }
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => return refuse("", format!("the body is not a STARS request: {e}")),
        }
    };
    if let Some(problem) = request.problems() {
        return refuse("/features", problem);
    }
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
    let mut request = request;
    let features = request.take_distinct_features();
    let cap = app.limits.stars_answer_bytes;
    let question = Question {
        key: key.clone(),
        features: features.clone(),
        company_id: request.company_id.clone(),
        standings: request.standings,
        companies: request.companies,
    };
    // Read before computing: the funnels then reflect at least the store at this count.
    let changes = app.store.changes();
    if let Some(response) = reused(&app, &question, changes, as_of) {
        return response;
    }
    let read = app
        .store
        .read_within(app.limits.stars_timeout, move |conn| {
            let mut answer = Answer::new(cap);
            let later = stars::each_funnel(conn, &key, &features, as_of, request.listing(), |f| {
                answer.push(&f)
            })?;
            Ok(answer.finish().map(|bytes| (bytes, later)))
        })
        .await;
    match read {
        Ok(Some((bytes, later))) => {
            let bytes = Bytes::from(bytes);
            app.stars_cache
                .put(question, changes, as_of, later.0, bytes.clone());
            with_cache_header(respond::json_bytes(StatusCode::OK, bytes), MISS)
        }
        Ok(None) => too_costly(
            ErrorCode::AnswerTooLarge,
            format!(
                "the answer would pass {} MiB: name fewer features, or one company with `companyId`",
                cap / (1024 * 1024)
            ),
        ),
        Err(e) => failed(&e),
    }
}

fn failed(e: &StoreError) -> Response {
    match e {
        StoreError::OverBudget(budget) => too_costly(
            ErrorCode::QueryTimeout,
            format!(
                "computing the funnels took longer than {} s and was stopped: name fewer features \
                 or events (`serve --stars-timeout` allows more)",
                budget.as_secs_f64()
            ),
        ),
        e => respond::rejection(
            StatusCode::INTERNAL_SERVER_ERROR,
            Rejection::new(
                ErrorCode::UnknownError,
                format!("reading the store failed: {e}"),
            ),
        ),
    }
}

/// Says whether the funnels were computed for this request or reused (the store unchanged since
/// an identical one earlier the same day): `curl -i` and the traffic log show which.
const CACHE_HEADER: &str = "x-stars-cache";
const HIT: HeaderValue = HeaderValue::from_static("hit");
const MISS: HeaderValue = HeaderValue::from_static("miss");

fn with_cache_header(mut response: Response, value: HeaderValue) -> Response {
    response.headers_mut().insert(CACHE_HEADER, value);
    response
}

/// The answer kept for an identical request over the same store and day, if any.
fn reused(app: &AppState, question: &Question, changes: u64, as_of: i64) -> Option<Response> {
    let bytes = app.stars_cache.get(question, changes, as_of)?;
    Some(with_cache_header(
        respond::json_bytes(StatusCode::OK, bytes),
        HIT,
    ))
}

/// The answer's JSON array, written funnel by funnel up to its bound: what is computed is not
/// also held as values.
struct Answer {
    bytes: Vec<u8>,
    cap: usize,
    over: bool,
}

impl Answer {
    fn new(cap: usize) -> Self {
        Self {
            bytes: b"[".to_vec(),
            cap,
            over: false,
        }
    }

    /// Adds a funnel; false once the answer is past its bound (the computation stops).
    fn push(&mut self, funnel: &Funnel) -> bool {
        if self.bytes.len() > 1 {
            self.bytes.push(b',');
        }
        self.over = serde_json::to_writer(&mut self.bytes, funnel).is_err()
            || self.bytes.len() + 1 > self.cap;
        !self.over
    }

    /// The whole array, or `None` when it would have passed the bound.
    fn finish(mut self) -> Option<Vec<u8>> {
        self.bytes.push(b']');
        (!self.over).then_some(self.bytes)
    }
}

fn too_costly(code: ErrorCode, message: String) -> Response {
    respond::rejection(
        StatusCode::SERVICE_UNAVAILABLE,
        Rejection::new(code, message),
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::stars::{Excluded, Feature, Window};

    fn funnel(name: &str) -> Funnel {
        let f = Feature::from_event(name);
        crate::api::stars::funnel(&f, Window::ending(0, &f.rules), &[], Excluded::default())
    }

    #[test]
    fn the_answer_is_a_json_array_and_stops_at_its_bound() {
        let mut answer = Answer::new(1 << 20);
        assert!(answer.push(&funnel("a")) && answer.push(&funnel("b")));
        let bytes = answer.finish().unwrap();
        let back: Vec<Funnel> = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, vec![funnel("a"), funnel("b")]);
        assert_eq!(Answer::new(1).finish().unwrap(), b"[]");

        let one = serde_json::to_vec(&funnel("a")).unwrap().len();
        let mut answer = Answer::new(one + 2);
        assert!(answer.push(&funnel("a")));
        assert!(!answer.push(&funnel("b")));
        assert_eq!(answer.finish(), None);
    }
}

//! The bodies of the Runtime API's POST routes: read as JSON within the route's limit, checked by
//! `api::runtime`, stored under the caller's environment. A refused body stores nothing.

use super::AppState;
use super::respond::{self, bad_request};
use super::runtime::{Caller, Route};
use crate::api::runtime::bulk::{self, Item, Refused};
use crate::api::runtime::key::SHORT_SECRET_CHARS;
use crate::api::runtime::{MAX_BULK_BYTES, MAX_BULK_ITEMS, events};
use crate::api::{
    ErrorCode, FieldCode, Rejection, ValidationError, Warning, WarningCode, body, validate_runtime,
};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::Value;

pub(super) async fn post(
    app: &AppState,
    route: Route,
    headers: &HeaderMap,
    bytes: &[u8],
    caller: &Caller<'_>,
) -> Response {
    let value = match read_json(headers, bytes, route) {
        Ok(value) => value,
        Err(r) if r.code == ErrorCode::BodyTooLarge => {
            return respond::rejection(StatusCode::PAYLOAD_TOO_LARGE, r);
        }
        Err(r) => return bad_request(r),
    };
    let now = caller.received_ms;
    let (items, in_array, mut warnings) = match route {
        Route::PromptingInit => {
            // Live prompts need the real service's channels: say they are off, and the browser
            // SDK carries on without them.
            return respond::json(StatusCode::OK, &serde_json::json!({"success": false}));
        }
        Route::Call(method) => match validate_runtime(method, &value, now) {
            Ok(v) => (vec![Item::Call(v.payload)], false, v.warnings),
            Err(errors) => return bad_request(Rejection::from_errors(errors)),
        },
        Route::Bulk => match bulk::validate(&value, now) {
            Ok(batch) => (batch.items, true, batch.warnings),
            Err(Refused::TooMany(n)) => return too_many(n),
            Err(Refused::Invalid(errors)) => return bad_request(batch_rejection(errors)),
        },
        Route::FlagEvents | Route::PromptEvents => match single_event(route, &value) {
            Ok(item) => (vec![item], false, Vec::new()),
            Err(errors) => return bad_request(Rejection::from_errors(errors)),
        },
        Route::Definitions | Route::Evaluated | Route::Stream => {
            return respond::method_not_allowed("GET, OPTIONS");
        }
    };
    if app.fail_rate > 0.0 && fastrand::f64() < app.fail_rate {
        return respond::storage_failed("fault injected by --fail-rate");
    }
    if caller.key.is_short_secret() {
        warnings.push(short_secret());
    }
    let outcome = match (route, items.as_slice()) {
        (Route::Call(_), [Item::Call(_)]) => {
            let Some(Item::Call(payload)) = items.into_iter().next() else {
                return respond::storage_failed("no call");
            };
            app.store.write(caller.environment, payload, now).await
        }
        _ => {
            app.store
                .write_items(caller.environment, items, in_array, now)
                .await
        }
    };
    respond::stored(outcome, warnings)
}

fn read_json(headers: &HeaderMap, bytes: &[u8], route: Route) -> Result<Value, Rejection> {
    if route != Route::Bulk {
        return super::track::read_json(headers, bytes);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("?"));
    body::check_content_type(content_type)?;
    body::parse_within(bytes, MAX_BULK_BYTES)
}

fn single_event(route: Route, value: &Value) -> Result<Item, Vec<ValidationError>> {
    let Value::Object(map) = value else {
        return Err(vec![ValidationError::new(
            "",
            FieldCode::InvalidType,
            format!(
                "the body must be a JSON object, not {}",
                crate::api::describe_value(value)
            ),
        )]);
    };
    let mut errors = Vec::new();
    let item = if route == Route::FlagEvents {
        events::flag_event(map, "", &mut errors).map(Item::Flag)
    } else {
        events::prompt_event(map, "", &mut errors).map(Item::Prompt)
    };
    item.filter(|_| errors.is_empty()).ok_or(errors)
}

fn batch_rejection(errors: Vec<ValidationError>) -> Rejection {
    let mut rejection = Rejection::from_errors(errors);
    rejection.message = format!("{}; nothing of the batch was stored", rejection.message);
    rejection
}

fn too_many(n: usize) -> Response {
    respond::rejection(
        StatusCode::PAYLOAD_TOO_LARGE,
        Rejection::whole(
            ErrorCode::BodyTooLarge,
            FieldCode::BodyTooLarge,
            format!(
                "a batch may hold at most {MAX_BULK_ITEMS} items; this one has {n}: send the rest \
                 in another /bulk call (nothing of this one was stored)"
            ),
        ),
    )
}

fn short_secret() -> Warning {
    Warning {
        code: WarningCode::ShortSecretKey,
        path: String::new(),
        message: format!(
            "this secret key has {SHORT_SECRET_CHARS} characters or fewer: @reflag/node-sdk \
             refuses such keys, so an app using it will not start with this key"
        ),
    }
}

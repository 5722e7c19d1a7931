//! The inspection routes (assets/contract.md §6): what the local server stored, per tracking key. No CORS:
//! web pages have no business reading them.

use super::AppState;
use super::respond::{self, bad_request};
use super::store::queries::{self, EventFilter, Order, Page};
use super::store::{Paged, StoreError};
use crate::api::inspect::{Cursor, Health, NEXT_HEADER};
use crate::api::{ErrorCode, FieldCode, Rejection, ValidationError, key, suggest};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

pub(super) const DEFAULT_LIMIT: u32 = 100;
pub(super) const MAX_LIMIT: u32 = 1000;

/// A route's path or query parameters, by name.
type Fields = HashMap<String, String>;

pub(super) type Params = Result<Path<Fields>, PathRejection>;

pub async fn health() -> Response {
    respond::json(
        StatusCode::OK,
        &Health {
            ok: true,
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
    )
}

pub async fn users(
    State(app): State<Arc<AppState>>,
    params: Params,
    RawQuery(q): RawQuery,
) -> Response {
    list(&app, params, q, &[], |conn, key, page, _| {
        queries::users(conn, key, page)
    })
    .await
}

pub async fn companies(
    State(app): State<Arc<AppState>>,
    params: Params,
    RawQuery(q): RawQuery,
) -> Response {
    list(&app, params, q, &[], |conn, key, page, _| {
        queries::companies(conn, key, page)
    })
    .await
}

pub async fn events(
    State(app): State<Arc<AppState>>,
    params: Params,
    RawQuery(q): RawQuery,
) -> Response {
    list(
        &app,
        params,
        q,
        &["userId", "companyId", "event"],
        |conn, key, page, mut filters| {
            let filter = EventFilter {
                user_id: filters.remove("userId"),
                company_id: filters.remove("companyId"),
                event: filters.remove("event"),
            };
            queries::events(conn, key, &filter, page)
        },
    )
    .await
}

pub async fn feedback(
    State(app): State<Arc<AppState>>,
    params: Params,
    RawQuery(q): RawQuery,
) -> Response {
    list(
        &app,
        params,
        q,
        &["featureId"],
        |conn, key, page, filters| {
            queries::feedback(
                conn,
                key,
                filters.get("featureId").map(String::as_str),
                page,
            )
        },
    )
    .await
}

/// The flag checks an environment's SDKs sent; `?flag=KEY` for one flag's.
pub async fn flag_checks(
    State(app): State<Arc<AppState>>,
    params: Params,
    RawQuery(q): RawQuery,
) -> Response {
    list(&app, params, q, &["flag"], |conn, key, page, filters| {
        crate::server::store::flag_checks::flag_checks(
            conn,
            key,
            filters.get("flag").map(String::as_str),
            page,
        )
    })
    .await
}

pub async fn stats(State(app): State<Arc<AppState>>, params: Params) -> Response {
    let key = match key_param(&app, params) {
        Ok((key, _)) => key,
        Err(r) => return r,
    };
    answer(app.store.read(move |conn| queries::stats(conn, &key)).await)
}

pub async fn user(State(app): State<Arc<AppState>>, params: Params) -> Response {
    one(&app, params, "user", queries::user).await
}

pub async fn company(State(app): State<Arc<AppState>>, params: Params) -> Response {
    one(&app, params, "company", queries::company).await
}

/// A single entity by id, or 404 naming it.
async fn one<T: Serialize + Send + 'static>(
    app: &AppState,
    params: Params,
    noun: &str,
    query: fn(&rusqlite::Connection, &str, &str) -> rusqlite::Result<Option<T>>,
) -> Response {
    let (key, id) = match key_param(app, params) {
        Ok((key, id)) => (key, id.unwrap_or_default()),
        Err(r) => return r,
    };
    let shown = id.clone();
    match app.store.read(move |conn| query(conn, &key, &id)).await {
        Ok(Some(record)) => respond::json(StatusCode::OK, &record),
        Ok(None) => respond::not_found(format!("no {noun} `{shown}` for this tracking key")),
        Err(e) => read_failed(&e),
    }
}

/// Validates key, paging and filters, then runs the list query.
async fn list<T, F>(
    app: &AppState,
    params: Params,
    query: Option<String>,
    filters: &[&str],
    run: F,
) -> Response
where
    T: Serialize + Send + 'static,
    F: FnOnce(
            &rusqlite::Connection,
            &str,
            &Page,
            HashMap<String, String>,
        ) -> rusqlite::Result<Paged<T>>
        + Send
        + 'static,
{
    let key = match key_param(app, params) {
        Ok((key, _)) => key,
        Err(r) => return r,
    };
    let (page, filters) = match parse_query(query.as_deref().unwrap_or(""), filters) {
        Ok(parsed) => parsed,
        Err(errors) => return bad_request(query_rejection(errors)),
    };
    let paged = app
        .store
        .read(move |conn| run(conn, &key, &page, filters))
        .await;
    match paged {
        Ok(paged) => {
            let mut response = respond::json(StatusCode::OK, &paged.rows);
            let next = paged.next.map(|c| HeaderValue::from_str(&c.to_string()));
            if let Some(Ok(next)) = next {
                response.headers_mut().insert(NEXT_HEADER, next);
            }
            response
        }
        Err(e) => read_failed(&e),
    }
}

fn answer<T: Serialize>(result: Result<T, StoreError>) -> Response {
    match result {
        Ok(value) => respond::json(StatusCode::OK, &value),
        Err(e) => read_failed(&e),
    }
}

fn read_failed(e: &StoreError) -> Response {
    respond::rejection(
        StatusCode::INTERNAL_SERVER_ERROR,
        Rejection::new(
            ErrorCode::UnknownError,
            format!("reading the store failed: {e}"),
        ),
    )
}

/// The `{key}` parameter (checked, and resolved to the environment it reads) and the `{id}` one
/// when the route has it.
#[expect(
    clippy::result_large_err,
    reason = "the error is the answer, built once per request"
)]
pub(super) fn key_param(
    app: &AppState,
    params: Params,
) -> Result<(String, Option<String>), Response> {
    let Path(mut map) = params.map_err(|e| {
        bad_request(Rejection::whole(
            ErrorCode::QueryValidationFailed,
            FieldCode::InvalidParameter,
            format!("bad path: {e}"),
        ))
    })?;
    let key = map.remove("key").unwrap_or_default();
    key::check(&key).map_err(|e| {
        bad_request(Rejection::whole(
            ErrorCode::InvalidApiKey,
            FieldCode::InvalidApiKey,
            e.to_string(),
        ))
    })?;
    // A runtime key's client asks by its own fingerprint; `serve --env` may know it by name.
    let key = app.environments.data_name(&key).to_owned();
    Ok((key, map.remove("id")))
}

fn parse_query(query: &str, filters: &[&str]) -> Result<(Page, Fields), Vec<ValidationError>> {
    let pairs = pairs(query)?;
    let mut known = vec!["limit", "offset", "after", "order", "q"];
    known.extend_from_slice(filters);
    let mut errors = Vec::new();
    let mut page = Page {
        limit: DEFAULT_LIMIT,
        offset: 0,
        after: None,
        order: Order::Newest,
        search: None,
    };
    let mut values = HashMap::new();
    for (name, value) in pairs {
        let path = format!("/{name}");
        match name.as_str() {
            "limit" => match value.parse::<u64>() {
                Ok(n) => page.limit = n.min(u64::from(MAX_LIMIT)) as u32,
                Err(_) => errors.push(bad_number(&path, "limit", &value)),
            },
            "offset" => match value.parse::<u64>() {
                Ok(n) if i64::try_from(n).is_ok() => page.offset = n,
                _ => errors.push(bad_number(&path, "offset", &value)),
            },
            "after" => match Cursor::parse(&value) {
                Some(cursor) => page.after = Some(cursor),
                None => errors.push(ValidationError::new(
                    path,
                    FieldCode::InvalidParameter,
                    format!(
                        "`after` is the `{NEXT_HEADER}` header of the page before, not `{value}`"
                    ),
                )),
            },
            "order" => match Order::parse(&value) {
                Some(order) => page.order = order,
                None => errors.push(ValidationError::new(
                    path,
                    FieldCode::InvalidParameter,
                    format!("`order` is `newest` or `oldest`, not `{value}`"),
                )),
            },
            "q" => page.search = (!value.is_empty()).then(|| value.to_lowercase()),
            other if filters.contains(&other) => {
                values.insert(name, value);
            }
            other => errors.push(unknown_parameter(&path, other, &known)),
        }
    }
    if errors.is_empty() {
        Ok((page, values))
    } else {
        Err(errors)
    }
}

/// The pairs of a query string, or why it cannot be read.
pub(super) fn pairs(query: &str) -> Result<Vec<(String, String)>, Vec<ValidationError>> {
    serde_urlencoded::from_str(query).map_err(|e| {
        vec![ValidationError::new(
            "",
            FieldCode::InvalidParameter,
            format!("the query string is malformed: {e}"),
        )]
    })
}

/// A parameter the route does not take, with the nearest one it does.
pub(super) fn unknown_parameter(path: &str, name: &str, known: &[&str]) -> ValidationError {
    let hint = suggest::nearest(name, known).map_or_else(
        || format!("known parameters: {}", known.join(", ")),
        |s| format!("did you mean `{s}`?"),
    );
    ValidationError::new(
        path,
        FieldCode::InvalidParameter,
        format!("unknown query parameter `{name}`; {hint}"),
    )
}

pub(super) fn bad_number(path: &str, name: &str, value: &str) -> ValidationError {
    ValidationError::new(
        path,
        FieldCode::InvalidParameter,
        format!("`{name}` must be a whole number of 0 or more, not `{value}`"),
    )
}

pub(super) fn query_rejection(errors: Vec<ValidationError>) -> Rejection {
    let message = errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    Rejection {
        code: ErrorCode::QueryValidationFailed,
        message,
        validation_errors: errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_defaults_clamps_and_refuses() {
        let (page, _) = parse_query("", &[]).unwrap();
        assert_eq!(
            page,
            Page {
                limit: 100,
                offset: 0,
                after: None,
                order: Order::Newest,
                search: None,
            }
        );
        let (page, _) = parse_query("limit=5000&offset=7&order=oldest&q=Acme", &[]).unwrap();
        assert_eq!(
            page,
            Page {
                limit: 1000,
                offset: 7,
                after: None,
                order: Order::Oldest,
                search: Some("acme".to_owned()),
            }
        );
        let errors = parse_query("limit=-1&limt=3&offset=x&order=up", &[]).unwrap_err();
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, vec!["/limit", "/limt", "/offset", "/order"]);
        assert!(errors[1].message.contains("did you mean `limit`"));
        let (_, filters) = parse_query("userId=a%20b", &["userId"]).unwrap();
        assert_eq!(filters["userId"], "a b");
    }
}

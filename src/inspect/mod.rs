//! What the local server stored, read back through its inspection routes (assets/contract.md §6): the
//! one client of `inspect` (the crate's docs say which name is which), the data layer of the
//! console's Data view and of `bucket-console data`. Pages are fetched as they
//! are needed, so a store with a million events opens as fast as an empty one.

pub mod table;
mod traffic;

use crate::api::TrackingKey;
pub use crate::api::inspect::Order;
use crate::api::inspect::{
    CompanyRecord, EventRecord, FeedbackRecord, FlagCheckRecord, Stats, UserRecord,
};
use crate::api::stars::{Funnel, MAX_FEATURES, StarsRequest};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// The largest funnel answer read: every company's id at every step, for 100 000 companies.
const STARS_ANSWER_BYTES: usize = 64 << 20;

/// Events shown with a user or a company.
pub const RECENT_EVENTS: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Users,
    Companies,
    Events,
    Feedback,
    FlagChecks,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Users,
        Tab::Companies,
        Tab::Events,
        Tab::Feedback,
        Tab::FlagChecks,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Users => "Users",
            Tab::Companies => "Companies",
            Tab::Events => "Events",
            Tab::Feedback => "Feedback",
            Tab::FlagChecks => "Flag checks",
        }
    }

    pub fn route(self) -> &'static str {
        match self {
            Tab::Users => "users",
            Tab::Companies => "companies",
            Tab::Events => "events",
            Tab::Feedback => "feedback",
            Tab::FlagChecks => "flag-checks",
        }
    }

    /// What the list is sorted by.
    pub fn sorted_by(self) -> &'static str {
        match self {
            Tab::Users | Tab::Companies => "last seen",
            Tab::Events | Tab::FlagChecks => "received",
            Tab::Feedback => "updated",
        }
    }
}

/// One page of one list, `offset` rows from the start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub tab: Tab,
    pub offset: u64,
    /// The cursor of the row just before `offset` (the `Page::next` of the page before): the
    /// page is then read from it, an index seek however deep, and `offset` is not sent.
    pub after: Option<String>,
    pub limit: u32,
    pub order: Order,
    /// Rows whose ids, names or text contain this (case-insensitive); empty for all.
    pub search: String,
}

impl Query {
    pub fn first(tab: Tab, limit: u32) -> Self {
        Self {
            tab,
            offset: 0,
            after: None,
            limit,
            order: Order::Newest,
            search: String::new(),
        }
    }

    fn path(&self) -> String {
        let mut pairs = vec![("limit", self.limit.to_string())];
        match &self.after {
            Some(after) => pairs.push(("after", after.clone())),
            None => pairs.push(("offset", self.offset.to_string())),
        }
        pairs.push(("order", self.order.as_str().to_owned()));
        if !self.search.is_empty() {
            pairs.push(("q", self.search.clone()));
        }
        let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
        format!("{}?{query}", self.tab.route())
    }
}

/// The rows of one page.
#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    Users(Vec<UserRecord>),
    Companies(Vec<CompanyRecord>),
    Events(Vec<EventRecord>),
    Feedback(Vec<FeedbackRecord>),
    FlagChecks(Vec<FlagCheckRecord>),
}

impl Rows {
    pub fn tab(&self) -> Tab {
        match self {
            Rows::Users(_) => Tab::Users,
            Rows::Companies(_) => Tab::Companies,
            Rows::Events(_) => Tab::Events,
            Rows::Feedback(_) => Tab::Feedback,
            Rows::FlagChecks(_) => Tab::FlagChecks,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Rows::Users(r) => r.len(),
            Rows::Companies(r) => r.len(),
            Rows::Events(r) => r.len(),
            Rows::Feedback(r) => r.len(),
            Rows::FlagChecks(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A page's rows and, when it has any, the cursor of its last row: `Query::after` for the next.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub rows: Rows,
    pub next: Option<String>,
}

/// A page from a server that sends no cursor.
impl From<Rows> for Page {
    fn from(rows: Rows) -> Self {
        Page { rows, next: None }
    }
}

/// A user or a company, by id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EntityRef {
    User(String),
    Company(String),
}

/// A user or a company with its recent events.
#[derive(Debug, Clone, PartialEq)]
pub enum Entity {
    User {
        user: UserRecord,
        events: Vec<EventRecord>,
    },
    Company {
        company: CompanyRecord,
        events: Vec<EventRecord>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectError {
    #[error("the server is not answering: {0}")]
    NotAnswering(String),
    #[error(
        "this server has no inspection routes: the Data view works with the local server \
         (`bucket-console serve`, or the built-in `local` profile)"
    )]
    NotLocal,
    #[error("the server answered {status}: {message}")]
    Refused { status: u16, message: String },
    #[error("the server's answer could not be read: {0}")]
    BadAnswer(String),
}

/// Reads one tracking key's data from a local server.
#[derive(Debug, Clone)]
pub struct Inspector {
    http: reqwest::Client,
    base_url: String,
    key: TrackingKey,
}

impl Inspector {
    pub fn new(base_url: &str, key: TrackingKey) -> Result<Self, InspectError> {
        let http = crate::net::client_builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| InspectError::NotAnswering(crate::net::describe(e)))?;
        Ok(Self::with_client(http, base_url, key))
    }

    /// Shares `http`'s connections (the console keeps one client for all its reads).
    pub fn with_client(http: reqwest::Client, base_url: &str, key: TrackingKey) -> Self {
        Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            key,
        }
    }

    pub async fn page(&self, query: &Query) -> Result<Rows, InspectError> {
        Ok(self.read(query).await?.rows)
    }

    /// A page and the cursor to the one after it.
    pub async fn read(&self, query: &Query) -> Result<Page, InspectError> {
        let (value, next) = self
            .fetch_with_next(&query.path(), None, crate::net::MAX_ANSWER_BYTES)
            .await?;
        let value = value.ok_or(InspectError::NotLocal)?;
        let rows = match query.tab {
            Tab::Users => Rows::Users(decode(value)?),
            Tab::Companies => Rows::Companies(decode(value)?),
            Tab::Events => Rows::Events(decode(value)?),
            Tab::Feedback => Rows::Feedback(decode(value)?),
            Tab::FlagChecks => Rows::FlagChecks(decode(value)?),
        };
        Ok(Page { rows, next })
    }

    /// A user or company and its newest events; `None` when the server has no such entity.
    pub async fn entity(&self, which: &EntityRef) -> Result<Option<Entity>, InspectError> {
        let (route, filter, id) = match which {
            EntityRef::User(id) => ("users", "userId", id),
            EntityRef::Company(id) => ("companies", "companyId", id),
        };
        let one = format!("{route}/{}", encode_segment(id));
        let events = format!(
            "events?{}",
            serde_urlencoded::to_string([
                (filter, id.as_str()),
                ("limit", &RECENT_EVENTS.to_string())
            ])
            .unwrap_or_default()
        );
        let (entity, events) = tokio::join!(self.get_optional(&one), self.get(&events));
        let events: Vec<EventRecord> = events?;
        Ok(match (entity?, which) {
            (None, _) => None,
            (Some(value), EntityRef::User(_)) => Some(Entity::User {
                user: decode(value)?,
                events,
            }),
            (Some(value), EntityRef::Company(_)) => Some(Entity::Company {
                company: decode(value)?,
                events,
            }),
        })
    }

    /// Any inspection route of this key, read as `T` (`path` after `/_local/{key}/`).
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, InspectError> {
        self.get(path).await
    }

    /// The flag checks the environment's SDKs sent, newest first; `flag` for one flag's.
    pub async fn flag_checks(
        &self,
        flag: Option<&str>,
        limit: u32,
    ) -> Result<Vec<FlagCheckRecord>, InspectError> {
        let mut pairs = vec![("limit", limit.to_string())];
        if let Some(flag) = flag {
            pairs.push(("flag", flag.to_owned()));
        }
        let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
        self.get(&format!("flag-checks?{query}")).await
    }

    pub async fn stats(&self) -> Result<Stats, InspectError> {
        self.get("stats").await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, InspectError> {
        match self.get_optional(path).await? {
            Some(value) => decode(value),
            None => Err(InspectError::NotLocal),
        }
    }

    /// Each feature's STARS funnel (assets/contract.md §9), computed by the local server; a
    /// collection of more features than one request may name is asked for in several.
    pub async fn stars(&self, request: &StarsRequest) -> Result<Vec<Funnel>, InspectError> {
        if request.features.len() <= MAX_FEATURES {
            return self.stars_once(request).await;
        }
        let mut funnels = Vec::with_capacity(request.features.len());
        for chunk in request.features.chunks(MAX_FEATURES) {
            let part = StarsRequest {
                features: chunk.to_vec(),
                ..request.clone()
            };
            funnels.extend(self.stars_once(&part).await?);
        }
        Ok(funnels)
    }

    async fn stars_once(&self, request: &StarsRequest) -> Result<Vec<Funnel>, InspectError> {
        let body =
            serde_json::to_vec(request).map_err(|e| InspectError::BadAnswer(e.to_string()))?;
        // Decoded straight into funnels: through a JSON value first, a drill-down's standings
        // cost twice the allocations.
        match self
            .fetch_raw("stars", Some(body), STARS_ANSWER_BYTES)
            .await?
        {
            Some((bytes, _)) => {
                serde_json::from_slice(&bytes).map_err(|e| InspectError::BadAnswer(e.to_string()))
            }
            None => Err(InspectError::NotLocal),
        }
    }

    /// `None` for a 404 (absent entity, or no inspection routes at all).
    async fn get_optional(&self, path: &str) -> Result<Option<serde_json::Value>, InspectError> {
        self.fetch(path, None, crate::net::MAX_ANSWER_BYTES).await
    }

    /// A GET, or a POST of a JSON `body`, to an inspection route.
    async fn fetch(
        &self,
        path: &str,
        body: Option<Vec<u8>>,
        cap: usize,
    ) -> Result<Option<serde_json::Value>, InspectError> {
        Ok(self.fetch_with_next(path, body, cap).await?.0)
    }

    /// [`Self::fetch`], with the cursor a list page answered with.
    async fn fetch_with_next(
        &self,
        path: &str,
        body: Option<Vec<u8>>,
        cap: usize,
    ) -> Result<(Option<serde_json::Value>, Option<String>), InspectError> {
        match self.fetch_raw(path, body, cap).await? {
            Some((bytes, next)) => serde_json::from_slice(&bytes)
                .map(|v| (Some(v), next))
                .map_err(|_| InspectError::BadAnswer("not JSON".to_owned())),
            None => Ok((None, None)),
        }
    }

    /// [`Self::fetch_with_next`], the answer's bytes undecoded; `None` for a 404.
    async fn fetch_raw(
        &self,
        path: &str,
        body: Option<Vec<u8>>,
        cap: usize,
    ) -> Result<Option<(bytes::Bytes, Option<String>)>, InspectError> {
        let url = format!("{}/_local/{}/{path}", self.base_url, self.key.expose());
        let request = match body {
            Some(body) => self
                .http
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body),
            None => self.http.get(url),
        };
        let response = request
            .timeout(Duration::from_secs(15))
            .send()
            .await
            .map_err(|e| InspectError::NotAnswering(crate::net::describe(e)))?;
        let status = response.status().as_u16();
        let next = response
            .headers()
            .get(crate::api::inspect::NEXT_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = crate::net::read_body_up_to(response, cap)
            .await
            .map_err(|e| InspectError::NotAnswering(e.to_string()))?;
        match status {
            200 => Ok(Some((body, next))),
            404 => Ok(None),
            _ => {
                let value: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
                let message = value
                    .as_ref()
                    .and_then(|v| v["error"]["message"].as_str())
                    .map_or_else(
                        || String::from_utf8_lossy(&body).chars().take(200).collect(),
                        str::to_owned,
                    );
                let masked = self.key.masked();
                Err(InspectError::Refused {
                    status,
                    message: crate::sanitize::redact(&message, self.key.expose(), &masked),
                })
            }
        }
    }
}

fn decode<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, InspectError> {
    serde_json::from_value(value).map_err(|e| InspectError::BadAnswer(e.to_string()))
}

/// Percent-encodes an id for one path segment.
fn encode_segment(id: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_name_their_page_order_and_search() {
        let mut q = Query::first(Tab::Events, 50);
        assert_eq!(q.path(), "events?limit=50&offset=0&order=newest");
        q.offset = 100;
        q.order = Order::Oldest;
        q.search = "a b&c".into();
        assert_eq!(
            q.path(),
            "events?limit=50&offset=100&order=oldest&q=a+b%26c"
        );
        q.after = Some("17:u%2F1".into());
        assert_eq!(
            q.path(),
            "events?limit=50&after=17%3Au%252F1&order=oldest&q=a+b%26c"
        );
    }

    #[test]
    fn ids_are_encoded_as_one_segment() {
        assert_eq!(encode_segment("acme"), "acme");
        assert_eq!(encode_segment("a/b c?é"), "a%2Fb%20c%3F%C3%A9");
    }
}

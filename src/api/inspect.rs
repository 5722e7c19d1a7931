//! The records the local server's inspection routes answer (assets/contract.md §6). Not part of Bucket's
//! API; the console's data views read them back with these same types.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The order of a list route: newest first (the contract's) or oldest first (`order=oldest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    Newest,
    Oldest,
}

impl Order {
    pub fn parse(s: &str) -> Option<Order> {
        match s {
            "newest" => Some(Order::Newest),
            "oldest" => Some(Order::Oldest),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Order::Newest => "newest",
            Order::Oldest => "oldest",
        }
    }

    #[must_use]
    pub fn flipped(self) -> Order {
        match self {
            Order::Newest => Order::Oldest,
            Order::Oldest => Order::Newest,
        }
    }
}

/// The response header of a list page that has rows: the cursor of its last row. Passed back as
/// `after`, it asks for the rows that follow that one in the same order.
pub const NEXT_HEADER: &str = "next-after";

/// Where a page of a list ended: the sort key of its last row (`None` for a user or company never
/// seen) and the row's id, the tie-breaker. Written `AT:ID` (`-:ID` without a sort key); clients
/// pass it back as they got it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub at: Option<i64>,
    pub id: String,
}

impl Cursor {
    /// The cursor of a row ordered by a time and its rowid.
    pub fn rowid(at: i64, id: i64) -> Cursor {
        Cursor {
            at: Some(at),
            id: id.to_string(),
        }
    }

    pub fn parse(s: &str) -> Option<Cursor> {
        let (at, id) = s.split_once(':')?;
        let at = match at {
            "-" => None,
            n => Some(n.parse().ok()?),
        };
        Some(Cursor {
            at,
            id: unescape(id)?,
        })
    }
}

/// The id with every byte but `A-Z a-z 0-9 - . _ ~` as `%XX`: a cursor is a valid header value.
impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.at {
            Some(at) => write!(f, "{at}:")?,
            None => f.write_str("-:")?,
        }
        for b in self.id.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                write!(f, "{}", char::from(b))?;
            } else {
                write!(f, "%{b:02X}")?;
            }
        }
        Ok(())
    }
}

fn unescape(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = [bytes.next()?, bytes.next()?];
            out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

/// `GET /_local/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub ok: bool,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRecord {
    pub user_id: String,
    pub attributes: Map<String, Value>,
    pub first_seen: String,
    pub last_seen: Option<String>,
    pub companies: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyRecord {
    pub company_id: String,
    pub attributes: Map<String, Value>,
    pub first_seen: String,
    pub last_seen: Option<String>,
    pub users: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRecord {
    pub id: String,
    pub event: String,
    pub user_id: String,
    pub company_id: Option<String>,
    pub attributes: Map<String, Value>,
    pub timestamp: String,
    pub received_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedbackRecord {
    pub feedback_id: String,
    pub feature_id: String,
    pub user_id: String,
    pub company_id: Option<String>,
    pub score: Option<u8>,
    pub comment: Option<String>,
    pub question: Option<String>,
    pub prompted_question: Option<String>,
    pub prompt_id: Option<String>,
    pub source: String,
    pub created_at: String,
    pub updated_at: String,
    /// Runtime API: the flag key the feedback was given (then also its `featureId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Runtime API: a `featureId` sent beside `key`, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_feature_id: Option<String>,
}

/// `GET /_local/{key}/stats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub users: u64,
    pub companies: u64,
    pub events: u64,
    pub feedback: u64,
    /// Count per score, keys "1" to "5", all present.
    pub scores: BTreeMap<String, u64>,
    pub average_score: Option<f64>,
}

impl Stats {
    /// The stats of a key with nothing stored.
    pub fn empty() -> Self {
        Self {
            users: 0,
            companies: 0,
            events: 0,
            feedback: 0,
            scores: (1..=5).map(|s: u8| (s.to_string(), 0)).collect(),
            average_score: None,
        }
    }
}

/// The headers of a received request that tell who sent it and how (as the request shows them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestHeaders {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// `bucket-sdk-version`, sent by the official SDKs (`reflag-sdk-version` on the Runtime API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// What an answer said: its status, and the errors and warnings its body listed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// `None` when no answer came (the upstream could not be reached).
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<crate::api::ErrorCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validation_errors: Vec<crate::api::ValidationError>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::api::Warning>,
    /// The answer's body as sent (JSON text, usually).
    pub body: String,
    pub latency_ms: f64,
}

/// `GET /_local/{key}/requests`: one request the local server received on a tracking route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    /// Increasing; `?after=ID` and the stream resume from it.
    pub id: String,
    pub received_at: String,
    /// The HTTP verb.
    pub method: String,
    /// The path with the key replaced: `/{key}/event`; a Runtime API call's whole path
    /// (`/bulk`, `/features/evaluated?…`) with `publishableKey` redacted.
    pub path: String,
    /// A Runtime API call's key as shown: kind, masked, fingerprint (never the key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub headers: RequestHeaders,
    /// The body as received (lossy UTF-8), cut at the size limit.
    pub body: String,
    #[serde(default)]
    pub body_truncated: bool,
    /// The body did not arrive whole (the client closed early or was too slow): the server
    /// neither checked nor stored it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub body_incomplete: bool,
    /// A `/bulk` call: each item with what became of it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<crate::api::runtime::bulk::ItemVerdict>,
    /// What this server answered by the contract.
    pub local: Verdict,
    /// With `serve --forward`: what the real service answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<Verdict>,
}

impl RequestRecord {
    /// The method named by the path, when it names one (`event`, `events` → event…).
    pub fn route(&self) -> &str {
        self.path
            .strip_prefix("/{key}/")
            .unwrap_or(self.path.as_str())
    }

    /// The answer the sender got: the upstream's when forwarding, else the local one.
    pub fn answered(&self) -> &Verdict {
        self.upstream.as_ref().unwrap_or(&self.local)
    }

    /// Who sent it: the SDK version, else the user agent.
    pub fn source(&self) -> Option<&str> {
        self.headers
            .sdk_version
            .as_deref()
            .or(self.headers.user_agent.as_deref())
    }
}

impl Verdict {
    /// Reads an answer's body the way every client of this API does: the error code, message,
    /// validation errors and warnings, whatever the server (unknown codes are tolerated).
    pub fn read(status: Option<u16>, body: String, latency_ms: f64) -> Self {
        let value: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let error = &value["error"];
        Self {
            status,
            error_code: serde_json::from_value(error["code"].clone()).ok(),
            message: error["message"].as_str().map(str::to_owned),
            validation_errors: serde_json::from_value(error["validationErrors"].clone())
                .unwrap_or_default(),
            warnings: serde_json::from_value(value["warnings"].clone()).unwrap_or_default(),
            body,
            latency_ms,
        }
    }
}

/// `GET /_local/{env}/flag-checks`: a flag check an SDK sent (`POST /features/events`, a
/// `/bulk` item), newest first. The SDKs send at most one per flag and context a minute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlagCheckRecord {
    pub id: String,
    pub flag_key: String,
    /// `check`, `check-config`, `check-is-enabled` or `evaluate`.
    pub action: String,
    /// `evalContext` as sent.
    pub context: Value,
    /// `evalResult`: a boolean, or the config object.
    pub result: Option<Value>,
    pub targeting_version: Option<i64>,
    pub rule_results: Option<Vec<bool>>,
    pub missing_fields: Option<Vec<String>>,
    pub received_at: String,
}

impl FlagCheckRecord {
    /// The check in the words Traffic uses: `huddle checked → false · missing company.plan`.
    pub fn summary(&self) -> String {
        let mut item = serde_json::json!({
            "key": self.flag_key,
            "action": self.action,
            "evalResult": self.result,
        });
        if let Some(missing) = &self.missing_fields {
            item["evalMissingFields"] = serde_json::json!(missing);
        }
        crate::api::flags::explain::check_summary(&item).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_cursor_reads_back_as_written(at in proptest::option::of(any::<i64>()), id in ".*") {
            let cursor = Cursor { at, id };
            let text = cursor.to_string();
            prop_assert!(text.bytes().all(|b| b.is_ascii_graphic()), "{text}");
            prop_assert_eq!(Cursor::parse(&text), Some(cursor));
        }
    }

    #[test]
    fn a_cursor_that_was_not_written_is_refused() {
        for bad in ["", "12", "x:1", "1:%G0", "1:%C3"] {
            assert_eq!(Cursor::parse(bad), None, "{bad}");
        }
        assert_eq!(
            Cursor::parse("-:a%20b"),
            Some(Cursor {
                at: None,
                id: "a b".into()
            })
        );
    }
}

//! The records the local server's inspection routes answer (CONTRACT.md §6). Not part of Bucket's
//! API; the console's data views read them back with these same types.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

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

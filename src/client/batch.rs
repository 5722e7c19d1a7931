//! Runtime API batches as every face sends them (`send bulk`, `replay --bulk`, `run --bulk`):
//! items packed into `/bulk` bodies within the server's bounds, sent as one request each, and
//! each item's verdict read from the batch's answer.

use super::{Client, Exchange, Outcome, Target, Worker};
use crate::api::runtime::bulk::{self, ItemOutcome, ItemVerdict, Refused};
use crate::api::runtime::{MAX_BULK_BYTES, MAX_BULK_ITEMS};
use crate::api::{Method, ValidationError};
use bytes::Bytes;
use serde_json::{Map, Value};

/// The route a batch goes to.
pub const ROUTE: &str = "bulk";

/// Why items cannot make a batch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("{0} items: a /bulk batch takes at most {MAX_BULK_ITEMS} (send them in parts)")]
    TooMany(usize),
    #[error(
        "the batch is {0} bytes as sent: a /bulk batch is at most 1 MiB ({MAX_BULK_BYTES} bytes)"
    )]
    TooLarge(usize),
    #[error(
        "item {index} alone is {bytes} bytes: a /bulk batch is at most 1 MiB ({MAX_BULK_BYTES} \
         bytes), so it cannot be sent in one"
    )]
    ItemTooLarge { index: usize, bytes: usize },
    #[error("--bulk takes 1 to {MAX_BULK_ITEMS} items a batch, not {0}")]
    BadSize(usize),
    #[error("a /bulk item is a JSON object with its fields; this {method} body is {found}")]
    NotAnObject { method: Method, found: String },
    #[error(
        "a /bulk item is a JSON object with its fields; this {method} body is not JSON ({why})"
    )]
    NotJson { method: Method, why: String },
}

/// A `/bulk` body within the bounds: its items as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    text: Bytes,
    len: usize,
}

impl Batch {
    /// One batch of `items`, refused past the server's bounds.
    pub fn new(items: Vec<Value>) -> Result<Self, BatchError> {
        if items.len() > MAX_BULK_ITEMS {
            return Err(BatchError::TooMany(items.len()));
        }
        let len = items.len();
        let text = Value::Array(items).to_string();
        if text.len() > MAX_BULK_BYTES {
            return Err(BatchError::TooLarge(text.len()));
        }
        Ok(Self {
            text: Bytes::from(text),
            len,
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.text).unwrap_or_default()
    }

    /// The server's `/bulk` rules, applied before sending: every problem at its pointer.
    pub fn check(&self, now_ms: i64) -> Result<(), Vec<ValidationError>> {
        let value: Value = serde_json::from_slice(&self.text).unwrap_or_default();
        match bulk::validate(&value, now_ms) {
            Ok(_) => Ok(()),
            Err(Refused::Invalid(problems)) => Err(problems),
            // `new` keeps batches within the count.
            Err(Refused::TooMany(n)) => Err(vec![ValidationError::new(
                "",
                crate::api::FieldCode::OutOfRange,
                BatchError::TooMany(n).to_string(),
            )]),
        }
    }

    /// Each item's verdict from the batch's exchange.
    pub fn verdicts(&self, exchange: &Exchange) -> Vec<ItemVerdict> {
        bulk::item_verdicts(
            self.text(),
            exchange.status().unwrap_or(0),
            &exchange.validation_errors,
        )
    }
}

/// `items` in batches of at most `per` items, each within 1 MiB: packed in order, a batch
/// closed early when the next item would pass the byte bound.
pub fn pack(items: Vec<Value>, per: usize) -> Result<Vec<Batch>, BatchError> {
    if per == 0 || per > MAX_BULK_ITEMS {
        return Err(BatchError::BadSize(per));
    }
    let mut batches = Vec::new();
    let mut current: Vec<Value> = Vec::new();
    // `[` and `]`, then each item and a comma between.
    let mut bytes = 2;
    for (index, item) in items.into_iter().enumerate() {
        let size = item.to_string().len();
        if size + 2 > MAX_BULK_BYTES {
            return Err(BatchError::ItemTooLarge { index, bytes: size });
        }
        let with = bytes + size + usize::from(!current.is_empty());
        if current.len() == per || with > MAX_BULK_BYTES {
            batches.push(Batch::new(std::mem::take(&mut current))?);
            bytes = 2;
        }
        bytes += size + usize::from(!current.is_empty());
        current.push(item);
    }
    if !current.is_empty() {
        batches.push(Batch::new(current)?);
    }
    Ok(batches)
}

/// A call of one of the API's methods as a `/bulk` item: its body with the method as `type`.
pub fn item(method: Method, body: &Value) -> Value {
    let mut map = Map::new();
    map.insert("type".into(), Value::String(method.as_str().to_owned()));
    if let Value::Object(fields) = body {
        for (k, v) in fields {
            if k != "type" {
                map.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(map)
}

/// A form's call, as text, as a `/bulk` item: refused when the body is not a JSON object.
pub fn item_from_text(method: Method, body: &str) -> Result<Value, BatchError> {
    match serde_json::from_str::<Value>(body) {
        Ok(fields @ Value::Object(_)) => Ok(item(method, &fields)),
        Ok(other) => Err(BatchError::NotAnObject {
            method,
            found: crate::api::describe_value(&other),
        }),
        Err(e) => Err(BatchError::NotJson {
            method,
            why: e.to_string(),
        }),
    }
}

/// An item of a sent batch back as a call: its method and its body without `type`, or `None`
/// when it is not one of the four methods (a flag check, a prompt event: the forms hold none).
pub fn split(item: &Value) -> Option<(Method, String)> {
    let Value::Object(map) = item else {
        return None;
    };
    let method = map
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| crate::api::runtime::bulk::ITEM_TYPES.contains(t))
        .and_then(Method::parse)?;
    let mut body = map.clone();
    body.remove("type");
    Some((method, Value::Object(body).to_string()))
}

/// What became of one item, in words a report gives per item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemResult {
    /// The batch was stored, this item with it.
    Stored,
    /// This item broke a rule: its problems, at their pointers into the batch.
    Refused(Vec<ValidationError>),
    /// The batch was refused for other items (their indexes) or as a whole (the answer's
    /// problem): this item was fine, and was not stored.
    NotStored(String),
    /// No answer after the retries: the batch may or may not have been stored.
    Undelivered(String),
}

/// Each item's result from the batch's exchange, in the batch's order.
pub fn results(batch: &Batch, exchange: &Exchange) -> Vec<ItemResult> {
    let verdicts = batch.verdicts(exchange);
    let problem = exchange.problem().unwrap_or_default();
    if exchange.outcome == Outcome::Failed {
        let said = if exchange.possibly_duplicated {
            format!("{problem} (the batch was possibly stored; sending it again may duplicate it)")
        } else {
            problem
        };
        return vec![ItemResult::Undelivered(said); batch.len()];
    }
    let refused: Vec<String> = verdicts
        .iter()
        .filter(|v| v.verdict == ItemOutcome::Refused)
        .map(|v| format!("#{}", v.index))
        .collect();
    let status = exchange.status().unwrap_or(0);
    verdicts
        .into_iter()
        .map(|v| match v.verdict {
            ItemOutcome::Stored => ItemResult::Stored,
            ItemOutcome::Refused => ItemResult::Refused(v.problems),
            ItemOutcome::NotStored if refused.is_empty() => ItemResult::NotStored(format!(
                "not stored: the batch was refused whole ({status}: {problem})"
            )),
            ItemOutcome::NotStored => ItemResult::NotStored(format!(
                "not stored: the batch was refused for item{} {} of it, so nothing of it was \
                 stored",
                if refused.len() == 1 { "" } else { "s" },
                refused.join(", ")
            )),
        })
        .collect()
}

impl Client {
    /// Sends `batch` as one `POST /bulk`, with the client's retries.
    pub async fn send_batch(&self, target: &Target, batch: &Batch) -> Exchange {
        self.send(target, ROUTE, batch.text.clone()).await
    }
}

impl Worker {
    /// Sends `batch` as one `POST /bulk` on this worker's connection.
    pub async fn send_batch(&mut self, target: &Target, batch: &Batch) -> Exchange {
        self.send(target, ROUTE, batch.text.clone()).await
    }
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;

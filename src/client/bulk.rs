//! A Runtime API batch as the client sends it: items (a method's body with its `type`) in one
//! JSON array, within `/bulk`'s bounds, to one route. `send bulk` and the console's Alt+B both
//! build and send batches here, so the two never differ.

use crate::api::runtime::bulk::ITEM_TYPES;
use crate::api::runtime::{MAX_BULK_BYTES, MAX_BULK_ITEMS};
use crate::api::{Method, describe_value};
use serde_json::{Map, Value};

/// The route a batch is posted to.
pub const ROUTE: &str = "bulk";

/// Why a batch cannot be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BulkError {
    #[error("{0} items: a /bulk batch takes at most {MAX_BULK_ITEMS} (send them in parts)")]
    TooMany(usize),
    #[error(
        "the batch is {0} bytes as sent: a /bulk batch is at most 1 MiB ({MAX_BULK_BYTES} bytes)"
    )]
    TooLarge(usize),
    #[error("a /bulk item is a JSON object with its fields; this {method} body is {found}")]
    NotAnObject { method: Method, found: String },
    #[error(
        "a /bulk item is a JSON object with its fields; this {method} body is not JSON ({why})"
    )]
    NotJson { method: Method, why: String },
}

/// One call of `method` as a batch item: its body's fields and its `"type"`.
pub fn item(method: Method, body: &str) -> Result<Value, BulkError> {
    let fields = match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(fields)) => fields,
        Ok(other) => {
            return Err(BulkError::NotAnObject {
                method,
                found: describe_value(&other),
            });
        }
        Err(e) => {
            return Err(BulkError::NotJson {
                method,
                why: e.to_string(),
            });
        }
    };
    let mut item = Map::new();
    item.insert("type".to_owned(), Value::String(method.as_str().to_owned()));
    item.extend(fields.into_iter().filter(|(k, _)| k != "type"));
    Ok(Value::Object(item))
}

/// Refuses more items than one batch takes.
pub fn check_count(items: usize) -> Result<(), BulkError> {
    if items > MAX_BULK_ITEMS {
        return Err(BulkError::TooMany(items));
    }
    Ok(())
}

/// The body of a `/bulk` call of `items`, refused past the batch's bounds.
pub fn body(items: &[Value]) -> Result<String, BulkError> {
    check_count(items.len())?;
    let text = serde_json::to_string(items).unwrap_or_default();
    if text.len() > MAX_BULK_BYTES {
        return Err(BulkError::TooLarge(text.len()));
    }
    Ok(text)
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
        .filter(|t| ITEM_TYPES.contains(t))
        .and_then(Method::parse)?;
    let mut body = map.clone();
    body.remove("type");
    Some((method, Value::Object(body).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn items_carry_their_type_and_come_back_as_calls() {
        let item = item(
            Method::Event,
            r#"{"event":"Sent","userId":"u1","type":"x"}"#,
        )
        .unwrap();
        assert_eq!(
            item,
            json!({"type": "event", "event": "Sent", "userId": "u1"})
        );
        assert_eq!(
            split(&item),
            Some((
                Method::Event,
                r#"{"event":"Sent","userId":"u1"}"#.to_owned()
            ))
        );
        assert_eq!(split(&json!({"type": "prompt-event"})), None);
        assert!(matches!(
            super::item(Method::User, "[1]"),
            Err(BulkError::NotAnObject { .. })
        ));
        assert!(matches!(
            super::item(Method::User, "{"),
            Err(BulkError::NotJson { .. })
        ));
    }

    #[test]
    fn the_bounds_are_the_servers() {
        let one = json!({"type": "user", "userId": "u"});
        assert!(body(&vec![one.clone(); MAX_BULK_ITEMS]).is_ok());
        assert_eq!(
            body(&vec![one; MAX_BULK_ITEMS + 1]),
            Err(BulkError::TooMany(MAX_BULK_ITEMS + 1))
        );
        let big = json!({"type": "user", "userId": "x".repeat(MAX_BULK_BYTES)});
        assert!(matches!(body(&[big]), Err(BulkError::TooLarge(_))));
    }
}

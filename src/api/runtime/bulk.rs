//! `POST /bulk`: a JSON array of typed items, each checked by the rules of its kind, every
//! problem reported at its pointer into the array (`/1/userId`). One bad item refuses the batch.

use super::MAX_BULK_ITEMS;
use super::events::{self, FlagEvent, PromptEvent};
use crate::api::errors::{FieldCode, ValidationError, Warning};
use crate::api::fields;
use crate::api::method::Method;
use crate::api::payload::Payload;
use crate::api::validate::validate_runtime;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One item of a batch (or a single runtime call) as stored.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Call(Payload),
    Flag(FlagEvent),
    Prompt(PromptEvent),
}

/// The `type` of each kind of item, in the contract's order.
pub const ITEM_TYPES: [&str; 6] = [
    "user",
    "company",
    "event",
    "feedback",
    "feature-flag-event",
    "prompt-event",
];

/// A batch that passed: its items in order, and the warnings of each at its pointer.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub items: Vec<Item>,
    pub warnings: Vec<Warning>,
}

/// Why a batch was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// More than [`MAX_BULK_ITEMS`] items (413).
    TooMany(usize),
    /// Every problem of every item (400).
    Invalid(Vec<ValidationError>),
}

pub fn validate(body: &Value, now_ms: i64) -> Result<Batch, Refused> {
    let Value::Array(values) = body else {
        return Err(Refused::Invalid(vec![ValidationError::new(
            "",
            FieldCode::InvalidType,
            format!(
                "the body of /bulk must be a JSON array of items, not {}",
                fields::type_name(body)
            ),
        )]));
    };
    if values.len() > MAX_BULK_ITEMS {
        return Err(Refused::TooMany(values.len()));
    }
    let mut errors = Vec::new();
    let mut batch = Batch {
        items: Vec::with_capacity(values.len()),
        warnings: Vec::new(),
    };
    for (i, value) in values.iter().enumerate() {
        let prefix = format!("/{i}");
        if let Some((item, warnings)) = item(value, &prefix, now_ms, &mut errors) {
            batch.items.push(item);
            batch.warnings.extend(warnings.into_iter().map(|mut w| {
                w.path = format!("{prefix}{}", w.path);
                w
            }));
        }
    }
    if errors.is_empty() {
        Ok(batch)
    } else {
        Err(Refused::Invalid(errors))
    }
}

fn item(
    value: &Value,
    prefix: &str,
    now_ms: i64,
    errors: &mut Vec<ValidationError>,
) -> Option<(Item, Vec<Warning>)> {
    let Value::Object(map) = value else {
        errors.push(ValidationError::new(
            prefix,
            FieldCode::InvalidType,
            format!(
                "each item must be an object with a `type`, not {}",
                fields::type_name(value)
            ),
        ));
        return None;
    };
    let type_path = format!("{prefix}/type");
    let kind = match fields::present(map, "type") {
        Some(Value::String(t)) if ITEM_TYPES.contains(&t.as_str()) => t.as_str(),
        Some(other) => {
            let found = match other {
                Value::String(t) => format!("`{}`", t.chars().take(40).collect::<String>()),
                v => fields::type_name(v),
            };
            errors.push(ValidationError::new(
                type_path,
                FieldCode::OutOfRange,
                format!("must be one of {}, not {found}", ITEM_TYPES.join(", ")),
            ));
            return None;
        }
        None => {
            errors.push(fields::required(
                &type_path,
                &format!("the kind of item, one of {}", ITEM_TYPES.join(", ")),
            ));
            return None;
        }
    };
    let mut rest: Map<String, Value> = map.clone();
    rest.remove("type");
    match kind {
        "feature-flag-event" => {
            events::flag_event(&rest, prefix, errors).map(|e| (Item::Flag(e), Vec::new()))
        }
        "prompt-event" => {
            events::prompt_event(&rest, prefix, errors).map(|e| (Item::Prompt(e), Vec::new()))
        }
        method => {
            let method = Method::parse(method)?;
            match validate_runtime(method, &Value::Object(rest), now_ms) {
                Ok(v) => Some((Item::Call(v.payload), v.warnings)),
                Err(found) => {
                    errors.extend(found.into_iter().map(|mut e| {
                        e.path = format!("{prefix}{}", e.path);
                        e
                    }));
                    None
                }
            }
        }
    }
}

/// What became of one item of a recorded `/bulk` request, read from the request and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemVerdict {
    pub index: usize,
    /// The item's `type`, when it has a string one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_type: Option<String>,
    pub verdict: ItemOutcome,
    /// This item's problems, at their pointers into the batch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ValidationError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemOutcome {
    /// The batch was stored, this item with it.
    Stored,
    /// This item broke a rule (its problems say which).
    Refused,
    /// The item was fine, but the batch was refused or failed: nothing of it was stored.
    NotStored,
}

/// Each item's verdict, given the batch's body as received and the answer's status and
/// validation errors. Empty when the body is not a JSON array.
pub fn item_verdicts(body: &str, status: u16, problems: &[ValidationError]) -> Vec<ItemVerdict> {
    let Ok(Value::Array(values)) = serde_json::from_str::<Value>(body) else {
        return Vec::new();
    };
    let stored = (200..300).contains(&status);
    values
        .iter()
        .enumerate()
        .map(|(index, value)| {
            let own: Vec<ValidationError> = problems
                .iter()
                .filter(|p| item_index(&p.path) == Some(index))
                .cloned()
                .collect();
            let verdict = if stored {
                ItemOutcome::Stored
            } else if own.is_empty() {
                ItemOutcome::NotStored
            } else {
                ItemOutcome::Refused
            };
            ItemVerdict {
                index,
                item_type: value["type"].as_str().map(|t| t.chars().take(40).collect()),
                verdict,
                problems: own,
            }
        })
        .collect()
}

/// The item a pointer into a batch names: `/3/userId` → 3.
pub fn item_index(pointer: &str) -> Option<usize> {
    pointer.strip_prefix('/')?.split('/').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every item shape @reflag/node-sdk 1.7.1 and @reflag/browser-sdk 1.6.1 put in a batch.
    pub fn sdk_shapes() -> Value {
        json!([
            {"type": "user", "userId": "u1", "attributes": {"name": "Ann", "plan": "pro"}},
            {"type": "user", "userId": 42, "attributes": {}, "context": {"active": false}},
            {"type": "company", "companyId": "c1", "userId": "u1", "attributes": {"seats": 5}},
            {"type": "company", "companyId": 7, "context": {"active": true}},
            {"type": "event", "event": "Sent", "userId": "u1", "companyId": "c1",
             "attributes": {"size": 3}, "context": {"active": false}},
            {"type": "event", "event": "Sent", "userId": "u1"},
            {"type": "feature-flag-event", "action": "check", "key": "huddle",
             "targetingVersion": 2, "evalResult": true, "evalContext": {"user": {"id": "u1"}},
             "evalRuleResults": [true], "evalMissingFields": []},
            {"type": "feature-flag-event", "action": "check-config", "key": "huddle", "evalResult": {}},
            {"type": "feature-flag-event", "action": "check-config", "key": "huddle",
             "evalResult": {"key": "v2", "payload": {"max": 3}}},
            {"type": "feature-flag-event", "action": "check-is-enabled", "key": "huddle",
             "evalResult": false, "evalContext": {"user": {"id": "u1"}, "other": {}}},
            {"type": "feature-flag-event", "action": "evaluate", "key": "huddle", "evalResult": true},
            {"type": "prompt-event", "action": "received", "featureId": "f1", "promptId": "p1",
             "userId": "u1", "promptedQuestion": "How is it?"},
            {"type": "prompt-event", "action": "shown", "featureId": "f1", "promptId": "p1", "userId": "u1", "promptedQuestion": "Q"},
            {"type": "prompt-event", "action": "dismissed", "featureId": "f1", "promptId": "p1", "userId": "u1", "promptedQuestion": "Q"},
            {"type": "feedback", "key": "huddle", "userId": "u1", "score": 4, "source": "sdk"},
            {"type": "feedback", "featureId": "f1", "key": "huddle", "userId": "u1", "comment": "ok",
             "promptId": "p1", "promptedQuestion": "Q", "question": "Q", "source": "prompt"}
        ])
    }

    #[test]
    fn every_sdk_shape_passes() {
        let batch = validate(&sdk_shapes(), 0).unwrap();
        assert_eq!(batch.items.len(), sdk_shapes().as_array().unwrap().len());
        let Item::Call(Payload::Feedback(f)) = &batch.items[15] else {
            panic!("{:?}", batch.items[15]);
        };
        assert_eq!(f.feature_id, "huddle", "the key is the feedback's feature");
        assert_eq!(f.sent_feature_id.as_deref(), Some("f1"));
    }

    #[test]
    fn bad_items_anywhere_are_each_named_by_pointer() {
        let body = json!([
            {"type": "user", "userId": "u1"},
            {"type": "user"},
            {"type": "users", "userId": "u"},
            7,
            {"type": "feedback", "userId": "u", "score": 3},
            {"type": "event", "event": "e", "userId": "u", "timestamp": "soon"}
        ]);
        let Err(Refused::Invalid(errors)) = validate(&body, 0) else {
            panic!()
        };
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            ["/1/userId", "/2/type", "/3", "/4/featureId", "/5/timestamp"]
        );
        assert!(errors[3].message.contains("`key`"), "{}", errors[3].message);
    }

    #[test]
    fn batch_bounds() {
        let item = json!({"type": "event", "event": "e", "userId": "u"});
        let hundred = Value::Array(vec![item.clone(); MAX_BULK_ITEMS]);
        assert_eq!(validate(&hundred, 0).unwrap().items.len(), 100);
        let more = Value::Array(vec![item; MAX_BULK_ITEMS + 1]);
        assert_eq!(validate(&more, 0), Err(Refused::TooMany(101)));
        assert!(matches!(
            validate(&json!({"type": "user"}), 0),
            Err(Refused::Invalid(_))
        ));
    }

    #[test]
    fn verdicts_follow_the_answer() {
        let body = r#"[{"type":"user","userId":"u"},{"type":"user"}]"#;
        let problem = ValidationError::new("/1/userId", FieldCode::Required, "is required");
        let v = item_verdicts(body, 400, std::slice::from_ref(&problem));
        assert_eq!(v[0].verdict, ItemOutcome::NotStored);
        assert_eq!(v[1].verdict, ItemOutcome::Refused);
        assert_eq!(v[1].problems, [problem]);
        assert_eq!(v[1].item_type.as_deref(), Some("user"));
        assert!(
            item_verdicts(body, 200, &[])
                .iter()
                .all(|v| v.verdict == ItemOutcome::Stored)
        );
        assert!(item_verdicts("{}", 200, &[]).is_empty());
        assert_eq!(item_index("/12/attributes/a"), Some(12));
        assert_eq!(item_index(""), None);
    }
}

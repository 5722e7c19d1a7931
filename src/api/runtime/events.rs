//! The Runtime API's own events: flag checks (`POST /features/events`, bulk `feature-flag-event`)
//! and feedback-prompt events (`POST /feedback/prompt-events`, bulk `prompt-event`), in every
//! shape the SDKs send them, checked with the tracking API's field rules.

use crate::api::errors::{FieldCode, ValidationError};
use crate::api::fields::{self, present};
use serde_json::{Map, Value};

/// A flag check as stored: what was checked, in what context, with what result.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagEvent {
    pub action: String,
    pub flag_key: String,
    pub targeting_version: Option<i64>,
    /// `evalContext`, an object (`{}` when absent).
    pub context: Value,
    /// `evalResult`: a boolean, or the config object (also `{}`).
    pub result: Option<Value>,
    pub rule_results: Option<Vec<bool>>,
    pub missing_fields: Option<Vec<String>>,
}

/// An event of an automated feedback prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptEvent {
    pub action: String,
    pub feature_id: String,
    pub prompt_id: String,
    pub user_id: String,
    pub prompted_question: Option<String>,
}

/// `action` of a flag check: the node SDK sends `check` and `check-config`, the browser SDK
/// `check-is-enabled` and `check-config`, older SDKs `evaluate`.
pub const FLAG_ACTIONS: [&str; 4] = ["check", "check-is-enabled", "check-config", "evaluate"];
pub const PROMPT_ACTIONS: [&str; 3] = ["received", "shown", "dismissed"];

const FLAG_FIELDS: [&str; 7] = [
    "action",
    "key",
    "targetingVersion",
    "evalContext",
    "evalResult",
    "evalRuleResults",
    "evalMissingFields",
];
const PROMPT_FIELDS: [&str; 5] = [
    "action",
    "featureId",
    "promptId",
    "userId",
    "promptedQuestion",
];

/// Checks a flag check's fields (`type` already taken off by the bulk reader). `prefix` is
/// the pointer of the object (`""`, or `/3` inside a batch).
pub fn flag_event(
    map: &Map<String, Value>,
    prefix: &str,
    errors: &mut Vec<ValidationError>,
) -> Option<FlagEvent> {
    let before = errors.len();
    unknown(map, &FLAG_FIELDS, "feature-flag-event", prefix, errors);
    let at = |name: &str| format!("{prefix}/{name}");
    let action = one_of(map, "action", &FLAG_ACTIONS, prefix, errors);
    let flag_key = match present(map, "key") {
        Some(v) => fields::text(&at("key"), v, fields::MAX_ID_CHARS, false)
            .map_err(|e| errors.push(e))
            .ok(),
        None => {
            errors.push(fields::required(&at("key"), "the key of the flag checked"));
            None
        }
    };
    let targeting_version = present(map, "targetingVersion").and_then(|v| match v.as_i64() {
        Some(n) if n >= 0 => Some(n),
        _ => {
            errors.push(ValidationError::new(
                at("targetingVersion"),
                FieldCode::InvalidType,
                format!(
                    "must be a whole number from 0, not {}",
                    fields::type_name(v)
                ),
            ));
            None
        }
    });
    let context = match present(map, "evalContext") {
        None => Value::Object(Map::new()),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(v) => {
            errors.push(invalid(
                &at("evalContext"),
                "an object (the context checked)",
                v,
            ));
            Value::Null
        }
    };
    let result = match present(map, "evalResult") {
        None => None,
        Some(v @ (Value::Bool(_) | Value::Object(_))) => Some(v.clone()),
        Some(v) => {
            errors.push(invalid(&at("evalResult"), "a boolean or an object", v));
            None
        }
    };
    let rule_results = list(
        map,
        "evalRuleResults",
        prefix,
        "booleans",
        errors,
        Value::as_bool,
    );
    let missing_fields = list(map, "evalMissingFields", prefix, "strings", errors, |v| {
        v.as_str().map(str::to_owned)
    });
    if errors.len() > before {
        return None;
    }
    Some(FlagEvent {
        action: action?,
        flag_key: flag_key?,
        targeting_version,
        context,
        result,
        rule_results,
        missing_fields,
    })
}

/// Checks a prompt event's fields.
pub fn prompt_event(
    map: &Map<String, Value>,
    prefix: &str,
    errors: &mut Vec<ValidationError>,
) -> Option<PromptEvent> {
    let before = errors.len();
    unknown(map, &PROMPT_FIELDS, "prompt-event", prefix, errors);
    let at = |name: &str| format!("{prefix}/{name}");
    let action = one_of(map, "action", &PROMPT_ACTIONS, prefix, errors);
    let mut text = |name: &str, what: Option<&str>, max: usize| match (present(map, name), what) {
        (Some(v), _) => fields::text(&at(name), v, max, false)
            .map_err(|e| errors.push(e))
            .ok(),
        (None, Some(what)) => {
            errors.push(fields::required(&at(name), what));
            None
        }
        (None, None) => None,
    };
    let feature_id = text(
        "featureId",
        Some("the feature the prompt asks about"),
        fields::MAX_ID_CHARS,
    );
    let prompt_id = text("promptId", Some("the prompt's id"), fields::MAX_ID_CHARS);
    let prompted_question = text("promptedQuestion", None, fields::MAX_QUESTION_CHARS);
    let user_id = match present(map, "userId") {
        Some(v) => fields::entity_id(&at("userId"), v)
            .map_err(|e| errors.push(e))
            .ok(),
        None => {
            errors.push(fields::required(
                &at("userId"),
                "the user the prompt was for",
            ));
            None
        }
    };
    if errors.len() > before {
        return None;
    }
    Some(PromptEvent {
        action: action?,
        feature_id: feature_id?,
        prompt_id: prompt_id?,
        user_id: user_id?,
        prompted_question,
    })
}

fn unknown(
    map: &Map<String, Value>,
    own: &[&str],
    kind: &str,
    prefix: &str,
    errors: &mut Vec<ValidationError>,
) {
    for key in map.keys().filter(|k| !own.contains(&k.as_str())) {
        let mut e = fields::unknown_field(key, own, kind, &[]);
        e.path = format!("{prefix}{}", e.path);
        errors.push(e);
    }
}

fn one_of(
    map: &Map<String, Value>,
    name: &str,
    allowed: &[&str],
    prefix: &str,
    errors: &mut Vec<ValidationError>,
) -> Option<String> {
    let path = format!("{prefix}/{name}");
    match present(map, name) {
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Some(s.clone()),
        Some(v) => {
            let found = match v {
                Value::String(s) => format!("`{}`", s.chars().take(40).collect::<String>()),
                other => fields::type_name(other),
            };
            errors.push(ValidationError::new(
                path,
                FieldCode::OutOfRange,
                format!("must be one of {}, not {found}", allowed.join(", ")),
            ));
            None
        }
        None => {
            errors.push(fields::required(
                &path,
                &format!("one of {}", allowed.join(", ")),
            ));
            None
        }
    }
}

fn list<T>(
    map: &Map<String, Value>,
    name: &str,
    prefix: &str,
    of: &str,
    errors: &mut Vec<ValidationError>,
    item: impl Fn(&Value) -> Option<T>,
) -> Option<Vec<T>> {
    let path = format!("{prefix}/{name}");
    let v = present(map, name)?;
    let Value::Array(values) = v else {
        errors.push(invalid(&path, &format!("an array of {of}"), v));
        return None;
    };
    let mut out = Vec::with_capacity(values.len());
    for (i, value) in values.iter().enumerate() {
        match item(value) {
            Some(x) => out.push(x),
            None => errors.push(invalid(
                &format!("{path}/{i}"),
                &format!("one of {of}"),
                value,
            )),
        }
    }
    Some(out)
}

fn invalid(path: &str, expected: &str, found: &Value) -> ValidationError {
    ValidationError::new(
        path,
        FieldCode::InvalidType,
        format!("must be {expected}, not {}", fields::type_name(found)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn every_flag_check_the_sdks_send_is_accepted() {
        for v in [
            json!({"action": "check", "key": "huddle", "targetingVersion": 3, "evalResult": true,
                   "evalContext": {"user": {"id": "u1"}, "company": {"id": 7}},
                   "evalRuleResults": [true, false], "evalMissingFields": ["company.plan"]}),
            json!({"action": "check-config", "key": "huddle", "evalResult": {}}),
            json!({"action": "check-config", "key": "h", "evalResult": {"key": "v1", "payload": {"x": [1]}}}),
            json!({"action": "check-is-enabled", "key": "h", "evalResult": false, "evalContext": {}}),
            json!({"action": "evaluate", "key": "h", "evalResult": true}),
            json!({"action": "check-is-enabled", "key": "h"}),
        ] {
            let mut errors = vec![];
            assert!(
                flag_event(&obj(v.clone()), "", &mut errors).is_some(),
                "{v}: {errors:?}"
            );
        }
    }

    #[test]
    fn a_bad_flag_check_lists_every_problem_at_its_pointer() {
        let mut errors = vec![];
        let v = json!({"action": "looked", "evalResult": "yes", "evalContext": [1],
                       "evalRuleResults": [true, 1], "targetingVersion": -1, "extra": 1});
        assert!(flag_event(&obj(v), "/4", &mut errors).is_none());
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/4/extra",
                "/4/action",
                "/4/key",
                "/4/targetingVersion",
                "/4/evalContext",
                "/4/evalResult",
                "/4/evalRuleResults/1"
            ]
        );
    }

    #[test]
    fn prompt_events() {
        let mut errors = vec![];
        let ok = json!({"action": "shown", "featureId": "f1", "promptId": "p1", "userId": 42,
                        "promptedQuestion": "How do you like it?"});
        let e = prompt_event(&obj(ok), "", &mut errors).unwrap();
        assert_eq!((e.action.as_str(), e.user_id.as_str()), ("shown", "42"));
        let bad = json!({"action": "clicked", "featureId": "", "userId": 4.5});
        assert!(prompt_event(&obj(bad), "/0", &mut errors).is_none());
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            ["/0/action", "/0/featureId", "/0/promptId", "/0/userId"]
        );
    }
}

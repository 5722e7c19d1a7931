//! The rule for each kind of field, returning the value or the problem at its path.

use super::errors::{FieldCode, ValidationError};
use super::payload::{Attributes, Score, Update};
use super::{pointer, suggest};
use serde_json::{Map, Value};

pub const MAX_ID_CHARS: usize = 255;
pub const MAX_ATTRIBUTES: usize = 100;
pub const MAX_ATTRIBUTE_KEY_CHARS: usize = 255;
pub const MAX_COMMENT_CHARS: usize = 4000;
pub const MAX_QUESTION_CHARS: usize = 256;

type Check<T> = Result<T, ValidationError>;

/// How a value reads in a message: "a string", "the number 4.5", "an array", …
pub fn type_name(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(_) => "a string".into(),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn invalid_type(path: &str, expected: &str, found: &Value) -> ValidationError {
    ValidationError::new(
        path,
        FieldCode::InvalidType,
        format!("must be {expected}, not {}", type_name(found)),
    )
}

pub fn required(path: &str, what: &str) -> ValidationError {
    ValidationError::new(path, FieldCode::Required, format!("is required: {what}"))
}

/// `userId`/`companyId`: a non-blank string of at most 255 characters, or a JSON integer from
/// −2^63 to 2^64−1; the integer 42 and the string "42" name the same entity, and `-0` is 0.
pub fn entity_id(path: &str, value: &Value) -> Check<String> {
    match value {
        Value::String(s) => bounded_text(path, s, MAX_ID_CHARS, false),
        Value::Number(n) => match integer_text(n) {
            Some(id) => Ok(id),
            None if is_integer_literal(n) => Err(ValidationError::new(
                path,
                FieldCode::OutOfRange,
                format!(
                    "must be an integer from -9223372036854775808 to 18446744073709551615, not \
                     {n}; send a larger id as a string"
                ),
            )),
            None => Err(ValidationError::new(
                path,
                FieldCode::InvalidType,
                format!("must be a string or an integer, not the fractional number {n}"),
            )),
        },
        other => Err(invalid_type(path, "a string or an integer", other)),
    }
}

/// An integer's canonical digits (`-0` is `0`), when the number is an integer that fits 64 bits.
pub fn integer_text(n: &serde_json::Number) -> Option<String> {
    n.as_i64()
        .map(|i| i.to_string())
        .or_else(|| n.as_u64().map(|u| u.to_string()))
}

/// Written without a fraction or an exponent: an integer, however large.
fn is_integer_literal(n: &serde_json::Number) -> bool {
    !n.to_string().contains(['.', 'e', 'E'])
}

/// A string of 1..=max characters; `allow_blank` lets white space alone count as text.
pub fn text(path: &str, value: &Value, max: usize, allow_blank: bool) -> Check<String> {
    match value {
        Value::String(s) => bounded_text(path, s, max, allow_blank),
        other => Err(invalid_type(path, "a string", other)),
    }
}

fn bounded_text(path: &str, s: &str, max: usize, allow_blank: bool) -> Check<String> {
    let blank = if allow_blank {
        s.is_empty()
    } else {
        s.trim().is_empty()
    };
    if blank {
        return Err(ValidationError::new(
            path,
            FieldCode::Blank,
            "must not be empty",
        ));
    }
    let len = s.chars().count();
    if len > max {
        return Err(ValidationError::new(
            path,
            FieldCode::TooLong,
            format!("must be at most {max} characters long, not {len}"),
        ));
    }
    Ok(s.to_owned())
}

/// `attributes`: at most 100 keys of 1–255 characters; values string, number, boolean or null.
/// Every bad key is reported, not only the first.
pub fn attributes(value: &Value, errors: &mut Vec<ValidationError>) -> Option<Attributes> {
    let Value::Object(map) = value else {
        errors.push(invalid_type(
            "/attributes",
            "an object of attribute names to values",
            value,
        ));
        return None;
    };
    let before = errors.len();
    if map.len() > MAX_ATTRIBUTES {
        errors.push(ValidationError::new(
            "/attributes",
            FieldCode::TooManyKeys,
            format!(
                "may have at most {MAX_ATTRIBUTES} attributes, not {}",
                map.len()
            ),
        ));
    }
    for (key, v) in map {
        let path = pointer::member("attributes", key);
        let len = key.chars().count();
        if len == 0 {
            errors.push(ValidationError::new(
                path,
                FieldCode::Blank,
                "attribute names must not be empty",
            ));
        } else if len > MAX_ATTRIBUTE_KEY_CHARS {
            errors.push(ValidationError::new(
                path,
                FieldCode::TooLong,
                format!("attribute names must be at most {MAX_ATTRIBUTE_KEY_CHARS} characters long, not {len}"),
            ));
        } else if let Some(text) = not_finite(v) {
            errors.push(ValidationError::new(
                path,
                FieldCode::OutOfRange,
                format!(
                    "attribute numbers must fit a double (JavaScript's Number), about ±1.8e308;                      {text} would be read as Infinity"
                ),
            ));
        } else if v.is_object() || v.is_array() {
            errors.push(ValidationError::new(
                path,
                FieldCode::NestedValue,
                format!(
                    "attribute values must be a string, number, boolean or null, not {}: \
                     attributes cannot be nested",
                    type_name(v)
                ),
            ));
        }
    }
    (errors.len() == before).then(|| map.clone())
}

/// The number's text when it is a number that JavaScript (and every f64 reader) would take as
/// an infinity: the digits are kept as sent, so `1e400` would be stored and served as is.
fn not_finite(value: &Value) -> Option<String> {
    let Value::Number(n) = value else {
        return None;
    };
    let text = n.to_string();
    let finite = text.parse::<f64>().is_ok_and(f64::is_finite);
    (!finite).then(|| shorten_number(&text))
}

fn shorten_number(text: &str) -> String {
    if text.len() <= 40 {
        text.to_owned()
    } else {
        format!("{}…", &text[..40])
    }
}

/// `context`: an object whose only key is `active`, a boolean. Returns `context.active`.
pub fn context(value: &Value, errors: &mut Vec<ValidationError>) -> Option<bool> {
    let Value::Object(map) = value else {
        errors.push(invalid_type(
            "/context",
            "an object such as {\"active\": false}",
            value,
        ));
        return None;
    };
    for key in map.keys().filter(|k| k.as_str() != "active") {
        errors.push(unknown_member("context", key, &["active"]));
    }
    match map.get("active") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(other) => {
            errors.push(invalid_type(
                "/context/active",
                "a boolean (true or false)",
                other,
            ));
            None
        }
    }
}

fn unknown_member(parent: &str, key: &str, known: &[&str]) -> ValidationError {
    let hint = match suggest::nearest(key, known) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("the only supported key is `{}`", known.join("`, `")),
    };
    ValidationError::new(
        pointer::member(parent, key),
        FieldCode::UnknownField,
        format!("unknown key `{key}` in `{parent}`; {hint}"),
    )
}

/// `score`: a whole number 1–5 (`4.0` is 4); 0 means "no score".
pub fn score(value: &Value) -> Check<Update<Score>> {
    let Value::Number(n) = value else {
        return Err(invalid_type("/score", "a number from 1 to 5", value));
    };
    let f = n.as_f64().unwrap_or(f64::NAN);
    let whole = f.fract() == 0.0 && (0.0..=5.0).contains(&f);
    match (whole, f as u8) {
        (true, 0) => Ok(Update::Clear),
        (true, v) => Score::new(v)
            .map(Update::Set)
            .ok_or_else(|| out_of_range_score(n)),
        (false, _) => Err(out_of_range_score(n)),
    }
}

fn out_of_range_score(n: &serde_json::Number) -> ValidationError {
    ValidationError::new(
        "/score",
        FieldCode::OutOfRange,
        format!("must be a whole number from 1 to 5 (0 means no score), not {n}"),
    )
}

/// `comment`: at most 4000 characters; blank counts as absent (or clears it in an update).
pub fn comment(value: &Value) -> Check<Update<String>> {
    match value {
        Value::String(s) if s.trim().is_empty() => Ok(Update::Clear),
        Value::String(s) => bounded_text("/comment", s, MAX_COMMENT_CHARS, true).map(Update::Set),
        other => Err(invalid_type("/comment", "a string", other)),
    }
}

/// The message for a top-level field the method does not have, with the likeliest meant one.
pub fn unknown_field(
    key: &str,
    method_fields: &[&str],
    method: &str,
    elsewhere: &[&str],
) -> ValidationError {
    let hint = if let Some(s) = suggest::nearest(key, method_fields) {
        format!("did you mean `{s}`?")
    } else if elsewhere.is_empty() {
        format!("{method} calls accept {}", method_fields.join(", "))
    } else {
        format!(
            "`{key}` belongs to {} calls; {method} calls accept {}",
            elsewhere.join(" and "),
            method_fields.join(", ")
        )
    };
    ValidationError::new(
        pointer::field(key),
        FieldCode::UnknownField,
        format!("unknown field `{key}`; {hint}"),
    )
}

/// Shorthand used by the validator: `Some(v)` when present and not null.
pub fn present<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(name).filter(|v| !v.is_null())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_accept_strings_and_integers_only() {
        assert_eq!(entity_id("/userId", &json!(42)).unwrap(), "42");
        assert_eq!(entity_id("/userId", &json!("42")).unwrap(), "42");
        assert_eq!(entity_id("/userId", &json!(-7)).unwrap(), "-7");
        assert_eq!(
            entity_id("/userId", &json!(u64::MAX)).unwrap(),
            u64::MAX.to_string()
        );
        for (bad, code) in [
            (json!(4.5), FieldCode::InvalidType),
            (json!(42.0), FieldCode::InvalidType),
            (json!(true), FieldCode::InvalidType),
            (json!([1]), FieldCode::InvalidType),
            (json!({}), FieldCode::InvalidType),
            (json!(""), FieldCode::Blank),
            (json!("  \t"), FieldCode::Blank),
            (json!("x".repeat(256)), FieldCode::TooLong),
        ] {
            assert_eq!(entity_id("/userId", &bad).unwrap_err().code, code, "{bad}");
        }
        assert!(entity_id("/userId", &json!("é".repeat(255))).is_ok());
    }

    #[test]
    fn scores() {
        assert_eq!(
            score(&json!(4)).unwrap(),
            Update::Set(Score::new(4).unwrap())
        );
        assert_eq!(
            score(&json!(4.0)).unwrap(),
            Update::Set(Score::new(4).unwrap())
        );
        assert_eq!(score(&json!(0)).unwrap(), Update::Clear);
        for bad in [json!(6), json!(-1), json!(2.5), json!(1e300), json!(-0.5)] {
            assert_eq!(
                score(&bad).unwrap_err().code,
                FieldCode::OutOfRange,
                "{bad}"
            );
        }
        assert_eq!(score(&json!("4")).unwrap_err().code, FieldCode::InvalidType);
    }

    #[test]
    fn comments() {
        assert_eq!(comment(&json!("  ")).unwrap(), Update::Clear);
        assert_eq!(comment(&json!("ok")).unwrap(), Update::Set("ok".into()));
        assert!(comment(&json!("é".repeat(4000))).is_ok());
        assert_eq!(
            comment(&json!("x".repeat(4001))).unwrap_err().code,
            FieldCode::TooLong
        );
        assert_eq!(comment(&json!(5)).unwrap_err().code, FieldCode::InvalidType);
    }

    #[test]
    fn attributes_report_every_bad_key() {
        let mut errors = vec![];
        let value = json!({"ok": 1, "n": null, "nested": {"a": 1}, "list": [1], "": true});
        assert!(attributes(&value, &mut errors).is_none());
        let paths: Vec<_> = errors.iter().map(|e| (e.path.as_str(), e.code)).collect();
        assert_eq!(
            paths,
            vec![
                ("/attributes/", FieldCode::Blank),
                ("/attributes/list", FieldCode::NestedValue),
                ("/attributes/nested", FieldCode::NestedValue),
            ]
        );
        let many: Map<String, Value> = (0..101).map(|i| (format!("k{i}"), json!(i))).collect();
        let mut errors = vec![];
        assert!(attributes(&Value::Object(many), &mut errors).is_none());
        assert_eq!(errors[0].code, FieldCode::TooManyKeys);
    }

    #[test]
    fn context_allows_only_active() {
        let mut errors = vec![];
        assert_eq!(context(&json!({"active": false}), &mut errors), Some(false));
        assert_eq!(context(&json!({"active": null}), &mut errors), None);
        assert!(errors.is_empty());
        context(&json!({"activ": true, "active": "no"}), &mut errors);
        assert_eq!(errors[0].path, "/context/activ");
        assert!(errors[0].message.contains("did you mean `active`"));
        assert_eq!(errors[1].path, "/context/active");
    }
}

//! Timestamps: RFC 3339 date-times with an offset, or integer milliseconds since the epoch.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

/// Earliest and latest instants accepted: years 1 to 9999, so every stored time prints as RFC 3339.
const MIN_MS: i64 = -62_135_596_800_000;
const MAX_MS: i64 = 253_402_300_799_999;

/// Why a value is not a timestamp, in the words a sender needs to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("must fall between the years 1 and 9999 (UTC)")]
    OutOfRange,
    /// A JSON value of another kind (described: "the number 1.5", "a boolean"…).
    #[error(
        "must be an ISO 8601 date-time string with offset (2024-05-01T12:00:00Z) or an integer \
         of milliseconds since the epoch, not {0}"
    )]
    WrongType(String),
    /// A string that does not parse: what was sent (shortened) and why.
    #[error(
        "`{0}` is not an ISO 8601 date-time with offset ({1}); write it like \
         2024-05-01T12:00:00Z or 2024-05-01T14:00:00.123+02:00"
    )]
    Unparsable(String, String),
}

/// Reads a `timestamp` value as epoch milliseconds, or says why it is not one.
pub fn parse(value: &Value) -> Result<i64, TimestampError> {
    match value {
        Value::String(s) => parse_str(s),
        Value::Number(n) => match n.as_i64() {
            Some(ms) if (MIN_MS..=MAX_MS).contains(&ms) => Ok(ms),
            Some(_) => Err(TimestampError::OutOfRange),
            None => Err(TimestampError::WrongType(format!("the number {n}"))),
        },
        other => Err(TimestampError::WrongType(super::fields::type_name(other))),
    }
}

/// The same years as for milliseconds, in UTC: RFC 3339 lets a string name the year 0
/// (`0000-01-01T00:00:00Z`, or `0001-01-01T00:00:00+01:00`), which is no year of the Gregorian
/// era a client means and prints as no valid ISO date in JavaScript's `toISOString`.
fn parse_str(s: &str) -> Result<i64, TimestampError> {
    let ms = DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp_millis())
        .map_err(|e| TimestampError::Unparsable(shorten(s), e.to_string()))?;
    if (MIN_MS..=MAX_MS).contains(&ms) {
        Ok(ms)
    } else {
        Err(TimestampError::OutOfRange)
    }
}

/// Formats epoch milliseconds as RFC 3339 in UTC with milliseconds: `2024-05-01T12:00:00.000Z`.
pub fn format(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The current time in epoch milliseconds.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= 40 {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(40).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_offsets_and_millis() {
        assert_eq!(parse(&json!("2024-05-01T12:00:00Z")), Ok(1_714_564_800_000));
        assert_eq!(
            parse(&json!("2024-05-01T14:00:00.123+02:00")),
            Ok(1_714_564_800_123)
        );
        assert_eq!(parse(&json!(1_714_564_800_000_i64)), Ok(1_714_564_800_000));
    }

    #[test]
    fn rejects_what_is_ambiguous_or_not_a_time() {
        for bad in [
            json!("2024-05-01T12:00:00"),
            json!("2024-05-01"),
            json!("yesterday"),
            json!(""),
            json!(1.5),
            json!(true),
            json!(i64::MAX),
            json!({"t": 1}),
        ] {
            assert!(parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn strings_and_milliseconds_share_the_years_1_to_9999_in_utc() {
        for (value, ok) in [
            (json!("0000-01-01T00:00:00Z"), false),
            (json!("0001-01-01T00:00:00+01:00"), false),
            (json!("0001-01-01T00:00:00Z"), true),
            (json!("9999-12-31T23:59:59.999Z"), true),
            (json!("9999-12-31T23:59:59-01:00"), false),
            (json!(MIN_MS - 1), false),
            (json!(MIN_MS), true),
            (json!(MAX_MS), true),
            (json!(MAX_MS + 1), false),
        ] {
            let parsed = parse(&value);
            assert_eq!(parsed.is_ok(), ok, "{value}: {parsed:?}");
            if let Ok(ms) = parsed {
                assert_eq!(
                    parse(&json!(format(ms))),
                    Ok(ms),
                    "{value} prints and reads back"
                );
            }
        }
        assert_eq!(
            parse(&json!("0000-01-01T00:00:00Z")),
            Err(TimestampError::OutOfRange)
        );
    }

    #[test]
    fn formats_in_utc_with_millis() {
        assert_eq!(format(1_714_564_800_123), "2024-05-01T12:00:00.123Z");
        assert_eq!(format(0), "1970-01-01T00:00:00.000Z");
    }
}

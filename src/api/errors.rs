//! The response bodies of assets/contract.md §3 and the warnings of §4, shared by the server (which writes
//! them) and the client (which reads them back from any server, so unknown codes are tolerated).

use serde::{Deserialize, Serialize};

/// The top-level `error.code` of a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// One or more fields break the rules; `validationErrors` lists every one.
    BodyValidationFailed,
    /// Unparsable, nested deeper than 32 levels, or not UTF-8.
    InvalidJson,
    /// `Content-Type` missing or not `application/json`.
    UnsupportedContentType,
    /// More than 32 KiB.
    BodyTooLarge,
    /// The tracking key in the path is malformed.
    InvalidApiKey,
    /// `feedbackId` is unknown, malformed, or belongs to another key.
    FeedbackNotFound,
    /// A bad query parameter on an inspection route.
    QueryValidationFailed,
    /// The path names no method (404).
    UnknownMethod,
    /// A verb other than POST/OPTIONS on a tracking route (405).
    MethodNotAllowed,
    /// The `Host` header names no loopback host while the server listens on loopback (403).
    ForbiddenHost,
    /// More than one `Host` header (400).
    InvalidHost,
    /// No such route or entity (404).
    NotFound,
    /// Storing failed; nothing was stored, so a retry is right (500).
    UnknownError,
    /// `serve --forward`: the real service could not be reached (502).
    UpstreamFailed,
    /// The body ended before its declared end (the client closed early): nothing stored (400).
    IncompleteBody,
    /// The body stalled or took too long in all: nothing stored (408).
    RequestTimeout,
    /// A transfer coding other than chunked (501).
    UnsupportedTransferEncoding,
    /// Runtime API (403): no key, neither `Authorization: Bearer` nor `?publishableKey=`.
    KeyMissing,
    /// Runtime API (403): not a `pub_`/`sec_` key, or not a Bearer header.
    KeyMalformed,
    /// Runtime API (403): a secret key in the query string.
    SecretKeyInQuery,
    /// Runtime API (403): a publishable key where only a secret key is taken (`GET /features`).
    SecretKeyRequired,
    /// A code this build does not know (another server's).
    #[serde(other)]
    Unrecognized,
}

/// The code of one entry of `validationErrors`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FieldCode {
    /// A required field is missing (or null).
    Required,
    /// The value has the wrong JSON type.
    InvalidType,
    /// The method has no field of this name.
    UnknownField,
    /// Longer than the field allows.
    TooLong,
    /// Empty, or only white space, where text is required.
    Blank,
    /// A number outside the allowed range, or a value outside an enumeration.
    OutOfRange,
    /// Not an RFC 3339 date-time with offset nor an integer of epoch milliseconds.
    InvalidTimestamp,
    /// An object with more keys than allowed.
    TooManyKeys,
    /// An attribute value that is an object or an array.
    NestedValue,
    /// Neither a score (1–5) nor a comment was given.
    ScoreOrCommentRequired,
    /// The body as a whole is not JSON.
    InvalidJson,
    /// The request's `Content-Type` is wrong.
    UnsupportedContentType,
    /// The body is over the size limit.
    BodyTooLarge,
    /// The tracking key in the path is malformed.
    InvalidApiKey,
    /// `feedbackId` names no feedback of this key.
    FeedbackNotFound,
    /// A query parameter is unknown or has a bad value.
    InvalidParameter,
    /// A code this build does not know (another server's).
    #[serde(other)]
    Unrecognized,
}

/// One problem, at its JSON Pointer path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationError {
    pub path: String,
    pub code: FieldCode,
    pub message: String,
}

impl ValidationError {
    pub fn new(path: impl Into<String>, code: FieldCode, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            code,
            message: message.into(),
        }
    }
}

/// The code of a warning: the call succeeded, but probably not as the sender meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WarningCode {
    /// The request used `/events`; the method is `event`.
    EventsAlias,
    /// An event from a user who belongs to no company; Bucket leaves it out of most results.
    UnassociatedUser,
    /// The timestamp is more than 24 hours ahead.
    FutureTimestamp,
    /// Runtime API: a secret key of 22 characters or fewer, which the node SDK refuses.
    ShortSecretKey,
    /// Said by the client, not a server: the answer's body was too large to read, so only its
    /// status is known.
    AnswerTooLarge,
    /// A code this build does not know (another server's).
    #[serde(other)]
    Unrecognized,
}

/// What to do about a user who belongs to no company (assets/contract.md §4).
pub const UNASSOCIATED_FIX: &str = "send a `company` call with this userId";

/// Why a user without a company matters, for views that list users (assets/contract.md §4).
pub fn unassociated_explanation(user_id: &str) -> String {
    format!(
        "user `{user_id}` belongs to no company: Bucket leaves this user's events without a \
         companyId out of most results; {UNASSOCIATED_FIX}"
    )
}

/// A warning attached to a 200 answer (assets/contract.md §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub code: WarningCode,
    pub path: String,
    pub message: String,
}

impl Warning {
    pub fn events_alias() -> Self {
        Self {
            code: WarningCode::EventsAlias,
            path: String::new(),
            message:
                "the method is `event`; `/events` is accepted as an alias, but send to `/event`"
                    .into(),
        }
    }

    pub fn unassociated_user(user_id: &str) -> Self {
        Self {
            code: WarningCode::UnassociatedUser,
            path: "/userId".into(),
            message: format!(
                "user `{user_id}` belongs to no company, so Bucket leaves this event out of most \
                 results; {UNASSOCIATED_FIX} (or give this event a companyId)"
            ),
        }
    }
}

/// `200 {"success": true, …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuccessBody {
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

impl SuccessBody {
    pub fn new(feedback_id: Option<String>, warnings: Vec<Warning>) -> Self {
        Self {
            success: true,
            feedback_id,
            warnings,
        }
    }
}

/// `{"success": false, "error": {…}}`, the body of every non-2xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub success: bool,
    pub error: Rejection,
}

/// Why a request was refused: a code, a sentence, and every problem at its path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rejection {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default)]
    pub validation_errors: Vec<ValidationError>,
}

impl Rejection {
    /// A rejection with no per-field entries.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            validation_errors: Vec::new(),
        }
    }

    /// A rejection about the whole request, with one entry at path `""` so every 400 names a path.
    pub fn whole(code: ErrorCode, field_code: FieldCode, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            code,
            validation_errors: vec![ValidationError::new("", field_code, message.clone())],
            message,
        }
    }

    /// The rejection for a body whose fields broke rules. A malformed `feedbackId` alone is
    /// reported as `FEEDBACK_NOT_FOUND`, as the contract asks.
    pub fn from_errors(errors: Vec<ValidationError>) -> Self {
        let only_feedback_id =
            !errors.is_empty() && errors.iter().all(|e| e.code == FieldCode::FeedbackNotFound);
        let code = if only_feedback_id {
            ErrorCode::FeedbackNotFound
        } else {
            ErrorCode::BodyValidationFailed
        };
        let message = match errors.as_slice() {
            [one] => format!("{}: {}", display_path(&one.path), one.message),
            many => format!(
                "the request body has {} problems: {}",
                many.len(),
                many.iter()
                    .map(|e| display_path(&e.path).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        Self {
            code,
            message,
            validation_errors: errors,
        }
    }

    pub fn into_body(self) -> ErrorBody {
        ErrorBody {
            success: false,
            error: self,
        }
    }
}

/// A path as people read it in a sentence: the whole body is "body".
pub fn display_path(path: &str) -> &str {
    if path.is_empty() { "body" } else { path }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn success_body_omits_what_is_empty() {
        let body = serde_json::to_value(SuccessBody::new(None, vec![])).unwrap();
        assert_eq!(body, json!({"success": true}));
        let body = serde_json::to_value(SuccessBody::new(Some("f1".into()), vec![])).unwrap();
        assert_eq!(body, json!({"success": true, "feedbackId": "f1"}));
    }

    #[test]
    fn error_body_has_the_documented_shape() {
        let rejection = Rejection::from_errors(vec![ValidationError::new(
            "/score",
            FieldCode::OutOfRange,
            "must be 1 to 5",
        )]);
        let body = serde_json::to_value(rejection.into_body()).unwrap();
        assert_eq!(
            body,
            json!({"success": false, "error": {"code": "BODY_VALIDATION_FAILED",
                "message": "/score: must be 1 to 5",
                "validationErrors": [{"path": "/score", "code": "OUT_OF_RANGE", "message": "must be 1 to 5"}]}})
        );
    }

    #[test]
    fn unknown_codes_from_other_servers_are_tolerated() {
        let body: ErrorBody = serde_json::from_value(json!({"success": false,
            "error": {"code": "SOMETHING_NEW", "message": "m",
                      "validationErrors": [{"path": "", "code": "ALSO_NEW", "message": "x"}]}}))
        .unwrap();
        assert_eq!(body.error.code, ErrorCode::Unrecognized);
        assert_eq!(
            body.error.validation_errors[0].code,
            FieldCode::Unrecognized
        );
    }

    #[test]
    fn a_lone_bad_feedback_id_is_feedback_not_found() {
        let r = Rejection::from_errors(vec![ValidationError::new(
            "/feedbackId",
            FieldCode::FeedbackNotFound,
            "no such feedback",
        )]);
        assert_eq!(r.code, ErrorCode::FeedbackNotFound);
    }
}

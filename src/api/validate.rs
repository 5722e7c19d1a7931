//! The one implementation of assets/contract.md §2: a body and a method in, a typed payload or every
//! problem out. The server, the CLI and the console's live validation all call [`validate`].

use super::errors::{FieldCode, ValidationError, Warning, WarningCode};
use super::fields::{self, present};
use super::method::Method;
use super::payload::{
    CompanyCall, EventCall, FeedbackCall, Payload, Source, Tracking, Update, UserCall,
    is_feedback_id,
};
use super::timestamp;
use serde_json::{Map, Value};

/// How far ahead a timestamp may be before it earns a warning.
const FUTURE_SLACK_MS: i64 = 24 * 60 * 60 * 1000;

/// A call that passed validation, and what it should be warned about.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    pub payload: Payload,
    pub warnings: Vec<Warning>,
}

/// Validates `body` as a call of `method` at time `now_ms` (for the future-timestamp warning).
/// Every problem is reported, each at its JSON Pointer path.
pub fn validate(
    method: Method,
    body: &Value,
    now_ms: i64,
) -> Result<Validated, Vec<ValidationError>> {
    validate_as(method, body, now_ms, false)
}

/// [`validate`] for the Runtime API's routes, whose feedback also takes `key` (the flag key):
/// `key` or `featureId` is required, and `key` is the feedback's feature when given.
pub fn validate_runtime(
    method: Method,
    body: &Value,
    now_ms: i64,
) -> Result<Validated, Vec<ValidationError>> {
    validate_as(method, body, now_ms, true)
}

fn validate_as(
    method: Method,
    body: &Value,
    now_ms: i64,
    runtime: bool,
) -> Result<Validated, Vec<ValidationError>> {
    let Value::Object(map) = body else {
        return Err(vec![ValidationError::new(
            "",
            FieldCode::InvalidType,
            format!(
                "the body must be a JSON object, not {}",
                fields::type_name(body)
            ),
        )]);
    };
    // A body built from a file, a paste or templates meets the size rule here, before a server
    // does; one that arrived whole within the limit is never larger compact.
    let size = super::body::sent_size(body);
    if size > super::MAX_BODY_BYTES {
        return Err(super::body::too_large(Some(size)).validation_errors);
    }
    let mut v = Validator {
        map,
        method,
        now_ms,
        runtime,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    v.reject_unknown_fields();
    let payload = match method {
        Method::User => v.user(),
        Method::Company => v.company(),
        Method::Event => v.event(),
        Method::Feedback => v.feedback(),
    };
    match payload {
        Some(payload) if v.errors.is_empty() => Ok(Validated {
            payload,
            warnings: v.warnings,
        }),
        _ => Err(v.errors),
    }
}

struct Validator<'a> {
    map: &'a Map<String, Value>,
    method: Method,
    now_ms: i64,
    runtime: bool,
    errors: Vec<ValidationError>,
    warnings: Vec<Warning>,
}

impl Validator<'_> {
    fn reject_unknown_fields(&mut self) {
        let api = if self.runtime {
            super::Api::Runtime
        } else {
            super::Api::Tracking
        };
        let own: Vec<&str> = self.method.fields_on(api).iter().map(|f| f.name).collect();
        for key in self.map.keys().filter(|k| !own.contains(&k.as_str())) {
            let elsewhere: Vec<&str> = Method::ALL
                .into_iter()
                .filter(|m| m.fields().iter().any(|f| f.name == key))
                .map(Method::as_str)
                .collect();
            let error = fields::unknown_field(key, &own, self.method.as_str(), &elsewhere);
            self.errors.push(error);
        }
    }

    /// Runs a rule on a field if present; a missing required field is reported with `what`.
    fn field<T>(
        &mut self,
        name: &str,
        required: Option<&str>,
        rule: impl FnOnce(&str, &Value) -> Result<T, ValidationError>,
    ) -> Option<T> {
        let path = format!("/{name}");
        match present(self.map, name) {
            Some(value) => rule(&path, value).map_err(|e| self.errors.push(e)).ok(),
            None => {
                if let Some(what) = required {
                    self.errors.push(fields::required(&path, what));
                }
                None
            }
        }
    }

    fn id(&mut self, name: &str, required: Option<&str>) -> Option<String> {
        self.field(name, required, fields::entity_id)
    }

    fn tracking(&mut self) -> Tracking {
        let attributes = match present(self.map, "attributes") {
            Some(value) => fields::attributes(value, &mut self.errors).unwrap_or_default(),
            None => Map::new(),
        };
        let active =
            present(self.map, "context").and_then(|c| fields::context(c, &mut self.errors));
        let now = self.now_ms;
        let timestamp = self.field("timestamp", None, |path, value| {
            timestamp::parse(value)
                .map_err(|e| ValidationError::new(path, FieldCode::InvalidTimestamp, e.to_string()))
        });
        if let Some(ts) = timestamp.filter(|ts| *ts > now + FUTURE_SLACK_MS) {
            self.warnings.push(Warning {
                code: WarningCode::FutureTimestamp,
                path: "/timestamp".into(),
                message: format!(
                    "{} is more than 24 hours in the future; was a clock or unit (seconds vs \
                     milliseconds) wrong?",
                    timestamp::format(ts)
                ),
            });
        }
        Tracking {
            attributes,
            active,
            timestamp,
        }
    }

    fn user(&mut self) -> Option<Payload> {
        let user_id = self.id("userId", Some("the id of the user, a string or an integer"));
        let tracking = self.tracking();
        Some(Payload::User(UserCall {
            user_id: user_id?,
            tracking,
        }))
    }

    fn company(&mut self) -> Option<Payload> {
        let company_id = self.id(
            "companyId",
            Some("the id of the company, a string or an integer"),
        );
        let user_id = self.id("userId", None);
        let tracking = self.tracking();
        Some(Payload::Company(CompanyCall {
            company_id: company_id?,
            user_id,
            tracking,
        }))
    }

    fn event(&mut self) -> Option<Payload> {
        let event = self.field(
            "event",
            Some("the name of the event, such as \"Sent message\""),
            |p, v| fields::text(p, v, fields::MAX_ID_CHARS, false),
        );
        let user_id = self.id("userId", Some("the id of the user who did it"));
        let company_id = self.id("companyId", None);
        let tracking = self.tracking();
        Some(Payload::Event(EventCall {
            event: event?,
            user_id: user_id?,
            company_id,
            tracking,
        }))
    }

    fn feedback(&mut self) -> Option<Payload> {
        let flag_key = if self.runtime {
            self.field("key", None, |p, v| {
                fields::text(p, v, fields::MAX_ID_CHARS, false)
            })
        } else {
            None
        };
        let key_given = self.runtime && present(self.map, "key").is_some();
        let required = if self.runtime {
            (!key_given).then_some(
                "the flag key the feedback is about (`key`), or the feature's id (`featureId`)",
            )
        } else {
            Some("the id of the feature the feedback is about")
        };
        let feature_id = self.field("featureId", required, |p, v| {
            fields::text(p, v, fields::MAX_ID_CHARS, true)
        });
        let (feature_id, sent_feature_id) = match flag_key.clone() {
            Some(key) => (Some(key), feature_id),
            None if key_given => (None, feature_id),
            None => (feature_id, None),
        };
        let user_id = self.id("userId", Some("the id of the user giving feedback"));
        let company_id = self.id("companyId", None);
        let score = self.field("score", None, |_, v| fields::score(v));
        let comment = self.field("comment", None, |_, v| fields::comment(v));
        let feedback_id = self.field("feedbackId", None, |path, v| match v {
            Value::String(s) if is_feedback_id(s) => Ok(s.clone()),
            other => Err(ValidationError::new(
                path,
                FieldCode::FeedbackNotFound,
                format!(
                    "no feedback has the id {}: feedback ids are the `feedbackId` a /feedback call \
                     answered",
                    short_value(other)
                ),
            )),
        });
        let question = self.question("question");
        let prompted_question = self.question("promptedQuestion");
        let prompt_id = self.field("promptId", None, |p, v| {
            fields::text(p, v, fields::MAX_ID_CHARS, true)
        });
        let source = self.field("source", None, |path, v| match v {
            Value::String(s) => Source::parse(s).ok_or_else(|| bad_source(path, &format!("`{s}`"))),
            other => Err(bad_source(path, &fields::type_name(other))),
        });

        let score_ok = present(self.map, "score").is_none() || score.is_some();
        let comment_ok = present(self.map, "comment").is_none() || comment.is_some();
        let score = score.unwrap_or(Update::Absent);
        let comment = comment.unwrap_or(Update::Absent);
        let neither = score.set().is_none() && comment.set().is_none();
        // An update may give neither: the stored feedback is checked after merging.
        if neither && score_ok && comment_ok && present(self.map, "feedbackId").is_none() {
            self.errors.push(no_score_or_comment());
        }
        Some(Payload::Feedback(FeedbackCall {
            feature_id: feature_id?,
            key: flag_key,
            sent_feature_id,
            user_id: user_id?,
            company_id,
            score,
            comment,
            feedback_id,
            question,
            prompted_question,
            prompt_id,
            source,
        }))
    }

    fn question(&mut self, name: &str) -> Option<String> {
        self.field(name, None, |p, v| {
            fields::text(p, v, fields::MAX_QUESTION_CHARS, true)
        })
    }
}

/// The problem of a feedback with neither a score nor a comment (also after an update).
pub fn no_score_or_comment() -> ValidationError {
    ValidationError::new(
        "/score",
        FieldCode::ScoreOrCommentRequired,
        "give a score from 1 to 5, a comment, or both (a score of 0 means no score)",
    )
}

fn bad_source(path: &str, found: &str) -> ValidationError {
    let allowed = Source::ALL.map(Source::as_str).join(", ");
    ValidationError::new(
        path,
        FieldCode::OutOfRange,
        format!("must be one of {allowed}, not {found}"),
    )
}

fn short_value(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests;

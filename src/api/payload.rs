//! The typed form of a call that passed validation: what the server stores.

use super::method::Method;
use serde_json::{Map, Value};

/// Attribute values are scalars (string, number, boolean or null) under keys of 1–255 characters.
pub type Attributes = Map<String, Value>;

/// A feedback score, 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score(u8);

impl Score {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 5;

    pub const fn new(value: u8) -> Option<Score> {
        if value >= Self::MIN && value <= Self::MAX {
            Some(Score(value))
        } else {
            None
        }
    }

    pub const fn get(self) -> u8 {
        self.0
    }

    /// The label the official widget shows for the score.
    pub const fn label(self) -> &'static str {
        match self.0 {
            1 => "Very dissatisfied",
            2 => "Dissatisfied",
            3 => "Neutral",
            4 => "Satisfied",
            _ => "Very satisfied",
        }
    }
}

/// A field of a feedback call, which may also update an earlier feedback: absent keeps what is
/// stored, `Clear` (score 0, blank comment) removes it, `Set` replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update<T> {
    Absent,
    Clear,
    Set(T),
}

impl<T> Update<T> {
    /// The value this call gives, ignoring clears (what a new feedback gets).
    pub fn set(&self) -> Option<&T> {
        match self {
            Update::Set(v) => Some(v),
            _ => None,
        }
    }

    /// Converts the value an update sets.
    pub fn map_set<U>(self, f: impl FnOnce(T) -> U) -> Update<U> {
        match self {
            Update::Absent => Update::Absent,
            Update::Clear => Update::Clear,
            Update::Set(v) => Update::Set(f(v)),
        }
    }

    /// Applies the update to a stored value.
    pub fn apply(self, stored: Option<T>) -> Option<T> {
        match self {
            Update::Absent => stored,
            Update::Clear => None,
            Update::Set(v) => Some(v),
        }
    }
}

/// Where a feedback came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Api,
    Manual,
    Prompt,
    Sdk,
    Widget,
}

impl Source {
    pub const ALL: [Source; 5] = [
        Source::Api,
        Source::Manual,
        Source::Prompt,
        Source::Sdk,
        Source::Widget,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Source::Api => "api",
            Source::Manual => "manual",
            Source::Prompt => "prompt",
            Source::Sdk => "sdk",
            Source::Widget => "widget",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Common to user, company and event calls.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracking {
    pub attributes: Attributes,
    /// `context.active`; `Some(false)` leaves `lastSeen` alone.
    pub active: Option<bool>,
    /// Epoch milliseconds; the effective time is the receipt time when absent.
    pub timestamp: Option<i64>,
}

impl Tracking {
    /// Whether the call updates `lastSeen` (everything but `context.active = false`).
    pub fn is_active(&self) -> bool {
        self.active != Some(false)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct UserCall {
    pub user_id: String,
    pub tracking: Tracking,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompanyCall {
    pub company_id: String,
    pub user_id: Option<String>,
    pub tracking: Tracking,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventCall {
    pub event: String,
    pub user_id: String,
    pub company_id: Option<String>,
    pub tracking: Tracking,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackCall {
    /// The feedback's feature: the flag key when a Runtime API call gave `key`, else `featureId`.
    pub feature_id: String,
    /// Runtime API: the flag key (`key`).
    pub key: Option<String>,
    /// Runtime API: the `featureId` sent beside a `key`, kept as sent.
    pub sent_feature_id: Option<String>,
    pub user_id: String,
    pub company_id: Option<String>,
    pub score: Update<Score>,
    pub comment: Update<String>,
    /// Set: update that feedback in place instead of creating one.
    pub feedback_id: Option<String>,
    pub question: Option<String>,
    pub prompted_question: Option<String>,
    pub prompt_id: Option<String>,
    pub source: Option<Source>,
}

/// A validated call of any method.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    User(UserCall),
    Company(CompanyCall),
    Event(EventCall),
    Feedback(FeedbackCall),
}

impl Payload {
    pub fn method(&self) -> Method {
        match self {
            Payload::User(_) => Method::User,
            Payload::Company(_) => Method::Company,
            Payload::Event(_) => Method::Event,
            Payload::Feedback(_) => Method::Feedback,
        }
    }
}

/// Whether a string has the form of the ids this server gives feedback (a lowercase, hyphenated
/// UUID); anything else cannot name a stored feedback.
pub fn is_feedback_id(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok_and(|u| u.hyphenated().to_string() == s)
}

/// A new feedback id.
pub fn new_feedback_id() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_and_labels() {
        assert_eq!(Score::new(0), None);
        assert_eq!(Score::new(6), None);
        assert_eq!(Score::new(1).unwrap().label(), "Very dissatisfied");
        assert_eq!(Score::new(5).unwrap().label(), "Very satisfied");
    }

    #[test]
    fn updates_apply_to_stored_values() {
        assert_eq!(Update::Absent.apply(Some(3)), Some(3));
        assert_eq!(Update::<u8>::Clear.apply(Some(3)), None);
        assert_eq!(Update::Set(4).apply(None), Some(4));
    }

    #[test]
    fn feedback_ids_have_one_form() {
        let id = new_feedback_id();
        assert!(is_feedback_id(&id));
        assert!(!is_feedback_id(&id.to_uppercase()));
        assert!(!is_feedback_id(&id.replace('-', "")));
        assert!(!is_feedback_id("42"));
    }
}

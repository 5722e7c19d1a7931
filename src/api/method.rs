//! The four methods of the API and the fields each accepts, in the order of assets/contract.md §2's table.

use std::fmt;

/// One of the API's four methods: the last segment of `POST {base}/{key}/{method}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// Create or update a user.
    User,
    /// Create or update a company, optionally making a user a member.
    Company,
    /// Record that a user did something.
    Event,
    /// A 1–5 score and/or a comment about a feature.
    Feedback,
}

/// A field a method accepts, and whether the server insists on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub required: bool,
}

const fn req(name: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        required: true,
    }
}
const fn opt(name: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        required: false,
    }
}

const USER_FIELDS: &[FieldSpec] = &[
    req("userId"),
    opt("attributes"),
    opt("context"),
    opt("timestamp"),
];
const COMPANY_FIELDS: &[FieldSpec] = &[
    req("companyId"),
    opt("userId"),
    opt("attributes"),
    opt("context"),
    opt("timestamp"),
];
const EVENT_FIELDS: &[FieldSpec] = &[
    req("event"),
    req("userId"),
    opt("companyId"),
    opt("attributes"),
    opt("context"),
    opt("timestamp"),
];
/// The Runtime API's feedback: the flag key (`key`, what the SDKs send) first; `featureId` is
/// optional beside it, and one of the two is required (see [`super::validate_runtime`]).
const RUNTIME_FEEDBACK_FIELDS: &[FieldSpec] = &[
    req("key"),
    opt("featureId"),
    req("userId"),
    opt("companyId"),
    opt("score"),
    opt("comment"),
    opt("feedbackId"),
    opt("question"),
    opt("promptedQuestion"),
    opt("promptId"),
    opt("source"),
];
const FEEDBACK_FIELDS: &[FieldSpec] = &[
    req("featureId"),
    req("userId"),
    opt("companyId"),
    opt("score"),
    opt("comment"),
    opt("feedbackId"),
    opt("question"),
    opt("promptedQuestion"),
    opt("promptId"),
    opt("source"),
];

impl Method {
    pub const ALL: [Method; 4] = [
        Method::User,
        Method::Company,
        Method::Event,
        Method::Feedback,
    ];

    /// The path segment, as the SDK sends it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::User => "user",
            Method::Company => "company",
            Method::Event => "event",
            Method::Feedback => "feedback",
        }
    }

    /// Parses a path segment. `events` (the reference's intro spelling) is accepted as an alias of
    /// `event`; the second value says whether the alias was used, so the server can warn about it.
    pub fn from_route(segment: &str) -> Option<(Method, bool)> {
        match segment {
            "events" => Some((Method::Event, true)),
            other => Method::parse(other).map(|m| (m, false)),
        }
    }

    /// Parses the canonical name only.
    pub fn parse(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// The fields this method accepts, in the contract's order (the console's forms use it too).
    pub const fn fields(self) -> &'static [FieldSpec] {
        match self {
            Method::User => USER_FIELDS,
            Method::Company => COMPANY_FIELDS,
            Method::Event => EVENT_FIELDS,
            Method::Feedback => FEEDBACK_FIELDS,
        }
    }

    /// The fields this method accepts on `api`: the Runtime API's feedback also takes `key`.
    pub const fn fields_on(self, api: super::Api) -> &'static [FieldSpec] {
        match (self, api) {
            (Method::Feedback, super::Api::Runtime) => RUNTIME_FEEDBACK_FIELDS,
            _ => self.fields(),
        }
    }

    /// The field naming the feature a feedback is about on `api`: the flag key on the Runtime
    /// API (what the SDKs send), the feature's id on the tracking API.
    pub const fn feature_field(api: super::Api) -> &'static str {
        match api {
            super::Api::Runtime => "key",
            super::Api::Tracking => "featureId",
        }
    }

    /// The canonical names joined for messages: "user, company, event, feedback".
    pub fn list() -> String {
        Method::ALL.map(Method::as_str).join(", ")
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_parse_with_the_events_alias() {
        assert_eq!(Method::from_route("event"), Some((Method::Event, false)));
        assert_eq!(Method::from_route("events"), Some((Method::Event, true)));
        assert_eq!(
            Method::from_route("feedback"),
            Some((Method::Feedback, false))
        );
        assert_eq!(Method::from_route("Event"), None);
        assert_eq!(Method::from_route("users"), None);
    }

    #[test]
    fn every_method_requires_its_id_first() {
        for m in Method::ALL {
            assert!(m.fields()[0].required, "{m}");
        }
        assert_eq!(Method::list(), "user, company, event, feedback");
    }

    #[test]
    fn runtime_feedback_takes_the_flag_key_first() {
        use crate::api::Api;
        let names: Vec<_> = Method::Feedback
            .fields_on(Api::Runtime)
            .iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(names[..3], ["key", "featureId", "userId"]);
        assert_eq!(
            Method::Feedback.fields_on(Api::Tracking),
            Method::Feedback.fields()
        );
        assert_eq!(
            Method::Event.fields_on(Api::Runtime),
            Method::Event.fields()
        );
        assert_eq!(Method::feature_field(Api::Runtime), "key");
    }
}

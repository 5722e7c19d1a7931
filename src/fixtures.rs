//! Test data shared by the faces' unit and snapshot tests: exchanges as the client records them,
//! rows as the local server stores them, recorded requests, outbox items.

use crate::api::{ErrorCode, ValidationError};
use crate::client::{Attempt, Exchange, Outcome, Response};

/// A finished exchange as the client returns it.
pub fn exchange(method: &str, status: u16, body: &str, errors: Vec<ValidationError>) -> Exchange {
    Exchange {
        id: Some(7),
        started_at: "2024-05-01T12:00:00.000Z".into(),
        profile: "local".into(),
        base_url: "http://127.0.0.1:8787".into(),
        url: format!("http://127.0.0.1:8787/l…/{method}"),
        key_masked: "…".into(),
        key_fingerprint: "#000000".into(),
        api: None,
        method: method.into(),
        request_body: body.into(),
        attempts: vec![Attempt {
            started_at: "2024-05-01T12:00:00.000Z".into(),
            status: Some(status),
            error: None,
            latency_ms: 3.2,
        }],
        response: Some(Response {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: "{\"success\":true}".into(),
        }),
        outcome: if status == 200 {
            Outcome::Delivered
        } else {
            Outcome::Rejected
        },
        possibly_duplicated: false,
        latency_ms: 3.4,
        warnings: vec![],
        error_code: (status == 400).then_some(ErrorCode::BodyValidationFailed),
        error_message: (status == 400).then(|| "the request body has problems".to_owned()),
        validation_errors: errors,
        feedback_id: None,
        outbox_id: None,
    }
}

/// What a local server answers for a small store.
pub mod stored {
    use crate::api::inspect::{CompanyRecord, EventRecord, FeedbackRecord, UserRecord};
    use serde_json::json;

    fn map(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    pub fn users() -> Vec<UserRecord> {
        vec![
            UserRecord {
                user_id: "u-42".into(),
                attributes: map(json!({"name": "Rasmus", "plan": "pro"})),
                first_seen: "2024-05-01T11:00:00.000Z".into(),
                last_seen: Some("2024-05-01T12:00:00.000Z".into()),
                companies: vec!["acme".into()],
            },
            UserRecord {
                user_id: "lonely".into(),
                attributes: map(json!({})),
                first_seen: "2024-05-01T10:00:00.000Z".into(),
                last_seen: Some("2024-05-01T10:30:00.000Z".into()),
                companies: vec![],
            },
            UserRecord {
                user_id: "quiet".into(),
                attributes: map(json!({"beta": true})),
                first_seen: "2024-05-01T09:00:00.000Z".into(),
                last_seen: None,
                companies: vec!["acme".into(), "globex".into()],
            },
        ]
    }

    pub fn companies() -> Vec<CompanyRecord> {
        vec![
            CompanyRecord {
                company_id: "acme".into(),
                attributes: map(json!({"plan": "enterprise", "seats": 40})),
                first_seen: "2024-05-01T09:00:00.000Z".into(),
                last_seen: Some("2024-05-01T12:00:00.000Z".into()),
                users: vec!["quiet".into(), "u-42".into()],
            },
            CompanyRecord {
                company_id: "globex".into(),
                attributes: map(json!({})),
                first_seen: "2024-05-01T09:30:00.000Z".into(),
                last_seen: None,
                users: vec!["quiet".into()],
            },
        ]
    }

    pub fn events() -> Vec<EventRecord> {
        vec![
            EventRecord {
                id: "3".into(),
                event: "Sent message".into(),
                user_id: "u-42".into(),
                company_id: Some("acme".into()),
                attributes: map(json!({"length": 120})),
                timestamp: "2024-05-01T12:00:00.000Z".into(),
                received_at: "2024-05-01T12:00:00.100Z".into(),
            },
            EventRecord {
                id: "2".into(),
                event: "Signed up".into(),
                user_id: "lonely".into(),
                company_id: None,
                attributes: map(json!({})),
                timestamp: "2024-05-01T10:30:00.000Z".into(),
                received_at: "2024-05-01T10:30:00.050Z".into(),
            },
        ]
    }

    pub fn feedback() -> Vec<FeedbackRecord> {
        vec![FeedbackRecord {
            feedback_id: "0b7c3c4e-8d1e-4d59-9a55-1f0e9f6b7a10".into(),
            feature_id: "export".into(),
            user_id: "u-42".into(),
            company_id: Some("acme".into()),
            score: Some(4),
            comment: Some("Pretty nice,\nbut CSV only".into()),
            question: Some("How satisfied are you?".into()),
            prompted_question: None,
            prompt_id: None,
            source: "sdk".into(),
            created_at: "2024-05-01T12:01:00.000Z".into(),
            updated_at: "2024-05-01T12:02:00.000Z".into(),
            key: None,
            sent_feature_id: None,
        }]
    }
}

/// Requests as the traffic routes answer them.
pub mod requests {
    use crate::api::inspect::{RequestHeaders, RequestRecord, Verdict};

    fn record(id: u64, route: &str, body: &str, status: u16, answer: &str) -> RequestRecord {
        RequestRecord {
            id: id.to_string(),
            received_at: format!("2024-05-01T12:00:{:02}.{:03}Z", id % 60, id * 7 % 1000),
            method: "POST".into(),
            path: format!("/{{key}}/{route}"),
            key: None,
            headers: RequestHeaders {
                content_type: Some("application/json".into()),
                sdk_version: Some("browser-sdk/3.1.0".into()),
                user_agent: Some("Mozilla/5.0".into()),
                origin: Some("http://localhost:3000".into()),
            },
            body: body.into(),
            body_truncated: false,
            body_incomplete: false,
            items: Vec::new(),
            local: Verdict::read(Some(status), answer.into(), 0.4),
            upstream: None,
        }
    }

    /// Oldest first: a user accepted, an event refused, an unknown route.
    pub fn three() -> Vec<RequestRecord> {
        vec![
            record(
                1,
                "user",
                r#"{"userId":42,"attributes":{"name":"Rasmus"}}"#,
                200,
                r#"{"success":true}"#,
            ),
            record(
                2,
                "event",
                r#"{"event":"Sent message","userID":42,"attributes":{"position":{"x":1}}}"#,
                400,
                r#"{"success":false,"error":{"code":"BODY_VALIDATION_FAILED","message":"the request body has 3 problems","validationErrors":[
                    {"path":"/userID","code":"UNKNOWN_FIELD","message":"unknown field `userID`; did you mean `userId`?"},
                    {"path":"/userId","code":"REQUIRED","message":"is required: the id of the user who did it"},
                    {"path":"/attributes/position","code":"NESTED_VALUE","message":"attribute values must be a string, number, boolean or null, not an object"}]}}"#,
            ),
            record(
                3,
                "evnt",
                "{}",
                404,
                r#"{"success":false,"error":{"code":"UNKNOWN_METHOD","message":"unknown method `evnt`: the methods are user, company, event, feedback; did you mean `event`?","validationErrors":[]}}"#,
            ),
        ]
    }

    /// A forwarded call the contract refuses and the real service accepted.
    pub fn forwarded() -> RequestRecord {
        let mut r = three().remove(1);
        r.id = "4".into();
        r.upstream = Some(Verdict::read(Some(200), r#"{"success":true}"#.into(), 88.2));
        r
    }
}

/// Outbox items: two waiting, one refused.
pub fn outbox_items() -> Vec<crate::outbox::Item> {
    use crate::outbox::{Item, State};
    let item = |id: i64, method: &str, state: State, error: &str| Item {
        id,
        origin: crate::outbox::Origin::Console,
        queued_at: "2024-05-01T12:00:00.000Z".into(),
        profile: "booth".into(),
        key_fingerprint: "#a3f340".into(),
        api: crate::api::Api::Tracking,
        method: method.into(),
        body: "{}".into(),
        attempts: 3,
        last_error: Some(error.into()),
        state,
        next_try_ms: 0,
        status: (state == State::Rejected).then_some(400),
        validation_errors: if state == State::Rejected {
            vec![crate::api::ValidationError::new(
                "/userId",
                crate::api::FieldCode::Required,
                "is required: the id of the user who gave it",
            )]
        } else {
            vec![]
        },
    };
    vec![
        item(
            4,
            "feedback",
            State::Queued,
            "error sending request: connection refused",
        ),
        item(5, "user", State::Queued, "timed out"),
        item(
            2,
            "feedback",
            State::Rejected,
            "the request body has 1 problem",
        ),
    ]
}

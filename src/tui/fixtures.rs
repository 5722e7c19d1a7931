//! Fixtures shared by the console's unit and snapshot tests.

use crate::api::{ErrorCode, Method, ValidationError};
use crate::client::{Attempt, Exchange, Outcome, Response};
use crate::profiles::{Profile, Profiles};
use crate::tui::state::State;

/// A console on the local profile with a second, saved profile.
pub fn state(method: Method) -> State {
    let mut profiles = Profiles::default();
    let other = Profile {
        name: "staging".into(),
        base_url: "https://tracking.example".into(),
        user_id: Some("u-default".into()),
        ..Profile::local()
    };
    profiles.add(other, false).unwrap();
    State::new(
        profiles,
        Profile::local(),
        "http://127.0.0.1:8787".into(),
        method,
        true,
    )
}

/// A finished exchange as the client returns it.
pub fn exchange(method: &str, status: u16, body: &str, errors: Vec<ValidationError>) -> Exchange {
    Exchange {
        id: Some(7),
        started_at: "2024-05-01T12:00:00.000Z".into(),
        profile: "local".into(),
        base_url: "http://127.0.0.1:8787".into(),
        url: format!("http://127.0.0.1:8787/l…/{method}"),
        key_masked: "l…".into(),
        key_fingerprint: "#000000".into(),
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
    }
}

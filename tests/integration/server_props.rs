//! Property tests over real TCP: generated and mutated bodies for every method. The server never
//! panics or answers 5xx, always answers the documented shape, and agrees with the `api` module:
//! a body is stored exactly when local validation accepts it, refused with exactly the problems
//! local validation finds, and what is stored is the validated payload.

use crate::support::{KEY, TestServer, assert_error_shape, problems};
use bucket_console::api::payload::{Payload, Update};
use bucket_console::api::{self, Method, timestamp};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        "[a-zA-Z0-9 _/~é-]{0,12}".prop_map(Value::String),
    ]
}

fn any_json() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn id() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (0i64..20).prop_map(|n| json!(n)),
        4 => "[a-z0-9]{1,6}".prop_map(Value::String),
        1 => Just(json!("   ")),
        1 => Just(json!("x".repeat(256))),
        1 => Just(json!(4.5)),
        2 => any_json(),
    ]
}

fn attributes() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => prop::collection::btree_map("[a-z/~]{0,5}", scalar(), 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
        2 => prop::collection::btree_map("[a-z]{1,5}", any_json(), 0..3).prop_map(|m| Value::Object(m.into_iter().collect())),
        1 => any_json(),
    ]
}

fn context() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(|b| json!({"active": b})),
        any_json().prop_map(|v| json!({"active": v})),
        Just(json!({})),
        Just(json!({"activ": true})),
        any_json(),
    ]
}

fn timestamp_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0i64..4_000_000_000_000).prop_map(|ms| json!(ms)),
        (0i64..4_000_000_000_000).prop_map(|ms| json!(timestamp::format(ms))),
        Just(json!("2024-05-01T14:00:00.123+02:00")),
        Just(json!("2024-05-01T12:00:00")),
        any_json(),
    ]
}

fn text() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => "[a-zA-Z ]{0,20}".prop_map(Value::String),
        1 => Just(json!("")),
        1 => Just(json!("q".repeat(300))),
        1 => any_json(),
    ]
}

fn score() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => (0i64..=7).prop_map(|n| json!(n)),
        1 => (0.0f64..6.0).prop_map(|f| json!(f)),
        1 => Just(json!(4.0)),
        1 => any_json(),
    ]
}

fn feedback_id() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("6f1c1c5e-5f0e-4a43-9a55-3f0a2f6a7b10")),
        Just(json!("nope")),
        any_json()
    ]
}

fn source() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec![
            "api", "manual", "prompt", "sdk", "widget", "email", "API"
        ])
        .prop_map(|s| json!(s)),
        any_json(),
    ]
}

fn value_for(field: &str) -> BoxedStrategy<Value> {
    match field {
        "userId" | "companyId" => id().boxed(),
        "attributes" => attributes().boxed(),
        "context" => context().boxed(),
        "timestamp" => timestamp_value().boxed(),
        "score" => score().boxed(),
        "feedbackId" => feedback_id().boxed(),
        "source" => source().boxed(),
        _ => text().boxed(),
    }
}

/// A body with each known field present or not, sometimes plus an unknown one.
fn body(method: Method) -> BoxedStrategy<Value> {
    let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = method
        .fields()
        .iter()
        .map(|f| {
            let weight = if f.required { 0.9 } else { 0.4 };
            let name = f.name.to_owned();
            prop::option::weighted(
                weight,
                value_for(f.name).prop_map(move |v| (name.clone(), v)),
            )
            .boxed()
        })
        .collect();
    let unknown = prop::option::weighted(
        0.1,
        prop::sample::select(vec!["userID", "user_id", "score", "companyId", "foo"]),
    );
    (fields, unknown, any_json())
        .prop_map(|(fields, unknown, junk)| {
            let mut map: Map<String, Value> = fields.into_iter().flatten().collect();
            if let Some(name) = unknown {
                map.entry(name.to_owned()).or_insert(junk);
            }
            Value::Object(map)
        })
        .boxed()
}

/// Byte-level mutations of a (mostly valid) body.
fn mutated(method: Method) -> BoxedStrategy<Vec<u8>> {
    (
        body(method),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4),
    )
        .prop_map(|(body, edits)| {
            let mut bytes = body.to_string().into_bytes();
            for (at, byte, op) in edits {
                if bytes.is_empty() {
                    bytes.push(byte);
                    continue;
                }
                let i = at.index(bytes.len());
                match op {
                    0 => bytes[i] = byte,
                    1 => bytes.insert(i, byte),
                    _ => {
                        bytes.remove(i);
                    }
                }
            }
            bytes
        })
        .boxed()
}

struct Harness {
    rt: tokio::runtime::Runtime,
    server: TestServer,
}

impl Harness {
    fn new() -> Self {
        let rt = crate::support::runtime();
        let server = rt.block_on(TestServer::start());
        Self { rt, server }
    }

    /// Sends raw bytes and checks the answer against local validation.
    fn check(&self, method: Method, bytes: Vec<u8>) -> Result<(), TestCaseError> {
        let local = api::body::parse(&bytes)
            .map_err(|r| r.validation_errors)
            .and_then(|value| api::validate(method, &value, timestamp::now_ms()));
        let (status, answer) = self.rt.block_on(self.server.post_raw(
            KEY,
            method.as_str(),
            Some("application/json"),
            bytes.clone(),
        ));
        let shown = String::from_utf8_lossy(&bytes).into_owned();
        prop_assert!(
            status == 200 || status == 400,
            "{} answered {}: {}",
            shown,
            status,
            answer
        );
        match local {
            Ok(validated) => {
                let has_feedback_id =
                    matches!(&validated.payload, Payload::Feedback(f) if f.feedback_id.is_some());
                if has_feedback_id {
                    prop_assert_eq!(status, 400, "{}", shown);
                    prop_assert_eq!(answer["error"]["code"].as_str(), Some("FEEDBACK_NOT_FOUND"));
                    assert_error_shape(&answer);
                    return Ok(());
                }
                prop_assert_eq!(
                    status,
                    200,
                    "local validation accepted {} but the server said {}",
                    shown,
                    answer
                );
                prop_assert_eq!(&answer["success"], &json!(true));
                if let Some(warnings) = answer.get("warnings") {
                    for w in warnings.as_array().expect("warnings is a list") {
                        prop_assert!(
                            w["code"].is_string()
                                && w["path"].is_string()
                                && w["message"].is_string()
                        );
                    }
                }
                self.check_stored(&validated.payload, &answer)
            }
            Err(errors) => {
                prop_assert_eq!(
                    status,
                    400,
                    "local validation refused {} but the server said {}",
                    shown,
                    answer
                );
                assert_error_shape(&answer);
                let want: Vec<(String, String)> = errors
                    .iter()
                    .map(|e| {
                        (
                            e.path.clone(),
                            serde_json::to_value(e.code)
                                .unwrap()
                                .as_str()
                                .unwrap()
                                .to_owned(),
                        )
                    })
                    .collect();
                prop_assert_eq!(problems(&answer), want, "{}", shown);
                Ok(())
            }
        }
    }

    /// What the server stored is what local validation produced.
    fn check_stored(&self, payload: &Payload, answer: &Value) -> Result<(), TestCaseError> {
        let get = |route: String| self.rt.block_on(self.server.inspect(&route));
        let contains =
            |stored: &Value, given: &Map<String, Value>| given.iter().all(|(k, v)| &stored[k] == v);
        match payload {
            Payload::User(u) => {
                let stored = get(format!("users/{}", enc(&u.user_id)));
                prop_assert!(
                    contains(&stored["attributes"], &u.tracking.attributes),
                    "{:?} vs {}",
                    u,
                    stored
                );
            }
            Payload::Company(c) => {
                let stored = get(format!("companies/{}", enc(&c.company_id)));
                prop_assert!(
                    contains(&stored["attributes"], &c.tracking.attributes),
                    "{:?} vs {}",
                    c,
                    stored
                );
                if let Some(user) = &c.user_id {
                    prop_assert!(stored["users"].as_array().unwrap().contains(&json!(user)));
                }
            }
            Payload::Event(e) => {
                let newest = get("events?limit=1".into());
                let stored = &newest[0];
                prop_assert_eq!(&stored["event"], &json!(e.event));
                prop_assert_eq!(&stored["userId"], &json!(e.user_id));
                prop_assert_eq!(&stored["companyId"], &json!(e.company_id));
                prop_assert_eq!(
                    &stored["attributes"],
                    &Value::Object(e.tracking.attributes.clone())
                );
            }
            Payload::Feedback(f) => {
                let id = answer["feedbackId"].as_str().expect("a feedbackId");
                let rows = get("feedback?limit=1000".into());
                let row = rows
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["feedbackId"] == json!(id))
                    .cloned()
                    .unwrap_or_default();
                prop_assert_eq!(&row["featureId"], &json!(f.feature_id));
                let score = match &f.score {
                    Update::Set(s) => json!(s.get()),
                    _ => Value::Null,
                };
                prop_assert_eq!(&row["score"], &score);
                let comment = match &f.comment {
                    Update::Set(c) => json!(c),
                    _ => Value::Null,
                };
                prop_assert_eq!(&row["comment"], &comment);
            }
        }
        Ok(())
    }
}

fn enc(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn run(strategy_for: impl Fn(Method) -> BoxedStrategy<Vec<u8>>, cases: u32) {
    let harness = Harness::new();
    for method in Method::ALL {
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&strategy_for(method), |bytes| harness.check(method, bytes))
            .unwrap_or_else(|e| panic!("{method}: {e}"));
    }
}

#[test]
fn generated_bodies_agree_with_local_validation() {
    run(
        |m| body(m).prop_map(|v| v.to_string().into_bytes()).boxed(),
        1000,
    );
}

#[test]
fn mutated_bodies_never_break_the_server() {
    run(mutated, 500);
}

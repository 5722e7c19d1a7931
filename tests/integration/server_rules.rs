//! assets/contract.md §2–§3 over real TCP: each rule's 400 code and path, and that a rejected call
//! changes nothing in the store.

use crate::support::{TestServer, assert_error_shape, code, problems};
use serde_json::{Value, json};

/// The reference's own Event example, trailing comma included.
const REFERENCE_EVENT_EXAMPLE: &str = r#"{
"event": "Sent message",
"userId": 1234567890,
"attributes": {
"position": "popover",
"version": 3
},
"companyId": "my_company_id",
}"#;

async fn seeded() -> TestServer {
    let s = TestServer::start().await;
    s.ok(
        "company",
        json!({"companyId": "acme", "userId": "u1", "attributes": {"plan": "pro"}}),
    )
    .await;
    s.ok(
        "event",
        json!({"event": "Opened", "userId": "u1", "companyId": "acme"}),
    )
    .await;
    s.ok(
        "feedback",
        json!({"featureId": "f", "userId": "u1", "score": 3}),
    )
    .await;
    s
}

/// Sends a bad body and checks status, code, the paths reported, and an unchanged store.
async fn rejects(
    s: &TestServer,
    method: &str,
    body: Value,
    want_code: &str,
    want: &[(&str, &str)],
) {
    let before = s.snapshot().await;
    let (status, answer) = s.post(method, body.clone()).await;
    assert_eq!(status, 400, "{method} {body} → {answer}");
    assert_error_shape(&answer);
    assert_eq!(code(&answer), want_code, "{method} {body} → {answer}");
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(p, c)| ((*p).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(problems(&answer), want, "{method} {body}");
    assert_eq!(
        s.snapshot().await,
        before,
        "a rejected {method} call changed the store"
    );
}

/// A method, a bad body, the error code, and each (path, field code) the server must report.
type Case = (
    &'static str,
    Value,
    &'static str,
    Vec<(&'static str, &'static str)>,
);

#[rustfmt::skip]
fn rule_cases() -> Vec<Case> {
    const BVF: &str = "BODY_VALIDATION_FAILED";
    vec![
        ("user", json!({}), BVF, vec![("/userId", "REQUIRED")]),
        ("user", json!({"userId": null}), BVF, vec![("/userId", "REQUIRED")]),
        ("user", json!({"userId": 4.5}), BVF, vec![("/userId", "INVALID_TYPE")]),
        ("user", json!({"userId": true}), BVF, vec![("/userId", "INVALID_TYPE")]),
        ("user", json!({"userId": [1]}), BVF, vec![("/userId", "INVALID_TYPE")]),
        ("user", json!({"userId": "  "}), BVF, vec![("/userId", "BLANK")]),
        ("user", json!({"userId": "x".repeat(256)}), BVF, vec![("/userId", "TOO_LONG")]),
        ("user", json!({"userID": 1}), BVF, vec![("/userID", "UNKNOWN_FIELD"), ("/userId", "REQUIRED")]),
        ("user", json!({"userId": 1, "attributes": {"plan": {"tier": 1}}}), BVF, vec![("/attributes/plan", "NESTED_VALUE")]),
        ("user", json!({"userId": 1, "attributes": {"tags": ["a"]}}), BVF, vec![("/attributes/tags", "NESTED_VALUE")]),
        ("user", json!({"userId": 1, "attributes": [1]}), BVF, vec![("/attributes", "INVALID_TYPE")]),
        ("user", json!({"userId": 1, "attributes": {"": 1}}), BVF, vec![("/attributes/", "BLANK")]),
        ("user", json!({"userId": 1, "attributes": {"a/b": {}}}), BVF, vec![("/attributes/a~1b", "NESTED_VALUE")]),
        ("user", json!({"userId": 1, "context": {"active": "no"}}), BVF, vec![("/context/active", "INVALID_TYPE")]),
        ("user", json!({"userId": 1, "context": {"ip": "1.2.3.4"}}), BVF, vec![("/context/ip", "UNKNOWN_FIELD")]),
        ("user", json!({"userId": 1, "context": true}), BVF, vec![("/context", "INVALID_TYPE")]),
        ("user", json!({"userId": 1, "timestamp": "2024-05-01 noon"}), BVF, vec![("/timestamp", "INVALID_TIMESTAMP")]),
        ("user", json!({"userId": 1, "timestamp": "2024-05-01T12:00:00"}), BVF, vec![("/timestamp", "INVALID_TIMESTAMP")]),
        ("user", json!({"userId": 1, "timestamp": 1.5}), BVF, vec![("/timestamp", "INVALID_TIMESTAMP")]),
        ("user", json!([{"userId": 1}]), BVF, vec![("", "INVALID_TYPE")]),
        ("company", json!({"userId": 1}), BVF, vec![("/companyId", "REQUIRED")]),
        ("company", json!({"companyId": 1, "userId": {}}), BVF, vec![("/userId", "INVALID_TYPE")]),
        ("event", json!({"userId": 1}), BVF, vec![("/event", "REQUIRED")]),
        ("event", json!({"event": " ", "userId": 1}), BVF, vec![("/event", "BLANK")]),
        ("event", json!({"event": "e".repeat(256), "userId": 1}), BVF, vec![("/event", "TOO_LONG")]),
        ("event", json!({"event": "e"}), BVF, vec![("/userId", "REQUIRED")]),
        ("feedback", json!({"featureId": "f", "userId": 1, "score": 6}), BVF, vec![("/score", "OUT_OF_RANGE")]),
        ("feedback", json!({"featureId": "f", "userId": 1, "score": -1}), BVF, vec![("/score", "OUT_OF_RANGE")]),
        ("feedback", json!({"featureId": "f", "userId": 1, "score": 2.5}), BVF, vec![("/score", "OUT_OF_RANGE")]),
        ("feedback", json!({"featureId": "f", "userId": 1, "score": "4"}), BVF, vec![("/score", "INVALID_TYPE")]),
        ("feedback", json!({"featureId": "f", "userId": 1, "score": 0}), BVF, vec![("/score", "SCORE_OR_COMMENT_REQUIRED")]),
        ("feedback", json!({"featureId": "f", "userId": 1}), BVF, vec![("/score", "SCORE_OR_COMMENT_REQUIRED")]),
        ("feedback", json!({"featureId": "f", "userId": 1, "comment": "   "}), BVF, vec![("/score", "SCORE_OR_COMMENT_REQUIRED")]),
        ("feedback", json!({"featureId": "f", "userId": 1, "comment": "c".repeat(4001)}), BVF, vec![("/comment", "TOO_LONG")]),
        ("feedback", json!({"featureId": "", "userId": 1, "score": 1}), BVF, vec![("/featureId", "BLANK")]),
        ("feedback", json!({"featureId": "f", "userId": 1, "score": 1, "source": "email"}), BVF, vec![("/source", "OUT_OF_RANGE")]),
        ("feedback", json!({"featureId": "f", "userId": 1, "score": 1, "question": "q".repeat(257)}), BVF, vec![("/question", "TOO_LONG")]),
        ("feedback", json!({"featureId": "f", "userId": 1, "score": 1, "feedbackId": "not-an-id"}), "FEEDBACK_NOT_FOUND", vec![("/feedbackId", "FEEDBACK_NOT_FOUND")]),
        ("feedback", json!({"featureId": "f", "userId": 1, "score": 1, "feedbackId": "6f1c1c5e-5f0e-4a43-9a55-3f0a2f6a7b10"}), "FEEDBACK_NOT_FOUND", vec![("/feedbackId", "FEEDBACK_NOT_FOUND")]),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_field_rule_reports_its_code_and_path() {
    let s = seeded().await;
    for (method, body, want_code, want) in rule_cases() {
        rejects(&s, method, body, want_code, &want).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misspelled_fields_name_the_meant_field() {
    let s = TestServer::start().await;
    let (_, answer) = s
        .post("event", json!({"event": "e", "userID": 1, "companyID": 2}))
        .await;
    let messages: Vec<&str> = answer["error"]["validationErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"unknown field `userID`; did you mean `userId`?"),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"unknown field `companyID`; did you mean `companyId`?"),
        "{messages:?}"
    );
    let (_, answer) = s.post("user", json!({"userId": 1, "score": 3})).await;
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("belongs to feedback calls"),
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_that_are_not_json_objects_are_refused_whole() {
    let s = seeded().await;
    let before = s.snapshot().await;
    let cases: Vec<(Option<&str>, Vec<u8>, &str)> = vec![
        (
            Some("application/json"),
            REFERENCE_EVENT_EXAMPLE.as_bytes().to_vec(),
            "INVALID_JSON",
        ),
        (
            Some("application/json"),
            b"userId=1".to_vec(),
            "INVALID_JSON",
        ),
        (Some("application/json"), b"".to_vec(), "INVALID_JSON"),
        (
            Some("application/json"),
            b"{\"userId\": \"\xff\"}".to_vec(),
            "INVALID_JSON",
        ),
        (
            Some("application/json"),
            "[".repeat(50_000).into_bytes(),
            "INVALID_JSON",
        ),
        (
            Some("application/json"),
            format!("{}1{}", "[".repeat(33), "]".repeat(33)).into_bytes(),
            "INVALID_JSON",
        ),
        (
            Some("text/plain"),
            br#"{"userId": 1}"#.to_vec(),
            "UNSUPPORTED_CONTENT_TYPE",
        ),
        (
            None,
            br#"{"userId": 1}"#.to_vec(),
            "UNSUPPORTED_CONTENT_TYPE",
        ),
        (
            Some("application/json"),
            padded_user(32 * 1024 + 1),
            "BODY_TOO_LARGE",
        ),
    ];
    for (content_type, body, want) in cases {
        let preview = String::from_utf8_lossy(&body[..body.len().min(40)]).into_owned();
        let (status, answer) = s
            .post_raw(crate::support::KEY, "user", content_type, body)
            .await;
        assert_eq!(status, 400, "{preview}: {answer}");
        assert_error_shape(&answer);
        assert_eq!(code(&answer), want, "{preview}: {answer}");
        assert_eq!(problems(&answer)[0].0, "", "{preview}");
    }
    assert_eq!(s.snapshot().await, before);
}

/// A valid user body of exactly `size` bytes.
fn padded_user(size: usize) -> Vec<u8> {
    let empty = json!({"userId": 1, "attributes": {"pad": ""}}).to_string();
    let padded =
        json!({"userId": 1, "attributes": {"pad": "p".repeat(size - empty.len())}}).to_string();
    assert_eq!(padded.len(), size);
    padded.into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_errors_give_line_and_column() {
    let s = TestServer::start().await;
    let (_, answer) = s
        .post_raw(
            crate::support::KEY,
            "event",
            Some("application/json"),
            REFERENCE_EVENT_EXAMPLE.as_bytes().to_vec(),
        )
        .await;
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("trailing comma at line 9 column 1"),
        "{message}"
    );
    let (_, answer) = s
        .post_raw(
            crate::support::KEY,
            "user",
            Some("application/json"),
            "[".repeat(50_000).into_bytes(),
        )
        .await;
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("deeper than 32 levels at line 1 column 33"),
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn size_limit_is_exactly_32_kib() {
    let s = TestServer::start().await;
    let (status, answer) = s
        .post_raw(
            crate::support::KEY,
            "user",
            Some("application/json"),
            padded_user(32 * 1024),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = s
        .post_raw(
            crate::support::KEY,
            "user",
            Some("application/json"),
            padded_user(32 * 1024 + 1),
        )
        .await;
    assert_eq!((status, code(&answer)), (400, "BODY_TOO_LARGE"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_type_parameters_and_case_are_accepted() {
    let s = TestServer::start().await;
    for ct in [
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/json;charset=UTF-8",
    ] {
        let (status, answer) = s
            .post_raw(
                crate::support::KEY,
                "user",
                Some(ct),
                br#"{"userId": 1}"#.to_vec(),
            )
            .await;
        assert_eq!(status, 200, "{ct}: {answer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_keys_are_refused() {
    let s = TestServer::start().await;
    for key in ["bad.key", "with%20space", &"k".repeat(65)] {
        let (status, answer) = s.post_as(key, "user", json!({"userId": 1})).await;
        assert_eq!(
            (status, code(&answer)),
            (400, "INVALID_API_KEY"),
            "{key}: {answer}"
        );
        assert_eq!(
            problems(&answer),
            vec![(String::new(), "INVALID_API_KEY".to_owned())]
        );
    }
    let (status, answer) = s.get("/_local/bad.key/users").await;
    assert_eq!((status, code(&answer)), (400, "INVALID_API_KEY"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nulls_are_absent_and_ids_may_be_numbers() {
    let s = TestServer::start().await;
    s.ok("company", json!({"companyId": 7, "userId": null, "attributes": null, "context": null, "timestamp": null})).await;
    s.ok(
        "feedback",
        json!({"featureId": "f", "userId": 1, "companyId": null, "score": 4.0, "comment": null}),
    )
    .await;
    s.ok(
        "feedback",
        json!({"featureId": "f", "userId": 1, "score": null, "comment": "words only"}),
    )
    .await;
    let feedback = s.inspect("feedback").await;
    let rows = feedback.as_array().unwrap();
    assert!(
        rows.iter()
            .any(|r| r["score"] == json!(4) && r["comment"] == Value::Null),
        "{feedback}"
    );
    assert!(
        rows.iter()
            .any(|r| r["score"] == Value::Null && r["comment"] == json!("words only")),
        "{feedback}"
    );
    assert_eq!(s.inspect("companies/7").await["companyId"], json!("7"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warnings_for_alias_unassociated_users_and_future_times() {
    let s = TestServer::start().await;
    let answer = s
        .ok("events", json!({"event": "e", "userId": "loner"}))
        .await;
    let codes: Vec<&str> = answer["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["EVENTS_ALIAS", "UNASSOCIATED_USER"]);
    assert_eq!(answer["warnings"][1]["path"], json!("/userId"));
    assert_eq!(answer["warnings"][0]["path"], json!(""));

    s.ok("company", json!({"companyId": "c", "userId": "member"}))
        .await;
    let answer = s
        .ok("event", json!({"event": "e", "userId": "member"}))
        .await;
    assert!(answer.get("warnings").is_none(), "{answer}");
    let answer = s
        .ok(
            "event",
            json!({"event": "e", "userId": "loner", "companyId": "c"}),
        )
        .await;
    assert!(
        answer.get("warnings").is_none(),
        "an event with a companyId is associated: {answer}"
    );

    let future = chrono::Utc::now().timestamp_millis() + 25 * 3600 * 1000;
    let answer = s
        .ok("user", json!({"userId": "u", "timestamp": future}))
        .await;
    assert_eq!(answer["warnings"][0]["code"], json!("FUTURE_TIMESTAMP"));
    assert_eq!(answer["warnings"][0]["path"], json!("/timestamp"));
    let soon = chrono::Utc::now().timestamp_millis() + 3600 * 1000;
    assert!(
        s.ok("user", json!({"userId": "u", "timestamp": soon}))
            .await
            .get("warnings")
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attribute_limits_are_enforced_over_the_wire() {
    let s = seeded().await;
    let hundred: serde_json::Map<String, Value> =
        (0..100).map(|i| (format!("k{i}"), json!(i))).collect();
    s.ok("user", json!({"userId": "many", "attributes": hundred}))
        .await;
    let too_many: serde_json::Map<String, Value> =
        (0..101).map(|i| (format!("k{i}"), json!(i))).collect();
    rejects(
        &s,
        "user",
        json!({"userId": 1, "attributes": too_many}),
        "BODY_VALIDATION_FAILED",
        &[("/attributes", "TOO_MANY_KEYS")],
    )
    .await;
    let long_key = "k".repeat(256);
    let path = format!("/attributes/{long_key}");
    rejects(
        &s,
        "company",
        json!({"companyId": 1, "attributes": {long_key.clone(): 1}}),
        "BODY_VALIDATION_FAILED",
        &[(path.as_str(), "TOO_LONG")],
    )
    .await;
    s.ok(
        "user",
        json!({"userId": "edge", "attributes": {"k".repeat(255): 1}}),
    )
    .await;
}

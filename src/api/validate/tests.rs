use super::*;
use crate::api::payload::Score;
use serde_json::json;

const NOW: i64 = 1_714_564_800_000;

fn errors(method: Method, body: Value) -> Vec<(String, FieldCode)> {
    validate(method, &body, NOW)
        .expect_err("should be rejected")
        .into_iter()
        .map(|e| (e.path, e.code))
        .collect()
}

fn ok(method: Method, body: Value) -> Validated {
    validate(method, &body, NOW).unwrap_or_else(|e| panic!("rejected: {e:?}"))
}

fn e(path: &str, code: FieldCode) -> (String, FieldCode) {
    (path.to_owned(), code)
}

#[test]
fn the_references_examples_are_valid() {
    ok(
        Method::User,
        json!({"userId": 1234567890, "attributes": {"name": "Rasmus Makwarth", "custom_property": true, "some_number": 12}}),
    );
    ok(
        Method::Company,
        json!({"companyId": 101112231415_i64, "attributes": {"name": "Acme Corp", "monthly_spend": 99, "activated": true}, "userId": 1234567890}),
    );
    ok(
        Method::Event,
        json!({"event": "Sent message", "userId": 1234567890, "attributes": {"position": "popover", "version": 3}, "companyId": "my_company_id"}),
    );
    ok(
        Method::Feedback,
        json!({"featureId": "my_feature_id", "userId": 1234567890, "companyId": 101112231415_i64, "score": 4, "comment": "It's pretty nice"}),
    );
}

#[test]
fn ids_normalise_to_strings() {
    let Payload::User(u) = ok(Method::User, json!({"userId": 42})).payload else {
        panic!()
    };
    assert_eq!(u.user_id, "42");
}

fn user_id_of(body: &str) -> Result<String, Vec<(String, FieldCode)>> {
    let value: Value = serde_json::from_str(body).unwrap();
    match validate(Method::User, &value, 0) {
        Ok(v) => match v.payload {
            Payload::User(u) => Ok(u.user_id),
            _ => panic!(),
        },
        Err(errors) => Err(errors.into_iter().map(|e| (e.path, e.code)).collect()),
    }
}

#[test]
fn ids_are_64_bit_integers_and_minus_zero_is_zero() {
    assert_eq!(user_id_of(r#"{"userId": -0}"#), Ok("0".into()));
    assert_eq!(
        user_id_of(r#"{"userId": 18446744073709551615}"#),
        Ok("18446744073709551615".into())
    );
    assert_eq!(
        user_id_of(r#"{"userId": -9223372036854775808}"#),
        Ok("-9223372036854775808".into())
    );
    for beyond in [
        "18446744073709551616",
        "-9223372036854775809",
        "100000000000000000000000",
    ] {
        assert_eq!(
            user_id_of(&format!(r#"{{"userId": {beyond}}}"#)),
            Err(vec![e("/userId", FieldCode::OutOfRange)]),
            "{beyond}"
        );
    }
    assert_eq!(
        user_id_of(r#"{"userId": 4.5}"#),
        Err(vec![e("/userId", FieldCode::InvalidType)])
    );
}

#[test]
fn attribute_numbers_keep_their_digits() {
    let body: Value = serde_json::from_str(
        r#"{"userId": 1, "attributes": {"big": 18446744073709551616, "exact": 0.1000000000000000055511151231257827, "z": -0}}"#,
    )
    .unwrap();
    let Payload::User(u) = ok(Method::User, body).payload else {
        panic!()
    };
    let text = serde_json::to_string(&u.tracking.attributes).unwrap();
    assert!(text.contains("18446744073709551616"), "{text}");
    assert!(
        text.contains("0.1000000000000000055511151231257827"),
        "{text}"
    );
    assert!(text.contains(r#""z":-0"#), "{text}");
}

#[test]
fn null_means_absent() {
    let v = ok(
        Method::Company,
        json!({"companyId": "c", "userId": null, "attributes": null, "context": null, "timestamp": null}),
    );
    let Payload::Company(c) = v.payload else {
        panic!()
    };
    assert_eq!(c.user_id, None);
    assert!(c.tracking.attributes.is_empty());
    assert_eq!(
        errors(Method::User, json!({"userId": null})),
        vec![e("/userId", FieldCode::Required)]
    );
}

#[test]
fn every_problem_is_reported_at_its_path() {
    let found = errors(
        Method::Event,
        json!({"userID": 1, "event": " ", "attributes": {"plan": {"a": 1}}, "context": {"active": 1}, "timestamp": "soon"}),
    );
    assert_eq!(
        found,
        vec![
            e("/userID", FieldCode::UnknownField),
            e("/event", FieldCode::Blank),
            e("/userId", FieldCode::Required),
            e("/attributes/plan", FieldCode::NestedValue),
            e("/context/active", FieldCode::InvalidType),
            e("/timestamp", FieldCode::InvalidTimestamp),
        ]
    );
}

#[test]
fn misspelled_fields_suggest_the_meant_one() {
    let rejected = validate(Method::User, &json!({"userId": 1, "attribute": {}}), NOW).unwrap_err();
    assert_eq!(
        rejected[0].message,
        "unknown field `attribute`; did you mean `attributes`?"
    );
    let rejected = validate(Method::User, &json!({"userId": 1, "companyId": 2}), NOW).unwrap_err();
    assert!(
        rejected[0]
            .message
            .contains("belongs to company and event and feedback calls"),
        "{}",
        rejected[0].message
    );
}

#[test]
fn bodies_must_be_objects() {
    for body in [json!([]), json!("x"), json!(1), json!(null)] {
        assert_eq!(
            errors(Method::User, body),
            vec![e("", FieldCode::InvalidType)]
        );
    }
}

#[test]
fn context_active_false_is_carried() {
    let Payload::Event(ev) = ok(
        Method::Event,
        json!({"event": "e", "userId": "u", "context": {"active": false}}),
    )
    .payload
    else {
        panic!()
    };
    assert!(!ev.tracking.is_active());
}

#[test]
fn future_timestamps_warn() {
    let far = NOW + 25 * 3600 * 1000;
    let v = ok(Method::User, json!({"userId": 1, "timestamp": far}));
    assert_eq!(v.warnings[0].code, WarningCode::FutureTimestamp);
    let near = NOW + 23 * 3600 * 1000;
    assert!(
        ok(Method::User, json!({"userId": 1, "timestamp": near}))
            .warnings
            .is_empty()
    );
}

#[test]
fn feedback_needs_a_score_or_a_comment() {
    let base = |extra: Value| {
        let mut body = json!({"featureId": "f", "userId": "u"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    assert_eq!(
        errors(Method::Feedback, base(json!({}))),
        vec![e("/score", FieldCode::ScoreOrCommentRequired)]
    );
    assert_eq!(
        errors(Method::Feedback, base(json!({"score": 0}))),
        vec![e("/score", FieldCode::ScoreOrCommentRequired)]
    );
    assert_eq!(
        errors(Method::Feedback, base(json!({"score": 0, "comment": "  "}))),
        vec![e("/score", FieldCode::ScoreOrCommentRequired)]
    );
    assert_eq!(
        errors(Method::Feedback, base(json!({"score": 6}))),
        vec![e("/score", FieldCode::OutOfRange)]
    );
    ok(Method::Feedback, base(json!({"comment": "only words"})));
    let Payload::Feedback(f) = ok(Method::Feedback, base(json!({"score": 4.0}))).payload else {
        panic!()
    };
    assert_eq!(f.score, Update::Set(Score::new(4).unwrap()));
    assert_eq!(f.source, None);
}

#[test]
fn feedback_updates_may_clear_fields() {
    let id = crate::api::payload::new_feedback_id();
    let Payload::Feedback(f) = ok(
        Method::Feedback,
        json!({"featureId": "f", "userId": "u", "feedbackId": id, "score": 0}),
    )
    .payload
    else {
        panic!()
    };
    assert_eq!(f.score, Update::Clear);
    assert_eq!(f.feedback_id.as_deref(), Some(id.as_str()));
}

#[test]
fn malformed_feedback_ids_are_not_found() {
    for bad in [json!("nope"), json!(12), json!(true)] {
        assert_eq!(
            errors(
                Method::Feedback,
                json!({"featureId": "f", "userId": "u", "score": 3, "feedbackId": bad})
            ),
            vec![e("/feedbackId", FieldCode::FeedbackNotFound)]
        );
    }
}

#[test]
fn feedback_extras() {
    let v = ok(
        Method::Feedback,
        json!({"featureId": "f", "userId": "u", "score": 5, "question": "How?", "promptedQuestion": "How?", "promptId": "p1", "source": "widget"}),
    );
    let Payload::Feedback(f) = v.payload else {
        panic!()
    };
    assert_eq!(f.source, Some(Source::Widget));
    assert_eq!(
        errors(
            Method::Feedback,
            json!({"featureId": "f", "userId": "u", "score": 5, "source": "email", "question": "q".repeat(257)})
        ),
        vec![
            e("/question", FieldCode::TooLong),
            e("/source", FieldCode::OutOfRange)
        ]
    );
}

#[test]
fn runtime_feedback_takes_a_flag_key_that_becomes_its_feature() {
    let runtime = |body: Value| validate_runtime(Method::Feedback, &body, NOW);
    let Payload::Feedback(f) = runtime(json!({"key": "huddle", "userId": "u", "score": 4}))
        .unwrap()
        .payload
    else {
        panic!()
    };
    assert_eq!(
        (f.feature_id.as_str(), f.key.as_deref()),
        ("huddle", Some("huddle"))
    );
    assert_eq!(f.sent_feature_id, None);
    let Payload::Feedback(f) =
        runtime(json!({"key": "huddle", "featureId": "f9", "userId": "u", "comment": "ok"}))
            .unwrap()
            .payload
    else {
        panic!()
    };
    assert_eq!(
        (f.feature_id.as_str(), f.sent_feature_id.as_deref()),
        ("huddle", Some("f9"))
    );
    let Payload::Feedback(f) = runtime(json!({"featureId": "f9", "userId": "u", "score": 1}))
        .unwrap()
        .payload
    else {
        panic!()
    };
    assert_eq!((f.feature_id.as_str(), f.key), ("f9", None));
    let missing = runtime(json!({"userId": "u", "score": 1})).unwrap_err();
    assert_eq!(
        (missing[0].path.as_str(), missing[0].code),
        ("/featureId", FieldCode::Required)
    );
    assert!(
        missing[0].message.contains("`key`"),
        "{}",
        missing[0].message
    );
    let blank = runtime(json!({"key": " ", "userId": "u", "score": 1})).unwrap_err();
    assert_eq!(
        blank.len(),
        1,
        "a bad key is one problem, not also a missing feature: {blank:?}"
    );
    assert_eq!(blank[0].path, "/key");
    // The tracking API has no `key`.
    assert_eq!(
        errors(
            Method::Feedback,
            json!({"key": "huddle", "featureId": "f", "userId": "u", "score": 4})
        ),
        [e("/key", FieldCode::UnknownField)]
    );
}

#[test]
fn attribute_numbers_must_be_finite_doubles_and_say_which() {
    for (text, finite) in [
        ("1e400", false),
        ("-1e400", false),
        ("1.8e308", false),
        ("1.7e308", true),
        ("1e-400", true),
        ("12", true),
        ("-0", true),
        ("18446744073709551616", true),
        (&format!("1{}", "0".repeat(400)), false),
    ] {
        let body: Value = serde_json::from_str(&format!(
            r#"{{"userId": 1, "attributes": {{"ok": 1, "big": {text}}}}}"#
        ))
        .unwrap();
        let got = validate(Method::User, &body, NOW);
        if finite {
            assert!(got.is_ok(), "{text}: {got:?}");
        } else {
            let errors = got.expect_err(text);
            assert_eq!(errors.len(), 1, "{text}: {errors:?}");
            assert_eq!(
                (errors[0].path.as_str(), errors[0].code),
                ("/attributes/big", FieldCode::OutOfRange)
            );
            assert!(
                errors[0].message.contains("Infinity"),
                "{}",
                errors[0].message
            );
        }
    }
}

proptest::proptest! {
    /// Whatever the number, it is accepted exactly when an f64 holds it finitely, so what is
    /// stored reads back in JavaScript as the number sent (to its precision), never Infinity.
    #[test]
    fn an_attribute_number_is_accepted_exactly_when_finite(
        mantissa in -99_999i64..99_999,
        exponent in -400i32..400,
    ) {
        let text = format!("{mantissa}e{exponent}");
        let body: Value =
            serde_json::from_str(&format!(r#"{{"userId": 1, "attributes": {{"n": {text}}}}}"#))
                .unwrap();
        let finite = text.parse::<f64>().unwrap().is_finite();
        proptest::prop_assert_eq!(validate(Method::User, &body, NOW).is_ok(), finite);
    }
}

#[test]
fn a_body_over_the_limit_as_sent_is_refused_whole() {
    let fits =
        "x".repeat(crate::api::MAX_BODY_BYTES - r#"{"userId":"u","attributes":{"a":""}}"#.len());
    ok(
        Method::User,
        json!({"userId": "u", "attributes": {"a": fits}}),
    );
    let over = format!("{fits}x");
    assert_eq!(
        errors(
            Method::User,
            json!({"userId": "u", "attributes": {"a": over}})
        ),
        [e("", FieldCode::BodyTooLarge)]
    );
}

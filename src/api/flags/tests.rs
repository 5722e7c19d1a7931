//! Definition refusals, and properties of the parsers over arbitrary input.
#![allow(
    clippy::float_cmp,
    reason = "JavaScript's results are exact, so these compare exactly"
)]

use proptest::prelude::*;
use serde_json::{Value, json};

use super::js::{number_to_string, parse_date, to_number};
use super::{Explanation, evaluate_flag, flatten, parse_definitions};

fn one_rule(filter: &Value) -> Value {
    json!([{"key": "f", "targeting": {"version": 1, "rules": [{"filter": filter}]}}])
}

fn refusal(filter: &Value) -> (String, String) {
    let e = parse_definitions(&one_rule(filter)).unwrap_err();
    (e.pointer, e.message)
}

#[test]
fn bad_definitions_name_their_pointer() {
    let (at, msg) = refusal(
        &json!({"type": "context", "field": "company.plan", "operator": "ANYOF", "values": ["a"]}),
    );
    assert_eq!(at, "/0/targeting/rules/0/filter/operator");
    assert!(msg.contains("did you mean \"ANY_OF\""), "{msg}");
    let (at, msg) = refusal(&json!({"type": "context", "field": "company.plan", "operater": "IS"}));
    assert_eq!(at, "/0/targeting/rules/0/filter/operater");
    assert!(msg.contains("did you mean \"operator\""), "{msg}");
    let (at, _) = refusal(&json!({"type": "context", "field": "x", "operator": "CONTAINS"}));
    assert_eq!(at, "/0/targeting/rules/0/filter/values");
    let (at, _) = refusal(
        &json!({"type": "context", "field": "x", "operator": "NOT_CONTAINS", "values": []}),
    );
    assert_eq!(at, "/0/targeting/rules/0/filter/values");
    let (at, msg) = refusal(&json!({"type": "rollout", "key": "k"}));
    assert_eq!(at, "/0/targeting/rules/0/filter/type");
    assert!(msg.contains("rolloutPercentage"), "{msg}");
    let (at, _) = refusal(&json!({"type": "rolloutPercentage", "key": "k",
        "partialRolloutAttribute": "company.id", "partialRolloutThreshold": 100_001}));
    assert_eq!(at, "/0/targeting/rules/0/filter/partialRolloutThreshold");
    let (at, _) = refusal(
        &json!({"type": "group", "operator": "and", "filters": [{"type": "constant", "value": "yes"}]}),
    );
    assert_eq!(at, "/0/targeting/rules/0/filter/filters/0/value");
    let (at, _) = refusal(&json!({"type": "context", "field": "toString", "operator": "SET"}));
    assert_eq!(at, "/0/targeting/rules/0/filter/field");
    let twice = json!({"features": [
        {"key": "f", "targeting": {"version": 1, "rules": []}},
        {"key": "f", "targeting": {"version": 1, "rules": []}}]});
    assert_eq!(
        parse_definitions(&twice).unwrap_err().pointer,
        "/features/1/key"
    );
}

#[test]
fn explanation_shows_what_each_filter_read() {
    let flags = parse_definitions(&json!({"features": [{"key": "huddle", "targeting": {"version": 2, "rules": [
        {"filter": {"type": "group", "operator": "and", "filters": [
            {"type": "context", "field": "company.plan", "operator": "IS", "values": ["enterprise"]},
            {"type": "context", "field": "company.seats", "operator": "GT", "values": ["10"]}]}},
        {"filter": {"type": "rolloutPercentage", "key": "huddle", "partialRolloutAttribute": "company.id",
            "partialRolloutThreshold": 50_000}}]}}]}))
    .unwrap();
    let ctx = flatten(&json!({"company": {"id": "acme", "plan": "pro"}}));
    let got = evaluate_flag(&flags[0], &ctx, 0.0);
    let Explanation::Group {
        children,
        skipped,
        result,
        ..
    } = &got.targeting.explanations[0]
    else {
        panic!("a group");
    };
    assert!(!result);
    // `and` stops at the first false, so company.seats is neither read nor reported missing.
    assert_eq!(*skipped, 1);
    assert!(
        matches!(&children[0], Explanation::Context { read: Some(r), result: false, .. } if r == "pro")
    );
    assert!(got.targeting.missing_context_fields.is_empty());
    let Explanation::Rollout {
        bucket, threshold, ..
    } = &got.targeting.explanations[1]
    else {
        panic!("a rollout");
    };
    assert_eq!(*bucket, Some(super::rollout::bucket("huddle", "acme")));
    assert!((threshold - 50_000.0).abs() < f64::EPSILON);
}

proptest! {
    #[test]
    fn numbers_round_trip_through_javascript_text(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
        let back = to_number(&number_to_string(x));
        prop_assert!(back == x || (x == 0.0 && back == 0.0), "{x} -> {} -> {back}", number_to_string(x));
    }

    #[test]
    fn number_reading_never_panics(s in "\\PC{0,24}") {
        let _ = to_number(&s);
        let _ = parse_date(&s);
    }

    #[test]
    fn iso_dates_read_as_utc(days in -200_000i64..200_000, ms in 0i64..86_400_000, form in 0u8..3) {
        let at = chrono::DateTime::from_timestamp_millis(days * 86_400_000 + ms).unwrap();
        let (text, want) = match form {
            0 => (at.format("%Y-%m-%d").to_string(), days * 86_400_000),
            1 => (at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(), days * 86_400_000 + ms),
            _ => (at.format("%Y-%m-%dT%H:%M").to_string(), days * 86_400_000 + ms / 60_000 * 60_000),
        };
        let want = want as f64;
        prop_assert_eq!(parse_date(&text), want, "{}", text);
    }

    #[test]
    fn definition_parsing_never_panics(doc in arb_json()) {
        let _ = parse_definitions(&doc);
        let _ = parse_definitions(&json!([{"key": "f", "targeting": {"version": 1, "rules": [{"filter": doc}]}}]));
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|i| json!(i)),
        prop::sample::select(vec![
            "group",
            "context",
            "constant",
            "negation",
            "rolloutPercentage",
            "IS",
            "and",
            "x"
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "type",
                    "operator",
                    "filters",
                    "filter",
                    "field",
                    "values",
                    "value",
                    "key",
                    "partialRolloutAttribute",
                    "partialRolloutThreshold",
                    "targeting",
                    "rules",
                    "version"
                ])
                .prop_map(str::to_owned),
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

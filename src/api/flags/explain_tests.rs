//! The debugger's explanation: tree lines, the rollout bucket's words, missing and unsent fields,
//! `flags eval --json`'s keys and Traffic's flag-check summary.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::explain::{
    FlagReport, Mark, check_summary, checks_in, context_of, grouped, parse_evaluated, tree,
    unsent_company_attributes,
};
use super::{FlagDefinition, evaluate_flag, parse_definitions};

/// Two flags: `huddle` (a plan rule, a rollout rule and two config variants) and `export` (a
/// negation), from tests/flags/huddle-and-export.json, which the CLI's tests read too.
pub fn fixture() -> Value {
    serde_json::from_str(include_str!("../../../tests/flags/huddle-and-export.json")).unwrap()
}

fn flags() -> Vec<FlagDefinition> {
    parse_definitions(&fixture()).unwrap()
}

fn report(flag: &FlagDefinition, attrs: &[(&str, &str)]) -> FlagReport {
    let attrs: Vec<(String, String)> = attrs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let context = context_of(Some("u1"), Some("acme"), &attrs);
    FlagReport::from_evaluation(flag, &evaluate_flag(flag, &context, 0.0))
}

fn texts(lines: &[super::explain::TreeLine]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            format!(
                "{}{} {}",
                "  ".repeat(l.depth),
                l.mark.map_or("·", Mark::symbol),
                l.text
            )
        })
        .collect()
}

#[test]
fn numbers_are_grouped_by_thousands() {
    assert_eq!(grouped(0), "0");
    assert_eq!(grouped(999), "999");
    assert_eq!(grouped(37_412), "37 412");
    assert_eq!(grouped(100_000), "100 000");
    assert_eq!(grouped(1_234_567), "1 234 567");
}

#[test]
fn every_filter_shows_its_mark_and_what_it_read() {
    let flags = flags();
    let r = report(&flags[0], &[]);
    assert!(r.enabled);
    assert_eq!(
        r.headline(),
        "huddle on · rule 2 of 2 · variant \"standard\""
    );
    assert_eq!(
        texts(r.rules[0].1.as_ref().unwrap()),
        ["missing company.plan IS \"enterprise\" · not in the context"]
    );
    assert_eq!(
        texts(r.rules[1].1.as_ref().unwrap()),
        [
            "✓ all of",
            "  ✓ user.id SET · read \"u1\"",
            "  ✓ rollout 50% by company.id (key \"huddle\") · \"acme\" → bucket 30 148 of 100 000, \
             needs < 50 000",
        ]
    );
    assert_eq!(r.missing, ["company.plan"]);
    assert_eq!(r.variants[0].0, "beta");
    assert!(!r.variants[0].1);
    assert_eq!(
        texts(&r.variants[0].2),
        ["missing company.plan ANY_OF [\"enterprise\", \"pro\"] · not in the context"]
    );
}

#[test]
fn a_rollout_outside_its_share_and_a_variant_that_matches() {
    let flags = flags();
    let mut r = report(
        &flags[0],
        &[("company.id", "globex"), ("company.plan", "pro")],
    );
    assert!(!r.enabled);
    assert_eq!(r.variant, Some(("beta".to_owned(), json!({"max": 10}))));
    assert_eq!(
        texts(r.rules[1].1.as_ref().unwrap())[2],
        "  ✗ rollout 50% by company.id (key \"huddle\") · \"globex\" → bucket 67 267 of 100 000, \
         needs < 50 000"
    );
    assert_eq!(
        texts(r.rules[0].1.as_ref().unwrap()),
        ["✗ company.plan IS \"enterprise\" · read \"pro\""]
    );
    r.rules.clear();
    assert_eq!(r.headline(), "huddle off · no rules · variant \"beta\"");
}

#[test]
fn a_group_decided_early_says_what_it_skipped_and_a_negation_nests() {
    let doc = json!([{"key": "g", "targeting": {"version": 1, "rules": [{"filter":
        {"type": "group", "operator": "or", "filters": [
            {"type": "constant", "value": true},
            {"type": "context", "field": "x", "operator": "IS", "values": ["y"]}]}}]}}]);
    let flags = parse_definitions(&doc).unwrap();
    let e = evaluate_flag(&flags[0], &context_of(None, None, &[]), 0.0);
    assert_eq!(
        texts(&tree(&e.targeting.explanations[0])),
        [
            "✓ any of",
            "  ✓ always true",
            "  · 1 more not evaluated (the result was already decided)"
        ]
    );
    let all = self::flags();
    let r = report(&all[1], &[]);
    assert_eq!(
        texts(r.rules[0].1.as_ref().unwrap()),
        [
            "✓ not",
            "  missing company.tier IS \"free\" · not in the context"
        ]
    );
}

#[test]
fn company_attributes_no_company_call_sent_are_named() {
    let flags = flags();
    let sent: BTreeSet<String> = ["name".to_owned()].into();
    assert_eq!(
        unsent_company_attributes(&flags[0], &sent),
        ["company.plan"]
    );
    let sent: BTreeSet<String> = ["plan".to_owned()].into();
    assert!(unsent_company_attributes(&flags[0], &sent).is_empty());
}

#[test]
fn eval_json_keys_are_the_documented_ones() {
    let flags = flags();
    let v = report(&flags[0], &[]).to_json();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "config",
            "isEnabled",
            "key",
            "matchedRule",
            "missingContextFields",
            "rules",
            "unsentCompanyAttributes",
            "variants"
        ]
    );
    assert_eq!(v["matchedRule"], 2);
    assert_eq!(v["config"], json!({"key": "standard", "payload": null}));
    assert_eq!(v["rules"][0]["filters"][0]["mark"], "missing");
    assert_eq!(v["rules"][1]["filters"][2]["depth"], 1);
    assert_eq!(v["variants"][1]["result"], true);
}

#[test]
fn the_evaluated_answer_gives_outcomes_without_trees() {
    let answer = json!({"success": true, "flagStateVersion": 4, "features": {
        "huddle": {"key": "huddle", "isEnabled": true, "targetingVersion": 3,
                   "config": {"key": "beta", "payload": {"max": 10}, "version": 2},
                   "ruleEvaluationResults": [false, true], "missingContextFields": ["company.plan"]},
        "export": {"key": "export", "isEnabled": false, "targetingVersion": 1,
                   "ruleEvaluationResults": [false], "missingContextFields": []}}});
    let flags = parse_evaluated(&answer).unwrap();
    assert_eq!(flags[0].key, "export");
    let r = FlagReport::from_evaluated(&flags[1]);
    assert_eq!(r.headline(), "huddle on · rule 2 of 2 · variant \"beta\"");
    assert!(r.rules.iter().all(|(_, tree)| tree.is_none()));
    assert_eq!(
        r.to_json()["rules"],
        json!([{"result": false}, {"result": true}])
    );
}

#[test]
fn a_flag_check_reads_as_one_line() {
    let check = json!({"action": "check", "key": "huddle", "evalResult": false,
                       "evalMissingFields": ["company.plan"], "evalContext": {}});
    assert_eq!(
        check_summary(&check).unwrap(),
        "huddle checked → false · missing company.plan"
    );
    let config = json!({"action": "check-config", "key": "huddle", "evalResult": {"key": "beta"}});
    assert_eq!(
        check_summary(&config).unwrap(),
        "huddle config checked → variant \"beta\""
    );
    assert_eq!(check_summary(&json!({"action": "check"})), None);
    let bulk = json!([{"type": "user", "userId": "u1"},
                      {"type": "feature-flag-event", "action": "check", "key": "a", "evalResult": true}]);
    assert_eq!(checks_in("/bulk", &bulk.to_string()), ["a checked → true"]);
    assert_eq!(
        checks_in("/features/events", &check.to_string()),
        ["huddle checked → false · missing company.plan"]
    );
    assert!(checks_in("/user", &check.to_string()).is_empty());
}

#[test]
fn attributes_are_field_value_pairs_for_f7_and_the_cli_alike() {
    use super::explain::{AttributeError, attribute, attributes};
    assert_eq!(
        attributes(" company.plan = enterprise, ,user.role=admin"),
        Ok(vec![
            ("company.plan".to_owned(), "enterprise".to_owned()),
            ("user.role".to_owned(), "admin".to_owned()),
        ])
    );
    assert_eq!(attribute("=x"), Err(AttributeError("=x".to_owned())));
    assert_eq!(
        attributes("a=1, plan").unwrap_err().to_string(),
        "\"plan\" is not FIELD=VALUE (company.plan=enterprise)"
    );
}

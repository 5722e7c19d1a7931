//! Snapshots of the Flags view (F7): a rollout bucket, a missing field, a chosen variant, a
//! company attribute no `company` call sent, a publishable key's outcomes, the editor.

use crate::api::flags::explain::parse_evaluated;
use crate::tui::action::Action;
use crate::tui::fixtures::{press, render};
use crate::tui::flags::Source;
use crate::tui::state::{ServerStatus, State};
use crate::tui::update::flags_tests::{definitions, on_flags};
use crate::tui::update::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn snapshot(name: &str, state: &State) {
    insta::assert_snapshot!(name, render(state, 110, 30).backend());
}

fn loaded() -> State {
    let (mut s, _) = on_flags();
    s.server = ServerStatus::Answers;
    s.log.loading = false;
    update(&mut s, definitions(Some(vec![("company.name", "Acme")])));
    s
}

#[test]
fn f7_shows_each_rule_as_a_tree_with_the_rollout_bucket() {
    let s = loaded();
    snapshot("flags_definitions", &s);
    let mut s = s;
    press(&mut s, KeyCode::Down);
    snapshot("flags_negation", &s);
}

#[test]
fn f7_while_reading_and_on_a_failure() {
    let (mut s, _) = on_flags();
    s.server = ServerStatus::Answers;
    snapshot("flags_reading", &s);
    update(
        &mut s,
        Action::FlagsLoaded {
            generation: 1,
            result: Err(crate::term::Failure::message(
                "the server answered 401: bad key",
            )),
        },
    );
    snapshot("flags_failed", &s);
}

#[test]
fn f7_with_a_publishable_key_shows_outcomes_and_says_why() {
    let mut s = loaded();
    let answer = serde_json::json!({"features": {
        "huddle": {"key": "huddle", "isEnabled": true, "targetingVersion": 3,
                   "config": {"key": "beta", "payload": {"max": 10}, "version": 2},
                   "ruleEvaluationResults": [false, true], "missingContextFields": ["company.plan"]}}});
    if let Some(Ok(l)) = &mut s.flags.loaded {
        l.source = Source::Evaluated(parse_evaluated(&answer).unwrap());
    }
    s.flags.explain(s.now_ms);
    snapshot("flags_publishable", &s);
}

#[test]
fn f7_editing_the_context_marks_a_bad_attribute() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('e'));
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Tab);
    for c in ", plan".chars() {
        update(
            &mut s,
            Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
    snapshot("flags_editing", &s);
}

#[test]
fn f7_shows_a_flags_recent_checks_and_why_they_are_few() {
    let mut s = loaded();
    let check = |flag: &str, result: bool, at: &str| crate::api::inspect::FlagCheckRecord {
        id: "1".into(),
        flag_key: flag.into(),
        action: "check".into(),
        context: serde_json::json!({"user": {"id": "u1"}, "company": {"id": "acme"}}),
        result: Some(serde_json::json!(result)),
        targeting_version: Some(3),
        rule_results: Some(vec![false, true]),
        missing_fields: Some(vec!["company.plan".into()]),
        received_at: at.into(),
    };
    if let Some(Ok(l)) = &mut s.flags.loaded {
        l.checks = Some(vec![
            check("huddle", true, "2026-11-26T06:30:00.000Z"),
            check("export", false, "2026-11-26T06:20:00.000Z"),
            check("huddle", false, "2026-11-26T06:10:00.000Z"),
        ]);
    }
    s.flags.scroll = 10;
    snapshot("flags_recent_checks", &s);
    press(&mut s, KeyCode::Down);
    s.flags.scroll = 0;
    if let Some(Ok(l)) = &mut s.flags.loaded {
        l.checks = Some(Vec::new());
    }
    snapshot("flags_no_checks", &s);
}

//! The Data view's flag-checks list: each check in Traffic's words with its user and company;
//! Enter opens the user, `u` fills the company form (a missing attribute is sent there).

use crate::api::Method;
use crate::api::inspect::FlagCheckRecord;
use crate::inspect::{EntityRef, Rows};
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::{press, render, state};
use crate::tui::state::{ServerStatus, State};
use crate::tui::update::update;
use crossterm::event::KeyCode;
use serde_json::json;

fn check(flag: &str, result: bool, missing: &[&str], at: &str) -> FlagCheckRecord {
    FlagCheckRecord {
        id: "1".into(),
        flag_key: flag.into(),
        action: "check".into(),
        context: json!({"user": {"id": "u1"}, "company": {"id": "acme"}}),
        result: Some(json!(result)),
        targeting_version: Some(3),
        rule_results: Some(vec![result]),
        missing_fields: Some(missing.iter().map(|m| (*m).to_owned()).collect()),
        received_at: at.into(),
    }
}

fn on_flag_checks(rows: Vec<FlagCheckRecord>) -> (State, Vec<Effect>) {
    let mut s = state(Method::User);
    s.server = ServerStatus::Answers;
    s.log.loading = false;
    press(&mut s, KeyCode::F(2));
    let effects = press(&mut s, KeyCode::Char('5'));
    let generation = s.inspect.generation;
    update(
        &mut s,
        Action::InspectLoaded {
            generation,
            result: Ok(Rows::FlagChecks(rows).into()),
        },
    );
    (s, effects)
}

#[test]
fn the_flag_checks_tab_lists_each_check_and_opens_its_user() {
    let (mut s, effects) = on_flag_checks(vec![
        check(
            "huddle",
            false,
            &["company.plan"],
            "2026-11-26T06:30:00.000Z",
        ),
        check("export", true, &[], "2026-11-26T06:20:00.000Z"),
    ]);
    assert!(
        matches!(effects.as_slice(), [Effect::LoadData { query, .. }] if query.tab == crate::inspect::Tab::FlagChecks),
        "{effects:?}"
    );
    insta::assert_snapshot!("data_flag_checks", render(&s, 100, 16).backend());
    let effects = press(&mut s, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::LoadEntity { which: EntityRef::User(u), .. }] if u == "u1"),
        "{effects:?}"
    );
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Char('u'));
    assert_eq!(s.method, Method::Company);
    assert_eq!(s.form().body()["companyId"], "acme");
}

#[test]
fn no_flag_checks_says_where_they_come_from() {
    let (s, _) = on_flag_checks(Vec::new());
    insta::assert_snapshot!("data_flag_checks_empty", render(&s, 100, 16).backend());
}

//! Snapshots of the Features view (F6) and of a company's steps in the Data view.

use crate::api::Method;
use crate::tui::action::{Action, Effect, StarsPurpose};
use crate::tui::fixtures::{funnels, press, render, state};
use crate::tui::state::{ServerStatus, State};
use crate::tui::update::update;
use crossterm::event::KeyCode;

fn snapshot(name: &str, state: &State) {
    insta::assert_snapshot!(name, render(state, 100, 34).backend());
}

fn on_features() -> State {
    let mut s = state(Method::Event);
    s.server = ServerStatus::Answers;
    s.log.loading = false;
    let effects = press(&mut s, KeyCode::F(6));
    assert!(
        matches!(effects.as_slice(), [Effect::LoadStars { purpose: StarsPurpose::List(1), request, .. }] if !request.standings),
        "{effects:?}"
    );
    s
}

#[test]
fn the_list_while_computing_empty_failed_and_full() {
    let mut s = on_features();
    snapshot("features_computing", &s);
    update(
        &mut s,
        Action::StarsLoaded {
            purpose: StarsPurpose::List(1),
            result: Ok(vec![]),
        },
    );
    snapshot("features_empty", &s);
    update(
        &mut s,
        Action::StarsLoaded {
            purpose: StarsPurpose::List(1),
            result: Err(crate::term::Failure::message(
                "this server has no inspection routes",
            )),
        },
    );
    snapshot("features_failed", &s);
    update(
        &mut s,
        Action::StarsLoaded {
            purpose: StarsPurpose::List(1),
            result: Ok(funnels()),
        },
    );
    press(&mut s, KeyCode::Down);
    snapshot("features_list", &s);
}

#[test]
fn the_companies_of_a_feature_step_by_step() {
    let mut s = on_features();
    update(
        &mut s,
        Action::StarsLoaded {
            purpose: StarsPurpose::List(1),
            result: Ok(funnels()),
        },
    );
    let effects = press(&mut s, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::LoadStars { purpose: StarsPurpose::Drill(name), request, .. }] if name == "export" && request.standings && request.features.len() == 1),
        "{effects:?}"
    );
    update(
        &mut s,
        Action::StarsLoaded {
            purpose: StarsPurpose::Drill("export".into()),
            result: Ok(vec![funnels().remove(0)]),
        },
    );
    for _ in 0..3 {
        press(&mut s, KeyCode::Down);
    }
    snapshot("features_drill", &s);
    // At 80×24 the selection (the last user left out) stays in sight.
    press(&mut s, KeyCode::End);
    insta::assert_snapshot!("features_drill_80x24", render(&s, 80, 24).backend());
}

#[test]
fn a_company_in_the_data_view_shows_its_step_per_feature() {
    use crate::api::inspect::CompanyRecord;
    use crate::inspect::{Entity, EntityRef};
    let mut s = state(Method::Event);
    s.server = ServerStatus::Answers;
    s.log.loading = false;
    press(&mut s, KeyCode::F(2));
    let which = s.inspect.open(EntityRef::Company("umbrella".into()));
    s.inspect.company_steps = Some(("umbrella".into(), None));
    let company = CompanyRecord {
        company_id: "umbrella".into(),
        attributes: serde_json::Map::new(),
        first_seen: "2026-11-01T10:00:00.000Z".into(),
        last_seen: Some("2026-11-25T10:00:00.000Z".into()),
        users: vec!["umbrella-admin".into()],
    };
    update(
        &mut s,
        Action::EntityLoaded {
            which,
            result: Ok(Some(Entity::Company {
                company,
                events: vec![],
            })),
        },
    );
    let mut all = funnels();
    for f in &mut all {
        f.standings.retain(|st| st.company_id == "umbrella");
    }
    update(
        &mut s,
        Action::StarsLoaded {
            purpose: StarsPurpose::Company("umbrella".into()),
            result: Ok(all),
        },
    );
    snapshot("data_company_steps", &s);
}

//! The Features view's updates: what F6, Enter and `u` ask for and do.

use crate::api::Method;
use crate::tui::action::{Action, Effect, StarsPurpose};
use crate::tui::fixtures::{funnels, press, state};
use crate::tui::state::{Focus, Screen, State};
use crate::tui::update::update;
use crossterm::event::KeyCode;
use serde_json::{Value, json};

fn loaded() -> State {
    let mut s = state(Method::User);
    press(&mut s, KeyCode::F(6));
    update(
        &mut s,
        Action::StarsLoaded {
            purpose: StarsPurpose::List(1),
            result: Ok(funnels()),
        },
    );
    press(&mut s, KeyCode::Enter);
    update(
        &mut s,
        Action::StarsLoaded {
            purpose: StarsPurpose::Drill("export".into()),
            result: Ok(vec![funnels().remove(0)]),
        },
    );
    s
}

fn body(s: &State) -> Value {
    serde_json::from_str(&s.form().body_text()).unwrap()
}

#[test]
fn an_old_answer_does_not_replace_a_newer_one() {
    let mut s = state(Method::User);
    press(&mut s, KeyCode::F(6));
    press(&mut s, KeyCode::Char('r'));
    assert_eq!(s.stars.generation, 2);
    update(
        &mut s,
        Action::StarsLoaded {
            purpose: StarsPurpose::List(1),
            result: Ok(funnels()),
        },
    );
    assert!(
        s.stars.loaded.is_loading(),
        "the answer to the first F6 is stale"
    );
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.screen, Screen::Console);
}

#[test]
fn u_fills_the_form_that_moves_the_selected_company_on() {
    // Rows: acme (Satisfied), globex (Retained), initech (Adopted), umbrella (Tried), hooli,
    // then visitor-7 left out.
    let mut s = loaded();
    press(&mut s, KeyCode::Char('u'));
    assert_eq!(
        s.screen,
        Screen::Features,
        "acme is Satisfied: nothing to fill"
    );
    assert!(s.message.as_ref().unwrap().1.contains("already Satisfied"));

    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Char('u'));
    assert_eq!(
        (s.screen, s.method, s.focus),
        (Screen::Console, Method::Feedback, Focus::Form)
    );
    let b = body(&s);
    assert_eq!(
        (&b["featureId"], &b["companyId"], &b["userId"]),
        (&json!("export"), &json!("globex"), &json!("globex-admin"))
    );
    assert!(s.message.as_ref().unwrap().1.contains("score of 4 or more"));
    assert_eq!(
        s.form().focused().name,
        "score",
        "the cursor is on what is missing"
    );

    let mut s = loaded();
    for _ in 0..3 {
        press(&mut s, KeyCode::Down);
    }
    press(&mut s, KeyCode::Char('u'));
    assert_eq!(s.method, Method::Event);
    let b = body(&s);
    assert_eq!(
        (&b["event"], &b["companyId"], &b["userId"]),
        (
            &json!("Exported report"),
            &json!("umbrella"),
            &json!("umbrella-admin")
        )
    );
    assert!(
        s.message.as_ref().unwrap().1.contains("4 of 5 days"),
        "{:?}",
        s.message
    );

    let mut s = loaded();
    press(&mut s, KeyCode::End);
    press(&mut s, KeyCode::Char('u'));
    assert_eq!(s.method, Method::Company);
    let b = body(&s);
    assert_eq!(b["userId"], json!("visitor-7"));
    assert!(
        s.message
            .as_ref()
            .unwrap()
            .1
            .contains("give `visitor-7` a company")
    );
}

#[test]
fn opening_a_company_in_the_data_view_asks_for_its_steps() {
    use crate::inspect::{EntityRef, Rows};
    let mut s = state(Method::User);
    press(&mut s, KeyCode::F(2));
    s.inspect.tab = crate::inspect::Tab::Companies;
    s.inspect.rows = Some(Rows::Companies(vec![crate::api::inspect::CompanyRecord {
        company_id: "acme".into(),
        attributes: serde_json::Map::new(),
        first_seen: "2026-11-01T10:00:00.000Z".into(),
        last_seen: None,
        users: vec![],
    }]));
    let effects = press(&mut s, KeyCode::Enter);
    assert!(
        effects.iter().any(|e| matches!(e, Effect::LoadEntity { which, .. } if *which == EntityRef::Company("acme".into()))),
        "{effects:?}"
    );
    assert!(
        effects.iter().any(|e| matches!(e, Effect::LoadStars { purpose: StarsPurpose::Company(c), request, .. } if c == "acme" && request.company_id.as_deref() == Some("acme") && !request.companies)),
        "{effects:?}"
    );
    // An answer for another company is not shown as this one's.
    update(
        &mut s,
        Action::StarsLoaded {
            purpose: StarsPurpose::Company("globex".into()),
            result: Ok(funnels()),
        },
    );
    assert!(matches!(&s.inspect.company_steps, Some((c, None)) if c == "acme"));
}

#[test]
fn a_remote_profile_is_not_asked_for_funnels() {
    let mut s = state(Method::User);
    s.profile = crate::profiles::Profile {
        name: "prod".into(),
        base_url: "https://tracking.example.com".into(),
        ..crate::profiles::Profile::local()
    };
    let effects = press(&mut s, KeyCode::F(6));
    assert!(effects.is_empty(), "{effects:?}");
    let why = s.stars.loaded.failure().expect("a failure").to_string();
    assert!(why.contains("not a local server"), "{why}");
}

/// The console shows counts, and companies through their standings: F6's list and its
/// drill-down never ask for the lists of ids that make most of an answer; the drill-down alone
/// asks for standings.
#[test]
fn f6_asks_for_the_counts_and_its_drill_down_for_the_standings_never_the_ids() {
    let mut s = state(Method::User);
    let asked = |effects: Vec<Effect>| match effects.as_slice() {
        [Effect::LoadStars { request, .. }] => (request.companies, request.standings),
        other => panic!("{other:?}"),
    };
    assert_eq!(asked(press(&mut s, KeyCode::F(6))), (false, false));
    update(
        &mut s,
        Action::StarsLoaded {
            purpose: StarsPurpose::List(1),
            result: Ok(funnels()),
        },
    );
    assert_eq!(asked(press(&mut s, KeyCode::Enter)), (false, true));
}

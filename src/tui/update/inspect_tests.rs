//! The Data view's updates: which requests it asks for, paging, stale answers, search, sort,
//! "use in form", and what a send marks.

use super::update;
use crate::api::Method;
use crate::inspect::{EntityRef, Order, Rows, Tab};
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::{exchange, press, state, stored};
use crate::tui::inspect::PAGE;
use crate::tui::state::{Screen, State};
use crossterm::event::KeyCode;

fn queries(effects: &[Effect]) -> Vec<crate::inspect::Query> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::LoadData { query, .. } => Some(query.clone()),
            _ => None,
        })
        .collect()
}

fn answer(s: &mut State, rows: Rows) {
    let generation = s.inspect.generation;
    update(
        s,
        Action::InspectLoaded {
            generation,
            result: Ok(rows.into()),
        },
    );
}

fn full_page_of_events() -> Rows {
    let one = stored::events()[0].clone();
    Rows::Events(vec![one; PAGE as usize])
}

#[test]
fn f2_opens_the_first_page_once_and_esc_goes_back() {
    let mut s = state(Method::Event);
    let q = queries(&press(&mut s, KeyCode::F(2)));
    assert_eq!(s.screen, Screen::Data);
    assert_eq!(q.len(), 1);
    assert_eq!((q[0].tab, q[0].offset, q[0].limit), (Tab::Users, 0, PAGE));
    answer(&mut s, Rows::Users(stored::users()));
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.screen, Screen::Console);
    assert!(
        queries(&press(&mut s, KeyCode::F(2))).is_empty(),
        "a page already shown is not fetched again"
    );
}

#[test]
fn moving_past_a_full_page_loads_the_next_and_back() {
    let mut s = state(Method::Event);
    press(&mut s, KeyCode::F(2));
    press(&mut s, KeyCode::Char('3'));
    answer(&mut s, full_page_of_events());
    for _ in 0..PAGE - 1 {
        assert!(queries(&press(&mut s, KeyCode::Down)).is_empty());
    }
    let q = queries(&press(&mut s, KeyCode::Down));
    assert_eq!(q[0].offset, u64::from(PAGE));
    assert_eq!(s.inspect.selected, 0);
    answer(&mut s, full_page_of_events());
    let q = queries(&press(&mut s, KeyCode::Up));
    assert_eq!(q[0].offset, 0);
    assert_eq!(s.inspect.selected, PAGE as usize - 1);
    let q = queries(&press(&mut s, KeyCode::PageDown));
    assert_eq!(q[0].offset, u64::from(PAGE));
    answer(&mut s, Rows::Events(stored::events()));
    assert!(
        queries(&press(&mut s, KeyCode::PageDown)).is_empty(),
        "a short page is the last"
    );
}

#[test]
fn an_answer_to_an_older_request_is_dropped() {
    let mut s = state(Method::Event);
    press(&mut s, KeyCode::F(2));
    let old = s.inspect.generation;
    press(&mut s, KeyCode::Char('2'));
    update(
        &mut s,
        Action::InspectLoaded {
            generation: old,
            result: Ok(Rows::Users(stored::users()).into()),
        },
    );
    assert!(s.inspect.rows.is_none() && s.inspect.loading);
    answer(&mut s, Rows::Companies(stored::companies()));
    assert_eq!(s.inspect.rows.as_ref().map(Rows::tab), Some(Tab::Companies));
}

#[test]
fn typing_a_search_and_flipping_the_order_refetch_from_the_start() {
    let mut s = state(Method::Event);
    press(&mut s, KeyCode::F(2));
    press(&mut s, KeyCode::Char('/'));
    let q = queries(&press(&mut s, KeyCode::Char('a')));
    assert_eq!(q[0].search, "a");
    press(&mut s, KeyCode::Enter);
    assert!(!s.inspect.typing);
    let q = queries(&press(&mut s, KeyCode::Char('s')));
    assert_eq!((q[0].order, q[0].search.as_str()), (Order::Oldest, "a"));
    let q = queries(&press(&mut s, KeyCode::Char('3')));
    assert_eq!(
        (q[0].tab, q[0].search.as_str()),
        (Tab::Events, "a"),
        "the search follows to another tab"
    );
    let q = queries(&press(&mut s, KeyCode::Esc));
    assert_eq!(q[0].search, "", "Esc clears the search first");
    assert_eq!(s.screen, Screen::Data);
}

#[test]
fn use_in_form_fills_the_matching_form_and_goes_there() {
    let mut s = state(Method::User);
    press(&mut s, KeyCode::F(2));
    press(&mut s, KeyCode::Char('3'));
    answer(&mut s, Rows::Events(stored::events()));
    press(&mut s, KeyCode::Char('u'));
    assert_eq!((s.screen, s.method), (Screen::Console, Method::Event));
    assert_eq!(
        s.form().body(),
        serde_json::json!({"event": "Sent message", "userId": "u-42", "companyId": "acme"})
    );
    press(&mut s, KeyCode::F(2));
    press(&mut s, KeyCode::Char('4'));
    answer(&mut s, Rows::Feedback(stored::feedback()));
    press(&mut s, KeyCode::Char('u'));
    assert_eq!(s.method, Method::Feedback);
    let body = s.form().body();
    assert_eq!(
        (&body["featureId"], &body["userId"]),
        (&serde_json::json!("export"), &serde_json::json!("u-42"))
    );
}

#[test]
fn opening_a_user_fetches_it_and_a_send_reloads_and_marks_it() {
    let mut s = state(Method::User);
    press(&mut s, KeyCode::F(2));
    answer(&mut s, Rows::Users(stored::users()));
    let effects = press(&mut s, KeyCode::Enter);
    assert!(effects.iter().any(
        |e| matches!(e, Effect::LoadEntity { which, .. } if *which == EntityRef::User("u-42".into()))
    ));
    let sent = exchange(
        "company",
        200,
        r#"{"companyId":"acme","userId":"u-42"}"#,
        vec![],
    );
    let effects = update(&mut s, Action::Sent(Box::new(sent)));
    assert_eq!(queries(&effects).len(), 1, "the page reloads");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadEntity { .. })),
        "and the open user"
    );
    assert!(s.inspect.touched.contains(&EntityRef::User("u-42".into())));
    assert!(
        s.inspect
            .touched
            .contains(&EntityRef::Company("acme".into()))
    );
    let mut users = stored::users();
    users[0].last_seen = Some("2024-05-01T13:00:00.000Z".into());
    answer(&mut s, Rows::Users(users));
    assert!(s.inspect.changed.contains(&EntityRef::User("u-42".into())));
    assert!(
        !s.inspect
            .changed
            .contains(&EntityRef::User("lonely".into()))
    );

    let rejected = exchange("user", 400, r#"{"userId":"lonely"}"#, vec![]);
    assert!(
        queries(&update(&mut s, Action::Sent(Box::new(rejected)))).is_empty(),
        "a refused call changed nothing to show"
    );
}

/// Page down reads on from the cursor the page shown answered with (a seek, however deep); page
/// up goes back to the cursor it came from, and Home or a sort flip to the start.
#[test]
fn paging_down_follows_the_cursor_and_back_retraces_it() {
    let mut s = state(Method::Event);
    press(&mut s, KeyCode::F(2));
    press(&mut s, KeyCode::Char('3'));
    let page = |next: &str| crate::inspect::Page {
        rows: full_page_of_events(),
        next: Some(next.to_owned()),
    };
    let loaded = |s: &mut State, next: &str| {
        let generation = s.inspect.generation;
        update(
            s,
            Action::InspectLoaded {
                generation,
                result: Ok(page(next)),
            },
        );
    };
    loaded(&mut s, "1:50");
    let q = queries(&press(&mut s, KeyCode::PageDown));
    assert_eq!((q[0].offset, q[0].after.as_deref()), (50, Some("1:50")));
    loaded(&mut s, "1:100");
    let q = queries(&press(&mut s, KeyCode::PageDown));
    assert_eq!((q[0].offset, q[0].after.as_deref()), (100, Some("1:100")));
    loaded(&mut s, "1:150");
    let q = queries(&press(&mut s, KeyCode::PageUp));
    assert_eq!((q[0].offset, q[0].after.as_deref()), (50, Some("1:50")));
    loaded(&mut s, "1:100");
    let q = queries(&press(&mut s, KeyCode::PageUp));
    assert_eq!((q[0].offset, q[0].after.as_deref()), (0, None));
    loaded(&mut s, "1:50");
    press(&mut s, KeyCode::PageDown);
    loaded(&mut s, "1:100");
    let q = queries(&press(&mut s, KeyCode::Char('s')));
    assert_eq!(
        (q[0].offset, q[0].after.as_deref(), q[0].order),
        (0, None, Order::Oldest)
    );
    loaded(&mut s, "2:1");
    let q = queries(&press(&mut s, KeyCode::PageDown));
    assert_eq!(
        q[0].after.as_deref(),
        Some("2:1"),
        "oldest first pages by cursor too"
    );
    loaded(&mut s, "2:51");
    let q = queries(&press(&mut s, KeyCode::Home));
    assert_eq!((q[0].offset, q[0].after.as_deref()), (0, None));
    // A press before the answer has no cursor to go on: it asks by offset, not from a stale one.
    loaded(&mut s, "2:50");
    press(&mut s, KeyCode::PageDown);
    let q = queries(&press(&mut s, KeyCode::PageDown));
    assert_eq!((q[0].offset, q[0].after.as_deref()), (100, None));
    press(&mut s, KeyCode::Char('s'));
    let q = queries(&press(&mut s, KeyCode::PageDown));
    assert_eq!(
        (q[0].offset, q[0].after.as_deref()),
        (50, None),
        "not the other order's"
    );
}

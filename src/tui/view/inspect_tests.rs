//! Snapshots of the Data view: each tab, a user and a company opened, the empty and error states,
//! a search being typed, and what the last send touched.

use crate::api::Method;
use crate::inspect::{Entity, EntityRef, Rows, Tab};
use crate::tui::action::Action;
use crate::tui::fixtures::{press, render, state, stored};
use crate::tui::state::{ServerStatus, State};
use crate::tui::update::update;
use crossterm::event::KeyCode;

fn snapshot(name: &str, state: &State) {
    insta::assert_snapshot!(name, render(state, 80, 24).backend());
}

/// The Data view open on `tab`, with `rows` answered.
fn showing(rows: Rows) -> State {
    let mut s = state(Method::User);
    s.server = ServerStatus::Answers;
    s.log.loading = false;
    press(&mut s, KeyCode::F(2));
    let tab = rows.tab();
    if tab != Tab::Users {
        press(&mut s, KeyCode::Char(char::from(b'1' + tab_index(tab))));
    }
    let generation = s.inspect.generation;
    update(
        &mut s,
        Action::InspectLoaded {
            generation,
            result: Ok(rows.into()),
        },
    );
    s
}

fn tab_index(tab: Tab) -> u8 {
    Tab::ALL.iter().position(|t| *t == tab).unwrap_or(0) as u8
}

#[test]
fn users_flag_the_ones_without_a_company() {
    let mut s = showing(Rows::Users(stored::users()));
    press(&mut s, KeyCode::Down);
    snapshot("data_users", &s);
}

#[test]
fn companies_events_and_feedback_tabs() {
    snapshot(
        "data_companies",
        &showing(Rows::Companies(stored::companies())),
    );
    snapshot("data_events", &showing(Rows::Events(stored::events())));
    snapshot(
        "data_feedback",
        &showing(Rows::Feedback(stored::feedback())),
    );
}

#[test]
fn a_send_highlights_what_it_touched_and_marks_a_changed_last_seen() {
    let mut s = showing(Rows::Users(stored::users()));
    let mut exchange = crate::tui::fixtures::exchange("user", 200, r#"{"userId":"u-42"}"#, vec![]);
    exchange.id = Some(8);
    update(&mut s, Action::Sent(Box::new(exchange)));
    let mut users = stored::users();
    users[0].last_seen = Some("2024-05-01T12:05:00.000Z".into());
    let generation = s.inspect.generation;
    update(
        &mut s,
        Action::InspectLoaded {
            generation,
            result: Ok(Rows::Users(users).into()),
        },
    );
    snapshot("data_users_after_send", &s);
}

#[test]
fn a_user_and_a_company_opened() {
    let mut s = showing(Rows::Users(stored::users()));
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Enter);
    let which = EntityRef::User("lonely".into());
    update(
        &mut s,
        Action::EntityLoaded {
            which,
            result: Ok(Some(Entity::User {
                user: stored::users()[1].clone(),
                events: vec![stored::events()[1].clone()],
            })),
        },
    );
    snapshot("data_user_detail", &s);

    let mut s = showing(Rows::Companies(stored::companies()));
    press(&mut s, KeyCode::Enter);
    update(
        &mut s,
        Action::EntityLoaded {
            which: EntityRef::Company("acme".into()),
            result: Ok(Some(Entity::Company {
                company: stored::companies()[0].clone(),
                events: vec![stored::events()[0].clone()],
            })),
        },
    );
    snapshot("data_company_detail", &s);
}

#[test]
fn an_event_and_a_feedback_opened() {
    let mut s = showing(Rows::Events(stored::events()));
    press(&mut s, KeyCode::Enter);
    snapshot("data_event_detail", &s);
    let mut s = showing(Rows::Feedback(stored::feedback()));
    press(&mut s, KeyCode::Enter);
    snapshot("data_feedback_detail", &s);
}

#[test]
fn empty_error_and_search_states() {
    snapshot("data_empty", &showing(Rows::Users(vec![])));

    let mut s = state(Method::User);
    s.server = ServerStatus::Down(crate::term::Failure::message(
        "cannot connect: Connection refused",
    ));
    press(&mut s, KeyCode::F(2));
    let generation = s.inspect.generation;
    update(
        &mut s,
        Action::InspectLoaded {
            generation,
            result: Err(crate::term::Failure::message(
                "the server is not answering: cannot connect: Connection refused",
            )),
        },
    );
    snapshot("data_error", &s);

    let mut s = showing(Rows::Events(stored::events()));
    press(&mut s, KeyCode::Char('/'));
    for c in "sign".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let generation = s.inspect.generation;
    update(
        &mut s,
        Action::InspectLoaded {
            generation,
            result: Ok(Rows::Events(vec![stored::events()[1].clone()]).into()),
        },
    );
    snapshot("data_search", &s);
    press(&mut s, KeyCode::Char('s'));
    press(&mut s, KeyCode::Enter);
    let generation = s.inspect.generation;
    update(
        &mut s,
        Action::InspectLoaded {
            generation,
            result: Ok(Rows::Events(vec![]).into()),
        },
    );
    snapshot("data_search_no_match", &s);
}

#[test]
fn help_in_the_data_view_lists_its_keys() {
    let mut s = showing(Rows::Users(stored::users()));
    press(&mut s, KeyCode::F(1));
    snapshot("data_help", &s);
}

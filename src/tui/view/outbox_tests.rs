//! Snapshots of the Outbox view, and its keys.

use crate::api::Method;
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::{outbox_items, press, render, state};
use crate::tui::state::{Screen, ServerStatus, State};
use crate::tui::update::update;
use crossterm::event::KeyCode;

fn snapshot(name: &str, state: &State) {
    insta::assert_snapshot!(name, render(state, 80, 24).backend());
}

fn opened(items: Vec<crate::outbox::Item>) -> State {
    let mut s = state(Method::Feedback);
    s.server = ServerStatus::Down(crate::term::Failure::message("connection refused"));
    s.log.loading = false;
    assert_eq!(press(&mut s, KeyCode::F(4)), vec![Effect::LoadOutbox]);
    update(&mut s, Action::OutboxLoaded(Ok(items)));
    s
}

#[test]
fn empty_waiting_and_refused() {
    snapshot("outbox_empty", &opened(vec![]));
    let mut s = opened(outbox_items());
    assert_eq!(s.outbox_waiting, 2, "the header counts what waits");
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Down);
    snapshot("outbox_items", &s);
}

#[test]
fn retry_now_and_drop_after_confirming() {
    let mut s = opened(outbox_items());
    assert_eq!(press(&mut s, KeyCode::Char('r')), vec![Effect::RetryOutbox]);
    press(&mut s, KeyCode::Down);
    assert!(press(&mut s, KeyCode::Char('d')).is_empty());
    snapshot("outbox_confirm_drop", &s);
    assert!(
        press(&mut s, KeyCode::Esc).is_empty(),
        "anything but yes keeps it"
    );
    press(&mut s, KeyCode::Char('d'));
    s.message = Some((
        crate::tui::state::Level::Warning,
        "not delivered: queued in the outbox as #5 (2 waiting)".into(),
    ));
    assert_eq!(
        press(&mut s, KeyCode::Enter),
        vec![Effect::DropOutboxItem(5)]
    );
    // The last item was a refused one: the empty outbox must not claim it was delivered.
    update(&mut s, Action::OutboxLoaded(Ok(vec![])));
    snapshot("outbox_after_dropping", &s);
    let screen = format!("{:?}", render(&s, 80, 24).backend());
    assert!(!screen.contains("delivered.") && screen.contains("1 dropped by you"));
    assert!(
        !screen.contains("queued in the outbox as #5") && screen.contains("dropped #5"),
        "{screen}"
    );
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.screen, Screen::Console);
}

/// A read that failed is said in the list's place by the drawer every view's reads share; it
/// said "The outbox is empty" there, as if nothing waited.
#[test]
fn an_outbox_that_cannot_be_read_is_not_called_empty() {
    let mut s = opened(vec![]);
    update(
        &mut s,
        Action::OutboxLoaded(Err(crate::term::Failure::message("database is locked"))),
    );
    let screen = format!("{:?}", render(&s, 80, 24).backend());
    assert!(
        screen.contains("✗ the outbox cannot be read: database is locked"),
        "{screen}"
    );
    assert!(!screen.contains("The outbox is empty"), "{screen}");
}

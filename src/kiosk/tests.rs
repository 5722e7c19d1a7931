//! The kiosk without a terminal: its updates (what is sent when, the outbox merge, the idle
//! reset) and snapshots of each screen.

use super::state::{Ending, KioskState, Link, Sent, Step};
use super::update::{Action, Effect, Purpose, update};
use crate::client::Outcome;
use crate::results::Results;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

fn kiosk() -> KioskState {
    let mut s = KioskState::new("export".into(), None, None, false, "s1".into());
    s.color = false;
    s
}

fn press(s: &mut KioskState, code: KeyCode) -> Vec<Effect> {
    update(s, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn type_text(s: &mut KioskState, text: &str) {
    for c in text.chars() {
        press(s, KeyCode::Char(c));
    }
}

fn answered(
    s: &mut KioskState,
    effect: &Effect,
    status: u16,
    feedback_id: Option<&str>,
) -> Vec<Effect> {
    let Effect::Send {
        purpose,
        respondent,
        method,
        body,
    } = effect
    else {
        panic!("{effect:?}")
    };
    let mut ex = crate::fixtures::exchange(method, status, &body.to_string(), vec![]);
    if status == 0 {
        ex.response = None;
        ex.attempts[0].status = None;
        ex.outcome = Outcome::Failed;
    }
    ex.feedback_id = feedback_id.map(str::to_owned);
    update(
        s,
        Action::Sent {
            purpose: *purpose,
            respondent: *respondent,
            exchange: Box::new(ex),
        },
    )
}

fn body(effect: &Effect) -> serde_json::Value {
    match effect {
        Effect::Send { body, .. } => body.clone(),
        other => panic!("{other:?}"),
    }
}

fn snapshot(name: &str, s: &KioskState) {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut s = s.clone();
    s.size = (80, 24);
    terminal.draw(|f| super::view::draw(f, &s)).unwrap();
    insta::assert_snapshot!(name, terminal.backend());
}

#[test]
fn a_score_goes_at_once_and_the_comment_updates_the_same_feedback() {
    let mut s = kiosk();
    let effects = press(&mut s, KeyCode::Char('4'));
    assert_eq!(
        body(&effects[0]),
        json!({"featureId": "export", "userId": "kiosk-s1-1", "score": 4,
               "question": "How satisfied are you with this feature?", "source": "widget"})
    );
    answered(
        &mut s,
        &effects[0],
        200,
        Some("0b7c3c4e-8d1e-4d59-9a55-1f0e9f6b7a10"),
    );
    assert!(matches!(s.respondent.sent, Sent::Stored(_)));
    type_text(&mut s, "Nice");
    let effects = press(&mut s, KeyCode::Enter);
    assert_eq!(
        body(&effects[0]),
        json!({"featureId": "export", "userId": "kiosk-s1-1",
               "feedbackId": "0b7c3c4e-8d1e-4d59-9a55-1f0e9f6b7a10", "comment": "Nice"})
    );
    assert!(matches!(s.step, Step::Thanks { .. }));
    assert_eq!((s.responses, s.average()), (1, Some(4.0)));
    for _ in 0..3 {
        update(&mut s, Action::Tick);
    }
    assert!(matches!(s.step, Step::Score { .. }));
    assert_eq!(
        s.respondent.user_id, "kiosk-s1-2",
        "the next person is someone else"
    );
}

#[test]
fn offline_the_comment_joins_the_queued_score() {
    let mut s = kiosk();
    let effects = press(&mut s, KeyCode::Char('2'));
    let after = answered(&mut s, &effects[0], 0, None);
    assert!(matches!(
        after[0],
        Effect::Enqueue {
            purpose: Purpose::Score,
            ..
        }
    ));
    assert_eq!(s.link, Link::Offline);
    update(
        &mut s,
        Action::Queued {
            purpose: Purpose::Score,
            respondent: 1,
            result: Ok((7, 1)),
        },
    );
    type_text(&mut s, "slow");
    let effects = press(&mut s, KeyCode::Enter);
    let Effect::Merge { item, fields, .. } = &effects[0] else {
        panic!("{effects:?}")
    };
    assert_eq!((*item, fields.get("comment")), (7, Some(&json!("slow"))));
}

#[test]
fn a_comment_typed_while_the_score_travels_follows_it() {
    let mut s = kiosk();
    let score = press(&mut s, KeyCode::Char('5'));
    type_text(&mut s, "wow");
    assert!(
        press(&mut s, KeyCode::Enter).is_empty(),
        "it waits for the score's answer"
    );
    let effects = answered(
        &mut s,
        &score[0],
        200,
        Some("0b7c3c4e-8d1e-4d59-9a55-1f0e9f6b7a10"),
    );
    assert_eq!(
        body(&effects[0])["feedbackId"],
        json!("0b7c3c4e-8d1e-4d59-9a55-1f0e9f6b7a10")
    );
    assert_eq!(body(&effects[0])["comment"], json!("wow"));
}

#[test]
fn a_comment_without_a_score_and_an_idle_reset() {
    let mut s = kiosk();
    s.idle_limit = 5;
    press(&mut s, KeyCode::Char('c'));
    type_text(&mut s, "just words");
    assert_eq!(s.countdown(), Some(5));
    update(&mut s, Action::Tick);
    update(&mut s, Action::Tick);
    assert_eq!(s.countdown(), Some(3));
    press(&mut s, KeyCode::Char(' '));
    assert_eq!(s.countdown(), Some(5), "any key restarts it");
    for _ in 0..5 {
        update(&mut s, Action::Tick);
    }
    assert!(matches!(s.step, Step::Score { .. }), "reset");
    assert_eq!(s.responses, 0, "nothing was sent, nothing counted");
    press(&mut s, KeyCode::Char('c'));
    type_text(&mut s, "hello");
    let effects = press(&mut s, KeyCode::Enter);
    assert_eq!(body(&effects[0])["comment"], json!("hello"));
    assert!(body(&effects[0]).get("score").is_none());
}

#[test]
fn ask_name_sends_a_user_call_first() {
    let mut s = KioskState::new(
        "export".into(),
        None,
        Some("acme".into()),
        true,
        "s1".into(),
    );
    type_text(&mut s, "ana@example.com");
    let effects = press(&mut s, KeyCode::Enter);
    assert_eq!(
        body(&effects[0]),
        json!({"userId": "kiosk-s1-1", "attributes": {"name": "ana@example.com"}})
    );
    let effects = press(&mut s, KeyCode::Char('3'));
    assert_eq!(body(&effects[0])["companyId"], json!("acme"));
}

#[test]
fn ctrl_c_shows_the_results_then_any_key_leaves() {
    let mut s = kiosk();
    let effects = update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    // The session's answers, not every stored one for the feature: its respondents' ids.
    assert_eq!(
        effects,
        vec![Effect::LoadResults {
            users: "kiosk-s1-".into()
        }]
    );
    assert!(s.respondent.user_id.starts_with("kiosk-s1-"));
    assert_eq!(s.ending, Ending::Results);
    press(&mut s, KeyCode::Char('x'));
    assert_eq!(s.ending, Ending::Quit);
}

#[test]
fn screens() {
    let mut s = kiosk();
    snapshot("kiosk_idle", &s);
    press(&mut s, KeyCode::Char('4'));
    snapshot("kiosk_score_chosen", &s);
    type_text(&mut s, "It's pretty nice, but the export is slow");
    snapshot("kiosk_comment", &s);
    press(&mut s, KeyCode::Enter);
    snapshot("kiosk_thanks", &s);

    let mut s = kiosk();
    s.link = Link::Offline;
    s.outbox_waiting = 3;
    s.responses = 3;
    s.scores = vec![5, 4, 2];
    press(&mut s, KeyCode::Char('c'));
    type_text(&mut s, "hi");
    for _ in 0..12 {
        update(&mut s, Action::Tick);
    }
    snapshot("kiosk_offline_with_queue_and_countdown", &s);

    let mut s = kiosk();
    s.ending = Ending::Results;
    let rows = crate::fixtures::stored::feedback();
    s.results = crate::term::Load::Ready(Results::from_stored("export", &rows));
    snapshot("kiosk_results", &s);
}

#[test]
fn a_click_on_a_face_or_its_label_picks_it() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let size = (80, 24);
    assert_eq!(super::view::face_at(size, 2, 11), Some(1));
    assert_eq!(super::view::face_at(size, 76, 12), Some(5));
    assert_eq!(super::view::face_at(size, 40, 13), Some(3));
    assert_eq!(
        super::view::face_at(size, 40, 5),
        None,
        "not on the faces' rows"
    );
    assert_eq!(
        super::view::face_at(size, 1, 11),
        None,
        "left of the first face"
    );
    let mut s = kiosk();
    s.size = size;
    let effects = update(
        &mut s,
        Action::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 40,
            row: 11,
            modifiers: KeyModifiers::NONE,
        }),
    );
    assert_eq!(body(&effects[0])["score"], json!(3));
}

#[test]
fn only_what_can_change_the_screen_asks_for_a_draw() {
    use super::update::changes_screen;
    use crossterm::event::{KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
    let mouse = |kind| {
        Action::Mouse(MouseEvent {
            kind,
            column: 3,
            row: 3,
            modifiers: KeyModifiers::NONE,
        })
    };
    assert!(!changes_screen(&mouse(MouseEventKind::Moved)));
    assert!(!changes_screen(&mouse(MouseEventKind::Up(
        MouseButton::Left
    ))));
    assert!(changes_screen(&mouse(MouseEventKind::Down(
        MouseButton::Left
    ))));
    let mut release = KeyEvent::new(KeyCode::Char('4'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    assert!(!changes_screen(&Action::Key(release)));
    assert!(changes_screen(&Action::Tick), "the countdown moves");
}

/// The comment box's placeholder was cut at 80 columns; the keys are said under the box.
#[test]
fn the_comment_placeholder_is_whole_at_80_columns() {
    let mut s = kiosk();
    press(&mut s, KeyCode::Char('4'));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| super::view::draw(f, &s)).unwrap();
    let screen = format!("{:?}", terminal.backend());
    assert!(
        screen.contains(super::state::COMMENT_PLACEHOLDER),
        "{screen}"
    );
}

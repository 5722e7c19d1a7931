//! Snapshot tests of every screen and state (TestBackend + insta), and style assertions where
//! the styling carries meaning (the chosen score).

use crate::api::{FieldCode, Method, ValidationError, Warning};
use crate::term::comment_box;
use crate::tui::action::Action;
use crate::tui::fixtures::{exchange, press, render, state};
use crate::tui::form::FieldValue;
use crate::tui::state::{Confirm, Detail, Focus, Overlay, ServerStatus, State};
use crate::tui::update::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Modifier;

fn snapshot(name: &str, state: &State) {
    snapshot_sized(name, state, 80, 24);
}

fn snapshot_sized(name: &str, state: &State, width: u16, height: u16) {
    insta::assert_snapshot!(name, render(state, width, height).backend());
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        press(state, KeyCode::Char(c));
    }
}

fn ready(method: Method) -> State {
    let mut s = state(method);
    s.server = ServerStatus::Answers;
    s.log.loading = false;
    s
}

/// Feedback with an id, a user, a score and a comment.
fn feedback_filled(score: u8) -> State {
    let mut s = ready(Method::Feedback);
    type_text(&mut s, "export");
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "42");
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Char((b'0' + score) as char));
    s.form_mut().fields[4].value = FieldValue::Comment(Box::new(comment_box(
        "It's pretty nice, but I expect slightly more to be fully satisfied",
    )));
    s.form_mut().validate(0);
    s
}

fn with_log() -> State {
    let mut s = ready(Method::Event);
    let mut warned = exchange(
        "event",
        200,
        "{\"event\":\"Sent message\",\"userId\":\"42\"}",
        vec![],
    );
    warned.warnings = vec![Warning::unassociated_user("42")];
    let mut dup = exchange("user", 200, "{\"userId\":\"42\"}", vec![]);
    dup.possibly_duplicated = true;
    dup.attempts.push(dup.attempts[0].clone());
    let rejected = exchange(
        "event",
        400,
        "{\"event\":\"Sent message\",\"userID\":42}",
        vec![
            ValidationError::new(
                "/userID",
                FieldCode::UnknownField,
                "unknown field `userID`; did you mean `userId`?",
            ),
            ValidationError::new(
                "/userId",
                FieldCode::Required,
                "is required: the id of the user who did it",
            ),
        ],
    );
    update(
        &mut s,
        Action::HistoryLoaded(Ok(vec![rejected, warned, dup])),
    );
    s
}

#[test]
fn every_form_empty() {
    for m in Method::ALL {
        snapshot(&format!("form_{m}_empty"), &ready(m));
    }
}

#[test]
fn every_form_filled() {
    snapshot("form_feedback_filled", &feedback_filled(4));
    let mut s = ready(Method::Event);
    type_text(&mut s, "Sent message");
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "42");
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "acme");
    snapshot("form_event_filled", &s);
    let mut s = ready(Method::User);
    type_text(&mut s, "42");
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "name");
    press(&mut s, KeyCode::Enter);
    type_text(&mut s, "Ada Lovelace");
    press(&mut s, KeyCode::Tab);
    press(&mut s, KeyCode::Char(' '));
    press(&mut s, KeyCode::Char(' '));
    snapshot("form_user_filled", &s);
    let mut s = ready(Method::Company);
    type_text(&mut s, "acme");
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "42");
    snapshot("form_company_filled", &s);
}

#[test]
fn the_chosen_score_is_reversed_in_its_colour() {
    for score in 1..=5u8 {
        let terminal = render(&feedback_filled(score), 80, 24);
        let buffer = terminal.backend().buffer();
        let label = crate::api::Score::new(score).unwrap().label();
        let needle = format!(" {score} {label} ");
        let (x, y) = (0..buffer.area.height)
            .find_map(|y| {
                let row: String = (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol().to_owned())
                    .collect();
                row.find(&needle)
                    .map(|byte| (row[..byte].chars().count() as u16, y))
            })
            .unwrap_or_else(|| panic!("{needle} not drawn"));
        let cell = &buffer[(x + 1, y)];
        assert!(
            cell.modifier.contains(Modifier::REVERSED),
            "score {score}: {cell:?}"
        );
        for other in (1..=5).filter(|o| *o != score) {
            let label = crate::api::Score::new(other).unwrap().label();
            let row: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol().to_owned())
                .collect();
            if let Some(byte) = row.find(&format!(" {other} {label} ")) {
                let ox = row[..byte].chars().count() as u16 + 1;
                assert!(
                    !buffer[(ox, y)].modifier.contains(Modifier::REVERSED),
                    "only the chosen one"
                );
            }
        }
    }
}

#[test]
fn score_picker_at_each_value() {
    for score in 1..=5u8 {
        let s = feedback_filled(score);
        insta::assert_snapshot!(format!("score_{score}"), render(&s, 120, 30).backend());
    }
}

#[test]
fn validation_errors_under_their_fields() {
    let mut s = ready(Method::Feedback);
    type_text(&mut s, "export");
    for _ in 0..3 {
        press(&mut s, KeyCode::Tab);
    }
    s.form_mut().fields[3].value = FieldValue::Score(None);
    s.form_mut().validate(0);
    snapshot("feedback_validation_errors", &s);
}

#[test]
fn log_with_entries_and_focus() {
    let mut s = with_log();
    snapshot("log_entries", &s);
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL)),
    );
    press(&mut s, KeyCode::Down);
    snapshot("log_focused", &s);
    press(&mut s, KeyCode::Char('f'));
    press(&mut s, KeyCode::Char('f'));
    snapshot("log_filtered_4xx", &s);
    press(&mut s, KeyCode::Char('m'));
    snapshot("log_filtered_to_nothing", &s);
}

#[test]
fn detail_of_a_400() {
    let mut s = with_log();
    s.focus = Focus::Detail;
    let mut detail = Detail::open(0, &s.log.entries()[0], s.color);
    detail.select_error(1, &s.log.entries()[0], s.color);
    s.detail = Some(detail);
    snapshot("detail_400", &s);
}

#[test]
fn overlays() {
    let mut s = ready(Method::Event);
    s.overlay = Overlay::Help(crate::tui::help::HelpView::default());
    snapshot("help_form", &s);
    let mut s = with_log();
    s.focus = Focus::Log;
    s.overlay = Overlay::Help(crate::tui::help::HelpView::default());
    snapshot("help_log", &s);
    let mut s = ready(Method::Event);
    s.overlay = Overlay::Help(crate::tui::help::HelpView {
        scroll: usize::MAX,
        ..Default::default()
    });
    snapshot("help_at_its_end", &s);
    s.overlay = Overlay::Help(crate::tui::help::HelpView::default());
    snapshot_sized("help_120", &s, 120, 40);
    s.overlay = Overlay::Help(crate::tui::help::HelpView {
        filter: "log".into(),
        typing: true,
        ..Default::default()
    });
    snapshot("help_filtered", &s);
    let mut s = ready(Method::Event);
    s.overlay = Overlay::Confirm(Confirm::SendAnyway { problems: 2 });
    snapshot("confirm_send", &s);
    let mut s = ready(Method::User);
    type_text(&mut s, "u1");
    press(&mut s, KeyCode::Tab);
    type_text(&mut s, "seats");
    press(&mut s, KeyCode::Enter);
    type_text(&mut s, "ten");
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('t'), KeyModifiers::CONTROL)),
    );
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    );
    snapshot("cannot_send", &s);
    let mut s = ready(Method::Event);
    s.overlay = Overlay::Profiles { selected: 1 };
    snapshot("profiles_switcher", &s);
}

#[test]
fn raw_json_with_an_error() {
    let mut s = ready(Method::User);
    type_text(&mut s, "42");
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)),
    );
    update(&mut s, Action::Paste(",".into()));
    snapshot("raw_json_error", &s);
}

#[test]
fn header_states_and_loading() {
    let mut s = state(Method::User);
    snapshot("starting", &s);
    s.server = ServerStatus::Down(crate::term::Failure::message("connection refused"));
    s.log.loading = false;
    snapshot("server_down", &s);
}

#[test]
fn sending_shows_a_spinner() {
    let mut s = ready(Method::User);
    type_text(&mut s, "42");
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    );
    update(&mut s, Action::Tick);
    update(&mut s, Action::Tick);
    snapshot("sending", &s);
}

#[test]
fn a_large_terminal_puts_form_and_log_side_by_side() {
    insta::assert_snapshot!("large_main", render(&with_log(), 160, 48).backend());
    insta::assert_snapshot!(
        "large_feedback",
        render(&feedback_filled(5), 160, 48).backend()
    );
}

#[test]
fn the_profile_editor_masks_the_key() {
    let mut s = ready(Method::User);
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL)),
    );
    press(&mut s, KeyCode::Char('a'));
    type_text(&mut s, "prod");
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Enter);
    update(&mut s, Action::Paste("trCqx4DGo1lk3Lcct5NHLjWy".into()));
    let screen = render(&s, 80, 24).backend().to_string();
    assert!(
        !screen.contains("trCqx4DGo1lk3Lcct5NHLjWy") && screen.contains("••••••••"),
        "{screen}"
    );
    snapshot("profile_editor", &s);
    let mut taken = s.clone();
    press(&mut taken, KeyCode::BackTab);
    type_text(&mut taken, "127.0.0.1:8787");
    update(
        &mut taken,
        Action::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    );
    let screen = render(&taken, 80, 24).backend().to_string();
    assert!(
        screen.contains("(or https://)"),
        "the whole error: {screen}"
    );
    snapshot("profile_editor_error", &taken);
    s.overlay = Overlay::Confirm(Confirm::DeleteProfile {
        name: "staging".into(),
    });
    snapshot("confirm_delete", &s);
}

#[test]
fn searching_a_detail() {
    let mut s = with_log();
    s.focus = Focus::Log;
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Char('/'));
    type_text(&mut s, "userid");
    press(&mut s, KeyCode::Enter);
    snapshot("detail_search", &s);
}

/// A 400 on a body the fields cannot hold: loaded with `e`, the raw JSON marks the line the
/// server named, says its number, and the cursor waits there.
#[test]
fn raw_json_marks_the_lines_an_answer_named() {
    let mut s = state(Method::User);
    let body = "{\"userId\":\"42\",\"extra\":1,\"attributes\":{\"plan\":[1]}}";
    let error = ValidationError::new(
        "/attributes/plan",
        FieldCode::NestedValue,
        "attribute values cannot be nested",
    );
    s.log.push_front(exchange("user", 400, body, vec![error]));
    s.focus = Focus::Log;
    press(&mut s, KeyCode::Char('e'));
    let form = s.form();
    assert!(form.raw.is_some(), "an unknown field needs raw JSON");
    let lines = form.raw.as_ref().unwrap().lines();
    let line = |needle: &str| lines.iter().position(|l| l.contains(needle)).unwrap();
    let (plan, extra) = (line("\"plan\": ["), line("\"extra\""));
    let mut marks = form.marks.clone();
    marks.sort_unstable();
    assert_eq!(marks, vec![plan.min(extra), plan.max(extra)]);
    let first = plan.min(extra);
    let indent = lines[first].len() - lines[first].trim_start().len();
    assert_eq!(
        form.raw.as_ref().unwrap().cursor(),
        (first, indent),
        "the cursor waits on the first problem"
    );
    assert!(
        form.body_errors.iter().any(|e| e.starts_with(&format!(
            "line {}: /attributes/plan: attribute values",
            plan + 1
        ))),
        "{:?}",
        form.body_errors
    );
    let terminal = render(&s, 120, 40);
    let buffer = terminal.backend().buffer();
    let row_of = |needle: &str| {
        (0..buffer.area.height)
            .find(|&y| {
                let row: String = (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol().to_owned())
                    .collect();
                row.contains(needle)
            })
            .unwrap_or_else(|| panic!("{needle} not drawn"))
    };
    let marked =
        |y: u16| (0..buffer.area.width).any(|x| buffer[(x, y)].fg == ratatui::style::Color::Red);
    assert!(marked(row_of("\"plan\": [")), "the named line is marked");
    assert!(
        marked(row_of("\"extra\": 1")),
        "the local verdict's line too"
    );
    assert!(!marked(row_of("\"userId\": \"42\"")), "other lines are not");
}

/// README's own layout: at 120×40 field messages and a long status message wrap, nothing is cut.
#[test]
fn at_120_by_40_messages_wrap_instead_of_being_cut() {
    let mut s = ready(Method::Feedback);
    let status = "feedback 400 in 3 ms: /score: give a score from 1 to 5, a comment, or both (a \
                  score of 0 means no score); /userId: is required: the id of the user giving feedback";
    s.message = Some((crate::tui::state::Level::Error, status.into()));
    snapshot_sized("feedback_120x40_messages", &s, 120, 40);
    let terminal = render(&s, 120, 40);
    let buffer = terminal.backend().buffer();
    let rows: Vec<String> = (0..40)
        .map(|y| {
            (0..120)
                .map(|x| buffer[(x, y)].symbol().to_owned())
                .collect()
        })
        .collect();
    // The header's `key …` is the masked key, not a cut.
    assert!(
        rows[1..].iter().all(|r| !r.contains('…')),
        "nothing is cut:\n{}",
        rows.join("\n")
    );
    let screen = rows.join(" ");
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words(&screen).contains("of 0 means no score)"));
    assert!(words(&screen).contains(&words(status)), "the status, whole");
}

#[test]
fn a_queued_exchange_says_so_in_its_row() {
    let mut s = ready(Method::Event);
    let mut queued = exchange("event", 200, "{}", vec![]);
    queued.outcome = crate::client::Outcome::Failed;
    queued.response = None;
    queued.attempts[0].status = None;
    queued.outbox_id = Some(3);
    s.log.push_front(queued);
    let terminal = render(&s, 120, 40);
    let buffer = terminal.backend().buffer();
    let screen: String = (0..40)
        .map(|y| {
            (0..120)
                .map(|x| buffer[(x, y)].symbol().to_owned())
                .collect::<String>()
                + "\n"
        })
        .collect();
    assert!(
        screen.contains("event    queued   3ms ×1 local"),
        "{screen}"
    );
}

/// Every form's hints and placeholders fit README's 120×40 layout.
#[test]
fn at_120_by_40_no_form_is_cut() {
    for method in Method::ALL {
        let s = ready(method);
        let terminal = render(&s, 120, 40);
        let buffer = terminal.backend().buffer();
        let rows: Vec<String> = (1..40)
            .map(|y| {
                (0..120)
                    .map(|x| buffer[(x, y)].symbol().to_owned())
                    .collect()
            })
            .collect();
        assert!(
            rows.iter().all(|r| !r.contains('…')),
            "{method}:\n{}",
            rows.join("\n")
        );
    }
}

#[test]
fn the_saved_requests_picker_and_a_templated_body_with_its_preview() {
    let mut s = ready(Method::Event);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/bucket-console.toml");
    let loaded = crate::collection::load(&path, &[]).unwrap();
    update(&mut s, Action::CollectionLoaded(Ok(Some(loaded))));
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('o'), KeyModifiers::CONTROL)),
    );
    snapshot("picker", &s);
    let mut broken = s.clone();
    update(
        &mut broken,
        Action::CollectionLoaded(Err(crate::collection::CollectionError {
            path: "bucket-console.toml".into(),
            problems: vec![
                crate::collection::Problem {
                    line: Some(6),
                    message: "requests.signup: `{{plna}}` is not a var, a --var, or a value an earlier step saves; did you mean `plan`?".into(),
                },
                crate::collection::Problem {
                    line: Some(9),
                    message: "requests.ev: unknown method `evnt`: did you mean `event`? user, company, event or feedback".into(),
                },
            ],
        })),
    );
    snapshot_sized("picker_broken_file", &broken, 120, 40);
    type_text(&mut s, "rate");
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    snapshot_sized("raw_with_preview", &s, 120, 40);
}

/// The light theme's colours reach the screen (and NO_COLOR still wins over it).
#[test]
fn the_light_theme_colours_the_screen() {
    use crate::term::ThemeName;
    let mut s = ready(Method::Event);
    s.palette = ThemeName::Light.palette();
    let terminal = render(&s, 80, 24);
    let buffer = terminal.backend().buffer();
    let tab = (0..80)
        .map(|x| &buffer[(x, 1)])
        .find(|c| c.bg == ThemeName::Light.palette().accent)
        .expect("the active tab on the light accent");
    assert_eq!(tab.fg, ThemeName::Light.palette().on_accent);
    let input_bg = ThemeName::Light.palette().input;
    assert!((0..24).any(|y| (0..80).any(|x| buffer[(x, y)].bg == input_bg)));
    // The whole screen with its styles, so a change of the light palette shows in review.
    insta::assert_debug_snapshot!("light_theme", terminal.backend().buffer());
    s.color = false;
    let plain = render(&s, 80, 24);
    let buffer = plain.backend().buffer();
    assert!(
        (0..24).all(|y| (0..80).all(|x| buffer[(x, y)].bg != input_bg)),
        "NO_COLOR wins"
    );
}

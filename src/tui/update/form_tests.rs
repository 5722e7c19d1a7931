use super::apply;
use super::update;
use crate::api::Method;
use crate::term::Failure;
use crate::tui::action::{Action, Edited, Effect};
use crate::tui::fixtures::{ctrl, key, state, type_text};
use crate::tui::form::FieldValue;
use crate::tui::state::{Confirm, Overlay, State};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

#[test]
fn typing_and_tab_follow_the_contracts_order() {
    let mut s = state(Method::Event);
    type_text(&mut s, "Sent message");
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "42");
    assert_eq!(
        s.form().body(),
        json!({"event": "Sent message", "userId": "42"})
    );
    assert_eq!(s.form().focused().name, "userId");
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!(s.form().focused().name, "event");
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!(
        s.form().focused().name,
        "timestamp",
        "Shift+Tab wraps to the last field"
    );
}

#[test]
fn the_score_picker_takes_1_to_5_arrows_and_clear() {
    let mut s = state(Method::Feedback);
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Tab));
    }
    assert_eq!(s.form().focused().name, "score");
    for (press, want) in [
        (KeyCode::Char('4'), Some(4)),
        (KeyCode::Right, Some(5)),
        (KeyCode::Right, Some(5)),
        (KeyCode::Char('1'), Some(1)),
        (KeyCode::Left, None),
        (KeyCode::Char('9'), None),
        (KeyCode::Char('2'), Some(2)),
        (KeyCode::Backspace, None),
    ] {
        update(&mut s, key(press));
        assert!(
            matches!(s.form().focused().value, FieldValue::Score(v) if v == want),
            "{press:?}"
        );
    }
}

#[test]
fn raw_json_paste_tabs_help_and_quit() {
    let mut s = state(Method::User);
    update(&mut s, Action::Paste("4\n2".into()));
    assert_eq!(s.form().body(), json!({"userId": "4 2"}));
    update(&mut s, ctrl('r'));
    assert!(s.form().raw.is_some());
    update(&mut s, Action::Paste(",".into()));
    assert!(
        s.form()
            .body_errors
            .iter()
            .any(|e| e.contains("not valid JSON")),
        "{:?}",
        s.form().body_errors
    );
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('4'), KeyModifiers::ALT)),
    );
    assert_eq!(s.method, Method::Feedback);
    update(&mut s, key(KeyCode::F(1)));
    assert!(matches!(s.overlay, Overlay::Help(_)));
    update(&mut s, ctrl('c'));
    assert!(s.quit, "Ctrl+C quits from anywhere, overlays included");
}

#[test]
fn context_and_attributes_are_edited_in_place() {
    let mut s = state(Method::User);
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "plan");
    update(&mut s, key(KeyCode::Enter));
    type_text(&mut s, "3");
    update(&mut s, ctrl('t'));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Char(' ')));
    update(&mut s, key(KeyCode::Char(' ')));
    assert_eq!(
        s.form().body(),
        json!({"attributes": {"plan": 3}, "context": {"active": false}})
    );
}

#[test]
fn update_reads_no_clock_the_time_comes_with_the_batch() {
    let mut s = state(Method::Event);
    // The timestamp field's "now" key writes the batch's time, not the machine's.
    let timestamp = s
        .form()
        .fields
        .iter()
        .position(|f| f.name == "timestamp")
        .unwrap();
    s.form_mut().focus = timestamp;
    let now = crate::api::timestamp::parse(&json!("2030-01-02T03:04:05.000Z")).unwrap();
    apply(
        &mut s,
        [Action::Key(KeyEvent::new(
            KeyCode::Char('n'),
            KeyModifiers::CONTROL,
        ))],
        now,
    );
    assert_eq!(
        s.form().body()["timestamp"],
        json!("2030-01-02T03:04:05.000Z")
    );
}

#[test]
fn an_attribute_that_is_not_its_type_is_a_problem_and_cycling_keeps_its_text() {
    let mut s = state(Method::User);
    type_text(&mut s, "u1");
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "beta");
    update(&mut s, key(KeyCode::Enter));
    type_text(&mut s, "yes");
    assert_eq!(s.form().error_count(), 0, "a string is a string");
    update(&mut s, ctrl('t'));
    let attributes = s.form().focus;
    assert_eq!(
        s.form().fields[attributes].errors,
        ["beta: `yes` is not a number: fix it, or Ctrl+T to make it a string"]
    );
    // The console's own problem: no "anyway", as it would go out as the string "yes".
    update(&mut s, ctrl('s'));
    assert_eq!(s.overlay, Overlay::Confirm(Confirm::CannotSend));
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(effects.is_empty(), "nothing sent");
    assert_eq!(s.overlay, Overlay::None);
    // boolean, null, string: the text survives null.
    for _ in 0..3 {
        update(&mut s, ctrl('t'));
    }
    assert_eq!(s.form().body()["attributes"], json!({"beta": "yes"}));
    assert_eq!(s.form().error_count(), 0);
}

#[test]
fn the_comment_box_clears_with_ctrl_u_undoes_with_ctrl_z_and_cuts_to_the_limit() {
    let mut s = state(Method::Feedback);
    let comment = s
        .form()
        .fields
        .iter()
        .position(|f| f.name == "comment")
        .unwrap();
    s.form_mut().focus = comment;
    let text = |s: &State| s.form().body()["comment"].as_str().map(str::to_owned);
    type_text(&mut s, "hello world");
    update(&mut s, ctrl('u'));
    assert_eq!(
        text(&s),
        None,
        "Ctrl+U clears the line, as in every line input"
    );
    update(&mut s, ctrl('z'));
    assert_eq!(text(&s).as_deref(), Some("hello world"));
    update(&mut s, ctrl('y'));
    assert_eq!(text(&s), None);
    update(&mut s, Action::Paste("x".repeat(5_524)));
    assert!(
        s.form().fields[comment]
            .errors
            .iter()
            .any(|e| e.contains("4000"))
    );
    update(&mut s, ctrl('x'));
    assert_eq!(text(&s).map(|t| t.chars().count()), Some(4_000));
    assert!(s.form().fields[comment].errors.is_empty());
}

#[test]
fn ctrl_t_sends_an_id_as_an_integer_and_says_when_it_is_not_one() {
    let mut s = state(Method::User);
    type_text(&mut s, "42");
    assert_eq!(s.form().body()["userId"], json!("42"));
    update(&mut s, ctrl('t'));
    assert_eq!(s.form().body()["userId"], json!(42));
    assert!(s.form().raw.is_none());
    // The raw JSON shows the same.
    update(&mut s, ctrl('r'));
    assert!(
        s.form().body_text().contains("\"userId\": 42"),
        "{}",
        s.form().body_text()
    );
    update(&mut s, ctrl('r'));
    assert_eq!(
        s.form().body()["userId"],
        json!(42),
        "and back, still an integer"
    );
    update(&mut s, key(KeyCode::Char('x')));
    assert_eq!(
        s.form().fields[0].errors,
        ["`42x` is not an integer: fix it, or Ctrl+T to send a string"]
    );
    update(&mut s, ctrl('t'));
    assert_eq!(s.form().body()["userId"], json!("42x"));
    assert!(s.form().fields[0].errors.is_empty());
}

#[test]
fn ids_typed_in_one_form_are_carried_to_the_next_when_it_has_none() {
    let mut s = state(Method::User);
    type_text(&mut s, "u-100");
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT)),
    );
    assert_eq!(s.method, Method::Event);
    assert_eq!(s.form().body()["userId"], json!("u-100"));
    // A value already there is kept.
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::ALT)),
    );
    let company = s
        .form()
        .fields
        .iter()
        .position(|f| f.name == "companyId")
        .unwrap();
    s.form_mut().focus = company;
    type_text(&mut s, "acme");
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT)),
    );
    assert_eq!(s.form().body()["companyId"], json!("acme"));
    let user = s
        .form()
        .fields
        .iter()
        .position(|f| f.name == "userId")
        .unwrap();
    s.form_mut().focus = user;
    update(&mut s, ctrl('u'));
    type_text(&mut s, "u-200");
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('1'), KeyModifiers::ALT)),
    );
    assert_eq!(
        s.form().body()["userId"],
        json!("u-100"),
        "the user form kept its own"
    );
}

/// Raw JSON with a problem: "keep editing" puts the cursor on the line that has it.
#[test]
fn keeping_on_editing_raw_json_goes_to_the_first_problem() {
    let mut s = state(Method::Event);
    update(&mut s, ctrl('r'));
    // A body whose userId is a boolean, on line 3.
    let area = s.form_mut().raw.as_mut().unwrap();
    **area = crate::tui::form::raw_editor("{\n  \"event\": \"e\",\n  \"userId\": true\n}");
    area.move_cursor(ratatui_textarea::CursorMove::Top);
    update(&mut s, ctrl('s'));
    assert!(matches!(
        s.overlay,
        Overlay::Confirm(Confirm::SendAnyway { .. })
    ));
    assert_eq!(s.form().marks, vec![2]);
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.overlay, Overlay::None);
    assert_eq!(s.form().raw.as_ref().unwrap().cursor(), (2, 2));
}

/// Alt+E: the focused comment, else the body as JSON, goes to the editor; what comes back
/// replaces it (a body the fields cannot hold becomes raw JSON) and a failed editor changes
/// nothing.
#[test]
fn alt_e_edits_the_comment_or_the_body_in_the_users_editor() {
    let alt_e = || Action::Key(KeyEvent::new(KeyCode::Char('e'), KeyModifiers::ALT));
    let mut s = state(Method::Feedback);
    let comment = s
        .form()
        .fields
        .iter()
        .position(|f| matches!(f.value, FieldValue::Comment(_)))
        .unwrap();
    s.form_mut().focus = comment;
    type_text(&mut s, "Nice");
    let effects = update(&mut s, alt_e());
    assert!(
        matches!(&effects[..], [Effect::EditExternally { what: Edited::Comment(Method::Feedback), text }] if text == "Nice"),
        "{effects:?}"
    );
    update(
        &mut s,
        Action::EditedExternally {
            what: Edited::Comment(Method::Feedback),
            result: Ok("Great\nreally".into()),
        },
    );
    assert_eq!(s.form().body()["comment"], json!("Great\nreally"));
    update(
        &mut s,
        Action::EditedExternally {
            what: Edited::Comment(Method::Feedback),
            result: Err(Failure::message(
                "`false` ended with exit status: 1; nothing was changed",
            )),
        },
    );
    assert_eq!(s.form().body()["comment"], json!("Great\nreally"));
    assert!(
        s.message
            .as_ref()
            .unwrap()
            .1
            .contains("nothing was changed")
    );

    let mut s = state(Method::Event);
    type_text(&mut s, "Sent message");
    let effects = update(&mut s, alt_e());
    let [
        Effect::EditExternally {
            what: Edited::Body(Method::Event),
            text,
        },
    ] = &effects[..]
    else {
        panic!("{effects:?}")
    };
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(text).unwrap()["event"],
        json!("Sent message")
    );
    update(
        &mut s,
        Action::EditedExternally {
            what: Edited::Body(Method::Event),
            result: Ok("{\"event\": \"e\", \"userId\": \"u\", \"extra\": 1}".into()),
        },
    );
    assert!(s.form().raw.is_some(), "the fields cannot hold `extra`");
    assert_eq!(
        s.form().marks.len(),
        1,
        "the unknown field's line is marked"
    );
}

/// "Copy as cURL" is several lines; terminals paste its line breaks as CR. With CR, LF or CRLF
/// the command is offered as an import, as a one-line one is.
#[test]
fn a_multi_line_curl_command_is_offered_whatever_the_line_breaks() {
    let lines = [
        "curl 'https://tracking.bucket.co/tk123/event' \\",
        "  -H 'accept: */*' \\",
        "  -H 'content-type: application/json' \\",
        "  --data-raw $'{\"event\":\"Sent\",\"userId\":\"u1\"}' \\",
        "  --compressed",
    ];
    for newline in ["\r", "\n", "\r\n"] {
        let mut s = state(Method::User);
        update(&mut s, Action::Paste(lines.join(newline)));
        assert!(
            matches!(
                s.overlay,
                Overlay::Confirm(Confirm::ImportCurl {
                    method: Method::Event,
                    ..
                })
            ),
            "{newline:?}: {:?}",
            s.overlay
        );
        update(&mut s, key(KeyCode::Enter));
        assert_eq!(s.form().body(), json!({"event": "Sent", "userId": "u1"}));
    }
}

/// A curl command pasted into a form is offered as an import; no pastes it as text.
#[test]
fn a_pasted_curl_command_is_offered_as_an_import() {
    let command = "curl 'https://tracking.bucket.co/tk123/feedback' -H 'content-type: application/json' --data-raw '{\"featureId\":\"export\",\"userId\":\"u9\",\"score\":5}'";
    let mut s = state(Method::User);
    update(&mut s, Action::Paste(command.into()));
    assert!(matches!(
        s.overlay,
        Overlay::Confirm(Confirm::ImportCurl {
            method: Method::Feedback,
            ..
        })
    ));
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.method, Method::Feedback);
    assert_eq!(
        s.form().body(),
        json!({"featureId": "export", "userId": "u9", "score": 5})
    );
    let mut s = state(Method::User);
    update(&mut s, Action::Paste(command.into()));
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.method, Method::User);
    assert_eq!(
        s.form().body()["userId"],
        json!(command),
        "pasted as the text it is"
    );
    let mut s = state(Method::User);
    update(&mut s, Action::Paste("curl is a tool".into()));
    assert_eq!(s.overlay, Overlay::None, "not a tracking call: just text");
}

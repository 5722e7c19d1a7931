use super::*;
use crate::api::{FieldCode, ValidationError};
use crate::profiles::Change;
use crate::term::Failure;
use crate::tui::fixtures::{exchange, state};
use crate::tui::state::Confirm;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        update(state, key(KeyCode::Char(c)));
    }
}

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
fn ctrl_s_sends_a_valid_form_and_asks_before_an_invalid_one() {
    let mut s = state(Method::User);
    assert!(update(&mut s, ctrl('s')).is_empty());
    assert_eq!(
        s.overlay,
        Overlay::Confirm(Confirm::SendAnyway { problems: 1 })
    );
    assert!(update(&mut s, key(KeyCode::Esc)).is_empty());
    assert_eq!(s.overlay, Overlay::None);
    type_text(&mut s, "42");
    let effects = update(&mut s, ctrl('s'));
    assert_eq!(
        effects,
        vec![Effect::Send {
            target: s.target(),
            method: Method::User,
            body: "{\"userId\":\"42\"}".into()
        }]
    );
    assert!(s.needs_ticks(), "ticks only while in flight");
    assert!(
        update(&mut s, ctrl('s')).is_empty(),
        "one request at a time"
    );
    update(
        &mut s,
        Action::Sent(Box::new(exchange(
            "user",
            200,
            "{\"userId\":\"42\"}",
            vec![],
        ))),
    );
    assert!(!s.needs_ticks());
    assert_eq!(s.log.entries.len(), 1);
}

#[test]
fn send_anyway_sends_the_invalid_body() {
    let mut s = state(Method::Event);
    update(&mut s, ctrl('s'));
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(&effects[..], [Effect::Send { body, .. }] if body == "{}"));
}

#[test]
fn a_400s_errors_land_on_their_fields_and_the_detail_jumps_there() {
    let mut s = state(Method::Event);
    let error = ValidationError::new(
        "/userId",
        FieldCode::Required,
        "is required: the id of the user who did it",
    );
    update(
        &mut s,
        Action::Sent(Box::new(exchange(
            "event",
            400,
            "{\"event\":\"e\"}",
            vec![error],
        ))),
    );
    let user = &s.forms[2].fields[1];
    assert_eq!(
        user.errors,
        ["is required: the id of the user who did it"],
        "not twice"
    );
    update(&mut s, ctrl('l'));
    assert_eq!(s.focus, Focus::Log);
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.focus, Focus::Detail);
    s.method = Method::User;
    update(&mut s, key(KeyCode::Enter));
    assert_eq!((s.focus, s.method), (Focus::Form, Method::Event));
    assert_eq!(s.form().focused().name, "userId");
    assert_eq!(s.form().body(), json!({"event": "e"}));
}

#[test]
fn log_keys_resend_load_and_copy() {
    let mut s = state(Method::User);
    update(
        &mut s,
        Action::HistoryLoaded(Ok(vec![
            exchange("user", 200, "{\"userId\":\"1\"}", vec![]),
            exchange("event", 200, "{\"event\":\"e\",\"userId\":\"2\"}", vec![]),
        ])),
    );
    update(&mut s, ctrl('l'));
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.log.selected, 1);
    let copied = update(&mut s, key(KeyCode::Char('c')));
    assert!(
        matches!(&copied[..], [Effect::Copy(text)] if text.contains("$BUCKET_TRACKING_KEY/event") && text.contains("http://127.0.0.1:8787"))
    );
    let resent = update(&mut s, key(KeyCode::Char('r')));
    assert!(
        matches!(&resent[..], [Effect::Send { method: Method::Event, body, .. }] if body == "{\"event\":\"e\",\"userId\":\"2\"}")
    );
    let mut sent = exchange("event", 200, "{}", vec![]);
    sent.id = Some(99);
    update(&mut s, Action::Sent(Box::new(sent)));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Char('e')));
    assert_eq!((s.method, s.focus), (Method::User, Focus::Form));
    assert_eq!(s.form().body(), json!({"userId": "1"}));
}

#[test]
fn profiles_switch_and_fill_defaults() {
    let mut s = state(Method::Event);
    update(&mut s, ctrl('p'));
    assert_eq!(s.overlay, Overlay::Profiles { selected: 0 });
    // Past `local-runtime`, the second built-in profile.
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Down));
    let effects = update(&mut s, key(KeyCode::Enter));
    let Some(Effect::SwitchProfile(p)) = effects.first() else {
        panic!("{effects:?}")
    };
    assert_eq!(p.name, "staging");
    let p = p.clone();
    let effects = update(
        &mut s,
        Action::TargetReady(Ok((p, "https://tracking.example".into(), false))),
    );
    assert_eq!(
        effects,
        vec![Effect::CheckHealth {
            base_url: "https://tracking.example".into()
        }]
    );
    assert_eq!(s.profile.name, "staging");
    assert_eq!(
        s.form().body(),
        json!({"userId": "u-default"}),
        "the profile's default fills the empty id"
    );
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
fn profiles_are_added_edited_made_default_and_deleted_in_the_console() {
    const SECRET: &str = "trCqx4DGo1lk3Lcct5NHLjWy";
    let mut s = state(Method::User);
    update(&mut s, ctrl('p'));
    update(&mut s, key(KeyCode::Char('d')));
    assert!(
        matches!(s.overlay, Overlay::Profiles { .. }),
        "local cannot be deleted"
    );
    update(&mut s, key(KeyCode::Char('a')));
    assert!(matches!(s.overlay, Overlay::ProfileEditor(_)));
    type_text(&mut s, "prod");
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, Action::Paste(SECRET.into()));
    update(&mut s, ctrl('s'));
    let Overlay::Profiles { .. } = s.overlay else {
        panic!("saved and back to the list: {:?}", s.overlay)
    };
    assert_eq!(s.profiles.get("prod").unwrap().key.expose(), SECRET);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("…LjWy") && !m.contains(SECRET))
    );

    // local, prod, staging: the list keeps prod, just saved, chosen.
    let effects = update(&mut s, key(KeyCode::Char('*')));
    assert_eq!(
        effects,
        [Effect::ChangeProfiles(Change::SetDefault("prod".into()))]
    );
    assert_eq!(s.profiles.default_name(), "prod");

    update(&mut s, key(KeyCode::Char('e')));
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Tab));
    }
    type_text(&mut s, "42");
    let effects = update(&mut s, ctrl('s'));
    assert!(
        matches!(&effects[..], [Effect::ChangeProfiles(Change::Put { was: Some(w), keep_key: true, .. })] if w == "prod"),
        "not the active profile: no switch; the saved key is kept by the file's own: {effects:?}"
    );
    assert_eq!(
        s.profiles.get("prod").unwrap().user_id.as_deref(),
        Some("42")
    );
    assert_eq!(
        s.profiles.get("prod").unwrap().key.expose(),
        SECRET,
        "an empty key field keeps the key"
    );

    update(&mut s, key(KeyCode::Char('d')));
    assert_eq!(
        s.overlay,
        Overlay::Confirm(Confirm::DeleteProfile {
            name: "prod".into()
        })
    );
    update(&mut s, key(KeyCode::Char('n')));
    assert!(s.profiles.get("prod").is_some());
    // Past `local-runtime`, the second built-in profile.
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Char('d')));
    let effects = update(&mut s, key(KeyCode::Char('y')));
    assert_eq!(
        effects,
        [Effect::ChangeProfiles(Change::Remove("prod".into()))]
    );
    assert!(s.profiles.get("prod").is_none());
    assert_eq!(s.profiles.default_name(), "local");
}

/// The built-in profile takes default ids in Ctrl+P's editor; its name, base URL and key cannot
/// be reached, and saving keeps them.
#[test]
fn the_built_in_profile_takes_default_ids_in_the_console() {
    let mut s = state(Method::User);
    update(&mut s, ctrl('p'));
    update(&mut s, key(KeyCode::Char('e')));
    let Overlay::ProfileEditor(editor) = &s.overlay else {
        panic!("local opens in the editor: {:?}", s.overlay)
    };
    assert_eq!(editor.focus, 3, "on its default userId, not its fixed name");
    for _ in 0..5 {
        update(&mut s, key(KeyCode::Tab));
    }
    let Overlay::ProfileEditor(editor) = &s.overlay else {
        panic!()
    };
    assert!(
        editor.focus >= 3,
        "Tab never reaches the fixed fields: {}",
        editor.focus
    );
    while matches!(&s.overlay, Overlay::ProfileEditor(e) if e.focus != 3) {
        update(&mut s, key(KeyCode::Tab));
    }
    type_text(&mut s, "u-demo");
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "acme");
    let effects = update(&mut s, ctrl('s'));
    assert!(
        matches!(&effects[..], [Effect::ChangeProfiles(Change::Put { was: Some(w), .. }), Effect::SwitchProfile(p)]
            if w == "local" && p.user_id.as_deref() == Some("u-demo")),
        "{effects:?}"
    );
    let local = s.profiles.get("local").unwrap();
    assert_eq!(local.user_id.as_deref(), Some("u-demo"));
    assert_eq!(local.company_id.as_deref(), Some("acme"));
    assert_eq!(
        (local.base_url.as_str(), local.key.expose()),
        ("http://127.0.0.1:8787", "local")
    );
}

#[test]
fn a_bad_profile_stays_in_the_editor_with_the_reason() {
    use crate::tui::profile_editor::{BASE_FIELD, KEY_FIELD};
    let mut s = state(Method::User);
    update(&mut s, ctrl('p'));
    update(&mut s, key(KeyCode::Char('a')));
    type_text(&mut s, "x");
    assert!(update(&mut s, ctrl('s')).is_empty());
    let Overlay::ProfileEditor(editor) = &s.overlay else {
        panic!()
    };
    assert_eq!(
        editor.error.as_deref(),
        Some("the tracking key is required")
    );
    assert_eq!(
        editor.focus, KEY_FIELD,
        "the cursor goes where the problem is"
    );
    update(&mut s, key(KeyCode::BackTab));
    type_text(&mut s, "127.0.0.1:8787");
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "pk_test_abcdefghijklmnop");
    update(&mut s, ctrl('s'));
    let Overlay::ProfileEditor(editor) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    assert_eq!(editor.focus, BASE_FIELD, "{:?}", editor.error);
}

#[test]
fn slash_searches_the_exchange_and_n_moves_between_matches() {
    let mut s = state(Method::Event);
    s.size = (80, 24);
    let body = format!(
        "{{\"event\":\"e\",\"userID\":1,\"padding\":\"{}\"}}",
        "x".repeat(10)
    );
    let error = ValidationError::new(
        "/userID",
        FieldCode::UnknownField,
        "unknown field `userID`; did you mean `userId`?",
    );
    update(
        &mut s,
        Action::Sent(Box::new(exchange("event", 400, &body, vec![error]))),
    );
    update(&mut s, ctrl('l'));
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Char('/')));
    type_text(&mut s, "USERid");
    assert!(
        s.detail.as_ref().unwrap().search.as_ref().unwrap().typing,
        "n and N are text while typing"
    );
    update(&mut s, key(KeyCode::Enter));
    let first = search_line(&s).expect("a match");
    update(&mut s, key(KeyCode::Char('n')));
    let second = search_line(&s).unwrap();
    assert!(second > first, "{first} then {second}");
    assert!(s.detail.as_ref().unwrap().scroll > 0);
    update(&mut s, key(KeyCode::Char('N')));
    assert_eq!(search_line(&s), Some(first));
    update(&mut s, key(KeyCode::Esc));
    assert!(
        s.detail.as_ref().unwrap().search.is_none(),
        "Esc clears the search first"
    );
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.focus, Focus::Log);
}

fn search_line(s: &State) -> Option<usize> {
    s.detail
        .as_ref()
        .and_then(|d| d.search.as_ref())
        .and_then(|search| search.line)
}

fn click(s: &mut State, column: u16, row: u16) {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    update(
        s,
        Action::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }),
    );
}

#[test]
fn a_click_in_a_text_field_puts_the_cursor_there() {
    let mut s = state(Method::Event);
    s.size = (80, 24);
    type_text(&mut s, "Sent message");
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "42");
    // The form starts at row 2 with its border; `event` is its first field. The value column
    // begins after the border and the label.
    let value_x = 1 + crate::tui::layout::LABEL_WIDTH;
    click(&mut s, value_x + 4, 3);
    assert_eq!(s.form().focused().name, "event");
    let FieldValue::Line(input) = &s.form().focused().value else {
        panic!("a line field")
    };
    assert_eq!(input.cursor(), 4, "between `Sent` and ` message`");
    type_text(&mut s, "!");
    assert_eq!(s.form().body()["event"], json!("Sent! message"));
    click(&mut s, value_x + 50, 3);
    let FieldValue::Line(input) = &s.form().focused().value else {
        panic!("a line field")
    };
    assert_eq!(input.cursor(), 13, "past the end: at the end");
}

#[test]
fn a_change_that_did_not_land_reads_the_file_again_but_a_failed_read_does_not_loop() {
    let mut s = state(Method::User);
    let effects = update(
        &mut s,
        Action::ProfilesChanged(Err(crate::term::Failure::message("disk full"))),
    );
    assert_eq!(effects, [Effect::LoadProfiles]);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("not saved: disk full"))
    );
    let effects = update(
        &mut s,
        Action::ProfilesRead(Err(crate::term::Failure::message("unreadable"))),
    );
    assert!(effects.is_empty());
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("could not be read"))
    );
}

#[test]
fn moving_the_mouse_for_a_second_draws_nothing_a_click_draws_once() {
    use crossterm::event::{MouseEvent, MouseEventKind};
    let mut s = state(Method::User);
    s.size = (100, 30);
    let at = |kind, column| {
        Action::Mouse(MouseEvent {
            kind,
            column,
            row: 10,
            modifiers: KeyModifiers::NONE,
        })
    };
    let mut draws = 0;
    // A terminal reports motion about 60 times a second; each arrives alone, as they would.
    for column in 0..60 {
        if apply(&mut s, [at(MouseEventKind::Moved, column)], 0).redraw {
            draws += 1;
        }
        if apply(&mut s, [Action::Tick], 0).redraw {
            draws += 1;
        }
    }
    assert_eq!(draws, 0, "nothing under the mouse changed");
    let click = apply(
        &mut s,
        [
            at(
                MouseEventKind::Down(crossterm::event::MouseButton::Left),
                70,
            ),
            at(MouseEventKind::Up(crossterm::event::MouseButton::Left), 70),
            at(MouseEventKind::Moved, 71),
        ],
        0,
    );
    assert!(click.redraw, "a click is drawn, once for the whole batch");
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
fn the_header_follows_exchanges_and_probes_with_backoff_only_while_down() {
    let mut s = state(Method::User);
    s.server = ServerStatus::Answers;
    let base_url = s.base_url.clone();
    // A send that got no answer: down, said plainly, and a probe in a second.
    let mut failed = exchange("user", 200, "{}", vec![]);
    failed.response = None;
    failed.base_url.clone_from(&base_url);
    failed.attempts.last_mut().unwrap().error = Some("connection refused".into());
    failed.outcome = crate::client::Outcome::Failed;
    let effects = update(&mut s, Action::Sent(Box::new(failed)));
    assert!(matches!(&s.server, ServerStatus::Down(e) if e.to_string() == "connection refused"));
    assert!(effects.contains(&Effect::ProbeHealth {
        base_url: base_url.clone(),
        after_ms: 1_000
    }));
    // Each failed probe waits twice as long, up to 30 s.
    let mut waits = Vec::new();
    for _ in 0..7 {
        let effects = update(
            &mut s,
            Action::Health {
                base_url: base_url.clone(),
                result: Err(Failure::message("connection refused")),
            },
        );
        if let [Effect::ProbeHealth { after_ms, .. }] = effects.as_slice() {
            waits.push(*after_ms);
        }
    }
    assert_eq!(waits, [2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    // An exchange answered (the outbox delivered, say): answers, and nothing is scheduled.
    let mut ok = exchange("user", 200, "{}", vec![]);
    ok.base_url.clone_from(&base_url);
    let effects = update(&mut s, Action::Sent(Box::new(ok)));
    assert_eq!(s.server, ServerStatus::Answers);
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::ProbeHealth { .. }))
    );
    assert_eq!(s.probe_ms, None);
    // A late result for another server changes nothing.
    update(
        &mut s,
        Action::Health {
            base_url: "http://elsewhere".into(),
            result: Err(Failure::message("x")),
        },
    );
    assert_eq!(s.server, ServerStatus::Answers);
}

#[test]
fn copy_as_curl_names_the_server_that_answered_and_says_when_it_is_gone() {
    let mut s = state(Method::User);
    s.local.as_mut().unwrap().url = "http://127.0.0.1:8787".into();
    let mut here = exchange("user", 200, r#"{"userId":"u1"}"#, vec![]);
    here.profile = "local".into();
    here.base_url = "http://127.0.0.1:8787".into();
    let mut earlier = here.clone();
    earlier.base_url = "http://127.0.0.1:41009".into();
    s.log.entries.push_front(earlier);
    s.log.entries.push_front(here);
    s.focus = Focus::Log;
    let copied = |s: &mut State| match update(s, key(KeyCode::Char('c'))).as_slice() {
        [Effect::Copy(text)] => text.clone(),
        other => panic!("{other:?}"),
    };
    let now = copied(&mut s);
    assert!(
        now.starts_with("curl -sS -X POST \"http://127.0.0.1:8787/$BUCKET_TRACKING_KEY/user\""),
        "{now}"
    );
    update(&mut s, key(KeyCode::Down));
    let gone = copied(&mut s);
    assert!(
        gone.starts_with(
            "# the local server that answered this ran inside bucket-console and is gone"
        ),
        "{gone}"
    );
    assert!(gone.contains("http://127.0.0.1:41009/"), "{gone}");
}

#[test]
fn adding_a_profile_types_into_empty_fields_and_speaks_in_the_consoles_keys() {
    let mut s = state(Method::User);
    update(&mut s, ctrl('p'));
    update(&mut s, key(KeyCode::Char('a')));
    type_text(&mut s, "prod");
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "http://127.0.0.1:9999");
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "trCqx4DGo1lk3Lcct5NHLjWy");
    update(&mut s, ctrl('s'));
    let prod = s.profiles.get("prod").expect("saved");
    assert_eq!(
        prod.base_url, "http://127.0.0.1:9999",
        "typed, not appended to a default"
    );
    // local, local-runtime, prod, staging: the saved one stays chosen.
    assert_eq!(s.overlay, Overlay::Profiles { selected: 2 });
    // An empty base URL is the default one; a taken name is said without CLI flags.
    update(&mut s, key(KeyCode::Char('a')));
    type_text(&mut s, "staging");
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "trCqx4DGo1lk3Lcct5NHLjWy");
    update(&mut s, ctrl('s'));
    let Overlay::ProfileEditor(editor) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    let error = editor.error.clone().unwrap_or_default();
    assert!(
        error.contains("exists already") && !error.contains("--force"),
        "{error}"
    );
    assert_eq!(editor.focus, 0, "on the name, the field to fix");
    update(&mut s, key(KeyCode::End));
    for _ in 0..7 {
        update(&mut s, key(KeyCode::Backspace));
    }
    type_text(&mut s, "beta");
    update(&mut s, ctrl('s'));
    assert_eq!(
        s.profiles.get("beta").unwrap().base_url,
        "https://tracking.bucket.co"
    );
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
fn c_and_y_copy_from_an_exchanges_detail_and_say_so() {
    let mut s = state(Method::User);
    s.log
        .entries
        .push_front(exchange("user", 400, r#"{"userID":1}"#, vec![]));
    s.focus = Focus::Log;
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.focus, Focus::Detail);
    let effects = update(&mut s, key(KeyCode::Char('c')));
    assert!(
        matches!(&effects[..], [Effect::Copy(t)] if t.starts_with("curl ")),
        "{effects:?}"
    );
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.starts_with("✓ copied as curl"))
    );
    let effects = update(&mut s, key(KeyCode::Char('y')));
    assert!(matches!(&effects[..], [Effect::Copy(_)]), "{effects:?}");
    assert!(
        s.message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("response body"))
    );
    assert_eq!(s.focus, Focus::Detail, "still in the detail");
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
fn when_the_serve_local_used_is_gone_the_consoles_own_server_takes_over() {
    let mut s = state(Method::User);
    s.local.as_mut().unwrap().in_process = false;
    s.server = ServerStatus::Answers;
    let base_url = s.base_url.clone();
    let effects = update(
        &mut s,
        Action::Health {
            base_url,
            result: Err(Failure::message("connection refused")),
        },
    );
    assert_eq!(effects, [Effect::SwitchProfile(Profile::local())]);
    update(
        &mut s,
        Action::TargetReady(Ok((Profile::local(), "http://127.0.0.1:8787".into(), true))),
    );
    assert!(s.local.as_ref().unwrap().in_process);
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

#[test]
fn a_delivered_feedback_makes_the_hint_line_offer_results() {
    let mut s = state(Method::Feedback);
    assert!(!s.results.feedback_delivered);
    update(
        &mut s,
        Action::Sent(Box::new(exchange("feedback", 200, "{}", vec![]))),
    );
    assert!(s.results.feedback_delivered);
    let screen = format!("{:?}", crate::tui::fixtures::render(&s, 80, 24).backend());
    assert!(screen.contains("F5 results"), "{screen}");
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

/// A send the server did not answer is queued, and its delivery later moves the same row from
/// "queued" to 200: one exchange, one row.
#[test]
fn a_queued_send_stays_one_row_until_delivered() {
    let mut s = state(Method::Event);
    let mut failed = exchange("event", 200, "{\"event\":\"e\",\"userId\":\"u\"}", vec![]);
    failed.id = Some(41);
    failed.outcome = crate::client::Outcome::Failed;
    failed.response = None;
    failed.attempts[0].status = None;
    let effects = update(&mut s, Action::Sent(Box::new(failed.clone())));
    assert!(effects.iter().any(|e| matches!(e, Effect::Enqueue(_))));
    update(
        &mut s,
        Action::Queued {
            entry: Some(41),
            result: Ok((9, 1)),
        },
    );
    assert_eq!(s.log.entries.len(), 1);
    assert!(s.log.entries[0].is_queued());
    let mut delivered = exchange("event", 200, "{\"event\":\"e\",\"userId\":\"u\"}", vec![]);
    delivered.id = Some(41);
    delivered.outbox_id = Some(9);
    update(
        &mut s,
        Action::OutboxDelivered {
            exchanges: vec![delivered],
            delivered: 1,
            rejected: 0,
            waiting: 0,
        },
    );
    assert_eq!(s.log.entries.len(), 1, "the same row, moved on");
    assert_eq!(s.log.entries[0].status(), Some(200));
}

/// `f`, `m` and `p` on the log filter it as the CLI's `log --status/--method/--from-profile` do,
/// and the selection moves only among the rows shown.
#[test]
fn the_log_is_filtered_by_status_method_and_profile() {
    let mut s = state(Method::Event);
    let mut entries = vec![
        exchange("event", 200, "{}", vec![]),
        exchange("user", 400, "{}", vec![]),
        exchange("event", 400, "{}", vec![]),
        exchange("event", 200, "{}", vec![]),
    ];
    entries[3].profile = "staging".into();
    for (i, e) in entries.iter_mut().enumerate() {
        e.id = Some(i as i64 + 1);
    }
    s.log.entries = entries.into();
    s.focus = Focus::Log;
    let shown = |s: &State| {
        s.visible_log()
            .map(|(_, e)| e.id.unwrap())
            .collect::<Vec<_>>()
    };
    update(&mut s, key(KeyCode::Char('f')));
    assert_eq!(shown(&s), [1, 4], "2xx");
    update(&mut s, key(KeyCode::Char('f')));
    assert_eq!(shown(&s), [2, 3], "4xx");
    assert_eq!(
        s.selected_exchange().unwrap().id,
        Some(2),
        "the selection follows"
    );
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.selected_exchange().unwrap().id, Some(3));
    update(&mut s, key(KeyCode::Down));
    assert_eq!(
        s.selected_exchange().unwrap().id,
        Some(3),
        "the last row shown"
    );
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Char('m')));
    }
    assert_eq!(shown(&s), [3], "4xx events");
    for _ in 0..4 {
        update(&mut s, key(KeyCode::Char('f')));
    }
    assert_eq!(shown(&s), [1, 3, 4], "every event");
    update(&mut s, key(KeyCode::Char('p')));
    assert_eq!(shown(&s), [1, 3], "profile local");
    update(&mut s, key(KeyCode::Char('p')));
    assert_eq!(shown(&s), [4], "profile staging");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        s.detail.as_ref().map(|d| d.index),
        Some(3),
        "opens the row shown"
    );
}

/// Entries another process wrote appear in place and moved-on entries replace their rows; the
/// selection and an open detail stay on their entries; a read during a read asks for one more.
#[test]
fn changes_to_the_history_file_appear_live() {
    let mut s = state(Method::Event);
    let entry = |id: i64, status: u16| {
        let mut e = exchange("event", status, "{}", vec![]);
        e.id = Some(id);
        e
    };
    update(&mut s, Action::HistoryChanges(Ok((vec![], 10))));
    assert!(
        update(
            &mut s,
            Action::HistoryLoaded(Ok(vec![entry(5, 200), entry(3, 200)]))
        )
        .iter()
        .any(|e| matches!(e, Effect::LoadHistoryChanges { since: 10 })),
        "what was written during the first read is asked for"
    );
    s.focus = Focus::Log;
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.selected_exchange().unwrap().id, Some(3));
    // Touched again while the read runs: one more read after it.
    assert!(update(&mut s, Action::HistoryTouched).is_empty());
    let more = update(
        &mut s,
        Action::HistoryChanges(Ok((vec![entry(4, 400), entry(5, 500), entry(7, 200)], 13))),
    );
    assert!(matches!(
        &more[..],
        [Effect::LoadHistoryChanges { since: 13 }]
    ));
    let ids: Vec<_> = s
        .log
        .entries
        .iter()
        .map(|e| (e.id.unwrap(), e.status().unwrap()))
        .collect();
    assert_eq!(ids, [(7, 200), (5, 500), (4, 400), (3, 200)]);
    assert_eq!(
        s.selected_exchange().unwrap().id,
        Some(3),
        "the selection stays on its entry"
    );
    update(&mut s, Action::HistoryChanges(Ok((vec![], 13))));
    assert!(matches!(
        &update(&mut s, Action::HistoryTouched)[..],
        [Effect::LoadHistoryChanges { since: 13 }]
    ));
}

fn with_example_collection(method: Method) -> State {
    let mut s = state(method);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/bucket-console.toml");
    let loaded = crate::collection::load(&path, &[]).unwrap();
    update(&mut s, Action::CollectionLoaded(Ok(Some(loaded))));
    s
}

/// Ctrl+O, a filter, Enter: a templated request lands in the raw editor as written, its next
/// body previewed and checked; each Ctrl+S resolves afresh.
#[test]
fn a_saved_request_is_picked_loaded_and_resolved_afresh_for_each_send() {
    let mut s = with_example_collection(Method::Event);
    update(&mut s, ctrl('o'));
    assert!(matches!(s.overlay, Overlay::Picker(_)));
    type_text(&mut s, "sign");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!((s.method, s.overlay.clone()), (Method::User, Overlay::None));
    let raw = s.form().raw.as_ref().unwrap().lines().join("\n");
    assert!(raw.contains("{{uuid}}"), "as written: {raw}");
    let Some(Ok(preview)) = s.form().preview.clone() else {
        panic!("{:?}", s.form().preview)
    };
    let preview: serde_json::Value = serde_json::from_str(&preview).unwrap();
    assert_eq!(preview["attributes"]["plan"], json!("pro"));
    assert_eq!(s.form().error_count(), 0, "{:?}", s.form().problems());
    let sent = |s: &mut State| {
        let effects = update(s, ctrl('s'));
        let [Effect::Send { body, .. }] = &effects[..] else {
            panic!("{effects:?}")
        };
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        update(
            s,
            Action::Sent(Box::new(exchange("user", 200, "{}", vec![]))),
        );
        body
    };
    let first = sent(&mut s);
    assert_eq!(first, preview, "the preview was the next send");
    let second = sent(&mut s);
    assert_ne!(first["userId"], second["userId"], "resolved afresh");
    assert!(uuid::Uuid::parse_str(second["userId"].as_str().unwrap()).is_ok());
}

/// A template the profile cannot fill is the console's problem, not the server's: no "anyway".
#[test]
fn a_template_the_profile_cannot_fill_offers_no_send_anyway() {
    let mut s = with_example_collection(Method::Event);
    s.profile.user_id = None;
    update(&mut s, ctrl('o'));
    type_text(&mut s, "sent-message");
    update(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(s.form().preview, Some(Err(_))),
        "{:?}",
        s.form().preview
    );
    update(&mut s, ctrl('s'));
    assert_eq!(s.overlay, Overlay::Confirm(Confirm::CannotSend));
    let effects = update(&mut s, key(KeyCode::Char('y')));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!((s.overlay.clone(), s.focus), (Overlay::None, Focus::Form));
}

#[test]
fn a_plain_saved_request_fills_the_typed_fields() {
    let mut s = state(Method::User);
    let text = "[requests.rate]\nmethod = \"feedback\"\nbody = { featureId = \"export\", userId = \"u1\", score = 4 }\n";
    let loaded = crate::collection::parse(std::path::Path::new("c.toml"), text, &[]).unwrap();
    update(&mut s, Action::CollectionLoaded(Ok(Some(loaded))));
    update(&mut s, ctrl('o'));
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.method, Method::Feedback);
    assert!(s.form().raw.is_none(), "no templates: typed fields");
    assert_eq!(
        s.form().body(),
        json!({"featureId": "export", "userId": "u1", "score": 4})
    );
}

/// A later edit of the file that does not load keeps what was loaded, and says why.
#[test]
fn a_broken_edit_of_the_collection_keeps_what_was_loaded() {
    let mut s = with_example_collection(Method::User);
    update(
        &mut s,
        Action::CollectionLoaded(Err(
            "bucket-console.toml:3: requests.a: unknown key `metod`".into(),
        )),
    );
    assert!(s.collection.loaded.is_some());
    assert!(s.collection.problem.as_deref().unwrap().contains(":3:"));
    let (level, text) = s.message.clone().unwrap();
    assert_eq!(level, Level::Error);
    assert!(
        text.starts_with("the collection no longer loads: bucket-console.toml:3: requests.a"),
        "the status line no longer says the last save succeeded: {text}"
    );
    assert!(!s.collection.entries("").is_empty());
}

/// A scenario from the picker runs in its overlay; each call's exchange is in the log, and Enter
/// opens it.
#[test]
fn a_scenario_runs_from_the_picker_and_its_calls_open() {
    use crate::collection::run::{CallReport, Verdict};
    let mut s = with_example_collection(Method::Event);
    update(&mut s, ctrl('o'));
    type_text(&mut s, "onboarding");
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(&effects[..], [Effect::RunScenario { name, .. }] if name == "onboarding"),
        "{effects:?}"
    );
    assert!(matches!(&s.overlay, Overlay::Scenario(run) if run.name == "onboarding" && !run.done));
    for (step, id) in [(1, 31), (2, 32)] {
        let mut exchange = exchange("user", 200, "{}", vec![]);
        exchange.id = Some(id);
        update(
            &mut s,
            Action::ScenarioCall(Box::new(CallReport {
                item: "onboarding".into(),
                step: Some(step),
                round: 1,
                seq: step as u64,
                method: Method::User,
                body: String::new(),
                exchange: Some(exchange),
                verdict: Verdict::Passed,
            })),
        );
    }
    update(&mut s, Action::ScenarioDone);
    let Overlay::Scenario(run) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    assert!(run.done);
    assert_eq!(run.calls.len(), 2);
    assert_eq!(s.log.entries.len(), 2, "each call is in the log");
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.overlay, Overlay::None);
    let detail = s.detail.as_ref().unwrap();
    assert_eq!(
        s.log.entries[detail.index].id,
        Some(32),
        "the second call's exchange"
    );
}

/// `x` on a log row (or in a detail) offers the code forms; Enter copies the chosen one.
#[test]
fn x_copies_an_exchange_as_code() {
    let mut s = state(Method::Event);
    update(
        &mut s,
        Action::HistoryLoaded(Ok(vec![exchange(
            "event",
            200,
            "{\"event\":\"e\",\"userId\":\"u\"}",
            vec![],
        )])),
    );
    update(&mut s, ctrl('l'));
    update(&mut s, key(KeyCode::Char('x')));
    assert_eq!(
        s.overlay,
        Overlay::CopyAs {
            index: 0,
            selected: 0
        }
    );
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Down));
    }
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(&effects[..], [Effect::Copy(text)] if text.contains("requests.post(") && text.contains("BUCKET_TRACKING_KEY")),
        "{effects:?}"
    );
    assert_eq!(s.overlay, Overlay::None);
    assert!(s.message.as_ref().unwrap().1.contains("copied as python"));
    update(&mut s, key(KeyCode::Enter));
    assert!(s.detail.is_some());
    update(&mut s, key(KeyCode::Char('x')));
    assert!(
        matches!(s.overlay, Overlay::CopyAs { .. }),
        "from the detail too"
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

/// From the picker, Alt+S saves the current form under a name; a taken name asks first.
#[test]
fn the_current_form_is_saved_into_the_collection() {
    let mut s = with_example_collection(Method::Event);
    type_text(&mut s, "Sent message");
    update(&mut s, ctrl('o'));
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::ALT)),
    );
    assert!(matches!(s.overlay, Overlay::SaveRequest { .. }));
    type_text(&mut s, "my-event");
    let effects = update(&mut s, key(KeyCode::Enter));
    let [
        Effect::SaveRequest {
            name,
            method,
            body,
            replace,
            path,
        },
    ] = &effects[..]
    else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (name.as_str(), *method, *replace),
        ("my-event", Method::Event, false)
    );
    assert_eq!(body["event"], json!("Sent message"));
    assert!(path.ends_with("assets/bucket-console.toml"));
    update(&mut s, ctrl('o'));
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::ALT)),
    );
    type_text(&mut s, "signup");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        s.overlay,
        Overlay::Confirm(Confirm::ReplaceRequest {
            name: "signup".into()
        })
    );
    let effects = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(
        &effects[..],
        [Effect::SaveRequest { replace: true, .. }]
    ));
    let after = update(&mut s, Action::RequestSaved(Ok("signup".into())));
    assert_eq!(after, [Effect::LoadCollection]);
    assert!(
        s.message
            .as_ref()
            .unwrap()
            .1
            .contains("saved as requests.signup")
    );
}

#[test]
fn a_resolved_body_holding_the_key_is_not_sent_from_the_console() {
    let mut s = state(Method::User);
    s.profile.key = crate::api::AnyKey::Tracking(
        crate::api::TrackingKey::parse("trCqx4DGo1lk3Lcct5NHLjWy").unwrap(),
    );
    let secret = s.profile.key.expose().to_owned();
    // A var carries the key here, as a careless {{env …}} could.
    let text = format!(
        "[vars]\nsecret = \"{secret}\"\n[requests.leaky]\nmethod = \"user\"\nbody = {{ userId = \"u\", attributes = {{ k = \"{{{{secret}}}}\" }} }}\n"
    );
    let loaded = crate::collection::parse(std::path::Path::new("c.toml"), &text, &[]).unwrap();
    update(&mut s, Action::CollectionLoaded(Ok(Some(loaded))));
    update(&mut s, ctrl('o'));
    update(&mut s, key(KeyCode::Enter));
    let effects = update(&mut s, ctrl('s'));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(
        s.message
            .as_ref()
            .unwrap()
            .1
            .contains("holds the tracking key"),
        "{:?}",
        s.message
    );
}

/// Alt+X lists the commands that apply where it was opened; typing filters; Enter runs one as
/// its key would.
#[test]
fn the_command_palette_finds_and_runs_a_command() {
    let mut s = state(Method::Event);
    update(
        &mut s,
        Action::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::ALT)),
    );
    let Overlay::Palette(palette) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    let names: Vec<String> = palette
        .entries(&s.keymap)
        .iter()
        .map(|(c, _, _)| c.name())
        .collect();
    assert!(names.contains(&"toggle-raw".to_owned()) && names.contains(&"send".to_owned()));
    assert!(
        !names.contains(&"resend".to_owned()),
        "a log command does not apply in the form"
    );
    type_text(&mut s, "raw");
    let Overlay::Palette(palette) = &s.overlay else {
        panic!()
    };
    assert_eq!(palette.entries(&s.keymap)[0].0, Command::ToggleRaw);
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.overlay, Overlay::None);
    assert!(s.form().raw.is_some(), "toggle-raw ran");
}

/// At 80×24 F1 is longer than the screen: End reaches its last row, PgUp goes back a page, `/`
/// filters, Esc clears the filter and then closes.
#[test]
fn help_scrolls_to_its_last_row_and_filters() {
    use crate::tui::help::{self, Row};
    let mut s = state(Method::Event);
    s.size = (80, 24);
    update(&mut s, key(KeyCode::F(1)));
    update(&mut s, key(KeyCode::End));
    let Overlay::Help(view) = s.overlay.clone() else {
        panic!("{:?}", s.overlay)
    };
    let here = s.context();
    let (rows, shown) = help::layout(&s.keymap, here, &view, s.size);
    assert!(shown < rows.len(), "longer than the screen");
    assert_eq!(view.scroll + shown, rows.len(), "the last row shows");
    update(&mut s, key(KeyCode::PageUp));
    update(&mut s, key(KeyCode::Down));
    let Overlay::Help(back) = s.overlay.clone() else {
        panic!()
    };
    assert_eq!(back.scroll, view.scroll.saturating_sub(shown) + 1);
    update(&mut s, key(KeyCode::Char('/')));
    type_text(&mut s, "quit");
    let Overlay::Help(filtered) = s.overlay.clone() else {
        panic!()
    };
    let (rows, _) = help::layout(&s.keymap, here, &filtered, s.size);
    assert_eq!(filtered.scroll, 0);
    assert!(
        rows.iter()
            .any(|r| matches!(r, Row::Entry { what, .. } if what.contains("[quit]")))
    );
    assert!(
        !rows
            .iter()
            .any(|r| matches!(r, Row::Entry { what, .. } if what.contains("[send]")))
    );
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.overlay, Overlay::Help(help::HelpView::default()));
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.overlay, Overlay::None);
}

/// The header said `● answers` while F5 said the server was not answering: a results read that
/// found the server silent marks it down (and probes it), as a failed send does.
#[test]
fn results_that_find_the_server_silent_mark_the_header_down() {
    use crate::explore::ExploreError;
    use crate::results::ResultsError;
    let mut s = state(Method::Event);
    s.server = ServerStatus::Answers;
    let silent = Failure::from(ResultsError::Server(ExploreError::NotAnswering(
        "connection refused".into(),
    )));
    let effects = update(&mut s, Action::ResultsLoaded(Err(silent)));
    assert!(matches!(s.server, ServerStatus::Down(_)), "{:?}", s.server);
    assert!(
        matches!(&effects[..], [Effect::ProbeHealth { .. }]),
        "{effects:?}"
    );
    let mut s = state(Method::Event);
    s.server = ServerStatus::Answers;
    let refused = Failure::from(ResultsError::Server(ExploreError::NotLocal));
    update(&mut s, Action::ResultsLoaded(Err(refused)));
    assert_eq!(
        s.server,
        ServerStatus::Answers,
        "it answered, with a refusal"
    );
}

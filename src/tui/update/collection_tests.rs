use super::update;
use crate::api::Method;
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::{ctrl, exchange, key, type_text};
use crate::tui::state::{Confirm, Focus, Level, Overlay, State};
use serde_json::json;

use crate::tui::fixtures::state;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn with_modifiers(code: KeyCode, modifiers: KeyModifiers) -> Action {
    Action::Key(KeyEvent::new(code, modifiers))
}

fn with_collection(text: &str) -> State {
    let mut s = state(Method::User);
    let loaded = crate::collection::parse(std::path::Path::new("c.toml"), text, &[]).unwrap();
    update(&mut s, Action::CollectionLoaded(Ok(Some(loaded))));
    s
}

/// `{{env NAME}}` in the console reads what the console was started with `--allow-env` for,
/// read then: a send resolves from the state, never from the environment.
#[test]
fn env_comes_from_what_was_allowed_at_start() {
    let text = "[requests.from-env]\nmethod = \"user\"\nbody = { userId = \"{{env BC_USER}}\" }\n";
    let send = |s: &mut State| {
        update(s, with_modifiers(KeyCode::Char('o'), KeyModifiers::CONTROL));
        update(s, with_modifiers(KeyCode::Enter, KeyModifiers::NONE));
        update(s, with_modifiers(KeyCode::Char('s'), KeyModifiers::CONTROL))
    };
    let mut refused = with_collection(text);
    let effects = send(&mut refused);
    let problems = &refused.form().body_errors;
    assert!(
        problems.iter().any(|p| p.contains("--allow-env BC_USER")),
        "{problems:?}"
    );
    assert!(!format!("{effects:?}").contains("Send"), "{effects:?}");

    let mut allowed = with_collection(text);
    allowed.collection.env = crate::collection::template::Env::with([(
        "BC_USER".to_owned(),
        Some("u-from-start".to_owned()),
    )]);
    let effects = send(&mut allowed);
    let effects = format!("{effects:?}");
    assert!(effects.contains("u-from-start"), "{effects}");
}

/// With no collection loaded, Alt+S creates the file the console was told of at start.
#[test]
fn a_first_save_goes_where_the_console_started() {
    let mut s = state(Method::User);
    s.collection.new_file = std::path::PathBuf::from("/project/bucket-console.toml");
    update(
        &mut s,
        with_modifiers(KeyCode::Char('o'), KeyModifiers::CONTROL),
    );
    update(
        &mut s,
        with_modifiers(KeyCode::Char('s'), KeyModifiers::ALT),
    );
    for c in "mine".chars() {
        update(&mut s, with_modifiers(KeyCode::Char(c), KeyModifiers::NONE));
    }
    let effects = update(&mut s, with_modifiers(KeyCode::Enter, KeyModifiers::NONE));
    let [Effect::SaveRequest { path, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(
        path,
        &std::path::PathBuf::from("/project/bucket-console.toml")
    );
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
        Action::CollectionLoaded(Err(crate::collection::CollectionError {
            path: "bucket-console.toml".into(),
            problems: vec![crate::collection::Problem {
                line: Some(3),
                message: "requests.a: unknown key `metod`".into(),
            }],
        })),
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
                batch: None,
            })),
        );
    }
    update(&mut s, Action::ScenarioDone);
    let Overlay::Scenario(run) = &s.overlay else {
        panic!("{:?}", s.overlay)
    };
    assert!(run.done);
    assert_eq!(run.calls.len(), 2);
    assert_eq!(s.log.entries().len(), 2, "each call is in the log");
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.overlay, Overlay::None);
    let detail = s.detail.as_ref().unwrap();
    assert_eq!(
        s.log.entries()[detail.index].id,
        Some(32),
        "the second call's exchange"
    );
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

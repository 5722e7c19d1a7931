use super::update;
use crate::api::Method;
use crate::profiles::Profile;
use crate::term::Failure;
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::{exchange, state};
use crate::tui::state::ServerStatus;

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

/// The header said `● answers` while F5 said the server was not answering: a results read that
/// found the server silent marks it down (and probes it), as a failed send does.
#[test]
fn results_that_find_the_server_silent_mark_the_header_down() {
    use crate::inspect::InspectError;
    use crate::results::ResultsError;
    let mut s = state(Method::Event);
    s.server = ServerStatus::Answers;
    let silent = Failure::from(ResultsError::Server(InspectError::NotAnswering(
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
    let refused = Failure::from(ResultsError::Server(InspectError::NotLocal));
    update(&mut s, Action::ResultsLoaded(Err(refused)));
    assert_eq!(
        s.server,
        ServerStatus::Answers,
        "it answered, with a refusal"
    );
}

#[test]
fn a_local_server_that_did_not_start_is_said_with_what_to_do_and_not_probed() {
    let mut s = state(Method::User);
    let base_url = s.base_url.clone();
    let effects = update(
        &mut s,
        Action::LocalServerFailed {
            base_url: base_url.clone(),
            error: Failure::message("cannot open the database x: database is locked"),
        },
    );
    assert!(
        effects.is_empty(),
        "nobody is behind the address: {effects:?}"
    );
    assert!(matches!(&s.server, ServerStatus::Down(e) if e.to_string().contains("locked")));
    let (_, message) = s.message.clone().unwrap();
    assert!(
        message.contains("did not start") && message.contains("(Ctrl+P)"),
        "{message}"
    );
    // Another address's news changes nothing.
    let mut other = state(Method::User);
    let effects = update(
        &mut other,
        Action::LocalServerFailed {
            base_url: "http://127.0.0.1:1".into(),
            error: Failure::message("x"),
        },
    );
    assert!(effects.is_empty() && other.message.is_none());
}

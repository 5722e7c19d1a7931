//! `local`'s embedded server starts after the first frame: the target is resolved then, and the
//! console follows it as if it had been there from the start.

use super::{started, update};
use crate::api::Method;
use crate::profiles::Profile;
use crate::term::Failure;
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::state;
use crate::tui::state::ServerStatus;

/// The console as the CLI opens it for `local`: the server not started yet.
fn opening() -> crate::tui::state::State {
    let mut s = state(Method::User);
    s.base_url = "http://127.0.0.1:0".into();
    s.target_pending = true;
    s.local = None;
    s
}

#[test]
fn the_local_server_is_started_after_the_first_frame_then_checked() {
    let mut s = opening();
    let first = started(&s);
    assert!(
        first.contains(&Effect::SwitchProfile(Profile::local())),
        "{first:?}"
    );
    assert!(first.contains(&Effect::LoadHistory) && first.contains(&Effect::LoadCollection));
    assert!(
        !first
            .iter()
            .any(|e| matches!(e, Effect::CheckHealth { .. })),
        "no health check of an address no server has taken: {first:?}"
    );
    let effects = update(
        &mut s,
        Action::TargetReady(Ok((
            Profile::local(),
            "http://127.0.0.1:40404".into(),
            true,
        ))),
    );
    assert_eq!(s.base_url, "http://127.0.0.1:40404");
    assert!(!s.target_pending);
    assert!(
        s.local
            .as_ref()
            .is_some_and(|l| l.in_process && l.url == s.base_url)
    );
    assert_eq!(
        effects,
        [Effect::CheckHealth {
            base_url: "http://127.0.0.1:40404".into()
        }]
    );
    assert_eq!(s.message, None, "opening with local is no profile switch");
}

#[test]
fn a_local_server_that_cannot_start_is_said_and_shown_down() {
    let mut s = opening();
    update(
        &mut s,
        Action::TargetReady(Err(Failure::message("database is locked"))),
    );
    assert!(!s.target_pending);
    assert!(matches!(&s.server, ServerStatus::Down(e) if e.to_string() == "database is locked"));
    let (_, text) = s.message.clone().unwrap();
    assert!(text.contains("cannot start the local server"), "{text}");
}

#[test]
fn a_resolved_target_is_checked_at_once() {
    let s = state(Method::User);
    assert_eq!(
        started(&s),
        [
            Effect::LoadHistory,
            Effect::LoadCollection,
            Effect::CheckHealth {
                base_url: s.base_url.clone()
            }
        ]
    );
}

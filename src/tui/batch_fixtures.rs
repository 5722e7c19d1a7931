//! The console on `local-runtime`, and sent batches, for the batch's update and snapshot tests.

use crate::api::{ErrorCode, FieldCode, Method, ValidationError};
use crate::client::Exchange;
use crate::profiles::Profile;
use crate::tui::action::{Action, Effect};
use crate::tui::fixtures::state;
use crate::tui::state::{ServerStatus, State};
use crate::tui::update::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A console switched to the built-in runtime profile (as Ctrl+P does), its server answering.
pub fn runtime(method: Method) -> State {
    let mut s = state(method);
    s.color = false;
    let profile = Profile {
        feature_id: Some("huddle".into()),
        ..Profile::local_runtime()
    };
    update(
        &mut s,
        Action::TargetReady(Ok((profile, "http://127.0.0.1:8787".into(), true))),
    );
    s.server = ServerStatus::Answers;
    s.log.loading = false;
    s.message = None;
    s
}

pub fn alt_b(s: &mut State) -> Vec<Effect> {
    update(
        s,
        Action::Key(KeyEvent::new(KeyCode::Char('b'), KeyModifiers::ALT)),
    )
}

pub fn ctrl_s(s: &mut State) -> Vec<Effect> {
    update(
        s,
        Action::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    )
}

/// Three items collected: an event, a user without its id, and a feedback by flag key.
pub fn three_pending(s: &mut State) {
    alt_b(s);
    for (method, body) in [
        (Method::Event, r#"{"event":"Sent message","userId":"u1"}"#),
        (Method::User, r#"{"attributes":{"plan":"pro"}}"#),
        (
            Method::Feedback,
            r#"{"key":"huddle","userId":"u1","score":4}"#,
        ),
    ] {
        s.method = method;
        let now = s.now_ms;
        let form = s.form_mut();
        form.load(body);
        form.validate(now);
        ctrl_s(s);
        // The user without an id asks first; adding it anyway is what the batch is tested with.
        if s.overlay != crate::tui::state::Overlay::None {
            crate::tui::fixtures::press(s, KeyCode::Enter);
        }
    }
}

/// A runtime exchange of `route` with `status`, as the client records it.
pub fn runtime_exchange(route: &str, status: u16, body: &str) -> Exchange {
    let mut e = crate::fixtures::exchange(route, status, body, vec![]);
    e.profile = "local-runtime".into();
    e.url = format!("http://127.0.0.1:8787/{route}");
    e.key_masked = Profile::local_runtime().key.masked();
    e.api = Some(crate::api::Api::Runtime);
    e
}

/// The server's 400 for [`three_pending`]'s batch: item 1 has no userId.
pub fn refused_batch(body: &str) -> Exchange {
    let mut e = runtime_exchange("bulk", 400, body);
    e.validation_errors = vec![ValidationError::new(
        "/1/userId",
        FieldCode::Required,
        "is required: the id of the user, a string or an integer",
    )];
    e.error_code = Some(ErrorCode::BodyValidationFailed);
    e
}

//! The hint line keeps `send` and `profile` on every form, however many views ask to be next.

use crate::api::Method;
use crate::tui::fixtures::{render, state};
use crate::tui::state::{ServerStatus, State};
use crate::tui::update::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn hint_line(s: &State, width: u16, height: u16) -> String {
    let terminal = render(s, width, height);
    let buffer = terminal.backend().buffer();
    let y = buffer.area.height - 1;
    (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol())
        .collect()
}

fn check(s: &State, what: &str) {
    for (w, h) in [(80, 24), (120, 40)] {
        let line = hint_line(s, w, h);
        for wanted in ["^S send", "^P profile", "F1 help"] {
            assert!(line.contains(wanted), "{what} at {w}×{h}: {line}");
        }
    }
}

#[test]
fn send_and_profile_stay_on_every_form_and_field_at_80_and_120_columns() {
    for m in Method::ALL {
        let mut s = state(m);
        s.server = ServerStatus::Answers;
        s.log.loading = false;
        // The outbox and the results both ask to be next: the case that pushed send out.
        s.outbox_waiting = 2;
        s.results.feedback_delivered = true;
        for field in 0..s.form().fields.len() {
            s.form_mut().focus = field;
            let name = s.form().focused().name;
            check(&s, &format!("{m} form, {name}"));
        }
        let raw = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL);
        update(&mut s, crate::tui::action::Action::Key(raw));
        assert!(s.form().raw.is_some());
        check(&s, &format!("{m} form as raw JSON"));
    }
}

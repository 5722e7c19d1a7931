use super::apply;
use super::update;
use crate::api::Method;
use crate::tui::action::Action;
use crate::tui::fixtures::{click, key, state, type_text};
use crate::tui::form::FieldValue;
use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::json;

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

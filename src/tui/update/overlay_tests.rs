use super::update;
use crate::api::Method;
use crate::tui::action::Action;
use crate::tui::fixtures::{key, state, type_text};
use crate::tui::keys::Command;
use crate::tui::state::Overlay;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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

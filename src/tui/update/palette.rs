//! The command palette's keys (Alt+X): typing filters, Enter runs the chosen command.

use super::{Effect, Overlay, State, on_key};
use crate::term::edit_line;
use crate::tui::keys::{Command, Context};
use crate::tui::palette::Palette;
use crossterm::event::{KeyEvent, KeyModifiers};

/// Typing filters; Enter runs the chosen command as its key would, where the palette was opened.
pub(super) fn on_palette_key(
    state: &mut State,
    mut palette: Box<Palette>,
    key: KeyEvent,
) -> Vec<Effect> {
    let entries = palette.entries(&state.keymap);
    match state.keymap.command(Context::Palette, &key) {
        Some(Command::Back) => vec![],
        Some(Command::Up) => {
            palette.selected = palette.selected.saturating_sub(1);
            state.overlay = Overlay::Palette(palette);
            vec![]
        }
        Some(Command::Down) => {
            palette.selected = (palette.selected + 1).min(entries.len().saturating_sub(1));
            state.overlay = Overlay::Palette(palette);
            vec![]
        }
        Some(Command::Open) => match entries
            .get(palette.selected)
            .and_then(|(_, keys, _)| keys.first())
        {
            Some(bound) => {
                let mut modifiers = KeyModifiers::NONE;
                if bound.ctrl {
                    modifiers |= KeyModifiers::CONTROL;
                }
                if bound.alt {
                    modifiers |= KeyModifiers::ALT;
                }
                on_key(state, KeyEvent::new(bound.code, modifiers))
            }
            None => vec![],
        },
        _ => {
            if edit_line(&mut palette.filter, key) {
                palette.selected = 0;
            }
            state.overlay = Overlay::Palette(palette);
            vec![]
        }
    }
}

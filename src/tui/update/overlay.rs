//! Keys while an overlay is open: F1's help, the palette, a confirmation, and the overlays whose
//! keys live with their concern (profiles, picker, copy-as, save, scenario).

use super::collection;
use super::form;
use super::log;
use super::palette::on_palette_key;
use super::profiles::{delete_profile, on_editor_key, on_profiles_key};
use super::send::send;
use crate::tui::action::Effect;
use crate::tui::keys::{Command, Context};
use crate::tui::state::{Confirm, Focus, Level, Overlay, State};
use crossterm::event::KeyEvent;

pub fn on_overlay_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let overlay = std::mem::replace(&mut state.overlay, Overlay::None);
    match overlay {
        Overlay::Confirm(confirm) => on_confirm_key(state, confirm, key),
        Overlay::Help(view) => {
            help_key(state, view, key);
            vec![]
        }
        Overlay::Profiles { selected } => on_profiles_key(state, selected, key),
        Overlay::ProfileEditor(editor) => on_editor_key(state, *editor, key),
        Overlay::Picker(picker) => collection::on_picker_key(state, picker, key),
        Overlay::CopyAs { index, selected } => log::on_copy_as_key(state, index, selected, key),
        Overlay::SaveRequest { name } => collection::on_save_key(state, name, key),
        Overlay::Palette(palette) => on_palette_key(state, palette, key),
        Overlay::Scenario(run) => {
            collection::on_scenario_key(state, run, key);
            vec![]
        }
        Overlay::None => vec![],
    }
}

/// F1's keys (`Context::Help`) scroll, start a filter and close it; while a filter is typed or
/// shown, `Context::HelpFilter`'s keep it or clear it first.
fn help_key(state: &mut State, mut view: crate::tui::help::HelpView, key: KeyEvent) {
    use crate::tui::help;
    let here = state.context();
    let page = help::layout(&state.keymap, here, &view, state.size)
        .1
        .max(1);
    let filtering = (view.typing || !view.filter.is_empty())
        .then(|| state.keymap.command(Context::HelpFilter, &key))
        .flatten();
    match (filtering, state.keymap.command(Context::Help, &key)) {
        (Some(Command::Accept), _) if view.typing => view.typing = false,
        (Some(Command::Cancel), _) => {
            view.filter.clear();
            view.typing = false;
        }
        (_, Some(Command::Up)) => view.scroll = view.scroll.saturating_sub(1),
        (_, Some(Command::Down)) => view.scroll += 1,
        (_, Some(Command::PageUp)) => view.scroll = view.scroll.saturating_sub(page),
        (_, Some(Command::PageDown)) => view.scroll += page,
        (_, Some(Command::First)) => view.scroll = 0,
        (_, Some(Command::Last)) => view.scroll = usize::MAX,
        // While the filter is typed, a key that edits it is text: `q` and `/` go into it.
        _ if view.typing && type_into(&mut view.filter, key) => view.scroll = 0,
        (_, Some(Command::Search)) => view.typing = true,
        (_, Some(Command::Back)) => return,
        _ => {}
    }
    let (rows, shown) = help::layout(&state.keymap, here, &view, state.size);
    view.scroll = view.scroll.min(help::max_scroll(rows.len(), shown));
    state.overlay = Overlay::Help(view);
}

/// Edits `text` as a line typed at its end; `true` when the text changed.
fn type_into(text: &mut String, key: KeyEvent) -> bool {
    let mut input = crate::term::LineInput::new(text);
    crate::term::edit_line(&mut input, key);
    let changed = input.text() != text.as_str();
    if changed {
        input.text().clone_into(text);
    }
    changed
}

/// Yes runs the confirmation's action; no (or, when dropping an item, any other key) cancels it.
fn on_confirm_key(state: &mut State, confirm: Confirm, key: KeyEvent) -> Vec<Effect> {
    let answer = state.keymap.command(Context::Confirm, &key);
    let yes = answer == Some(Command::Yes);
    let no = answer == Some(Command::No) || matches!(confirm, Confirm::DropOutboxItem { .. });
    match confirm {
        Confirm::SendAnyway { .. } if yes => send(state),
        Confirm::ReplaceRequest { name } if yes => collection::save_form(state, name, true),
        Confirm::ImportCurl { method, body, .. } if yes => {
            form::import_curl(state, method, &body);
            vec![]
        }
        Confirm::ImportCurl { text, .. } if no => {
            form::paste_text(state, &text);
            vec![]
        }
        Confirm::SendAnyway { .. } if no => {
            state.focus = Focus::Form;
            state.form_mut().jump_to_first_problem();
            vec![]
        }
        Confirm::CannotSend if yes || no => {
            state.focus = Focus::Form;
            state.form_mut().jump_to_first_problem();
            vec![]
        }
        Confirm::DeleteProfile { name } if yes => delete_profile(state, &name),
        Confirm::DropBatch { .. } if yes => super::batch::drop_batch(state),
        Confirm::DropOutboxItem { id } if yes => {
            if let Some(at) = state
                .log
                .entries()
                .iter()
                .position(|e| e.outbox_id == Some(id))
            {
                state.log.change(at, |row| {
                    row.outbox_id = None;
                    row.error_message = Some("dropped from the outbox".to_owned());
                });
            }
            state.outbox.dropped += 1;
            // The status line may still say the call is queued: it is not, any more.
            state.message = Some((
                Level::Info,
                format!("dropped #{id} from the outbox: it will not be sent"),
            ));
            vec![Effect::DropOutboxItem(id)]
        }
        Confirm::DeleteProfile { .. } if no => {
            state.overlay = Overlay::Profiles { selected: 0 };
            vec![]
        }
        _ if no => vec![],
        confirm => {
            state.overlay = Overlay::Confirm(confirm);
            vec![]
        }
    }
}

//! The profile manager (Ctrl+P): choose, add, edit, delete, make default; and what the
//! profiles file says after a change or a read.

use crate::profiles::{Change, Profile};
use crate::term::edit_line;
use crate::tui::action::Effect;
use crate::tui::keys::{Command, Context};
use crate::tui::profile_editor::ProfileEditor;
use crate::tui::state::{Confirm, Level, Overlay, State};
use crossterm::event::KeyEvent;

/// The file as it is after a change or a read. A change that did not land is said, and the file
/// is read again so the screen shows what it holds.
pub(super) fn profiles_read(
    state: &mut State,
    result: Result<crate::profiles::Profiles, crate::term::Failure>,
    changed: bool,
) -> Vec<Effect> {
    match result {
        Ok(profiles) => {
            state.profiles = profiles;
            if let Overlay::Profiles { selected } = &mut state.overlay {
                *selected = (*selected).min(state.profiles.list().len() - 1);
            }
            vec![]
        }
        Err(e) if changed => {
            state.message = Some((Level::Error, format!("the profiles were not saved: {e}")));
            vec![Effect::LoadProfiles]
        }
        Err(e) => {
            state.message = Some((Level::Error, format!("the profiles could not be read: {e}")));
            vec![]
        }
    }
}

/// Opens the list and reads the file again: profiles added elsewhere (the CLI, another console)
/// appear.
pub(super) fn open_profiles(state: &mut State) -> Vec<Effect> {
    let selected = state
        .profiles
        .list()
        .iter()
        .position(|p| p.name == state.profile.name)
        .unwrap_or(0);
    state.overlay = Overlay::Profiles { selected };
    vec![Effect::LoadProfiles]
}

/// The profile manager: choose, add, edit, delete, make default.
pub(super) fn on_profiles_key(state: &mut State, selected: usize, key: KeyEvent) -> Vec<Effect> {
    let list = state.profiles.list();
    let chosen = list.get(selected).cloned();
    let keep = |state: &mut State, selected: usize| state.overlay = Overlay::Profiles { selected };
    let Some(command) = state.keymap.command(Context::Profiles, &key) else {
        keep(state, selected);
        return vec![];
    };
    match command {
        Command::Up => keep(state, selected.saturating_sub(1)),
        Command::Down => keep(state, (selected + 1).min(list.len().saturating_sub(1))),
        // The list is short: a page is the whole of it, as Home and End are.
        Command::PageUp | Command::First => keep(state, 0),
        Command::PageDown | Command::Last => keep(state, list.len().saturating_sub(1)),
        Command::Open => match chosen {
            Some(profile) if profile.name != state.profile.name => {
                state.message = Some((Level::Info, format!("switching to {}…", profile.name)));
                return vec![Effect::SwitchProfile(profile)];
            }
            _ => {}
        },
        Command::AddProfile => {
            state.overlay = Overlay::ProfileEditor(Box::new(ProfileEditor::add()));
        }
        Command::DeleteProfile if chosen.as_ref().is_some_and(Profile::is_builtin) => {
            keep(state, selected);
            state.message = Some((
                Level::Warning,
                "`local` is built in: it cannot be deleted (e gives it default ids)".into(),
            ));
        }
        Command::EditProfile => {
            if let Some(p) = chosen {
                state.overlay = Overlay::ProfileEditor(Box::new(ProfileEditor::edit(&p)));
            }
        }
        Command::DeleteProfile => {
            if let Some(p) = chosen {
                state.overlay = Overlay::Confirm(Confirm::DeleteProfile { name: p.name });
            }
        }
        Command::MakeDefault => {
            keep(state, selected);
            if let Some(p) = chosen
                && state.profiles.set_default(&p.name).is_ok()
            {
                state.message = Some((
                    Level::Info,
                    format!("{} is now the default profile", p.name),
                ));
                return vec![Effect::ChangeProfiles(Change::SetDefault(p.name))];
            }
        }
        Command::Back => {}
        _ => keep(state, selected),
    }
    vec![]
}

pub(super) fn on_editor_key(
    state: &mut State,
    mut editor: ProfileEditor,
    key: KeyEvent,
) -> Vec<Effect> {
    let fields = editor.editable();
    let (first, last) = (fields.start, fields.end - 1);
    let count = fields.len();
    let step = |focus: usize, by: usize| first + (focus - first + by) % count;
    match state.keymap.command(Context::ProfileEditor, &key) {
        Some(Command::Cancel) => {
            state.overlay = Overlay::Profiles { selected: 0 };
            return vec![];
        }
        Some(Command::ToggleApi) => {
            editor.error = editor.toggle_api().err().map(|e| e.to_string());
        }
        Some(Command::NextField) => editor.focus = step(editor.focus, 1),
        Some(Command::PrevField) => editor.focus = step(editor.focus, count - 1),
        Some(Command::Accept) if editor.focus < last => editor.focus += 1,
        Some(Command::Accept | Command::Save) => {
            let mut profiles = state.profiles.clone();
            match editor.apply(&mut profiles) {
                Ok((saved, change)) => {
                    let saved_name = saved.name.clone();
                    state.profiles = profiles;
                    state.message = Some((
                        Level::Success,
                        format!("saved profile {} (key {})", saved.name, saved.key.masked()),
                    ));
                    let mut effects = vec![Effect::ChangeProfiles(change)];
                    let active = editor.original.as_deref() == Some(state.profile.name.as_str());
                    if active {
                        effects.push(Effect::SwitchProfile(saved));
                    }
                    // The list keeps the saved profile chosen, not the top row.
                    let selected = state
                        .profiles
                        .list()
                        .iter()
                        .position(|p| p.name == saved_name)
                        .unwrap_or(0);
                    state.overlay = Overlay::Profiles { selected };
                    return effects;
                }
                Err(e) => editor.error = Some(e),
            }
        }
        _ => {
            edit_line(&mut editor.inputs[editor.focus], key);
        }
    }
    state.overlay = Overlay::ProfileEditor(Box::new(editor));
    vec![]
}

pub(super) fn delete_profile(state: &mut State, name: &str) -> Vec<Effect> {
    match state.profiles.remove(name) {
        Ok(_) => {
            state.message = Some((Level::Info, format!("deleted profile {name}")));
            state.overlay = Overlay::Profiles { selected: 0 };
            let mut effects = vec![Effect::ChangeProfiles(Change::Remove(name.to_owned()))];
            if state.profile.name == name {
                effects.push(Effect::SwitchProfile(
                    state
                        .profiles
                        .get(crate::profiles::LOCAL)
                        .unwrap_or_else(Profile::local),
                ));
            }
            effects
        }
        Err(e) => {
            state.message = Some((Level::Error, e.to_string()));
            vec![]
        }
    }
}

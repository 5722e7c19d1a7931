//! The Flags view (F7): loads the environment's flags for the context editor's user and
//! company, explains each for the context (evaluated here with the loop's time), and edits the
//! context. The reads run as an effect and come back as `Action::FlagsLoaded`.

use super::{Context, Effect, Screen, State};
use crate::api::Api;
use crate::client::flags::FlagsError;
use crate::term::{Failure, edit_line};
use crate::tui::flags::{FIELDS, Loaded};
use crate::tui::keys::Command;
use crossterm::event::KeyEvent;
use serde_json::Value;

/// An id a form holds (a string, or an integer sent as one).
fn form_id(state: &State, field: &str) -> Option<String> {
    let current = std::iter::once(state.form());
    current
        .chain(state.forms.iter())
        .find_map(|form| match &form.body()[field] {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
}

/// F7: the flags, for the forms' user and company the first time.
pub(super) fn open(state: &mut State) -> Vec<Effect> {
    state.screen = Screen::Flags;
    if state.flags.generation == 0 {
        let user = form_id(state, "userId").or_else(|| state.profile.user_id.clone());
        let company = form_id(state, "companyId").or_else(|| state.profile.company_id.clone());
        state.flags.editor.fields[0].set(user.as_deref().unwrap_or(""));
        state.flags.editor.fields[1].set(company.as_deref().unwrap_or(""));
    }
    let mut effects = load(state);
    // A local server says when its flags change (an edited collection or --flags file), so
    // the view follows without `r`; a remote service does not, and is read on `r`.
    if state.profile.api() == Api::Runtime && state.profile.has_local_store() {
        state.flags.watch += 1;
        effects.push(Effect::WatchFlags {
            target: state.target(),
            watch: state.flags.watch,
        });
    }
    effects
}

/// The server reloaded its flags: shown again if F7 is in front and not being edited (the
/// next F7 reads them anyway).
pub(super) fn changed(state: &mut State, watch: u64) -> Vec<Effect> {
    if watch != state.flags.watch || state.screen != Screen::Flags || state.flags.editing.is_some()
    {
        return vec![];
    }
    state.message = Some((
        crate::tui::state::Level::Info,
        "the server's flags changed: read again".to_owned(),
    ));
    load(state)
}

fn load(state: &mut State) -> Vec<Effect> {
    let generation = state.flags.reload();
    state.flags.reports.clear();
    if state.profile.api() != Api::Runtime {
        let why = FlagsError::NotRuntime(state.profile.name.clone());
        state.flags.loaded = Some(Err(Failure::from(why)));
        return vec![];
    }
    let company = state.flags.editor.company().map(str::to_owned);
    state.flags.stored_for.clone_from(&company);
    vec![Effect::LoadFlags {
        target: state.target(),
        generation,
        context: state.flags.editor.context(),
        company,
        local_store: state.profile.has_local_store(),
        prefill: state.flags.editor.fields[2].text().trim().is_empty(),
    }]
}

/// A load came back: the store's attributes fill an empty attributes field (the effect used
/// them for the server's evaluation too), then every flag is explained.
pub(super) fn loaded(state: &mut State, generation: u64, result: Result<Loaded, Failure>) {
    if generation != state.flags.generation {
        return;
    }
    if let Ok(Loaded {
        stored: Some(stored),
        ..
    }) = &result
        && state.flags.editor.fields[2].text().trim().is_empty()
    {
        let text = stored
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        state.flags.editor.fields[2].set(&text);
    }
    state.flags.loaded = Some(result);
    state.flags.explain(state.now_ms);
}

pub(super) fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if let Some((field, _)) = &state.flags.editing {
        return edit_key(state, *field, key);
    }
    match state.keymap.command(Context::Flags, &key) {
        Some(Command::Back) => state.screen = Screen::Console,
        Some(Command::Reload) => return load(state),
        Some(Command::Edit) => {
            state.flags.editing = Some((0, state.flags.editor.clone()));
        }
        Some(Command::Down) => state.flags.move_selection(1),
        Some(Command::Up) => state.flags.move_selection(-1),
        Some(Command::First) => state.flags.move_selection(isize::MIN),
        Some(Command::Last) => state.flags.move_selection(isize::MAX),
        Some(Command::PageDown) => state.flags.scroll = state.flags.scroll.saturating_add(10),
        Some(Command::PageUp) => state.flags.scroll = state.flags.scroll.saturating_sub(10),
        _ => {}
    }
    vec![]
}

/// The editing keys of `Context::FlagsEdit`: the next and previous field, evaluate, put the fields
/// back; any other key edits the field.
fn edit_key(state: &mut State, field: usize, key: KeyEvent) -> Vec<Effect> {
    let view = &mut state.flags;
    match state.keymap.command(Context::FlagsEdit, &key) {
        Some(Command::NextField) => set_field(view, (field + 1) % FIELDS.len()),
        Some(Command::PrevField) => set_field(view, (field + FIELDS.len() - 1) % FIELDS.len()),
        Some(Command::Cancel) => {
            if let Some((_, before)) = view.editing.take() {
                view.editor = before;
            }
        }
        Some(Command::Accept) => {
            view.editing = None;
            // Definitions are evaluated here; a new company may have stored attributes, and a
            // publishable key's outcomes come only from the server.
            let same_company = view.stored_for.as_deref() == view.editor.company();
            if view.shows_trees() && same_company {
                view.explain(state.now_ms);
            } else {
                return load(state);
            }
        }
        _ => {
            edit_line(&mut view.editor.fields[field], key);
        }
    }
    vec![]
}

fn set_field(view: &mut crate::tui::flags::FlagsView, field: usize) {
    if let Some((at, _)) = &mut view.editing {
        *at = field;
    }
}

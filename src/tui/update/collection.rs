//! The collection in the console: loading it (a bad edit keeps what was loaded and says where),
//! the Ctrl+O picker, a saved request loaded into its form, and templates resolved for the raw
//! editor's preview and afresh for each send.

use crate::term::edit_line;
use crate::tui::action::{Action, Effect};
use crate::tui::keys::{Command, Context};
use crate::tui::state::{Confirm, Detail, Focus, Level, Overlay, Screen, State};
use crossterm::event::KeyEvent;

use crate::collection::Collection;
use crate::tui::collection::{
    BodyError, EntryKind, Picker, ScenarioCall, ScenarioRun, resolve_text,
};
use std::collections::BTreeMap;

/// The collection's actions: the file read or touched, a scenario's calls.
pub(super) fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::ScenarioCall(report) => scenario_call(state, *report),
        Action::ScenarioDone => scenario_done(state),
        Action::CollectionTouched => return vec![Effect::LoadCollection],
        Action::CollectionLoaded(result) => collection_loaded(state, result),
        Action::RequestSaved(result) => {
            state.message = Some(match result {
                Ok(name) => (Level::Success, format!("✓ saved as requests.{name}")),
                Err(e) => (
                    Level::Error,
                    format!("not saved: {}", crate::sanitize::sanitize(&e.to_string())),
                ),
            });
            return vec![Effect::LoadCollection];
        }
        _ => {}
    }
    vec![]
}

/// A read of the file finished: `Ok(None)` when there is none.
fn collection_loaded(
    state: &mut State,
    result: Result<Option<Collection>, crate::collection::CollectionError>,
) {
    match result {
        Ok(Some(c)) => {
            if state.collection.salt == 0 {
                state.collection.salt = state.now_ms.unsigned_abs() | 1;
            }
            state.collection.loaded = Some(c);
            state.collection.problem = None;
        }
        Ok(None) => {
            state.collection.loaded = None;
            state.collection.problem = None;
        }
        // Kept: an edit half-done in an editor must not take the requests away. The status line
        // says so once (not again for each read of the same error), replacing "saved".
        Err(e) => {
            // The file's text reaches the terminal: sanitized like anything read from outside.
            let e = crate::sanitize::sanitize(&e.to_string());
            if state.collection.problem.as_ref() != Some(&e) {
                let first = e.lines().next().unwrap_or_default();
                let more = e.lines().count() - 1;
                let more = if more > 0 {
                    format!(" (and {more} more)")
                } else {
                    String::new()
                };
                state.message = Some((Level::Error, broken_hint(state, first, &more)));
            }
            state.collection.problem = Some(e);
        }
    }
}

/// The collection's first problem, and the key (as bound) of the picker that lists them all.
fn broken_hint(state: &State, first: &str, more: &str) -> String {
    format!(
        "the collection no longer loads: {first}{more} · {} shows all",
        state.keymap.shared(Command::OpenCollection)
    )
}

/// Ctrl+O.
pub(super) fn open_picker(state: &mut State) -> Vec<Effect> {
    state.overlay = Overlay::Picker(Box::default());
    vec![Effect::LoadCollection]
}

pub(super) fn on_picker_key(
    state: &mut State,
    mut picker: Box<Picker>,
    key: KeyEvent,
) -> Vec<Effect> {
    let entries = state.collection.entries(picker.filter.text());
    match state.keymap.command(Context::Picker, &key) {
        Some(Command::Back) => return vec![],
        Some(Command::SaveForm) => {
            state.overlay = Overlay::SaveRequest {
                name: crate::term::LineInput::new(picker.filter.text()),
            };
            return vec![];
        }
        Some(Command::Up) => picker.selected = picker.selected.saturating_sub(1),
        Some(Command::Down) => {
            picker.selected = (picker.selected + 1).min(entries.len().saturating_sub(1));
        }
        Some(Command::Open) => {
            let Some(entry) = entries.get(picker.selected) else {
                state.overlay = Overlay::Picker(picker);
                return vec![];
            };
            return match entry.kind {
                EntryKind::Request { .. } => {
                    load_request(state, &entry.name);
                    vec![]
                }
                EntryKind::Scenario { .. } => run_scenario(state, &entry.name),
            };
        }
        _ => {
            if edit_line(&mut picker.filter, key) {
                picker.selected = 0;
            }
        }
    }
    state.overlay = Overlay::Picker(picker);
    vec![]
}

/// A saved request in its form: typed fields when it has no templates, else the raw editor as
/// written, its resolved body previewed.
pub(super) fn load_request(state: &mut State, name: &str) {
    let Some(request) = state
        .collection
        .loaded
        .as_ref()
        .and_then(|c| c.requests.get(name))
        .cloned()
    else {
        return;
    };
    let text = serde_json::to_string_pretty(&request.written).unwrap_or_default();
    let templated = crate::tui::collection::is_templated(&request);
    state.method = request.method;
    state.focus = Focus::Form;
    state.detail = None;
    state.screen = Screen::Console;
    let form = state.form_mut();
    if templated {
        form.raw = Some(Box::new(crate::tui::form::raw_editor(&text)));
    } else {
        form.load(&text);
    }
    refresh_preview(state);
    state.message = Some((
        Level::Info,
        if templated {
            format!(
                "requests.{name}: templates are resolved afresh for each {}; the next send is previewed",
                state.keymap.shared(Command::Send)
            )
        } else {
            format!("requests.{name} loaded into the {} form", request.method)
        },
    ));
}

fn vars(state: &State) -> BTreeMap<String, serde_json::Value> {
    state
        .collection
        .loaded
        .as_ref()
        .map(|c| c.vars.clone())
        .unwrap_or_default()
}

/// Raw JSON with templates: the next send's body, previewed and validated in their place.
pub(super) fn refresh_preview(state: &mut State) {
    let now = state.now_ms;
    let preview = match &state.form().raw {
        Some(area) => resolve_text(
            &area.lines().join("\n"),
            &vars(state),
            &state.profile.ids(),
            &state.collection.env,
            state.collection.seq + 1,
            now,
            state.collection.salt,
        ),
        None => None,
    };
    let form = state.form_mut();
    if form.preview != preview {
        form.preview = preview;
        form.validate(now);
    }
}

/// The body a send takes: templates resolved afresh (the next `{{seq}}`), or the text as it is.
pub(super) fn body_to_send(state: &mut State) -> Result<String, BodyError> {
    let text = state.form().body_text();
    if state.form().raw.is_none() {
        return Ok(text);
    }
    let seq = state.collection.seq + 1;
    let salt = state.collection.salt;
    match resolve_text(
        &text,
        &vars(state),
        &state.profile.ids(),
        &state.collection.env,
        seq,
        state.now_ms,
        salt,
    ) {
        None => Ok(text),
        Some(Ok(body)) => {
            // The key must stay out of bodies, stores and logs, whole or split.
            if serde_json::from_str(&body)
                .is_ok_and(|v| crate::collection::holds_key(&v, &state.profile.key))
            {
                return Err(BodyError::HoldsKey);
            }
            state.collection.seq = seq;
            Ok(body)
        }
        Some(Err(e)) => Err(BodyError::Template(e)),
    }
}

/// Runs a scenario from the picker; its calls arrive in the overlay as they finish.
fn run_scenario(state: &mut State, name: &str) -> Vec<Effect> {
    let Some(collection) = state.collection.loaded.clone() else {
        return vec![];
    };
    state.overlay = Overlay::Scenario(Box::new(ScenarioRun {
        name: name.to_owned(),
        ..ScenarioRun::default()
    }));
    vec![Effect::RunScenario {
        collection: Box::new(collection),
        name: name.to_owned(),
        target: state.target(),
        profile_ids: state.profile.ids(),
        env: state.collection.env.clone(),
    }]
}

/// A call of the running scenario: its verdict in the overlay, its exchange in the log.
fn scenario_call(state: &mut State, report: crate::collection::run::CallReport) {
    let log_id = report.exchange.as_ref().and_then(|e| e.id);
    if let Some(exchange) = report.exchange.clone() {
        super::log::merge_entry(state, exchange);
    }
    if let Overlay::Scenario(run) = &mut state.overlay
        && run.name == report.item
    {
        run.calls.push(ScenarioCall {
            step: report.step.unwrap_or(1),
            method: report.method,
            status: report
                .exchange
                .as_ref()
                .and_then(crate::client::Exchange::status),
            verdict: report.verdict,
            log_id,
        });
    }
}

fn scenario_done(state: &mut State) {
    if let Overlay::Scenario(run) = &mut state.overlay {
        run.done = true;
    }
}

pub(super) fn on_scenario_key(state: &mut State, mut run: Box<ScenarioRun>, key: KeyEvent) {
    match state.keymap.command(Context::Scenario, &key) {
        Some(Command::Back) => return,
        Some(Command::Up) => run.selected = run.selected.saturating_sub(1),
        Some(Command::Down) => {
            run.selected = (run.selected + 1).min(run.calls.len().saturating_sub(1));
        }
        Some(Command::Open) => {
            let id = run.calls.get(run.selected).and_then(|c| c.log_id);
            if let Some(index) = state
                .log
                .entries()
                .iter()
                .position(|e| id.is_some() && e.id == id)
            {
                state.detail = Some(Detail::open(
                    index,
                    &state.log.entries()[index],
                    state.color,
                ));
                state.focus = Focus::Detail;
                state.screen = Screen::Console;
                return;
            }
            state.message = Some((
                Level::Warning,
                "that call was not sent (its reason is on its line)".to_owned(),
            ));
        }
        _ => {}
    }
    state.overlay = Overlay::Scenario(run);
}

/// Typing the name to save the form under; Enter saves (asking first when the name is taken).
pub(super) fn on_save_key(
    state: &mut State,
    mut name: crate::term::LineInput,
    key: KeyEvent,
) -> Vec<Effect> {
    match state.keymap.command(Context::SaveName, &key) {
        Some(Command::Cancel) => vec![],
        Some(Command::Accept) => {
            let name = name.text().trim().to_owned();
            if !crate::collection::template::is_name(&name) {
                state.message = Some((
                    Level::Warning,
                    "a request's name: letters, digits, _ and -".to_owned(),
                ));
                state.overlay = Overlay::SaveRequest {
                    name: crate::term::LineInput::new(&name),
                };
                return vec![];
            }
            let taken = state
                .collection
                .loaded
                .as_ref()
                .is_some_and(|c| c.requests.contains_key(&name));
            if taken {
                state.overlay = Overlay::Confirm(Confirm::ReplaceRequest { name });
                return vec![];
            }
            save_form(state, name, false)
        }
        _ => {
            edit_line(&mut name, key);
            state.overlay = Overlay::SaveRequest { name };
            vec![]
        }
    }
}

/// The current form as a saved request: its fields' body, or the raw text (templates kept).
pub(super) fn save_form(state: &mut State, name: String, replace: bool) -> Vec<Effect> {
    let form = state.form();
    let body = match &form.raw {
        None => Ok(form.body()),
        Some(area) => serde_json::from_str::<serde_json::Value>(&area.lines().join("\n"))
            .map_err(|e| format!("the raw JSON is not JSON ({e})")),
    };
    let body = match body {
        Ok(b) if b.is_object() => b,
        Ok(_) => {
            state.message = Some((
                Level::Error,
                "not saved: the body is not a JSON object".into(),
            ));
            return vec![];
        }
        Err(e) => {
            state.message = Some((Level::Error, format!("not saved: {e}")));
            return vec![];
        }
    };
    let path = state
        .collection
        .loaded
        .as_ref()
        .map_or_else(|| state.collection.new_file.clone(), |c| c.path.clone());
    vec![Effect::SaveRequest {
        path,
        name,
        method: state.method,
        body,
        replace,
    }]
}

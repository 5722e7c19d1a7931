//! Editing the form: tabs, fields, the raw JSON editor, paste, profile defaults.

use super::log::load_into_form;
use crate::api::payload::Source;
use crate::api::{Method, timestamp};
use crate::term::{Failure, edit_line};
use crate::tui::action::{Edited, Effect};
use crate::tui::form::{Column, FieldValue, Form, Kind};
use crate::tui::keys::{Command, Context};
use crate::tui::state::{Confirm, Focus, Level, Overlay, State, method_index};
use crossterm::event::{KeyCode, KeyEvent};

/// Sets `body`'s fields over what `method`'s form holds and goes there, the cursor on what is
/// still missing (a feedback's score, a user's company): one Ctrl+S from sending. The Data view's
/// and the Features view's `u`.
pub(super) fn fill_form(
    state: &mut State,
    method: Method,
    body: &serde_json::Map<String, serde_json::Value>,
    note: String,
) {
    let mut merged = match serde_json::from_str::<serde_json::Value>(
        &state.forms[method_index(method)].body_text(),
    ) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    merged.extend(body.iter().map(|(k, v)| (k.clone(), v.clone())));
    load_into_form(
        state,
        method,
        &serde_json::Value::Object(merged).to_string(),
        &[],
        None,
    );
    let form = state.form_mut();
    if let Some(first) = form.fields.iter().position(|f| !f.errors.is_empty()) {
        form.focus = first;
    }
    state.message = Some((Level::Info, note));
}

pub(super) fn switch_tab(state: &mut State, step: usize) {
    let next = (method_index(state.method) + step) % Method::ALL.len();
    select_tab(state, Method::ALL[next]);
}

pub(super) fn select_tab(state: &mut State, method: Method) {
    carry_ids(state, method);
    state.method = method;
    state.focus = Focus::Form;
    state.detail = None;
}

/// The user and company typed in one form are the ones the next form is most likely about: an
/// empty `userId` or `companyId` there takes the value (and its integer type) from the form being
/// left. Ctrl+U clears it when it is not wanted.
fn carry_ids(state: &mut State, to: Method) {
    let from = method_index(state.method);
    let to = method_index(to);
    if from == to || state.forms[from].raw.is_some() || state.forms[to].raw.is_some() {
        return;
    }
    let mut carried = false;
    for name in ["userId", "companyId"] {
        let Some((text, integer)) = state.forms[from]
            .fields
            .iter()
            .find(|f| f.name == name)
            .and_then(|f| match &f.value {
                FieldValue::Line(input) if !input.text().is_empty() => {
                    Some((input.text().to_owned(), f.integer))
                }
                _ => None,
            })
        else {
            continue;
        };
        if let Some(field) = state.forms[to].fields.iter_mut().find(|f| f.name == name)
            && let FieldValue::Line(input) = &mut field.value
            && input.text().is_empty()
        {
            input.set(&text);
            field.integer = integer;
            carried = true;
        }
    }
    if carried {
        let now = state.now_ms;
        state.forms[to].validate(now);
    }
}

pub(super) fn toggle_raw(state: &mut State) {
    let now = state.now_ms;
    let switched = state.form_mut().toggle_raw();
    state.form_mut().validate(now);
    let form = state.form();
    state.message = Some(match (switched, form.raw.is_some()) {
        (true, true) => (
            Level::Info,
            format!(
                "editing the body as raw JSON; it is sent exactly as typed ({}: back to fields)",
                state.keymap.shared(Command::ToggleRaw)
            ),
        ),
        (true, false) => (Level::Info, "back to the fields".into()),
        (false, _) => (
            Level::Warning,
            "the fields cannot show this body; it stays raw JSON".into(),
        ),
    });
    state.focus = Focus::Form;
}

pub(super) fn on_form_key(state: &mut State, key: KeyEvent) {
    let now = state.now_ms;
    // The focused field's own keys, and the moves between fields that every field shares.
    let command = state.keymap.command(state.context(), &key);
    let moves = state
        .keymap
        .command(Context::Form, &key)
        .filter(|c| matches!(c, Command::NextField | Command::PrevField));
    let form = state.form_mut();
    // Raw JSON takes every key as text (the text area ignores those that type nothing, Esc).
    if let Some(area) = &mut form.raw {
        area.input(key);
        form.validate(now);
        return;
    }
    match moves {
        Some(Command::NextField) => form.focus = (form.focus + 1) % form.fields.len(),
        Some(_) => form.focus = (form.focus + form.fields.len() - 1) % form.fields.len(),
        None => {
            if edit_field(form, key, command, now) {
                form.validate(now);
            }
        }
    }
}

/// Applies a key to the focused field (`command`: what the keymap makes of it there); `true`
/// when the value changed.
pub(super) fn edit_field(
    form: &mut Form,
    key: KeyEvent,
    command: Option<Command>,
    now: i64,
) -> bool {
    let field = form.field_mut();
    let kind = field.kind;
    if kind == Kind::Id && command == Some(Command::IntegerId) {
        field.integer = !field.integer;
        return true;
    }
    match (&mut field.value, command, key.code) {
        (FieldValue::Score(score), Some(Command::NoScore), _) => *score = None,
        (FieldValue::Score(score), Some(Command::Raise), _) => {
            *score = Some(score.map_or(1, |s| (s + 1).min(5)));
        }
        (FieldValue::Score(score), Some(Command::Lower), _) => {
            *score = score.and_then(|s| (s > 1).then(|| s - 1));
        }
        // A digit is the score itself, a typed value (so not a binding; see keys::EDITING).
        (FieldValue::Score(score), _, KeyCode::Char(c @ '1'..='5')) => {
            *score = Some(c as u8 - b'0');
        }
        (FieldValue::Comment(area), _, _) => return comment_key(area, key, command),
        (FieldValue::Context(active), Some(Command::NextChoice), _) => {
            *active = match active {
                None => Some(true),
                Some(true) => Some(false),
                Some(false) => None,
            };
        }
        (FieldValue::Context(active), Some(Command::PrevChoice), _) => {
            *active = match active {
                None => Some(false),
                Some(false) => Some(true),
                Some(true) => None,
            };
        }
        (FieldValue::Source(source), Some(c @ (Command::NextChoice | Command::PrevChoice)), _) => {
            let order: Vec<Option<Source>> = std::iter::once(None)
                .chain(Source::ALL.into_iter().map(Some))
                .collect();
            let at = order.iter().position(|s| s == source).unwrap_or(0);
            let step = if c == Command::PrevChoice {
                order.len() - 1
            } else {
                1
            };
            *source = order[(at + step) % order.len()];
        }
        (FieldValue::Line(input), Some(Command::Now), _) if kind == Kind::Timestamp => {
            input.set(&timestamp::format(now));
        }
        (FieldValue::Line(input), _, _) => return edit_line(input, key),
        (FieldValue::Attributes(attrs), command, _) => match command {
            Some(Command::AddRow) => attrs.add_row(),
            Some(Command::DeleteRow) => attrs.delete_row(),
            Some(Command::CycleType) => {
                // The text stays through null, so cycling back finds it again.
                let row = &mut attrs.rows[attrs.row];
                row.kind = row.kind.next();
            }
            Some(Command::Up) => attrs.row = attrs.row.saturating_sub(1),
            Some(Command::Down) => attrs.row = (attrs.row + 1).min(attrs.rows.len() - 1),
            Some(Command::NextCell) => match attrs.column {
                Column::Key => attrs.column = Column::Value,
                Column::Value if attrs.row + 1 == attrs.rows.len() => attrs.add_row(),
                Column::Value => {
                    attrs.row += 1;
                    attrs.column = Column::Key;
                }
            },
            _ => return edit_line(attrs.current(), key),
        },
        _ => return false,
    }
    true
}

pub(super) fn paste(state: &mut State, text: &str) {
    if let Overlay::ProfileEditor(editor) = &mut state.overlay {
        let focus = editor.focus;
        editor.inputs[focus].insert(text.trim());
        return;
    }
    if state.focus != Focus::Form || state.overlay != Overlay::None {
        return;
    }
    if let Some(offer) = curl_offer(text) {
        state.overlay = Overlay::Confirm(offer);
        return;
    }
    paste_text(state, text);
}

/// A pasted curl command that is a tracking call: the question whether to import it.
fn curl_offer(text: &str) -> Option<Confirm> {
    let trimmed = text.trim_start();
    if !trimmed.starts_with("curl ") {
        return None;
    }
    let words = crate::collection::curl::split(trimmed).ok()?;
    let imported = crate::collection::curl::parse(&words).ok()?;
    Some(Confirm::ImportCurl {
        method: imported.method,
        body: imported.body.to_string(),
        text: text.to_owned(),
    })
}

/// The import's answer: yes loads the call into its form (key and base URL dropped), no pastes
/// the command as the text it is.
pub(super) fn import_curl(state: &mut State, method: Method, body: &str) {
    select_tab(state, method);
    let now = state.now_ms;
    let form = state.form_mut();
    form.load(body);
    form.validate(now);
    state.message = Some((
        Level::Info,
        format!(
            "curl command imported into the {method} form; its key and base URL were dropped (profiles hold them)"
        ),
    ));
}

pub(super) fn paste_text(state: &mut State, text: &str) {
    let now = state.now_ms;
    let form = state.form_mut();
    if let Some(area) = &mut form.raw {
        area.insert_str(text);
    } else {
        match &mut form.field_mut().value {
            FieldValue::Line(input) => input.insert(text),
            FieldValue::Comment(area) => {
                area.insert_str(text);
            }
            FieldValue::Attributes(attrs) => attrs.current().insert(text),
            _ => return,
        }
    }
    form.validate(now);
}

pub(super) fn fill_defaults(form: &mut Form, defaults: &[(&str, Option<&str>)], now: i64) {
    for (name, value) in defaults {
        if let (Some(field), Some(v)) = (form.fields.iter_mut().find(|f| f.name == *name), value)
            && let FieldValue::Line(input) = &mut field.value
            && input.text().is_empty()
        {
            input.set(v);
        }
    }
    form.validate(now);
}

/// The comment box's own commands (`Context::Comment`): clear the line, undo, redo, cut an
/// over-long comment to the limit. Every other key is the text area's own.
fn comment_key(
    area: &mut ratatui_textarea::TextArea<'static>,
    key: KeyEvent,
    command: Option<Command>,
) -> bool {
    use ratatui_textarea::CursorMove;
    match command {
        Some(Command::ClearLine) => {
            area.move_cursor(CursorMove::Head);
            area.delete_line_by_end()
        }
        Some(Command::Undo) => area.undo(),
        Some(Command::Redo) => area.redo(),
        Some(Command::CutToLimit) => {
            let text = area.lines().join("\n");
            let limit = crate::api::MAX_COMMENT_CHARS;
            if text.chars().count() <= limit {
                return false;
            }
            let cut: String = text.chars().take(limit).collect();
            *area = crate::term::comment_box(&cut);
            area.move_cursor(CursorMove::Bottom);
            area.move_cursor(CursorMove::End);
            true
        }
        _ => area.input(key),
    }
}

/// Alt+E: the focused comment, or else the whole body as JSON, goes to the user's editor.
pub(super) fn edit_externally(state: &mut State) -> Vec<Effect> {
    let method = state.method;
    let form = state.form();
    if state.focus == Focus::Form
        && form.raw.is_none()
        && let FieldValue::Comment(area) = &form.focused().value
    {
        let text = area.lines().join("\n");
        return vec![Effect::EditExternally {
            what: Edited::Comment(method),
            text,
        }];
    }
    let text = match &form.raw {
        Some(area) => area.lines().join("\n"),
        None => serde_json::to_string_pretty(&form.body()).unwrap_or_default(),
    };
    state.message = Some((
        Level::Info,
        format!("editing the body in {}…", crate::term::editor_command()),
    ));
    vec![Effect::EditExternally {
        what: Edited::Body(method),
        text,
    }]
}

/// The editor closed: its text replaces what was sent to it (a body edited from raw JSON stays
/// raw; one edited from the fields goes back to them when they can hold it).
pub(super) fn edited_externally(state: &mut State, what: Edited, result: Result<String, Failure>) {
    let text = match result {
        Ok(text) => text,
        Err(e) => {
            state.message = Some((Level::Warning, e.to_string()));
            return;
        }
    };
    let now = state.now_ms;
    let (Edited::Body(method) | Edited::Comment(method)) = what;
    state.method = method;
    state.focus = Focus::Form;
    state.detail = None;
    let form = state.form_mut();
    match what {
        Edited::Comment(_) => {
            if let Some(field) = form
                .fields
                .iter_mut()
                .find(|f| matches!(f.value, FieldValue::Comment(_)))
            {
                field.value = FieldValue::Comment(Box::new(crate::term::comment_box(&text)));
            }
        }
        Edited::Body(_) => {
            if form.raw.is_some() {
                form.raw = Some(Box::new(super::super::form::raw_editor(&text)));
            } else {
                form.load(&text);
            }
        }
    }
    form.validate(now);
    form.jump_to_first_problem();
    let problems = form.error_count();
    state.message = Some(if problems == 0 {
        (Level::Info, "edited in your editor".to_owned())
    } else {
        (
            Level::Warning,
            format!(
                "edited in your editor; {problems} problem{} to fix",
                if problems == 1 { "" } else { "s" }
            ),
        )
    });
}

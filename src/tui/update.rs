//! `update(&mut State, Action) -> Vec<Effect>`: synchronous, no I/O. Every change of the console
//! happens here, so it is tested without a terminal or a runtime.

use super::action::{Action, Effect};
use super::form::{AttrKind, Column, FieldValue, Form, Kind};
use super::layout;
use super::profile_editor::ProfileEditor;
use super::state::{
    Detail, Focus, Level, Overlay, RequestState, Screen, Search, ServerStatus, State, defaults,
    method_index,
};
use crate::api::payload::Source;
use crate::api::{Method, timestamp};
use crate::client::{Exchange, Outcome};
use crate::profiles::{Change, Profile};
use crate::sanitize::sanitize;
use crate::term::LineInput;
use crate::term::edit_line;
use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(key) if key.kind != KeyEventKind::Release => on_key(state, key),
        Action::Key(_) => vec![],
        Action::Paste(text) => {
            paste(state, &text);
            vec![]
        }
        Action::Mouse(mouse) => on_mouse(state, mouse),
        Action::Resize(w, h) => {
            state.size = (w, h);
            vec![]
        }
        Action::Tick => {
            if let RequestState::Sending { ticks, .. } = &mut state.request {
                *ticks += 1;
            }
            vec![]
        }
        Action::HistoryLoaded(result) => {
            state.log_loading = false;
            match result {
                Ok(entries) => {
                    // Exchanges sent before the history arrived stay on top.
                    state.log.extend(entries);
                }
                Err(e) => {
                    state.message =
                        Some((Level::Warning, format!("the log could not be loaded: {e}")));
                }
            }
            vec![]
        }
        Action::Sent(exchange) => {
            let mut effects = data::after_send(state, &exchange);
            let queue =
                exchange.outcome == Outcome::Failed && Method::parse(&exchange.method).is_some();
            if queue {
                effects.push(Effect::Enqueue(exchange.clone()));
            }
            sent(state, *exchange);
            effects
        }
        Action::ResultsLoaded(result) => {
            state.results = Some(result);
            vec![]
        }
        Action::Queued(_) | Action::OutboxDelivered { .. } | Action::OutboxLoaded(_) => {
            outbox_action(state, action)
        }
        Action::Health(result) => {
            state.server = match result {
                Ok(()) => ServerStatus::Answers,
                Err(e) => ServerStatus::Down(e),
            };
            vec![]
        }
        Action::DataLoaded { .. }
        | Action::EntityLoaded { .. }
        | Action::TrafficRecord { .. }
        | Action::TrafficLink { .. } => {
            view_result(state, action);
            vec![]
        }
        Action::ProfilesChanged(result) => profiles_read(state, result, true),
        Action::ProfilesRead(result) => profiles_read(state, result, false),
        Action::TargetReady(result) => match result {
            Ok((profile, base_url)) => {
                for form in &mut state.forms {
                    fill_defaults(form, &defaults(&profile));
                }
                state.message = Some((
                    Level::Info,
                    format!("profile {} ({})", profile.name, sanitize(&base_url)),
                ));
                state.profile = profile;
                state.base_url.clone_from(&base_url);
                state.server = ServerStatus::Checking;
                state.data = super::data::DataView::default();
                let mut effects = vec![Effect::CheckHealth { base_url }];
                if state.screen == Screen::Data {
                    effects.extend(data::open(state));
                }
                if state.traffic.started {
                    effects.extend(traffic::restart(state));
                }
                effects
            }
            Err(e) => {
                state.message = Some((Level::Error, format!("cannot switch profile: {e}")));
                vec![]
            }
        },
    }
}

/// What the Data and Traffic views' tasks report.
fn view_result(state: &mut State, action: Action) {
    match action {
        Action::DataLoaded { generation, result } => state.data.loaded(generation, result),
        Action::EntityLoaded { which, result } => state.data.entity_loaded(&which, result),
        Action::TrafficRecord { generation, record } => {
            state.traffic.arrived(generation, *record);
        }
        Action::TrafficLink { generation, link } if generation == state.traffic.generation => {
            state.traffic.link = link;
        }
        _ => {}
    }
}

fn outbox_action(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Queued(result) => queued(state, result),
        Action::OutboxDelivered { .. } => outbox_delivered(state, action),
        Action::OutboxLoaded(result) => {
            if let Ok(items) = &result {
                state.outbox_waiting = items
                    .iter()
                    .filter(|i| i.state == crate::outbox::State::Queued)
                    .count() as u64;
            }
            state.outbox.loaded(result);
            return vec![];
        }
        _ => return vec![],
    }
    reload_outbox(state)
}

/// F5: every feature's responses, scores and comments, read afresh.
fn open_results(state: &mut State) -> Vec<Effect> {
    state.screen = Screen::Results;
    state.results = None;
    state.results_scroll = 0;
    vec![Effect::LoadResults(state.target())]
}

fn results_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let scroll = &mut state.results_scroll;
    match key.code {
        KeyCode::Esc | KeyCode::F(5) => state.screen = Screen::Console,
        KeyCode::Char('r') => return open_results(state),
        KeyCode::Down | KeyCode::Char('j') => *scroll = scroll.saturating_add(1),
        KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
        KeyCode::PageDown => *scroll = scroll.saturating_add(10),
        KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
        KeyCode::Home => *scroll = 0,
        _ => {}
    }
    vec![]
}

/// The Outbox view shows the outbox as it is now.
fn reload_outbox(state: &State) -> Vec<Effect> {
    if state.screen == Screen::Outbox {
        vec![Effect::LoadOutbox]
    } else {
        vec![]
    }
}

fn queued(state: &mut State, result: Result<(i64, u64), String>) {
    state.message = Some(match result {
        Ok((id, waiting)) => {
            state.outbox_waiting = waiting;
            (
                Level::Warning,
                format!(
                    "not delivered: queued in the outbox as #{id} ({waiting} waiting); it is sent when the server answers"
                ),
            )
        }
        Err(e) => (
            Level::Error,
            format!("not delivered, and the outbox could not keep it: {e}"),
        ),
    });
}

fn outbox_delivered(state: &mut State, action: Action) {
    let Action::OutboxDelivered {
        exchanges,
        delivered,
        rejected,
        waiting,
    } = action
    else {
        return;
    };
    state.outbox_waiting = waiting;
    for exchange in exchanges {
        state.log.push_front(exchange);
        if let Some(detail) = &mut state.detail {
            detail.index += 1;
        }
    }
    if delivered + rejected > 0 {
        state.message = Some((
            if rejected > 0 {
                Level::Warning
            } else {
                Level::Success
            },
            format!(
                "outbox: {delivered} delivered, {rejected} refused by the server, {waiting} waiting"
            ),
        ));
    }
}

fn ctrl(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL)
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if ctrl(&key) && key.code == KeyCode::Char('c') {
        state.quit = true;
        return vec![];
    }
    if state.overlay != Overlay::None {
        return on_overlay_key(state, key);
    }
    if state.screen != Screen::Console {
        return on_view_key(state, key);
    }
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    match key.code {
        KeyCode::F(1) => {
            state.overlay = Overlay::Help;
            return vec![];
        }
        KeyCode::Char('s') if ctrl(&key) => return request_send(state),
        KeyCode::F(2) => return data::open(state),
        KeyCode::F(3) => return traffic::open(state),
        KeyCode::F(4) => return outbox_keys::open(state),
        KeyCode::F(5) => return open_results(state),
        KeyCode::Char('p') if ctrl(&key) => return open_profiles(state),
        KeyCode::Char('l') if ctrl(&key) => {
            state.focus = if state.focus == Focus::Form {
                Focus::Log
            } else {
                Focus::Form
            };
            state.detail = None;
            return vec![];
        }
        KeyCode::Char('r') if ctrl(&key) => {
            toggle_raw(state);
            return vec![];
        }
        KeyCode::Right if ctrl(&key) => {
            switch_tab(state, 1);
            return vec![];
        }
        KeyCode::Left if ctrl(&key) => {
            switch_tab(state, Method::ALL.len() - 1);
            return vec![];
        }
        KeyCode::Char(c @ '1'..='4') if alt => {
            select_tab(state, Method::ALL[(c as usize) - ('1' as usize)]);
            return vec![];
        }
        _ => {}
    }
    match state.focus {
        Focus::Form => {
            on_form_key(state, key);
            vec![]
        }
        Focus::Log => on_log_key(state, key),
        Focus::Detail => {
            on_detail_key(state, key);
            vec![]
        }
    }
}

/// The file as it is after a change or a read. A change that did not land is said, and the file
/// is read again so the screen shows what it holds.
fn profiles_read(
    state: &mut State,
    result: Result<crate::profiles::Profiles, String>,
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
fn open_profiles(state: &mut State) -> Vec<Effect> {
    let selected = state
        .profiles
        .list()
        .iter()
        .position(|p| p.name == state.profile.name)
        .unwrap_or(0);
    state.overlay = Overlay::Profiles { selected };
    vec![Effect::LoadProfiles]
}

/// The Data and Traffic views take every key but help, switching view, sending, profiles and
/// quitting.
fn on_view_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let typing = state.data.typing && state.screen == Screen::Data;
    match key.code {
        KeyCode::F(1) => {
            state.overlay = Overlay::Help;
            vec![]
        }
        KeyCode::F(2) if state.screen != Screen::Data && !typing => data::open(state),
        KeyCode::F(3) if state.screen != Screen::Traffic && !typing => traffic::open(state),
        KeyCode::F(4) if state.screen != Screen::Outbox && !typing => outbox_keys::open(state),
        KeyCode::F(5) if state.screen != Screen::Results && !typing => open_results(state),
        KeyCode::Char('s') if ctrl(&key) => request_send(state),
        KeyCode::Char('p') if ctrl(&key) => open_profiles(state),
        _ if state.screen == Screen::Traffic => traffic::on_key(state, key),
        _ if state.screen == Screen::Outbox => outbox_keys::on_key(state, key),
        _ if state.screen == Screen::Results => results_key(state, key),
        _ => data::on_key(state, key),
    }
}

fn on_overlay_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let overlay = std::mem::replace(&mut state.overlay, Overlay::None);
    match overlay {
        Overlay::ConfirmSend { problems } => match key.code {
            KeyCode::Enter | KeyCode::Char('y' | 'Y') => send(state),
            KeyCode::Esc | KeyCode::Char('n' | 'N') => vec![],
            _ => {
                state.overlay = Overlay::ConfirmSend { problems };
                vec![]
            }
        },
        Overlay::Help => {
            if !matches!(
                key.code,
                KeyCode::Esc | KeyCode::F(1) | KeyCode::Enter | KeyCode::Char('q')
            ) {
                state.overlay = Overlay::Help;
            }
            vec![]
        }
        Overlay::Profiles { selected } => on_profiles_key(state, selected, key),
        Overlay::ProfileEditor(editor) => on_editor_key(state, *editor, key),
        Overlay::ConfirmDelete { name } => match key.code {
            KeyCode::Enter | KeyCode::Char('y' | 'Y') => delete_profile(state, &name),
            KeyCode::Esc | KeyCode::Char('n' | 'N') => {
                state.overlay = Overlay::Profiles { selected: 0 };
                vec![]
            }
            _ => {
                state.overlay = Overlay::ConfirmDelete { name };
                vec![]
            }
        },
        Overlay::None => vec![],
    }
}

/// The profile manager: choose, add, edit, delete, make default.
fn on_profiles_key(state: &mut State, selected: usize, key: KeyEvent) -> Vec<Effect> {
    let list = state.profiles.list();
    let chosen = list.get(selected).cloned();
    let keep = |state: &mut State, selected: usize| state.overlay = Overlay::Profiles { selected };
    match key.code {
        KeyCode::Up => keep(state, selected.saturating_sub(1)),
        KeyCode::Down => keep(state, (selected + 1).min(list.len().saturating_sub(1))),
        KeyCode::Enter => match chosen {
            Some(profile) if profile.name != state.profile.name => {
                state.message = Some((Level::Info, format!("switching to {}…", profile.name)));
                return vec![Effect::SwitchProfile(profile)];
            }
            _ => {}
        },
        KeyCode::Char('a') => {
            state.overlay = Overlay::ProfileEditor(Box::new(ProfileEditor::add()));
        }
        KeyCode::Char('e' | 'd') if chosen.as_ref().is_some_and(Profile::is_local) => {
            keep(state, selected);
            state.message = Some((
                Level::Warning,
                "`local` is built in: it cannot be edited or deleted".into(),
            ));
        }
        KeyCode::Char('e') => {
            if let Some(p) = chosen {
                state.overlay = Overlay::ProfileEditor(Box::new(ProfileEditor::edit(&p)));
            }
        }
        KeyCode::Char('d') => {
            if let Some(p) = chosen {
                state.overlay = Overlay::ConfirmDelete { name: p.name };
            }
        }
        KeyCode::Char('*') => {
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
        KeyCode::Esc | KeyCode::Char('q') => {}
        _ => keep(state, selected),
    }
    vec![]
}

fn on_editor_key(state: &mut State, mut editor: ProfileEditor, key: KeyEvent) -> Vec<Effect> {
    let last = editor.inputs.len() - 1;
    match key.code {
        KeyCode::Esc => {
            state.overlay = Overlay::Profiles { selected: 0 };
            return vec![];
        }
        KeyCode::Tab | KeyCode::Down => editor.focus = (editor.focus + 1) % editor.inputs.len(),
        KeyCode::BackTab | KeyCode::Up => {
            editor.focus = (editor.focus + last) % editor.inputs.len();
        }
        KeyCode::Enter if editor.focus < last => editor.focus += 1,
        KeyCode::Enter | KeyCode::Char('s') if key.code == KeyCode::Enter || ctrl(&key) => {
            let mut profiles = state.profiles.clone();
            match editor.apply(&mut profiles) {
                Ok((saved, change)) => {
                    state.profiles = profiles;
                    state.message = Some((
                        Level::Success,
                        format!("saved profile {} (key {})", saved.name, saved.key),
                    ));
                    let mut effects = vec![Effect::ChangeProfiles(change)];
                    let active = editor.original.as_deref() == Some(state.profile.name.as_str());
                    if active {
                        effects.push(Effect::SwitchProfile(saved));
                    }
                    state.overlay = Overlay::Profiles { selected: 0 };
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

fn delete_profile(state: &mut State, name: &str) -> Vec<Effect> {
    match state.profiles.remove(name) {
        Ok(_) => {
            state.message = Some((Level::Info, format!("deleted profile {name}")));
            state.overlay = Overlay::Profiles { selected: 0 };
            let mut effects = vec![Effect::ChangeProfiles(Change::Remove(name.to_owned()))];
            if state.profile.name == name {
                effects.push(Effect::SwitchProfile(Profile::local()));
            }
            effects
        }
        Err(e) => {
            state.message = Some((Level::Error, e.to_string()));
            vec![]
        }
    }
}

fn switch_tab(state: &mut State, step: usize) {
    let next = (method_index(state.method) + step) % Method::ALL.len();
    select_tab(state, Method::ALL[next]);
}

fn select_tab(state: &mut State, method: Method) {
    state.method = method;
    state.focus = Focus::Form;
    state.detail = None;
}

fn toggle_raw(state: &mut State) {
    let switched = state.form_mut().toggle_raw();
    let form = state.form();
    state.message = Some(match (switched, form.raw.is_some()) {
        (true, true) => (
            Level::Info,
            "editing the body as raw JSON; it is sent exactly as typed (Ctrl+R: back to fields)"
                .into(),
        ),
        (true, false) => (Level::Info, "back to the fields".into()),
        (false, _) => (
            Level::Warning,
            "the fields cannot show this body; it stays raw JSON".into(),
        ),
    });
    state.focus = Focus::Form;
}

/// Ctrl+S: send, or ask first when the form breaks rules (sending it anyway is a use of this tool).
fn request_send(state: &mut State) -> Vec<Effect> {
    if matches!(state.request, RequestState::Sending { .. }) {
        state.message = Some((
            Level::Warning,
            "a request is in flight; wait for its answer".into(),
        ));
        return vec![];
    }
    state.form_mut().validate(timestamp::now_ms());
    let problems = state.form().error_count();
    if problems > 0 {
        state.overlay = Overlay::ConfirmSend { problems };
        return vec![];
    }
    send(state)
}

fn send(state: &mut State) -> Vec<Effect> {
    let method = state.method;
    state.request = RequestState::Sending { method, ticks: 0 };
    state.message = Some((Level::Info, format!("sending {method}…")));
    vec![Effect::Send {
        target: state.target(),
        method,
        body: state.form().body_text(),
    }]
}

fn sent(state: &mut State, exchange: Exchange) {
    state.request = RequestState::Idle;
    let status = exchange
        .status()
        .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
    let level = match exchange.outcome {
        Outcome::Delivered if exchange.warnings.is_empty() => Level::Success,
        Outcome::Delivered | Outcome::Rejected => Level::Warning,
        Outcome::Failed => Level::Error,
    };
    let mut text = format!(
        "{} {status} in {:.0} ms",
        exchange.method, exchange.latency_ms
    );
    if let Some(problem) = exchange.problem() {
        text = format!("{text}: {}", sanitize(&problem));
    } else if let Some(w) = exchange.warnings.first() {
        text = format!("{text}, warning: {}", sanitize(&w.message));
    }
    state.message = Some((level, text));
    if let Some(method) = Method::parse(&exchange.method) {
        let form = &mut state.forms[method_index(method)];
        form.validate(timestamp::now_ms());
        for e in &exchange.validation_errors {
            form.place_error(&e.path, &sanitize(&e.message));
        }
    }
    state.log.push_front(exchange);
    state.log_selected = 0;
    if let Some(detail) = &mut state.detail {
        detail.index += 1;
    }
}

fn on_form_key(state: &mut State, key: KeyEvent) {
    let form = state.form_mut();
    if form.raw.is_some() {
        if key.code == KeyCode::Esc {
            return;
        }
        if let Some(area) = &mut form.raw {
            area.input(key);
        }
        form.validate(timestamp::now_ms());
        return;
    }
    match key.code {
        KeyCode::Tab => form.focus = (form.focus + 1) % form.fields.len(),
        KeyCode::BackTab => form.focus = (form.focus + form.fields.len() - 1) % form.fields.len(),
        _ => {
            if edit_field(form, key) {
                form.validate(timestamp::now_ms());
            }
        }
    }
}

/// Applies a key to the focused field; `true` when the value changed.
fn edit_field(form: &mut Form, key: KeyEvent) -> bool {
    let field = form.field_mut();
    let kind = field.kind;
    match (&mut field.value, key.code) {
        (FieldValue::Score(score), KeyCode::Char(c @ '1'..='5')) => *score = Some(c as u8 - b'0'),
        (FieldValue::Score(score), KeyCode::Char('0') | KeyCode::Backspace | KeyCode::Delete) => {
            *score = None;
        }
        (FieldValue::Score(score), KeyCode::Right) => {
            *score = Some(score.map_or(1, |s| (s + 1).min(5)));
        }
        (FieldValue::Score(score), KeyCode::Left) => {
            *score = score.and_then(|s| (s > 1).then(|| s - 1));
        }
        (FieldValue::Comment(area), _) => return area.input(key),
        (FieldValue::Context(active), KeyCode::Char(' ') | KeyCode::Right) => {
            *active = match active {
                None => Some(true),
                Some(true) => Some(false),
                Some(false) => None,
            };
        }
        (FieldValue::Context(active), KeyCode::Left) => {
            *active = match active {
                None => Some(false),
                Some(false) => Some(true),
                Some(true) => None,
            };
        }
        (FieldValue::Source(source), KeyCode::Char(' ') | KeyCode::Right | KeyCode::Left) => {
            let order: Vec<Option<Source>> = std::iter::once(None)
                .chain(Source::ALL.into_iter().map(Some))
                .collect();
            let at = order.iter().position(|s| s == source).unwrap_or(0);
            let step = if key.code == KeyCode::Left {
                order.len() - 1
            } else {
                1
            };
            *source = order[(at + step) % order.len()];
        }
        (FieldValue::Line(input), KeyCode::Char('n')) if kind == Kind::Timestamp && ctrl(&key) => {
            input.set(&timestamp::format(timestamp::now_ms()));
        }
        (FieldValue::Line(input), _) => return edit_line(input, key),
        (FieldValue::Attributes(attrs), code) => match code {
            KeyCode::Char('n') if ctrl(&key) => attrs.add_row(),
            KeyCode::Char('d') if ctrl(&key) => attrs.delete_row(),
            KeyCode::Char('t') if ctrl(&key) => {
                let row = &mut attrs.rows[attrs.row];
                row.kind = row.kind.next();
                if row.kind == AttrKind::Null {
                    row.value.set("");
                }
            }
            KeyCode::Up => attrs.row = attrs.row.saturating_sub(1),
            KeyCode::Down => attrs.row = (attrs.row + 1).min(attrs.rows.len() - 1),
            KeyCode::Enter => match attrs.column {
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

fn paste(state: &mut State, text: &str) {
    if let Overlay::ProfileEditor(editor) = &mut state.overlay {
        let focus = editor.focus;
        editor.inputs[focus].insert(text.trim());
        return;
    }
    if state.focus != Focus::Form || state.overlay != Overlay::None {
        return;
    }
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
    form.validate(timestamp::now_ms());
}

fn on_log_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let last = state.log.len().saturating_sub(1);
    let page = usize::from(
        layout::compute(state.size.0, state.size.1)
            .log
            .height
            .saturating_sub(2),
    )
    .max(1);
    match key.code {
        KeyCode::Up => state.log_selected = state.log_selected.saturating_sub(1),
        KeyCode::Down => state.log_selected = (state.log_selected + 1).min(last),
        KeyCode::PageUp => state.log_selected = state.log_selected.saturating_sub(page),
        KeyCode::PageDown => state.log_selected = (state.log_selected + page).min(last),
        KeyCode::Home => state.log_selected = 0,
        KeyCode::End => state.log_selected = last,
        KeyCode::Esc => state.focus = Focus::Form,
        KeyCode::Enter if !state.log.is_empty() => {
            state.detail = Some(Detail {
                index: state.log_selected,
                selected_error: 0,
                scroll: 0,
                search: None,
            });
            state.focus = Focus::Detail;
        }
        KeyCode::Char('e') => load_selected(state, None),
        KeyCode::Char('r') => {
            if let Some(ex) = state.selected_exchange().cloned()
                && let Some(method) = Method::parse(&ex.method)
            {
                if matches!(state.request, RequestState::Sending { .. }) {
                    state.message = Some((
                        Level::Warning,
                        "a request is in flight; wait for its answer".into(),
                    ));
                    return vec![];
                }
                state.request = RequestState::Sending { method, ticks: 0 };
                state.message = Some((Level::Info, format!("resending {method}…")));
                return vec![Effect::Send {
                    target: state.target(),
                    method,
                    body: ex.request_body,
                }];
            }
        }
        KeyCode::Char('c') => {
            if let Some(ex) = state.selected_exchange() {
                let curl = ex.curl(None);
                state.message = Some((
                    Level::Info,
                    "copied as curl (key as $BUCKET_TRACKING_KEY)".into(),
                ));
                return vec![Effect::Copy(curl)];
            }
        }
        KeyCode::Char('y') => {
            if let Some(body) = state
                .selected_exchange()
                .and_then(|e| e.response.as_ref())
                .map(|r| r.body.clone())
            {
                state.message = Some((Level::Info, "copied the response body".into()));
                return vec![Effect::Copy(body)];
            }
        }
        _ => {}
    }
    vec![]
}

/// Loads the selected exchange's request into its method's form, focusing the field a path names.
fn load_selected(state: &mut State, path: Option<&str>) {
    let index = state
        .detail
        .as_ref()
        .map_or(state.log_selected, |d| d.index);
    let Some(ex) = state.log.get(index).cloned() else {
        return;
    };
    let Some(method) = Method::parse(&ex.method) else {
        state.message = Some((
            Level::Warning,
            format!("`{}` is not a method the forms know", sanitize(&ex.method)),
        ));
        return;
    };
    load_into_form(state, method, &ex.request_body, &ex.validation_errors, path);
    state.message = Some((
        Level::Info,
        format!(
            "exchange #{} loaded into the {method} form",
            ex.id.unwrap_or(0)
        ),
    ));
}

/// Puts a request body in its method's form with the errors an answer gave on their fields, and
/// goes there (the first error's field focused, or `path`'s).
fn load_into_form(
    state: &mut State,
    method: Method,
    body: &str,
    errors: &[crate::api::ValidationError],
    path: Option<&str>,
) {
    state.method = method;
    let form = state.form_mut();
    form.load(body);
    for e in errors {
        form.place_error(&e.path, &sanitize(&e.message));
    }
    if let Some(i) = path.and_then(|p| form.field_index(p)) {
        form.focus = i;
    }
    state.focus = Focus::Form;
    state.detail = None;
    state.screen = Screen::Console;
}

fn on_detail_key(state: &mut State, key: KeyEvent) {
    let Some(detail) = &mut state.detail else {
        state.focus = Focus::Log;
        return;
    };
    let errors = state
        .log
        .get(detail.index)
        .map_or(0, |e| e.validation_errors.len());
    if detail.search.as_ref().is_some_and(|s| s.typing)
        || matches!(key.code, KeyCode::Char('/' | 'n' | 'N'))
    {
        if let Some(exchange) = state.log.get(detail.index) {
            search_key(detail, exchange, key, state.size.0.saturating_sub(2));
        }
        return;
    }
    match key.code {
        KeyCode::Esc if detail.search.is_some() => detail.search = None,
        KeyCode::Esc => {
            state.detail = None;
            state.focus = Focus::Log;
        }
        KeyCode::Up => detail.selected_error = detail.selected_error.saturating_sub(1),
        KeyCode::Down => {
            detail.selected_error = (detail.selected_error + 1).min(errors.saturating_sub(1));
        }
        KeyCode::PageDown => detail.scroll = detail.scroll.saturating_add(10),
        KeyCode::PageUp => detail.scroll = detail.scroll.saturating_sub(10),
        KeyCode::Enter | KeyCode::Char('e') => {
            let path = state
                .log
                .get(detail.index)
                .and_then(|e| e.validation_errors.get(detail.selected_error))
                .map(|e| e.path.clone());
            load_selected(state, path.as_deref());
        }
        _ => {}
    }
}

/// `/` starts a search, typed until Enter (or Esc); then `n` and `N` move between matches.
fn search_key(detail: &mut Detail, exchange: &Exchange, key: KeyEvent, width: u16) {
    let typing = detail.search.as_ref().is_some_and(|s| s.typing);
    if key.code == KeyCode::Char('/') && !typing {
        detail.search = Some(Search {
            query: LineInput::default(),
            typing: true,
            line: None,
        });
        return;
    }
    let Some(search) = detail.search.as_mut() else {
        return;
    };
    let forward = match key.code {
        KeyCode::Esc if search.typing => {
            detail.search = None;
            return;
        }
        KeyCode::Enter if search.typing => {
            search.typing = false;
            true
        }
        _ if search.typing => {
            edit_line(&mut search.query, key);
            return;
        }
        KeyCode::Char('N') => false,
        _ => true,
    };
    let lines: Vec<String> = super::view::detail_lines(exchange, detail.selected_error)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect();
    let found = super::search::matches(&lines, search.query.text());
    search.line = super::search::next(&found, search.line, forward);
    if let Some(line) = search.line {
        detail.scroll = super::search::rows_before(&lines, line, width);
    }
}

fn on_mouse(state: &mut State, mouse: MouseEvent) -> Vec<Effect> {
    let areas = layout::compute(state.size.0, state.size.1);
    let (x, y) = (mouse.column, mouse.row);
    let inside =
        |r: ratatui::layout::Rect| x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
    match state.screen {
        Screen::Data => return data::on_mouse(state, mouse, &areas),
        Screen::Traffic => return traffic::on_mouse(state, mouse, &areas),
        Screen::Outbox | Screen::Results => return vec![],
        Screen::Console => {}
    }
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) if state.overlay == Overlay::None => {
            if let Some(i) = areas.tabs.iter().position(|r| inside(*r)) {
                select_tab(state, Method::ALL[i]);
            } else if inside(areas.log) && state.focus != Focus::Detail {
                let row = usize::from(y.saturating_sub(areas.log.y + 1));
                let index = layout::log_offset(state.log_selected, areas.log) + row;
                if index < state.log.len() {
                    state.log_selected = index;
                }
                state.focus = Focus::Log;
            } else if inside(areas.form) {
                state.focus = Focus::Form;
                let row = y.saturating_sub(areas.form.y + 1);
                if let Some(i) = layout::field_at(state.form(), areas.form, row) {
                    let form = state.form_mut();
                    form.focus = i;
                    // In a one-line field the cursor goes where the click was.
                    let value_x = areas.form.x + 1 + layout::LABEL_WIDTH;
                    let width = areas.form.width.saturating_sub(2 + layout::LABEL_WIDTH + 1);
                    if let (FieldValue::Line(input), Some(column)) =
                        (&mut form.fields[i].value, x.checked_sub(value_x))
                        && column < width
                    {
                        input.click(usize::from(column), usize::from(width));
                    }
                }
            }
        }
        MouseEventKind::ScrollDown if inside(areas.log) => {
            state.log_selected = (state.log_selected + 3).min(state.log.len().saturating_sub(1));
        }
        MouseEventKind::ScrollUp if inside(areas.log) => {
            state.log_selected = state.log_selected.saturating_sub(3);
        }
        _ => {}
    }
    vec![]
}

fn fill_defaults(form: &mut Form, defaults: &[(&str, Option<&str>)]) {
    for (name, value) in defaults {
        if let (Some(field), Some(v)) = (form.fields.iter_mut().find(|f| f.name == *name), value)
            && let FieldValue::Line(input) = &mut field.value
            && input.text().is_empty()
        {
            input.set(v);
        }
    }
    form.validate(timestamp::now_ms());
}

mod data;
#[cfg(test)]
mod data_tests;
mod outbox_keys;
#[cfg(test)]
mod tests;
mod traffic;
#[cfg(test)]
mod traffic_tests;

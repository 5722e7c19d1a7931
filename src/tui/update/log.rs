//! The log pane and an exchange's detail: moving, resending, copying, searching, and loading a
//! request back into its form.

use super::is_delivered_feedback;
use super::send::start_send;
use crate::api::Method;
use crate::client::Exchange;
use crate::sanitize::sanitize;
use crate::term::{LineInput, edit_line};
use crate::tui::action::Effect;
use crate::tui::keys::{Command, Context, Keymap};
use crate::tui::layout;
use crate::tui::state::{Detail, Focus, Level, Overlay, Screen, Search, State};
use crossterm::event::KeyEvent;

pub(super) fn on_log_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let page = usize::from(layout::areas(state).log.height.saturating_sub(2)).max(1);
    let Some(command) = state.keymap.command(Context::Log, &key) else {
        return vec![];
    };
    let at = state.selected_position().unwrap_or(0);
    match command {
        Command::Up => state.select_visible(at.saturating_sub(1)),
        Command::Down => state.select_visible(at + 1),
        Command::PageUp => state.select_visible(at.saturating_sub(page)),
        Command::PageDown => state.select_visible(at + page),
        Command::First => state.select_visible(0),
        Command::Last => state.select_visible(usize::MAX),
        Command::StatusFilter => state.cycle_status_filter(),
        Command::RouteFilter => state.cycle_method_filter(),
        Command::ProfileFilter => state.cycle_profile_filter(),
        Command::ClearFilters => state.clear_log_filters(),
        Command::Back => state.focus = Focus::Form,
        Command::Open => {
            if let Some(ex) = state.selected_exchange() {
                state.detail = Some(Detail::open(state.log.selected, ex, state.color));
                state.focus = Focus::Detail;
            }
        }
        Command::Edit => load_selected(state, None),
        Command::Resend => {
            if let Some(ex) = state.selected_exchange().cloned()
                && crate::tui::batch::is_batch(&ex)
            {
                return super::batch::resend(state, ex.request_body);
            }
            if let Some(ex) = state.selected_exchange().cloned()
                && let Some(method) = Method::parse(&ex.method)
            {
                return start_send(state, method, ex.request_body, "resending");
            }
        }
        Command::CopyCurl | Command::CopyBody if state.selected_exchange().is_some() => {
            return copy(state, state.log.selected, command);
        }
        Command::CopyAs if state.selected_exchange().is_some() => {
            state.overlay = Overlay::CopyAs {
                index: state.log.selected,
                selected: 0,
            };
        }
        _ => {}
    }
    vec![]
}

/// The copy-as overlay's keys: a form chosen, copied with Enter.
pub(super) fn on_copy_as_key(
    state: &mut State,
    index: usize,
    selected: usize,
    key: KeyEvent,
) -> Vec<Effect> {
    use crate::client::code::{Format, render_named};
    let keep = |state: &mut State, selected| state.overlay = Overlay::CopyAs { index, selected };
    match state.keymap.command(Context::CopyAs, &key) {
        Some(Command::Back) => {}
        Some(Command::Up) => keep(state, selected.saturating_sub(1)),
        Some(Command::Down) => keep(state, (selected + 1).min(Format::ALL.len() - 1)),
        Some(Command::Open) => {
            let (Some(ex), Some(format)) =
                (state.log.entries().get(index), Format::ALL.get(selected))
            else {
                return vec![];
            };
            let var = key_env_of(state, ex);
            let mut text = render_named(ex, *format, None, var.as_deref());
            if *format == Format::Curl && local_server_gone(state, ex) {
                text = ex.curl(None, var.as_deref(), true);
            }
            state.message = Some((
                Level::Success,
                format!(
                    "✓ copied as {} (key as ${})",
                    format.name(),
                    crate::client::code::key_variable(ex, var.as_deref())
                ),
            ));
            return vec![Effect::Copy(text)];
        }
        _ => keep(state, selected),
    }
    vec![]
}

/// The variable the exchange's profile reads its key from (`key_env`), for a copy to name.
fn key_env_of(state: &State, ex: &crate::client::Exchange) -> Option<String> {
    let profile = state.profiles.get(&ex.profile)?;
    profile.key_from.variable().map(str::to_owned)
}

/// A local exchange whose server is not the one running now.
fn local_server_gone(state: &State, ex: &Exchange) -> bool {
    ex.profile == crate::profiles::LOCAL
        && state.local.as_ref().map(|l| l.url.as_str()) != Some(ex.base_url.as_str())
}

/// `c` and `y`, on a log row or in its detail: the exchange as curl, or its response body; the
/// status line says what was copied, or why nothing was.
pub(super) fn copy(state: &mut State, index: usize, what: Command) -> Vec<Effect> {
    let Some(ex) = state.log.entries().get(index) else {
        return vec![];
    };
    let (text, said) = if what == Command::CopyCurl {
        let gone = local_server_gone(state, ex);
        let var = key_env_of(state, ex);
        (
            Some(ex.curl(None, var.as_deref(), gone)),
            format!(
                "copied as curl (key as ${})",
                crate::client::code::key_variable(ex, var.as_deref())
            ),
        )
    } else {
        (
            ex.response.as_ref().map(|r| r.body.clone()),
            "copied the response body".to_owned(),
        )
    };
    match text {
        Some(text) => {
            state.message = Some((Level::Success, format!("✓ {said}")));
            vec![Effect::Copy(text)]
        }
        None => {
            state.message = Some((
                Level::Warning,
                "no response body to copy: no answer came".into(),
            ));
            vec![]
        }
    }
}

/// Loads the selected exchange's request into its method's form, focusing the field a path names.
pub(super) fn load_selected(state: &mut State, path: Option<&str>) {
    let index = state
        .detail
        .as_ref()
        .map_or(state.log.selected, |d| d.index);
    let Some(ex) = state.log.entries().get(index).cloned() else {
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
pub(super) fn load_into_form(
    state: &mut State,
    method: Method,
    body: &str,
    errors: &[crate::api::ValidationError],
    path: Option<&str>,
) {
    state.method = method;
    let now = state.now_ms;
    let form = state.form_mut();
    form.load(body);
    form.validate(now);
    for e in errors {
        form.place_error(&e.path, &sanitize(&e.message));
    }
    if let Some(i) = path.and_then(|p| form.field_index(p)) {
        form.focus = i;
    }
    form.jump_to_first_problem();
    state.focus = Focus::Form;
    state.detail = None;
    state.screen = Screen::Console;
}

pub(super) fn on_detail_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(detail) = &mut state.detail else {
        state.focus = Focus::Log;
        return vec![];
    };
    // A batch's detail chooses among its items, another exchange's among its errors.
    let errors = state
        .log
        .entries()
        .get(detail.index)
        .map_or(0, crate::tui::batch::choices);
    let command = state.keymap.command(Context::Detail, &key);
    let typing = detail.search.as_ref().is_some_and(|s| s.typing);
    if typing
        || matches!(
            command,
            Some(Command::Search | Command::NextMatch | Command::PrevMatch)
        )
    {
        search_key(
            detail,
            &state.keymap,
            key,
            command,
            state.size.0.saturating_sub(2),
        );
        return vec![];
    }
    let Some(command) = command else {
        return vec![];
    };
    match command {
        Command::Back if detail.search.is_some() => detail.search = None,
        Command::Back => {
            state.detail = None;
            state.focus = Focus::Log;
        }
        Command::Up | Command::Down => {
            let selected = if command == Command::Up {
                detail.selected_error.saturating_sub(1)
            } else {
                (detail.selected_error + 1).min(errors.saturating_sub(1))
            };
            if let Some(exchange) = state.log.entries().get(detail.index) {
                detail.select_error(selected, exchange, state.color);
            }
        }
        Command::CopyCurl | Command::CopyBody => {
            let index = detail.index;
            return copy(state, index, command);
        }
        Command::CopyAs => {
            state.overlay = Overlay::CopyAs {
                index: detail.index,
                selected: 0,
            };
        }
        Command::PageDown => detail.scroll = detail.scroll.saturating_add(10),
        Command::PageUp => detail.scroll = detail.scroll.saturating_sub(10),
        Command::Open
            if state
                .log
                .entries()
                .get(detail.index)
                .is_some_and(crate::tui::batch::is_batch) =>
        {
            let (index, item) = (detail.index, detail.selected_error);
            super::batch::open_item(state, index, item);
        }
        Command::Open => {
            let path = state
                .log
                .entries()
                .get(detail.index)
                .and_then(|e| e.validation_errors.get(detail.selected_error))
                .map(|e| e.path.clone());
            load_selected(state, path.as_deref());
        }
        _ => {}
    }
    vec![]
}

/// `/` starts a search, typed until Enter (or Esc); then `n` and `N` move between matches.
pub(super) fn search_key(
    detail: &mut Detail,
    keymap: &Keymap,
    key: KeyEvent,
    command: Option<Command>,
    width: u16,
) {
    let typing = detail.search.as_ref().is_some_and(|s| s.typing);
    if command == Some(Command::Search) && !typing {
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
    let typed = search
        .typing
        .then(|| keymap.command(Context::DetailSearch, &key))
        .flatten();
    let forward = match typed {
        Some(Command::Cancel) => {
            detail.search = None;
            return;
        }
        Some(Command::Accept) => {
            search.typing = false;
            true
        }
        _ if search.typing => {
            edit_line(&mut search.query, key);
            return;
        }
        _ => command != Some(Command::PrevMatch),
    };
    let lines = detail.text();
    let Some(search) = detail.search.as_mut() else {
        return;
    };
    let found = crate::tui::search::matches(&lines, search.query.text());
    search.line = crate::tui::search::next(&found, search.line, forward);
    if let Some(line) = search.line {
        detail.scroll = crate::tui::search::rows_before(&lines, line, width);
    }
}

/// The history file was written: read what changed, one read at a time (a write during a read
/// asks for one more after it).
pub(super) fn history_touched(state: &mut State) -> Vec<Effect> {
    if state.log.loading {
        // The first read is under way; it asks for the changes when it lands.
        return vec![];
    }
    match state.log.refresh {
        Some(_) => {
            state.log.refresh = Some(true);
            vec![]
        }
        None => {
            state.log.refresh = Some(false);
            vec![Effect::LoadHistoryChanges {
                since: state.log.change,
            }]
        }
    }
}

/// Entries another process wrote appear in place (by id, newest first); an entry that moved on
/// (queued → delivered) replaces its row. The selection and an open detail stay on their entry.
pub(super) fn history_changes(
    state: &mut State,
    result: Result<(Vec<Exchange>, i64), crate::term::Failure>,
) -> Vec<Effect> {
    let again = state.log.refresh == Some(true);
    state.log.refresh = None;
    if let Ok((entries, last)) = result {
        state.log.change = state.log.change.max(last);
        for entry in entries {
            merge_entry(state, entry);
        }
    }
    if again {
        return history_touched(state);
    }
    vec![]
}

pub(super) fn merge_entry(state: &mut State, entry: Exchange) {
    let Some(id) = entry.id else {
        return;
    };
    if let Some(at) = state.log.entries().iter().position(|e| e.id == Some(id)) {
        state.log.replace(at, entry);
        return;
    }
    // Rows without an id (not recorded) count as newest, as they were when sent.
    let at = state
        .log
        .entries()
        .iter()
        .position(|e| e.id.is_some_and(|other| other < id))
        .unwrap_or(state.log.entries().len());
    state.results.feedback_delivered |= is_delivered_feedback(&entry);
    state.log.insert(at, entry);
    if state.log.entries().len() > 1 && state.log.selected >= at {
        state.log.selected += 1;
    }
    if let Some(detail) = &mut state.detail
        && detail.index >= at
    {
        detail.index += 1;
    }
    state.bound_log();
}

/// The first read of the history: rows below those sent meanwhile, then what was written while
/// it ran.
pub(super) fn history_loaded(
    state: &mut State,
    result: Result<Vec<Exchange>, crate::term::Failure>,
) -> Vec<Effect> {
    state.log.loading = false;
    match result {
        Ok(entries) => {
            // Exchanges sent before the history arrived stay on top; one a change read
            // brought in already is not listed twice.
            state.results.feedback_delivered |= entries.iter().any(is_delivered_feedback);
            let known: Vec<i64> = state.log.entries().iter().filter_map(|e| e.id).collect();
            state.log.extend_older(
                entries
                    .into_iter()
                    .filter(|e| e.id.is_none_or(|id| !known.contains(&id))),
            );
        }
        Err(e) => {
            state.message = Some((Level::Warning, format!("the log could not be loaded: {e}")));
        }
    }
    state.bound_log();
    // What was written while it loaded.
    history_touched(state)
}

//! `update(&mut State, Action) -> Vec<Effect>`: synchronous, no I/O. Every change of the console
//! happens here, so it is tested without a terminal or a runtime.

use super::action::{Action, Edited, Effect};
use super::form::{Column, FieldValue, Form, Kind};
use super::keys::{Command, Context};
use super::layout;
use super::profile_editor::ProfileEditor;
use super::state::{
    Confirm, Detail, Focus, Level, LocalServer, Overlay, RequestState, Screen, Search,
    ServerStatus, State, defaults, method_index,
};
use crate::api::payload::Source;
use crate::api::{Method, timestamp};
use crate::client::{Exchange, Outcome};
use crate::profiles::{Change, Profile};
use crate::sanitize::sanitize;
use crate::term::LineInput;
use crate::term::{Failure, edit_line};
use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

/// What a batch of actions did: the effects to run, and whether the screen must be drawn again.
#[derive(Debug, Default)]
pub struct Applied {
    pub effects: Vec<Effect>,
    pub redraw: bool,
}

/// Applies every action in `batch` (what the queue held at once) at `now_ms`, so the loop draws
/// once after them, and only when one of them can have changed what is on screen.
pub fn apply(state: &mut State, batch: impl IntoIterator<Item = Action>, now_ms: i64) -> Applied {
    state.now_ms = now_ms;
    let mut applied = Applied::default();
    for action in batch {
        applied.redraw |= changes_screen(state, &action);
        applied.effects.extend(update(state, action));
    }
    applied
}

/// Whether an action can change the screen. Mouse capture reports every motion and release,
/// which nothing here reacts to; a tick moves the spinner only while a request is in flight; a
/// key release does nothing.
fn changes_screen(state: &State, action: &Action) -> bool {
    match action {
        Action::Key(key) => key.kind != KeyEventKind::Release,
        Action::Mouse(mouse) => matches!(
            mouse.kind,
            MouseEventKind::Down(_) | MouseEventKind::ScrollDown | MouseEventKind::ScrollUp
        ),
        Action::Tick => state.needs_ticks(),
        _ => true,
    }
}

pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let effects = dispatch(state, action);
    // Raw JSON with templates: what the next send would carry, checked in its place.
    if state.form().raw.is_some() {
        collection::refresh_preview(state);
    }
    // New entries, or a filter, may have left the selection on a row the log pane hides.
    state.keep_selection_visible();
    effects
}

fn dispatch(state: &mut State, action: Action) -> Vec<Effect> {
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
        Action::HistoryLoaded(result) => log::history_loaded(state, result),
        Action::EditedExternally { what, result } => {
            edited_externally(state, what, result);
            vec![]
        }
        Action::HistoryTouched => log::history_touched(state),
        Action::ScenarioCall(_)
        | Action::RequestSaved(_)
        | Action::ScenarioDone
        | Action::CollectionTouched
        | Action::CollectionLoaded(_) => collection::on_action(state, action),
        Action::HistoryChanges(result) => log::history_changes(state, result),
        Action::Sent(exchange) => {
            let mut effects = data::after_send(state, &exchange);
            effects.extend(health_from(state, &exchange));
            let queue =
                exchange.outcome == Outcome::Failed && Method::parse(&exchange.method).is_some();
            if queue {
                effects.push(Effect::Enqueue(exchange.clone()));
            }
            sent(state, *exchange);
            effects
        }
        Action::StarsLoaded { purpose, result } => {
            let effects = silent_server(state, result.as_ref().err());
            features::stars_loaded(state, purpose, result);
            effects
        }
        Action::ResultsLoaded(result) => results_loaded(state, result),
        Action::Queued { .. } | Action::OutboxDelivered { .. } | Action::OutboxLoaded(_) => {
            outbox_action(state, action)
        }
        Action::Health { base_url, result } => health(state, &base_url, result),
        Action::DataLoaded { .. }
        | Action::EntityLoaded { .. }
        | Action::TrafficRecord { .. }
        | Action::TrafficLink { .. } => {
            let effects = match &action {
                Action::DataLoaded { result, .. } => silent_server(state, result.as_ref().err()),
                Action::EntityLoaded { result, .. } => silent_server(state, result.as_ref().err()),
                _ => vec![],
            };
            view_result(state, action);
            effects
        }
        Action::ProfilesChanged(result) => profiles_read(state, result, true),
        Action::ProfilesRead(result) => profiles_read(state, result, false),
        Action::TargetReady(result) => match result {
            Ok((profile, base_url, in_process)) => {
                for form in &mut state.forms {
                    fill_defaults(form, &defaults(&profile), state.now_ms);
                }
                state.message = Some((
                    Level::Info,
                    format!("profile {} ({})", profile.name, sanitize(&base_url)),
                ));
                if profile.is_local() {
                    state.local = Some(LocalServer {
                        url: base_url.clone(),
                        in_process,
                    });
                }
                state.profile = profile;
                state.base_url.clone_from(&base_url);
                state.server = ServerStatus::Checking;
                state.probe_ms = None;
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

/// The header follows what happens: a health check's result, or any exchange's (an answer means
/// the server answers; no answer means it does not). While it does not, a probe checks again
/// after 1 s, then 2, 4… up to 30 s; while it answers nothing is scheduled, so an idle console
/// wakes up for nothing.
fn health(state: &mut State, base_url: &str, result: Result<(), Failure>) -> Vec<Effect> {
    if base_url != state.base_url {
        return vec![];
    }
    match result {
        Ok(()) => {
            state.server = ServerStatus::Answers;
            state.probe_ms = None;
            vec![]
        }
        Err(e)
            if state.profile.is_local()
                && state.local.as_ref().is_some_and(|l| !l.in_process)
                && state.probe_ms.is_none() =>
        {
            // The `serve` that `local` used is gone: the console's own server takes over, on the
            // same default database.
            state.server = ServerStatus::Down(e);
            state.message = Some((
                Level::Warning,
                "the local serve stopped answering: starting the console's own local server".into(),
            ));
            vec![Effect::SwitchProfile(
                state
                    .profiles
                    .get(crate::profiles::LOCAL)
                    .unwrap_or_else(Profile::local),
            )]
        }
        Err(e) => {
            state.server = ServerStatus::Down(e);
            let after_ms = state.probe_ms.map_or(1_000, |ms| (ms * 2).min(30_000));
            state.probe_ms = Some(after_ms);
            vec![Effect::ProbeHealth {
                base_url: base_url.to_owned(),
                after_ms,
            }]
        }
    }
}

/// F5 and the header must agree: a read that found the server silent says so above.
fn results_loaded(
    state: &mut State,
    result: Result<Vec<crate::results::Results>, Failure>,
) -> Vec<Effect> {
    let effects = silent_server(state, result.as_ref().err());
    state.results.loaded = result.into();
    effects
}

/// The header is the one place that says whether the server answers: a view's read (F2, F5,
/// F6) that found it silent marks it down there, and the probe takes over, as a failed send does.
fn silent_server(state: &mut State, failure: Option<&Failure>) -> Vec<Effect> {
    match failure {
        Some(e) if not_answering(e) => {
            let base_url = state.base_url.clone();
            health(state, &base_url, Err(e.clone()))
        }
        _ => vec![],
    }
}

/// Whether a read failed because the server did not answer (not because it refused).
fn not_answering(e: &Failure) -> bool {
    use crate::explore::ExploreError;
    use crate::results::ResultsError;
    let error = e.error();
    matches!(
        error.downcast_ref::<ResultsError>(),
        Some(ResultsError::Server(ExploreError::NotAnswering(_)))
    ) || matches!(
        error.downcast_ref::<ExploreError>(),
        Some(ExploreError::NotAnswering(_))
    )
}

/// What an exchange says of its server's health, for the header.
fn health_from(state: &mut State, exchange: &Exchange) -> Vec<Effect> {
    if exchange.base_url != state.base_url {
        return vec![];
    }
    match (exchange.status(), &state.server) {
        (Some(_), _) => health(state, &exchange.base_url, Ok(())),
        // A probe is already on its way.
        (None, ServerStatus::Down(_)) if state.probe_ms.is_some() => vec![],
        (None, _) => {
            let why = exchange
                .attempts
                .last()
                .and_then(|a| a.error.clone())
                .unwrap_or_else(|| "no answer".to_owned());
            let base_url = exchange.base_url.clone();
            health(state, &base_url, Err(Failure::message(why)))
        }
    }
}

/// A feedback the server took: from then on the Results view has something to show.
fn is_delivered_feedback(e: &Exchange) -> bool {
    e.method == "feedback" && e.outcome == Outcome::Delivered
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

fn ctrl(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL)
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let shared = state.keymap.command(Context::Anywhere, &key);
    if shared == Some(Command::Quit) {
        state.quit = true;
        return vec![];
    }
    if state.overlay != Overlay::None {
        return on_overlay_key(state, key);
    }
    if let Some(effects) = shared.and_then(|c| global_key(state, c)) {
        return effects;
    }
    if state.screen != Screen::Console {
        return on_view_key(state, key);
    }
    // A text field takes the keys its editing needs; the console's commands use Ctrl or Alt.
    match state.keymap.command(Context::Console, &key) {
        Some(Command::ToggleLog) => {
            state.focus = if state.focus == Focus::Form {
                Focus::Log
            } else {
                Focus::Form
            };
            state.detail = None;
            return vec![];
        }
        Some(Command::ToggleRaw) => {
            toggle_raw(state);
            return vec![];
        }
        Some(Command::ExternalEditor) => return edit_externally(state),
        Some(Command::NextMethod) => {
            switch_tab(state, 1);
            return vec![];
        }
        Some(Command::PrevMethod) => {
            switch_tab(state, Method::ALL.len() - 1);
            return vec![];
        }
        Some(Command::MethodUser) => select_tab(state, Method::User),
        Some(Command::MethodCompany) => select_tab(state, Method::Company),
        Some(Command::MethodEvent) => select_tab(state, Method::Event),
        Some(Command::MethodFeedback) => select_tab(state, Method::Feedback),
        _ => {
            return match state.focus {
                Focus::Form => {
                    on_form_key(state, key);
                    vec![]
                }
                Focus::Log => on_log_key(state, key),
                Focus::Detail => on_detail_key(state, key),
            };
        }
    }
    vec![]
}

/// The commands every screen shares: help, the views, send, profiles. A view's own F-key (which
/// closes it) and keys typed into the Data view's search go to the view.
fn global_key(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    let typing = state.data.typing && state.screen == Screen::Data;
    let view = match command {
        Command::Help => {
            state.overlay = Overlay::Help(crate::tui::help::HelpView::default());
            return Some(vec![]);
        }
        Command::Send => return Some(request_send(state)),
        Command::Profiles => return Some(open_profiles(state)),
        Command::OpenCollection => return Some(collection::open_picker(state)),
        Command::Palette => {
            let palette = crate::tui::palette::Palette::opened_in(state.context());
            state.overlay = Overlay::Palette(Box::new(palette));
            return Some(vec![]);
        }
        Command::OpenData => Screen::Data,
        Command::OpenTraffic => Screen::Traffic,
        Command::OpenOutbox => Screen::Outbox,
        Command::OpenResults => Screen::Results,
        Command::OpenFeatures => Screen::Features,
        _ => return None,
    };
    if typing || state.screen == view {
        return None;
    }
    Some(match view {
        Screen::Data => data::open(state),
        Screen::Traffic => traffic::open(state),
        Screen::Outbox => open_outbox(state),
        Screen::Features => features::open_features(state),
        Screen::Results | Screen::Console => open_results(state),
    })
}

/// A view's own keys.
fn on_view_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    match state.screen {
        Screen::Traffic => traffic::on_key(state, key),
        Screen::Outbox => outbox_key(state, key),
        Screen::Results => results_key(state, key),
        Screen::Features => features::features_key(state, key),
        Screen::Data | Screen::Console => data::on_key(state, key),
    }
}

fn on_overlay_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
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

/// F1 scrolls (↑↓, PgUp/PgDn, Home/End) and filters (`/`, then typing; Esc clears the filter);
/// Esc, F1, Enter or q closes it.
fn help_key(state: &mut State, mut view: crate::tui::help::HelpView, key: KeyEvent) {
    use crate::tui::help;
    let here = state.context();
    let page = help::layout(&state.keymap, here, &view, state.size)
        .1
        .max(1);
    match key.code {
        KeyCode::Up => view.scroll = view.scroll.saturating_sub(1),
        KeyCode::Down => view.scroll += 1,
        KeyCode::PageUp => view.scroll = view.scroll.saturating_sub(page),
        KeyCode::PageDown => view.scroll += page,
        KeyCode::Home => view.scroll = 0,
        KeyCode::End => view.scroll = usize::MAX,
        KeyCode::Esc if view.typing || !view.filter.is_empty() => {
            view.filter.clear();
            view.typing = false;
        }
        KeyCode::Enter if view.typing => view.typing = false,
        KeyCode::Backspace if view.typing => {
            view.filter.pop();
        }
        KeyCode::Char(c) if view.typing => {
            view.filter.push(c);
            view.scroll = 0;
        }
        KeyCode::Char('/') => view.typing = true,
        KeyCode::Esc | KeyCode::F(1) | KeyCode::Enter | KeyCode::Char('q') => return,
        _ => {}
    }
    let (rows, shown) = help::layout(&state.keymap, here, &view, state.size);
    view.scroll = view.scroll.min(help::max_scroll(rows.len(), shown));
    state.overlay = Overlay::Help(view);
}

/// Yes runs the confirmation's action; no (or, when dropping an item, any other key) cancels it.
fn on_confirm_key(state: &mut State, confirm: Confirm, key: KeyEvent) -> Vec<Effect> {
    let yes = matches!(key.code, KeyCode::Enter | KeyCode::Char('y' | 'Y'));
    let no = matches!(key.code, KeyCode::Esc | KeyCode::Char('n' | 'N'))
        || matches!(confirm, Confirm::DropOutboxItem { .. });
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
        Confirm::DropOutboxItem { id } if yes => {
            if let Some(row) = state
                .log
                .entries
                .iter_mut()
                .find(|e| e.outbox_id == Some(id))
            {
                row.outbox_id = None;
                row.error_message = Some("dropped from the outbox".to_owned());
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

mod collection;
#[cfg(test)]
mod collection_tests;
mod data;
#[cfg(test)]
mod data_tests;
mod features;
#[cfg(test)]
mod features_tests;
mod form;
#[cfg(test)]
mod frictions_tests;
mod log;
mod mouse;
mod outbox;
mod palette;
mod profiles;
mod results;
mod send;
#[cfg(test)]
mod tests;
mod traffic;
#[cfg(test)]
mod traffic_tests;

use self::form::{
    edit_externally, edited_externally, fill_defaults, on_form_key, paste, select_tab, switch_tab,
    toggle_raw,
};
use self::log::{load_into_form, on_detail_key, on_log_key};
use self::mouse::on_mouse;
use self::outbox::{open_outbox, outbox_action, outbox_key};
use self::palette::on_palette_key;
use self::profiles::{
    delete_profile, on_editor_key, on_profiles_key, open_profiles, profiles_read,
};
use self::results::{open_results, results_key};
use self::send::{request_send, send, sent, start_send};

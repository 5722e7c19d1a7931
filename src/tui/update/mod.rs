//! `update(&mut State, Action) -> Vec<Effect>`: synchronous, no I/O. Every change of the console
//! happens here, so it is tested without a terminal or a runtime.

use super::action::{Action, Effect};
use super::keys::{Command, Context};
use super::state::{
    Focus, Level, LocalServer, Overlay, RequestState, Screen, ServerStatus, State, defaults,
};
use crate::api::Method;
use crate::client::{Exchange, Outcome};
use crate::sanitize::sanitize;
use crossterm::event::{KeyEvent, KeyEventKind, MouseEventKind};

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
            let mut effects = inspect::after_send(state, &exchange);
            effects.extend(health_from(state, &exchange));
            if exchange.queueable() {
                effects.push(Effect::Enqueue(exchange.clone()));
            }
            sent(state, *exchange);
            effects
        }
        Action::BatchSent(exchange) => batch::sent(state, *exchange),
        Action::StarsLoaded { purpose, result } => {
            let effects = silent_server(state, result.as_ref().err());
            stars::stars_loaded(state, purpose, result);
            effects
        }
        Action::FlagsLoaded { generation, result } => {
            flags::loaded(state, generation, result);
            vec![]
        }
        Action::FlagsChanged { watch } => flags::changed(state, watch),
        Action::ResultsLoaded(result) => results_loaded(state, result),
        Action::Queued { .. } | Action::OutboxDelivered { .. } | Action::OutboxLoaded(_) => {
            outbox_action(state, action)
        }
        Action::Health { base_url, result } => health(state, &base_url, result),
        Action::LocalServerFailed { base_url, error } => {
            local_server_failed(state, &base_url, error)
        }
        Action::InspectLoaded { .. }
        | Action::EntityLoaded { .. }
        | Action::TrafficRecord { .. }
        | Action::TrafficLink { .. } => view_loaded(state, action),
        Action::ProfilesChanged(result) => profiles_read(state, result, true),
        Action::ProfilesRead(result) => profiles_read(state, result, false),
        Action::TargetReady(result) => match result {
            Ok((profile, base_url, in_process)) => {
                for form in &mut state.forms {
                    form.set_api(profile.api(), state.now_ms);
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
                state.inspect = super::inspect::InspectView::default();
                let mut effects = vec![Effect::CheckHealth { base_url }];
                if state.screen == Screen::Data {
                    effects.extend(inspect::open(state));
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

/// A view's read came back: shown, and a silent server marked down in the header.
fn view_loaded(state: &mut State, action: Action) -> Vec<Effect> {
    let effects = match &action {
        Action::InspectLoaded { result, .. } => silent_server(state, result.as_ref().err()),
        Action::EntityLoaded { result, .. } => silent_server(state, result.as_ref().err()),
        _ => vec![],
    };
    view_result(state, action);
    effects
}

/// A feedback the server took: from then on the Results view has something to show.
fn is_delivered_feedback(e: &Exchange) -> bool {
    e.method == "feedback" && e.outcome == Outcome::Delivered
}

/// What the Data and Traffic views' tasks report.
fn view_result(state: &mut State, action: Action) {
    match action {
        Action::InspectLoaded { generation, result } => state.inspect.loaded(generation, result),
        Action::EntityLoaded { which, result } => state.inspect.entity_loaded(&which, result),
        Action::TrafficRecord { generation, record } => {
            state.traffic.arrived(generation, *record);
        }
        Action::TrafficLink { generation, link } if generation == state.traffic.generation => {
            state.traffic.link = link;
        }
        _ => {}
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let shared = state.keymap.command(Context::Anywhere, &key);
    if shared == Some(Command::Quit) {
        state.quit = !batch::holds_quit(state);
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
        _ if batch::asks_to_drop(state, &key) => return batch::ask_drop(state),
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
    let typing = (state.inspect.typing && state.screen == Screen::Data)
        || (state.flags.editing.is_some() && state.screen == Screen::Flags);
    let view = match command {
        Command::Help => {
            state.overlay = Overlay::Help(crate::tui::help::HelpView::default());
            return Some(vec![]);
        }
        Command::Send => return Some(request_send(state)),
        Command::Batch => return Some(batch::toggle(state)),
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
        Command::OpenFlags => Screen::Flags,
        _ => return None,
    };
    if typing || state.screen == view {
        return None;
    }
    Some(match view {
        Screen::Data => inspect::open(state),
        Screen::Traffic => traffic::open(state),
        Screen::Outbox => open_outbox(state),
        Screen::Features => stars::open_features(state),
        Screen::Flags => flags::open(state),
        Screen::Results | Screen::Console => open_results(state),
    })
}

/// A view's own keys.
fn on_view_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    match state.screen {
        Screen::Traffic => traffic::on_key(state, key),
        Screen::Outbox => outbox_key(state, key),
        Screen::Results => results_key(state, key),
        Screen::Features => stars::features_key(state, key),
        Screen::Flags => flags::on_key(state, key),
        Screen::Data | Screen::Console => inspect::on_key(state, key),
    }
}

mod batch;
#[cfg(test)]
mod batch_tests;
mod collection;
#[cfg(test)]
mod collection_tests;
mod flags;
#[cfg(test)]
pub(crate) mod flags_tests;
mod form;
#[cfg(test)]
mod form_tests;
#[cfg(test)]
mod frictions_tests;
mod health;
#[cfg(test)]
mod health_tests;
mod inspect;
#[cfg(test)]
mod inspect_tests;
mod log;
#[cfg(test)]
mod log_tests;
mod mouse;
#[cfg(test)]
mod mouse_tests;
mod outbox;
mod overlay;
#[cfg(test)]
mod overlay_tests;
mod palette;
#[cfg(test)]
mod profile_api_tests;
mod profiles;
#[cfg(test)]
mod profiles_tests;
#[cfg(test)]
mod rebound_tests;
mod results;
mod send;
#[cfg(test)]
mod send_tests;
mod stars;
#[cfg(test)]
mod stars_tests;
mod traffic;
#[cfg(test)]
mod traffic_tests;

use self::form::{
    edit_externally, edited_externally, fill_defaults, on_form_key, paste, select_tab, switch_tab,
    toggle_raw,
};
use self::health::{health, health_from, local_server_failed, silent_server};
use self::log::{load_into_form, on_detail_key, on_log_key};
use self::mouse::on_mouse;
use self::outbox::{open_outbox, outbox_action, outbox_key};
use self::overlay::on_overlay_key;
use self::profiles::{open_profiles, profiles_read};
use self::results::{open_results, results_key, results_loaded};
use self::send::{request_send, sent};

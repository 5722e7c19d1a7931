//! The Features view (F6): funnels asked of the local server, a feature opened on its companies,
//! and `u`, which fills the form that would move the selected company on.

use crate::api::stars::{Feature, StarsRequest};
use crate::term::Failure;
use crate::term::Load;
use crate::tui::action::Effect;
use crate::tui::action::StarsPurpose;
use crate::tui::keys::{Command, Context};
use crate::tui::stars::{Drill, next_form};
use crate::tui::state::{Level, Screen, State};
use crossterm::event::KeyEvent;

/// The collection's features, or none (the server then offers every event and featureId).
fn defined(state: &State) -> Vec<Feature> {
    state
        .collection
        .loaded
        .as_ref()
        .map(|c| c.features.clone())
        .unwrap_or_default()
}

/// The console shows counts, and companies only through their standings: the lists of ids
/// (most of an answer over many companies) are never asked for.
fn load(state: &State, features: Vec<Feature>, standings: bool, purpose: StarsPurpose) -> Effect {
    Effect::LoadStars {
        target: state.target(),
        request: StarsRequest {
            features,
            as_of: None,
            company_id: None,
            standings,
            companies: false,
        },
        purpose,
    }
}

/// Why a profile's funnels cannot be computed (nothing is sent for them), or `None`.
fn not_local(state: &State) -> Option<Failure> {
    (!state.profile.has_local_store()).then(|| {
        Failure::message(format!(
            "profile `{}` sends to {}, not a local server, so there is no store to compute them from",
            state.profile.name, state.profile.base_url
        ))
    })
}

/// F6: every feature's funnel, computed afresh.
pub(super) fn open_features(state: &mut State) -> Vec<Effect> {
    state.screen = Screen::Features;
    state.stars.opened = None;
    let generation = state.stars.reload();
    if let Some(why) = not_local(state) {
        state.stars.loaded = Load::Failed(why);
        return vec![];
    }
    let features = defined(state);
    state.stars.source = (!features.is_empty()).then(|| {
        state
            .collection
            .loaded
            .as_ref()
            .and_then(|c| c.path.file_name())
            .map_or_else(
                || "the collection".to_owned(),
                |n| n.to_string_lossy().into_owned(),
            )
    });
    vec![load(state, features, false, StarsPurpose::List(generation))]
}

fn open_drill(state: &mut State) -> Vec<Effect> {
    let Some(funnel) = state.stars.funnels().get(state.stars.selected) else {
        return vec![];
    };
    let Some(feature) = funnel.definition.clone() else {
        return vec![];
    };
    state.stars.opened = Some(Drill {
        feature: feature.name.clone(),
        loaded: Load::Loading,
        selected: 0,
    });
    let name = feature.name.clone();
    vec![load(state, vec![feature], true, StarsPurpose::Drill(name))]
}

pub(super) fn features_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if state.stars.opened.is_some() {
        return drill_key(state, key);
    }
    match state.keymap.command(Context::Features, &key) {
        Some(Command::Back) => state.screen = Screen::Console,
        Some(Command::Reload) => return open_features(state),
        Some(Command::Open) => return open_drill(state),
        Some(Command::Down) => state.stars.move_selection(1),
        Some(Command::Up) => state.stars.move_selection(-1),
        Some(Command::PageDown) => state.stars.move_selection(10),
        Some(Command::PageUp) => state.stars.move_selection(-10),
        Some(Command::First) => state.stars.selected = 0,
        Some(Command::Last) => state.stars.move_selection(isize::MAX),
        _ => {}
    }
    vec![]
}

fn drill_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    match state.keymap.command(Context::FeaturesDetail, &key) {
        Some(Command::Back) => state.stars.opened = None,
        Some(Command::Reload) => return open_drill(state),
        Some(Command::Down) => state.stars.move_selection(1),
        Some(Command::Up) => state.stars.move_selection(-1),
        Some(Command::PageDown) => state.stars.move_selection(10),
        Some(Command::PageUp) => state.stars.move_selection(-10),
        Some(Command::First) => {
            if let Some(d) = &mut state.stars.opened {
                d.selected = 0;
            }
        }
        Some(Command::Last) => state.stars.move_selection(isize::MAX),
        Some(Command::UseInForm) => move_on(state),
        _ => {}
    }
    vec![]
}

/// `u`: the form that would move the selected company to its next step, filled.
fn move_on(state: &mut State) {
    let Some(drill) = &state.stars.opened else {
        return;
    };
    let Some(funnel) = drill.loaded.ready() else {
        return;
    };
    let rows = drill.rows();
    let Some(row) = rows.get(drill.selected) else {
        return;
    };
    match next_form(funnel, row, &state.keymap.shared(Command::Send)) {
        Some((method, body, note)) => super::form::fill_form(state, method, &body, note),
        None => {
            state.message = Some((
                Level::Info,
                "already Satisfied: there is no step further".to_owned(),
            ));
        }
    }
}

/// A computation came back: to the list, the drill-down or the Data view, if still wanted.
pub(super) fn stars_loaded(
    state: &mut State,
    purpose: StarsPurpose,
    result: Result<Vec<crate::api::stars::Funnel>, Failure>,
) {
    match purpose {
        StarsPurpose::List(generation) if generation == state.stars.generation => {
            let count = result.as_ref().map_or(0, Vec::len);
            state.stars.loaded = result.into();
            state.stars.selected = state.stars.selected.min(count.saturating_sub(1));
        }
        StarsPurpose::Drill(name) => {
            if let Some(drill) = &mut state.stars.opened
                && drill.feature == name
            {
                drill.loaded = result
                    .and_then(|mut all| {
                        all.pop()
                            .ok_or_else(|| Failure::message("the server returned no funnel"))
                    })
                    .into();
                drill.selected = 0;
            }
        }
        StarsPurpose::Company(company) => state.inspect.company_steps_loaded(&company, result),
        StarsPurpose::List(_) => {}
    }
}

/// The Data view opened a company: its step per feature (nothing asked of a remote server).
pub(super) fn company_steps(state: &State, company: &str) -> Result<Effect, Failure> {
    if let Some(why) = not_local(state) {
        return Err(why);
    }
    Ok(Effect::LoadStars {
        target: state.target(),
        request: StarsRequest {
            features: defined(state),
            as_of: None,
            company_id: Some(company.to_owned()),
            standings: true,
            companies: false,
        },
        purpose: StarsPurpose::Company(company.to_owned()),
    })
}

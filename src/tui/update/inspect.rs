//! Keys and results of the Data view (F2).

use super::super::action::Effect;
use super::super::inspect::{Opened, PAGE, touched_by};
use super::super::keys::{Command, Context};
use super::super::layout;
use super::super::state::{Overlay, Screen, State};
use crate::client::{Exchange, Outcome};
use crate::inspect::{EntityRef, Query, Tab};
use crate::term::edit_line;
use crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};

fn load(state: &State, query: Query) -> Effect {
    Effect::LoadData {
        target: state.target(),
        query,
        generation: state.inspect.generation,
    }
}

/// An entity and, for a company, its step per feature.
fn open_entity(state: &mut State, which: EntityRef) -> Vec<Effect> {
    let mut effects = vec![load_entity(state, which.clone())];
    state.inspect.company_steps = None;
    if let EntityRef::Company(id) = &which {
        match super::stars::company_steps(state, id) {
            Ok(effect) => {
                state.inspect.company_steps = Some((id.clone(), None));
                effects.push(effect);
            }
            Err(why) => state.inspect.company_steps = Some((id.clone(), Some(Err(why)))),
        }
    }
    effects
}

fn load_entity(state: &State, which: EntityRef) -> Effect {
    Effect::LoadEntity {
        target: state.target(),
        which,
    }
}

/// F2 from the console: show the Data view, loading its page the first time.
pub fn open(state: &mut State) -> Vec<Effect> {
    state.screen = Screen::Data;
    if state.inspect.rows.is_none() && !state.inspect.loading {
        let query = state.inspect.reload();
        return vec![load(state, query)];
    }
    vec![]
}

/// A delivered call changes what the Data view shows: mark what it named and reload what is shown.
pub fn after_send(state: &mut State, exchange: &Exchange) -> Vec<Effect> {
    if exchange.outcome != Outcome::Delivered {
        return vec![];
    }
    let Some(method) = crate::api::Method::parse(&exchange.method) else {
        return vec![];
    };
    state
        .inspect
        .touch(touched_by(method, &exchange.request_body, state.now_ms));
    if state.inspect.rows.is_none() && state.screen != Screen::Data {
        return vec![];
    }
    let query = state.inspect.reload();
    let mut effects = vec![load(state, query)];
    if let Some(which) = state.inspect.opened_entity() {
        effects.extend(open_entity(state, which));
    }
    effects
}

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if state.inspect.typing {
        return search_key(state, key);
    }
    if state.inspect.opened.is_some() {
        return detail_key(state, key);
    }
    let Some(command) = state.keymap.command(Context::Data, &key) else {
        return vec![];
    };
    // Back clears a search first, but the view's own key (F2) closes it whatever it shows.
    let own_key = state.keymap.command(Context::Anywhere, &key) == Some(Command::OpenData);
    let data = &mut state.inspect;
    let query = match command {
        Command::Back if !own_key && !data.search.text().is_empty() => {
            data.search.set("");
            Some(data.search_changed())
        }
        Command::Back => {
            state.screen = Screen::Console;
            None
        }
        Command::Down => {
            let last = data.rows.as_ref().map_or(0, crate::inspect::Rows::len);
            if data.selected + 1 >= last {
                let q = data.page_step(true);
                if q.is_some() {
                    data.selected = 0;
                }
                q
            } else {
                data.move_selection(true);
                None
            }
        }
        Command::Up => {
            if data.selected == 0 {
                let q = data.page_step(false);
                if q.is_some() {
                    data.selected = PAGE as usize - 1;
                }
                q
            } else {
                data.move_selection(false);
                None
            }
        }
        Command::PageDown => data.page_step(true),
        Command::PageUp => data.page_step(false),
        Command::First => data.first_page(),
        Command::Last => {
            data.selected = data.rows.as_ref().map_or(0, |r| r.len().saturating_sub(1));
            None
        }
        Command::NextTab => Some(step_tab(state, 1)),
        Command::PrevTab => Some(step_tab(state, Tab::ALL.len() - 1)),
        Command::Tab1 => Some(data.switch_tab(Tab::ALL[0])),
        Command::Tab2 => Some(data.switch_tab(Tab::ALL[1])),
        Command::Tab3 => Some(data.switch_tab(Tab::ALL[2])),
        Command::Tab4 => Some(data.switch_tab(Tab::ALL[3])),
        Command::Tab5 => Some(data.switch_tab(Tab::ALL[4])),
        Command::Search => {
            data.typing = true;
            None
        }
        Command::Sort => Some(data.flip_order()),
        Command::Reload => Some(data.reload()),
        Command::UseInForm => {
            use_in_form(state);
            None
        }
        Command::Open => {
            if let Some(which) = state.inspect.open_selected() {
                return open_entity(state, which);
            }
            None
        }
        _ => None,
    };
    query.map(|q| load(state, q)).into_iter().collect()
}

fn step_tab(state: &mut State, step: usize) -> Query {
    let i = Tab::ALL
        .iter()
        .position(|t| *t == state.inspect.tab)
        .unwrap_or(0);
    state
        .inspect
        .switch_tab(Tab::ALL[(i + step) % Tab::ALL.len()])
}

fn search_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let data = &mut state.inspect;
    match state.keymap.command(Context::DataSearch, &key) {
        Some(Command::Accept) => {
            data.typing = false;
            vec![]
        }
        Some(Command::Cancel) => {
            data.typing = false;
            data.search.set("");
            let q = data.search_changed();
            vec![load(state, q)]
        }
        _ => {
            if edit_line(&mut data.search, key) {
                let q = data.search_changed();
                vec![load(state, q)]
            } else {
                vec![]
            }
        }
    }
}

fn detail_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(command) = state.keymap.command(Context::DataDetail, &key) else {
        return vec![];
    };
    match command {
        Command::Back => {
            state.inspect.opened = None;
            vec![]
        }
        Command::UseInForm => {
            use_in_form(state);
            vec![]
        }
        Command::Down => scroll(state, 1, true),
        Command::Up => scroll(state, 1, false),
        Command::PageDown => scroll(state, 10, true),
        Command::PageUp => scroll(state, 10, false),
        Command::First => {
            state.inspect.scroll = 0;
            vec![]
        }
        Command::Reload => match state.inspect.opened_entity() {
            Some(which) => open_entity(state, which),
            None => vec![],
        },
        // From an event or feedback, or a company's first member: open the user it names.
        Command::Open => {
            let which = match &state.inspect.opened {
                Some(Opened::Event(e)) => Some(EntityRef::User(e.user_id.clone())),
                Some(Opened::Feedback(f)) => Some(EntityRef::User(f.user_id.clone())),
                _ => None,
            };
            match which {
                Some(w) => {
                    let w = state.inspect.open(w);
                    open_entity(state, w)
                }
                None => vec![],
            }
        }
        _ => vec![],
    }
}

fn scroll(state: &mut State, by: u16, down: bool) -> Vec<Effect> {
    let s = &mut state.inspect.scroll;
    *s = if down {
        s.saturating_add(by)
    } else {
        s.saturating_sub(by)
    };
    vec![]
}

/// Fills the matching form with the row's ids and goes there, one Ctrl+S from sending.
fn use_in_form(state: &mut State) {
    let Some((method, values)) = state.inspect.form_values() else {
        return;
    };
    let names: Vec<&str> = values.iter().map(|(k, _)| *k).collect();
    let note = format!(
        "{method} form filled ({}) from the Data view · {} sends it",
        names.join(", "),
        state.keymap.shared(Command::Send)
    );
    let body = values
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String(v.clone())))
        .collect();
    super::form::fill_form(state, method, &body, note);
}

/// Clicks choose a tab or a row; the wheel moves the selection within the page.
pub fn on_mouse(state: &mut State, mouse: MouseEvent, areas: &layout::Areas) -> Vec<Effect> {
    if state.overlay != Overlay::None || state.inspect.opened.is_some() {
        return vec![];
    }
    let (x, y) = (mouse.column, mouse.row);
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) if y == areas.tabs_line.y => {
            let hit = layout::data_tabs()
                .into_iter()
                .find(|(_, _, at, w)| x >= *at && x < at + w);
            if let Some((tab, ..)) = hit {
                let q = state.inspect.switch_tab(tab);
                return vec![load(state, q)];
            }
        }
        MouseEventKind::Down(MouseButton::Left) if y >= areas.body.y + 2 => {
            let row = usize::from(y - areas.body.y - 2);
            let index = layout::data_offset(state.inspect.selected, areas.body) + row;
            if index
                < state
                    .inspect
                    .rows
                    .as_ref()
                    .map_or(0, crate::inspect::Rows::len)
            {
                state.inspect.selected = index;
            }
        }
        MouseEventKind::ScrollDown => {
            for _ in 0..3 {
                state.inspect.move_selection(true);
            }
        }
        MouseEventKind::ScrollUp => {
            for _ in 0..3 {
                state.inspect.move_selection(false);
            }
        }
        _ => {}
    }
    vec![]
}

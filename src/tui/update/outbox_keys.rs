//! Keys of the Outbox view (F4).

use super::super::action::Effect;
use super::super::state::{Screen, State};
use crossterm::event::{KeyCode, KeyEvent};

pub fn open(state: &mut State) -> Vec<Effect> {
    state.screen = Screen::Outbox;
    vec![Effect::LoadOutbox]
}

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let view = &mut state.outbox;
    if let Some(id) = view.confirm_drop {
        view.confirm_drop = None;
        return match key.code {
            KeyCode::Enter | KeyCode::Char('y' | 'Y') => vec![Effect::DropOutboxItem(id)],
            _ => vec![],
        };
    }
    match key.code {
        KeyCode::Esc | KeyCode::F(4) => state.screen = Screen::Console,
        KeyCode::Down | KeyCode::Char('j') => view.move_selection(true),
        KeyCode::Up | KeyCode::Char('k') => view.move_selection(false),
        KeyCode::Char('r') => return vec![Effect::RetryOutbox],
        KeyCode::Char('d') | KeyCode::Delete => {
            view.confirm_drop = view.selected_item().map(|i| i.id);
        }
        _ => {}
    }
    vec![]
}

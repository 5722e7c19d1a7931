//! Clicks and wheel on the console screen; the views take their own.

use super::form::select_tab;
use super::inspect;
use super::traffic;
use crate::api::Method;
use crate::tui::action::Effect;
use crate::tui::form::FieldValue;
use crate::tui::layout;
use crate::tui::state::{Focus, Overlay, Screen, State};
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

pub(super) fn on_mouse(state: &mut State, mouse: MouseEvent) -> Vec<Effect> {
    let areas = layout::areas(state);
    let (x, y) = (mouse.column, mouse.row);
    let inside =
        |r: ratatui::layout::Rect| x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
    match state.screen {
        Screen::Data => return inspect::on_mouse(state, mouse, &areas),
        Screen::Traffic => return traffic::on_mouse(state, mouse, &areas),
        Screen::Outbox | Screen::Results | Screen::Features | Screen::Flags => return vec![],
        Screen::Console => {}
    }
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) if state.overlay == Overlay::None => {
            if let Some(i) = areas.tabs.iter().position(|r| inside(*r)) {
                select_tab(state, Method::ALL[i]);
            } else if inside(areas.log) && state.focus != Focus::Detail {
                let row = usize::from(y.saturating_sub(areas.log.y + 1));
                let position =
                    layout::log_offset(state.selected_position().unwrap_or(0), areas.log) + row;
                if position < state.visible_count() {
                    state.select_visible(position);
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
            state.select_visible(state.selected_position().unwrap_or(0) + 3);
        }
        MouseEventKind::ScrollUp if inside(areas.log) => {
            state.select_visible(state.selected_position().unwrap_or(0).saturating_sub(3));
        }
        _ => {}
    }
    vec![]
}

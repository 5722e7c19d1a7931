//! Where everything goes, as a pure function of the terminal size and the form: the view draws
//! into these rectangles and mouse clicks are resolved against the same ones.

use super::form::{FieldValue, Form};
use super::state::{RequestState, Screen, State};
use crate::api::Method;
use ratatui::layout::Rect;

/// Form and log side by side from this width; stacked below it.
const SIDE_BY_SIDE: u16 = 100;
pub const LABEL_WIDTH: u16 = 20;
/// Lines of the comment box.
pub const COMMENT_LINES: u16 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub tabs_line: Rect,
    pub tabs: [Rect; 4],
    pub form: Rect,
    pub log: Rect,
    /// Form and log together (the detail view takes it all).
    pub body: Rect,
    pub status: Rect,
    pub hints: Rect,
}

/// The areas for this state: its terminal size, and as many status rows as its message needs.
pub fn areas(state: &State) -> Areas {
    areas_for(state, state.size)
}

/// The same, for a frame of another size (drawing takes the frame's own).
pub fn areas_for(state: &State, (width, height): (u16, u16)) -> Areas {
    compute_rows(width, height, status_rows(state, width, height))
}

pub fn compute(width: u16, height: u16) -> Areas {
    compute_rows(width, height, 1)
}

/// Up to three rows, on a terminal tall enough to spare them, while the console or the results
/// show a message, the Data view warns of a user in no company, or the Features view explains
/// (the other views' status lines are their own, and short).
fn status_rows(state: &State, width: u16, height: u16) -> u16 {
    let shown = matches!(state.screen, Screen::Console | Screen::Results)
        && !matches!(state.request, RequestState::Sending { .. });
    let warning = match state.screen {
        Screen::Data => state.inspect.warning(),
        Screen::Features if state.message.is_none() => Some(
            crate::tui::stars::status_text(&state.stars, &state.keymap)
                .trim_start()
                .to_owned(),
        ),
        _ => None,
    };
    match (&state.message, warning) {
        (_, Some(text)) if height >= 20 => status_lines(&text, width).len().clamp(1, 3) as u16,
        (Some((_, text)), _) if shown && height >= 20 => {
            status_lines(text, width).len().clamp(1, 3) as u16
        }
        _ => 1,
    }
}

/// A status message as drawn: wrapped, each line led by a space.
pub fn status_lines(text: &str, width: u16) -> Vec<String> {
    crate::term::wrap(text, usize::from(width.saturating_sub(1)))
        .into_iter()
        .map(|l| format!(" {l}"))
        .collect()
}

fn compute_rows(width: u16, height: u16, status_rows: u16) -> Areas {
    let row = |y: u16| Rect {
        x: 0,
        y: y.min(height.saturating_sub(1)),
        width,
        height: 1,
    };
    let body = Rect {
        x: 0,
        y: 2,
        width,
        height: height.saturating_sub(3 + status_rows),
    };
    let (form, log) = if width >= SIDE_BY_SIDE {
        let form_width = width * 11 / 20;
        (
            Rect {
                width: form_width,
                ..body
            },
            Rect {
                x: form_width,
                width: width - form_width,
                ..body
            },
        )
    } else {
        let log_height = (body.height / 3).max(5).min(body.height);
        let form_height = body.height - log_height;
        (
            Rect {
                height: form_height,
                ..body
            },
            Rect {
                y: body.y + form_height,
                height: log_height,
                ..body
            },
        )
    };
    let mut tabs = [Rect::default(); 4];
    let mut x = 1;
    for (i, m) in Method::ALL.iter().enumerate() {
        let w = tab_label(*m).chars().count() as u16;
        tabs[i] = Rect {
            x: x.min(width),
            y: 1,
            width: w.min(width.saturating_sub(x)),
            height: 1,
        };
        x += w + 1;
    }
    Areas {
        header: row(0),
        tabs_line: row(1),
        tabs,
        form,
        log,
        body,
        status: Rect {
            height: status_rows,
            ..row(height.saturating_sub(1 + status_rows))
        },
        hints: row(height.saturating_sub(1)),
    }
}

pub fn tab_label(m: Method) -> String {
    format!(" {m} ")
}

/// The Data view's tab labels and the columns each takes on the tab line.
pub fn data_tabs() -> Vec<(crate::inspect::Tab, String, u16, u16)> {
    let mut x = 1;
    crate::inspect::Tab::ALL
        .iter()
        .enumerate()
        .map(|(i, tab)| {
            let label = format!(" {} {} ", i + 1, tab.title());
            let w = label.chars().count() as u16;
            let at = x;
            x += w + 1;
            (*tab, label, at, w)
        })
        .collect()
}

/// The first table row shown so that `selected` is visible (borders and a header row).
pub fn data_offset(selected: usize, body: Rect) -> usize {
    let visible = usize::from(body.height.saturating_sub(3)).max(1);
    selected.saturating_sub(visible - 1)
}

/// The score picker's options laid out in rows that fit `width`.
pub fn score_rows(width: u16) -> Vec<Vec<u8>> {
    let mut rows: Vec<Vec<u8>> = vec![Vec::new()];
    let mut used = 0u16;
    for score in 1..=5u8 {
        let w = score_option_width(score);
        if used > 0 && used + w > width {
            rows.push(Vec::new());
            used = 0;
        }
        if let Some(row) = rows.last_mut() {
            row.push(score);
        }
        used += w;
    }
    rows
}

/// " 4 Satisfied " plus a space between options.
pub fn score_option_width(score: u8) -> u16 {
    crate::api::Score::new(score).map_or(0, |s| s.label().chars().count() as u16 + 4)
}

/// Rows each field takes (its value, then one per error) at this form width.
pub fn field_height(form: &Form, index: usize, width: u16) -> u16 {
    let field = &form.fields[index];
    let value_width = width.saturating_sub(LABEL_WIDTH + 2);
    let base = match &field.value {
        FieldValue::Score(_) => score_rows(value_width).len() as u16,
        FieldValue::Comment(_) => COMMENT_LINES + 1,
        FieldValue::Attributes(a) => a.rows.len() as u16 + 1,
        _ => 1,
    };
    base + error_lines(field, width).len() as u16
}

/// A field's problems as drawn beneath it: wrapped to the value column of a form `width` wide
/// inside its border, so no message is cut.
pub fn error_lines(field: &super::form::Field, width: u16) -> Vec<String> {
    let value_width = usize::from(width.saturating_sub(LABEL_WIDTH + 1));
    field
        .errors
        .iter()
        .flat_map(|e| {
            crate::term::wrap(&format!("✗ {}", crate::sanitize::sanitize(e)), value_width)
        })
        .collect()
}

/// The first row shown of a form that does not fit: enough that the focused field is visible.
pub fn form_scroll(form: &Form, area: Rect) -> u16 {
    let inner = area.height.saturating_sub(2);
    let width = area.width.saturating_sub(2);
    let top: u16 = (0..form.focus).map(|i| field_height(form, i, width)).sum();
    let bottom = top + field_height(form, form.focus, width);
    bottom.saturating_sub(inner)
}

/// The field drawn at `row` (0 = first row inside the border).
pub fn field_at(form: &Form, area: Rect, row: u16) -> Option<usize> {
    if form.raw.is_some() {
        return None;
    }
    let width = area.width.saturating_sub(2);
    let target = row + form_scroll(form, area);
    let mut top = 0u16;
    for i in 0..form.fields.len() {
        let h = field_height(form, i, width);
        if target >= top && target < top + h {
            return Some(i);
        }
        top += h;
    }
    None
}

/// The first log entry shown so that `selected` is visible.
pub fn log_offset(selected: usize, area: Rect) -> usize {
    let visible = usize::from(area.height.saturating_sub(2)).max(1);
    selected.saturating_sub(visible - 1)
}

/// A rectangle of at most `w`×`h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let (w, h) = (w.min(area.width), h.min(area.height));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacks_when_narrow_and_splits_when_wide() {
        let a = compute(80, 24);
        assert_eq!((a.form.width, a.log.width), (80, 80));
        assert_eq!(a.form.height + a.log.height, 20);
        let b = compute(160, 48);
        assert_eq!(b.form.width + b.log.width, 160);
        assert_eq!(b.form.height, 44);
    }

    #[test]
    fn score_options_wrap_to_the_width() {
        assert_eq!(score_rows(200), vec![vec![1, 2, 3, 4, 5]]);
        assert!(score_rows(40).len() > 1);
        assert_eq!(score_rows(40).concat(), vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn log_offset_keeps_the_selection_visible() {
        let area = Rect {
            x: 0,
            y: 0,
            width: 40,
            height: 12,
        };
        assert_eq!(log_offset(0, area), 0);
        assert_eq!(log_offset(9, area), 0);
        assert_eq!(log_offset(10, area), 1);
    }
}

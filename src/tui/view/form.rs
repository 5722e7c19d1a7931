//! The form: a label column (required fields starred, optional ones marked) and each field's
//! editor, with the problems the shared validation finds beneath it.

use super::{Theme, fit};
use crate::api::Score;
use crate::sanitize::sanitize;
use crate::term::LineInput;
use crate::tui::form::{Column, Field, FieldValue, Form, Kind};
use crate::tui::layout::{self, COMMENT_LINES, LABEL_WIDTH};
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &State, theme: Theme) {
    let form = state.form();
    let focused = state.focus == super::Focus::Form;
    let title = super::batch::form_title(state)
        .unwrap_or_else(|| format!(" {} · * required, others optional ", form.method));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(raw) = &form.raw {
        draw_raw(frame, inner, form, raw, focused, theme);
        return;
    }
    let scroll = layout::form_scroll(form, area);
    let mut y: i32 = -i32::from(scroll);
    for (i, field) in form.fields.iter().enumerate() {
        let height = layout::field_height(form, i, inner.width);
        let top = i32::from(inner.y) + y;
        y += i32::from(height);
        if top + i32::from(height) <= i32::from(inner.y) || top >= i32::from(inner.y + inner.height)
        {
            continue;
        }
        let is_focused = focused && i == form.focus;
        draw_field(frame, inner, top, field, is_focused, theme);
    }
    let lines = body_error_lines(form, inner.width, theme);
    if !lines.is_empty() && i32::from(inner.y + inner.height) > i32::from(inner.y) + y {
        let top = (i32::from(inner.y) + y).max(i32::from(inner.y)) as u16;
        let r = Rect {
            y: top,
            height: inner.y + inner.height - top,
            ..inner
        };
        frame.render_widget(Paragraph::new(lines), r);
    }
}

/// Where one field is drawn: rows from `top`, clipped to `inner`.
struct Place {
    inner: Rect,
    top: i32,
}

impl Place {
    fn row(&self, offset: u16) -> Option<Rect> {
        let y = self.top + i32::from(offset);
        let inner = self.inner;
        (y >= i32::from(inner.y) && y < i32::from(inner.y + inner.height)).then_some(Rect {
            x: inner.x,
            y: y as u16,
            width: inner.width,
            height: 1,
        })
    }

    fn value_x(&self) -> u16 {
        self.inner.x + LABEL_WIDTH
    }

    fn value_width(&self) -> u16 {
        self.inner.width.saturating_sub(LABEL_WIDTH + 1)
    }

    /// The value column of a row.
    fn value(&self, offset: u16) -> Option<Rect> {
        self.row(offset).map(|r| Rect {
            x: self.value_x(),
            width: self.value_width(),
            ..r
        })
    }
}

/// A one-line value; an id sent as an integer says so beside it, as an attribute row does.
fn value_input(
    frame: &mut Frame<'_>,
    r: Rect,
    field: &Field,
    input: &LineInput,
    focused: bool,
    theme: Theme,
) {
    if !field.integer || input.text().is_empty() {
        line_input(frame, r, input, placeholder(field), focused, theme);
        return;
    }
    let tag = " (integer)";
    let width = r.width.saturating_sub(tag.len() as u16);
    line_input(
        frame,
        Rect { width, ..r },
        input,
        placeholder(field),
        focused,
        theme,
    );
    let at = (input.text().chars().count() as u16).min(width);
    frame.render_widget(
        Paragraph::new(Span::styled(tag, theme.dim())),
        Rect {
            x: r.x + at,
            width: (tag.len() as u16).min(r.width.saturating_sub(at)),
            ..r
        },
    );
}

/// Draws one field whose first row is at `top` (rows outside `inner` are clipped).
fn draw_field(
    frame: &mut Frame<'_>,
    inner: Rect,
    top: i32,
    field: &Field,
    focused: bool,
    theme: Theme,
) {
    let place = Place { inner, top };
    let label_style = if focused {
        theme.focused_label()
    } else {
        theme.label()
    };
    let (name_style, marker) = if field.required {
        (label_style, Span::styled("*", theme.required()))
    } else {
        (
            if focused { label_style } else { theme.dim() },
            Span::raw(""),
        )
    };
    let label = Line::from(vec![
        Span::styled(if focused { "▸ " } else { "  " }, label_style),
        Span::styled(field.name, name_style),
        marker,
    ]);
    if let Some(r) = place.row(0) {
        frame.render_widget(
            Paragraph::new(label),
            Rect {
                width: LABEL_WIDTH.min(r.width),
                ..r
            },
        );
    }
    let used = match &field.value {
        FieldValue::Line(input) => {
            if let Some(r) = place.value(0) {
                value_input(frame, r, field, input, focused, theme);
            }
            1
        }
        FieldValue::Score(score) => draw_score(frame, &place, *score, focused, theme),
        FieldValue::Comment(area) => draw_comment(frame, &place, area, focused, theme),
        FieldValue::Attributes(attrs) => draw_attributes(frame, &place, attrs, focused, theme),
        FieldValue::Context(active) => {
            let options = [
                (None, "unset"),
                (Some(true), "true"),
                (Some(false), "false"),
            ];
            let spans: Vec<Span<'_>> = options
                .iter()
                .flat_map(|(v, label)| {
                    [
                        Span::styled(
                            format!(" {label} "),
                            if v == active {
                                theme.selected()
                            } else {
                                theme.dim()
                            },
                        ),
                        Span::raw(" "),
                    ]
                })
                .collect();
            let used: usize = spans.iter().map(|s: &Span<'_>| s.width()).sum();
            let room = place.value_width().saturating_sub(used as u16);
            let why = whole_fit(
                &[
                    "active: false leaves lastSeen alone",
                    "false keeps lastSeen",
                ],
                room,
            );
            let mut spans = spans;
            spans.push(Span::styled(why, theme.dim()));
            if let Some(r) = place.value(0) {
                frame.render_widget(Paragraph::new(Line::from(spans)), r);
            }
            1
        }
        FieldValue::Source(source) => {
            let text = source.map_or("unset (api)", |s| s.as_str());
            if let Some(r) = place.value(0) {
                let style = if focused {
                    theme.selected()
                } else {
                    theme.input()
                };
                frame.render_widget(
                    Paragraph::new(Span::styled(format!(" ‹ {text} › "), style)),
                    r,
                );
            }
            1
        }
    };
    for (n, text) in layout::error_lines(field, inner.width)
        .into_iter()
        .enumerate()
    {
        if let Some(r) = place.value(used + n as u16) {
            frame.render_widget(Paragraph::new(Span::styled(text, theme.error())), r);
        }
    }
}

fn draw_score(
    frame: &mut Frame<'_>,
    place: &Place,
    score: Option<u8>,
    focused: bool,
    theme: Theme,
) -> u16 {
    let rows = layout::score_rows(place.value_width());
    for (n, options) in rows.iter().enumerate() {
        if let Some(r) = place.value(n as u16) {
            frame.render_widget(
                Paragraph::new(score_line(options, score, focused, theme)),
                r,
            );
        }
    }
    rows.len() as u16
}

fn draw_comment(
    frame: &mut Frame<'_>,
    place: &Place,
    area: &ratatui_textarea::TextArea<'static>,
    focused: bool,
    theme: Theme,
) -> u16 {
    let count: usize = area
        .lines()
        .iter()
        .map(|l| l.chars().count())
        .sum::<usize>()
        + area.lines().len().saturating_sub(1);
    let style = if count > crate::api::MAX_COMMENT_CHARS {
        theme.error()
    } else {
        theme.dim()
    };
    if let Some(r) = place.value(0) {
        frame.render_widget(
            Paragraph::new(Span::styled(
                if count > crate::api::MAX_COMMENT_CHARS {
                    format!("{count}/4000 characters · Ctrl+X cuts to 4000")
                } else {
                    format!("{count}/4000 characters · Enter: new line")
                },
                style,
            )),
            r,
        );
    }
    let inner = place.inner;
    let first = place.top + 1;
    let visible_top = first.max(i32::from(inner.y));
    let visible_bottom = (first + i32::from(COMMENT_LINES)).min(i32::from(inner.y + inner.height));
    if visible_bottom > visible_top {
        let r = Rect {
            x: place.value_x(),
            y: visible_top as u16,
            width: place.value_width(),
            height: (visible_bottom - visible_top) as u16,
        };
        let mut shown = area.clone();
        shown.set_style(theme.input());
        if !focused {
            shown.set_cursor_style(theme.input());
        }
        frame.render_widget(&shown, r);
    }
    COMMENT_LINES + 1
}

fn draw_attributes(
    frame: &mut Frame<'_>,
    place: &Place,
    attrs: &crate::tui::form::Attributes,
    focused: bool,
    theme: Theme,
) -> u16 {
    if let Some(r) = place.value(0) {
        // The longest that fits whole: a hint cut mid-word (`Ctrl+T ty`) says nothing.
        let hint = whole_fit(
            &[
                "key = value (type) · Ctrl+N add · Ctrl+T type · Enter next",
                "Ctrl+N add · Ctrl+T type · Enter next",
                "^N add · ^T type",
            ],
            r.width,
        );
        frame.render_widget(Paragraph::new(Span::styled(hint, theme.dim())), r);
    }
    let half = place.value_width().saturating_sub(13) / 2;
    for (n, attr) in attrs.rows.iter().enumerate() {
        let Some(r) = place.value(n as u16 + 1) else {
            continue;
        };
        let here = focused && n == attrs.row;
        line_input(
            frame,
            Rect { width: half, ..r },
            &attr.key,
            "key",
            here && attrs.column == Column::Key,
            theme,
        );
        frame.render_widget(
            Paragraph::new(" = "),
            Rect {
                x: r.x + half,
                width: 3,
                ..r
            },
        );
        let value = Rect {
            x: r.x + half + 3,
            width: half,
            ..r
        };
        line_input(
            frame,
            value,
            &attr.value,
            "value",
            here && attrs.column == Column::Value,
            theme,
        );
        let kind = Span::styled(format!(" ({})", attr.kind.label()), theme.dim());
        frame.render_widget(
            Paragraph::new(kind),
            Rect {
                x: r.x + 2 * half + 3,
                width: r.width.saturating_sub(2 * half + 3),
                ..r
            },
        );
    }
    attrs.rows.len() as u16 + 1
}

/// The first of `texts` (longest first) that fits `width` whole; nothing when none does.
fn whole_fit(texts: &[&'static str], width: u16) -> &'static str {
    texts
        .iter()
        .find(|t| t.chars().count() <= usize::from(width))
        .copied()
        .unwrap_or("")
}

fn placeholder(field: &Field) -> &'static str {
    match field.kind {
        Kind::Id => "a string or an integer",
        Kind::Timestamp => "2024-05-01T12:00:00Z or ms · Ctrl+N now",
        _ if field.name == "event" => "e.g. Sent message",
        _ => "",
    }
}

/// A one-line input: its text scrolled so the cursor shows; the terminal cursor when focused.
fn line_input(
    frame: &mut Frame<'_>,
    r: Rect,
    input: &LineInput,
    placeholder: &str,
    focused: bool,
    theme: Theme,
) {
    let width = usize::from(r.width.max(1));
    let chars: Vec<char> = input.text().chars().collect();
    let start = input.visible_start(width);
    let shown: String = chars.iter().skip(start).take(width).collect();
    let text = if shown.is_empty() && !focused {
        Span::styled(fit(placeholder, width), theme.dim())
    } else {
        Span::raw(sanitize(&shown))
    };
    frame.render_widget(Paragraph::new(text).style(theme.input()), r);
    if focused {
        frame.set_cursor_position(Position {
            x: r.x + (input.cursor() - start) as u16,
            y: r.y,
        });
    }
}

fn score_line(options: &[u8], chosen: Option<u8>, focused: bool, theme: Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for score in options {
        let label = Score::new(*score).map_or("", Score::label);
        let style = if chosen == Some(*score) {
            theme
                .score(*score)
                .add_modifier(ratatui::style::Modifier::REVERSED | ratatui::style::Modifier::BOLD)
        } else if focused {
            theme.score(*score)
        } else {
            theme.dim()
        };
        spans.push(Span::styled(format!(" {score} {label} "), style));
        spans.push(Span::raw(" "));
    }
    if chosen.is_none() && options.last() == Some(&5) {
        spans.push(Span::styled("(no score)", Style::new()));
    }
    Line::from(spans)
}

/// The body's own problems, wrapped to `width`.
fn body_error_lines(form: &Form, width: u16, theme: Theme) -> Vec<Line<'static>> {
    form.body_errors
        .iter()
        .flat_map(|e| crate::term::wrap(&format!("✗ {}", sanitize(e)), usize::from(width)))
        .map(|l| Line::from(Span::styled(l, theme.error())))
        .collect()
}

fn draw_raw(
    frame: &mut Frame<'_>,
    inner: Rect,
    form: &Form,
    raw: &ratatui_textarea::TextArea<'static>,
    focused: bool,
    theme: Theme,
) {
    let mut errors = body_error_lines(form, inner.width, theme);
    if let Some(Ok(resolved)) = &form.preview {
        let text = format!("next send: {}", sanitize(resolved));
        errors.extend(
            crate::term::wrap(&text, usize::from(inner.width))
                .into_iter()
                .map(|l| Line::from(Span::styled(l, theme.dim()))),
        );
    }
    let error_rows = (errors.len() as u16).min(inner.height / 2);
    let editor = Rect {
        height: inner.height - error_rows,
        ..inner
    };
    let mut shown = raw.clone();
    if !focused {
        shown.set_cursor_style(Style::new());
    }
    frame.render_widget(&shown, editor);
    // The editor scrolled while drawing: its offset now says which lines are on screen.
    let (top, _) = shown.scroll_offset();
    for &line in &form.marks {
        let Some(row) = line.checked_sub(usize::from(top)) else {
            continue;
        };
        if row < usize::from(editor.height) {
            let r = Rect {
                y: editor.y + row as u16,
                height: 1,
                ..editor
            };
            frame.buffer_mut().set_style(r, theme.error());
        }
    }
    if error_rows > 0 {
        frame.render_widget(
            Paragraph::new(errors),
            Rect {
                y: inner.y + editor.height,
                height: error_rows,
                ..inner
            },
        );
    }
}

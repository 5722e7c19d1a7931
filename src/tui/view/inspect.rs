//! The Data view: a tab per list, a table of one page, and a user, company, event or feedback
//! opened whole. Cells come from `inspect::table`, sanitized there.

use super::inspect_hints::{
    more_hint, no_match_hint, no_more_rows_hint, nothing_stored_hint, search_hint,
};
use super::{Theme, fit, json_lines, retries_hint};
use crate::api::inspect::EventRecord;
use crate::inspect::table::{self, NO_COMPANY, precise_time, short_time};
use crate::inspect::{Entity, EntityRef, Rows, Tab};
use crate::sanitize::sanitize;
use crate::tui::inspect::{InspectView, Opened, PAGE};
use crate::tui::keys::{Command, Context, Keymap};
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Padding, Paragraph, Row, Table, TableState, Wrap};

/// The tab line: the four lists, and the sort on the right.
pub fn tabs(frame: &mut Frame<'_>, area: Rect, data: &InspectView, theme: Theme) {
    let mut spans = vec![Span::raw(" ")];
    for (tab, label, _, _) in crate::tui::layout::data_tabs() {
        let style = if tab == data.tab {
            theme.active_tab()
        } else {
            theme.label()
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    let right = order_text(data);
    let width = right.chars().count() as u16;
    // The order is said beside the tabs where it fits, else in the list's title.
    if order_beside_tabs(area.width, data) {
        let r = Rect {
            x: area.x + area.width - width,
            width,
            ..area
        };
        frame.render_widget(Paragraph::new(Span::styled(right, theme.dim())), r);
    }
}

fn order_text(data: &InspectView) -> String {
    format!("by {}, {} ", data.tab.sorted_by(), data.order_label())
}

/// Whether the tab line has room for the order beside the tabs.
fn order_beside_tabs(width: u16, data: &InspectView) -> bool {
    let tabs_end = crate::tui::layout::data_tabs()
        .last()
        .map_or(0, |(_, _, at, w)| at + w + 1);
    width >= order_text(data).chars().count() as u16 + tabs_end
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &State, theme: Theme) {
    let data = &state.inspect;
    match &data.opened {
        Some(opened) => detail(frame, area, (data, &state.keymap), opened, theme),
        None => list(frame, area, state, theme),
    }
}

/// One line for the status row: what is being typed, loading, an error, or the selected user's
/// missing company explained.
pub fn status_line(data: &InspectView, keymap: &Keymap, theme: Theme) -> Option<Line<'static>> {
    if data.typing {
        return Some(Line::from(vec![
            Span::styled(" / search: ", theme.focused_label()),
            Span::styled(format!("{}▏", sanitize(data.search.text())), theme.input()),
        ]));
    }
    if let Some(e) = &data.error {
        return Some(Line::from(Span::styled(
            format!(
                " ✗ {}{}",
                sanitize(&e.to_string()),
                retries_hint(keymap, Context::Data)
            ),
            theme.error(),
        )));
    }
    if data.loading {
        return Some(Line::from(Span::styled(" loading…", theme.dim())));
    }
    if !data.search.text().is_empty() {
        return Some(Line::from(Span::styled(
            search_hint(keymap, data.search.text()),
            theme.label(),
        )));
    }
    None
}

fn list(frame: &mut Frame<'_>, area: Rect, state: &State, theme: Theme) {
    let data = &state.inspect;
    let count = data.rows.as_ref().map_or(0, Rows::len);
    let range = if count == 0 {
        String::new()
    } else {
        format!(
            " · rows {}–{}",
            data.query.offset + 1,
            data.query.offset + count as u64
        )
    };
    let more = if count == PAGE as usize {
        more_hint(&state.keymap)
    } else {
        String::new()
    };
    let order = if order_beside_tabs(area.width, data) {
        String::new()
    } else {
        format!(" · {}", data.order_label())
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            format!(" {}{range}{order}{more} ", data.tab.title()),
            theme.title(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(rows) = &data.rows else {
        let text = match &data.error {
            Some(e) => Span::styled(format!("✗ {}", sanitize(&e.to_string())), theme.error()),
            None => Span::styled("loading…", theme.dim()),
        };
        frame.render_widget(
            Paragraph::new(Line::from(text)).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    };
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(empty_lines(state, theme)).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let t = table::table(rows);
    let keys: Vec<Option<EntityRef>> = (0..rows.len()).map(|i| data.row_ref(i)).collect();
    let body: Vec<Row> = t
        .rows
        .iter()
        .enumerate()
        .map(|(i, cells)| {
            let which = keys[i].as_ref();
            let touched = which.is_some_and(|w| data.touched.contains(w))
                && matches!(rows, Rows::Users(_) | Rows::Companies(_));
            let changed = which.is_some_and(|w| data.changed.contains(w));
            let mut row_cells: Vec<Cell> = Vec::new();
            for (c, text) in cells.iter().enumerate() {
                let mut text = text.clone();
                let mut style = Style::new();
                if c == 0 {
                    text = format!("{}{text}", if touched { "● " } else { "  " });
                }
                if c == 1 && changed {
                    text = format!("{text} ↑");
                    style = theme.success();
                }
                if t.unassociated[i] && text == NO_COMPANY {
                    style = theme.warning();
                }
                row_cells.push(Cell::from(Span::styled(text, style)));
            }
            let mut row = Row::new(row_cells);
            if touched {
                row = row.style(Style::new().add_modifier(Modifier::BOLD));
            }
            row
        })
        .collect();
    let widths = widths(rows.tab(), &t, inner.width);
    let header = Row::new(t.headers.iter().enumerate().map(|(i, h)| {
        Cell::from(if i == 0 {
            format!("  {h}")
        } else {
            (*h).to_owned()
        })
    }))
    .style(theme.dim());
    let table = Table::new(body, widths)
        .header(header)
        .column_spacing(2)
        .row_highlight_style(theme.selected());
    let mut selection = TableState::default()
        .with_offset(crate::tui::layout::data_offset(data.selected, area))
        .with_selected(Some(data.selected));
    frame.render_stateful_widget(table, inner, &mut selection);
}

/// The columns' widths: ids (a 36-character UUID) whole when the row has room for them beside
/// the other columns' least widths; a column that fills takes the rest.
fn widths(tab: Tab, t: &table::Table, width: u16) -> Vec<Constraint> {
    /// What a filling column keeps at least, for ids to be given their whole width.
    const FILL_LEAST: u16 = 12;
    let mut widths = base_widths(tab);
    let ids: &[usize] = match tab {
        Tab::Users | Tab::Companies => &[0],
        Tab::Events | Tab::FlagChecks => &[2, 3],
        Tab::Feedback => &[2],
    };
    let whole = |c: usize| -> u16 {
        let marker = if c == 0 { 2 } else { 0 };
        let longest = t
            .rows
            .iter()
            .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
            .chain(std::iter::once(t.headers[c].chars().count()))
            .max()
            .unwrap_or(0);
        (longest + marker) as u16
    };
    let needed: u16 = widths
        .iter()
        .enumerate()
        .map(|(c, w)| match w {
            _ if ids.contains(&c) => whole(c),
            Constraint::Length(n) | Constraint::Min(n) => *n,
            _ => FILL_LEAST,
        })
        .sum::<u16>()
        + 2 * (widths.len() as u16 - 1);
    if needed <= width {
        for c in ids {
            widths[*c] = Constraint::Length(whole(*c));
        }
    }
    widths
}

fn base_widths(tab: Tab) -> Vec<Constraint> {
    match tab {
        Tab::Users => vec![
            Constraint::Fill(1),
            Constraint::Length(21),
            Constraint::Fill(1),
            Constraint::Fill(2),
        ],
        Tab::Companies => vec![
            Constraint::Fill(1),
            Constraint::Length(21),
            Constraint::Length(5),
            Constraint::Fill(2),
        ],
        Tab::Events => vec![
            Constraint::Length(21),
            Constraint::Min(12),
            Constraint::Min(8),
            Constraint::Min(8),
            Constraint::Fill(1),
        ],
        Tab::Feedback => vec![
            Constraint::Length(21),
            Constraint::Min(10),
            Constraint::Min(8),
            Constraint::Length(5),
            Constraint::Fill(1),
        ],
        Tab::FlagChecks => vec![
            Constraint::Length(21),
            Constraint::Fill(2),
            Constraint::Fill(1),
            Constraint::Fill(1),
        ],
    }
}

fn empty_lines(state: &State, theme: Theme) -> Vec<Line<'static>> {
    let data = &state.inspect;
    let noun = data.tab.title().to_lowercase();
    if !data.search.text().is_empty() {
        return vec![Line::from(Span::styled(
            no_match_hint(&state.keymap, data, &noun),
            theme.label(),
        ))];
    }
    if data.query.offset > 0 {
        return vec![Line::from(Span::styled(
            no_more_rows_hint(&state.keymap),
            theme.label(),
        ))];
    }
    let method = match data.tab {
        Tab::Users => "user",
        Tab::Companies => "company",
        Tab::Events => "event",
        Tab::Feedback => "feedback",
        Tab::FlagChecks => {
            return vec![Line::from(Span::styled(
                format!(
                    "No flag checks stored yet. The SDKs send them (POST /features/events, /bulk) \
                     when your app checks a flag with a Runtime API key: point it at {}. They \
                     send at most one per flag and context a minute.",
                    sanitize(&state.base_url)
                ),
                theme.label(),
            ))];
        }
    };
    vec![
        Line::from(Span::styled(
            format!("Nothing stored yet: no {noun} for this tracking key."),
            theme.label(),
        )),
        Line::from(""),
        Line::from(Span::styled(
            nothing_stored_hint(&state.keymap, method, &state.base_url),
            theme.dim(),
        )),
    ]
}

fn detail(
    frame: &mut Frame<'_>,
    area: Rect,
    (data, keymap): (&InspectView, &Keymap),
    opened: &Opened,
    theme: Theme,
) {
    let (title, lines) = match opened {
        Opened::Entity { which, loaded } => {
            let (noun, id) = match which {
                EntityRef::User(id) => ("user", id),
                EntityRef::Company(id) => ("company", id),
            };
            let title = format!(" {noun} {} ", sanitize(id));
            let failed = format!("the {noun} could not be read");
            let retries = retries_hint(keymap, Context::DataDetail);
            let words = crate::term::Unready {
                loading: "loading…",
                failed: &failed,
                after: &retries,
            };
            let width = area.width.saturating_sub(2);
            let lines = match loaded.ready() {
                None => crate::term::unready(loaded, words, width, theme).unwrap_or_default(),
                Some(None) => vec![Line::from(Span::styled(
                    format!(
                        "No {noun} `{}` is stored for this tracking key.",
                        sanitize(id)
                    ),
                    theme.label(),
                ))],
                Some(Some(entity)) => entity_lines(data, keymap, entity, theme),
            };
            (title, lines)
        }
        Opened::Event(e) => (
            format!(" event {} ", sanitize(&e.id)),
            event_lines(e, theme),
        ),
        Opened::Feedback(f) => {
            let mut lines = vec![
                field("feedbackId", &f.feedback_id, theme),
                field("featureId", &f.feature_id, theme),
                field("userId", &f.user_id, theme),
                field("companyId", f.company_id.as_deref().unwrap_or("—"), theme),
                field(
                    "score",
                    &f.score
                        .map_or_else(|| "none".to_owned(), |s| format!("{s}/5")),
                    theme,
                ),
                field("source", &f.source, theme),
                field("created", &short_time(&f.created_at), theme),
                field("updated", &short_time(&f.updated_at), theme),
            ];
            for (name, value) in [
                ("question", &f.question),
                ("promptedQuestion", &f.prompted_question),
                ("promptId", &f.prompt_id),
            ] {
                if let Some(v) = value {
                    lines.push(field(name, v, theme));
                }
            }
            if let Some(comment) = &f.comment {
                lines.push(Line::from(Span::styled("comment", theme.label())));
                for l in comment.lines() {
                    lines.push(Line::from(format!("  {}", sanitize(l))));
                }
            }
            (
                format!(" feedback {} ", fit(&sanitize(&f.feature_id), 30)),
                lines,
            )
        }
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .padding(Padding::horizontal(1))
        .title(Span::styled(title, theme.title()));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((data.scroll, 0)),
        area,
    );
}

fn field(name: &str, value: &str, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{name:<12}"), theme.label()),
        Span::raw(sanitize(value)),
    ])
}

fn seen_line(
    data: &InspectView,
    which: &EntityRef,
    last: Option<&str>,
    theme: Theme,
) -> Line<'static> {
    let mut spans = vec![
        Span::styled(format!("{:<12}", "last seen"), theme.label()),
        Span::raw(last.map_or_else(|| "never".to_owned(), precise_time)),
    ];
    if data.changed.contains(which) {
        spans.push(Span::styled(
            "  ↑ changed by your last send",
            theme.success(),
        ));
    } else if data.touched.contains(which) {
        spans.push(Span::styled("  unchanged by your last send", theme.dim()));
    }
    Line::from(spans)
}

fn entity_lines(
    data: &InspectView,
    keymap: &Keymap,
    entity: &Entity,
    theme: Theme,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let (attributes, events) = match entity {
        Entity::User { user, events } => {
            let which = EntityRef::User(user.user_id.clone());
            lines.push(field("first seen", &precise_time(&user.first_seen), theme));
            lines.push(seen_line(data, &which, user.last_seen.as_deref(), theme));
            if user.companies.is_empty() {
                lines.push(Line::from(vec![
                    Span::styled(format!("{:<12}", "companies"), theme.label()),
                    Span::styled(NO_COMPANY, theme.warning()),
                ]));
                lines.push(Line::from(Span::styled(
                    table::unassociated_explanation(&user.user_id),
                    theme.warning(),
                )));
            } else {
                lines.push(field("companies", &user.companies.join(", "), theme));
            }
            (&user.attributes, events)
        }
        Entity::Company { company, events } => {
            let which = EntityRef::Company(company.company_id.clone());
            lines.push(field(
                "first seen",
                &precise_time(&company.first_seen),
                theme,
            ));
            lines.push(seen_line(data, &which, company.last_seen.as_deref(), theme));
            let members = if company.users.is_empty() {
                "none yet (a `company` call with a userId adds one)".to_owned()
            } else {
                company.users.join(", ")
            };
            lines.push(field("members", &members, theme));
            let funnels = keymap.shared(Command::OpenFeatures);
            lines.extend(feature_steps(data, &company.company_id, &funnels, theme));
            (&company.attributes, events)
        }
    };
    lines.push(Line::from(Span::styled("attributes", theme.label())));
    if attributes.is_empty() {
        lines.push(Line::from(Span::styled("  none", theme.dim())));
    } else {
        let text = serde_json::to_string(attributes).unwrap_or_default();
        lines.extend(json_lines(&text, theme).into_iter().map(|l| {
            let mut spans = vec![Span::raw("  ")];
            spans.extend(l.spans);
            Line::from(spans)
        }));
    }
    lines.push(Line::from(Span::styled(
        format!("recent events (newest {})", crate::inspect::RECENT_EVENTS),
        theme.label(),
    )));
    if events.is_empty() {
        lines.push(Line::from(Span::styled("  none", theme.dim())));
    }
    for e in events {
        lines.push(Line::from(vec![
            Span::styled(format!("  {}  ", short_time(&e.received_at)), theme.dim()),
            Span::raw(sanitize(&e.event)),
            Span::styled(
                format!(
                    "  user {}{}",
                    sanitize(&e.user_id),
                    e.company_id
                        .as_deref()
                        .map(|c| format!(" · company {}", sanitize(c)))
                        .unwrap_or_default()
                ),
                theme.dim(),
            ),
        ]));
    }
    lines
}

/// The company's STARS step per feature, and what keeps it from the next one.
fn feature_steps(
    data: &InspectView,
    company: &str,
    funnels_key: &str,
    theme: Theme,
) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        format!("features (STARS step · {funnels_key} for the funnels)"),
        theme.label(),
    ))];
    match &data.company_steps {
        Some((id, Some(Ok(funnels)))) if id == company => {
            if funnels.is_empty() {
                lines.push(Line::from(Span::styled("  no features yet", theme.dim())));
            }
            for f in funnels {
                let (step, why) = f
                    .standings
                    .first()
                    .map_or(("not in its segment", None), |s| {
                        (s.step.title(), s.why_not_next.as_deref())
                    });
                lines.push(Line::from(vec![
                    Span::raw(format!("  {:<20} ", sanitize(&f.feature))),
                    Span::styled(format!("{step:<10}"), theme.success()),
                    Span::styled(
                        why.map_or_else(String::new, |w| format!(" → {}", sanitize(w))),
                        theme.dim(),
                    ),
                ]));
            }
        }
        Some((id, Some(Err(e)))) if id == company => lines.push(Line::from(Span::styled(
            format!("  ✗ {}", sanitize(&e.to_string())),
            theme.error(),
        ))),
        _ => lines.push(Line::from(Span::styled("  computing…", theme.dim()))),
    }
    lines
}

fn event_lines(e: &EventRecord, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![
        field("event", &e.event, theme),
        field("userId", &e.user_id, theme),
        field("companyId", e.company_id.as_deref().unwrap_or("—"), theme),
        field("timestamp", &short_time(&e.timestamp), theme),
        field("received", &short_time(&e.received_at), theme),
        Line::from(Span::styled("attributes", theme.label())),
    ];
    if e.attributes.is_empty() {
        lines.push(Line::from(Span::styled("  none", theme.dim())));
    } else {
        let text = serde_json::to_string(&e.attributes).unwrap_or_default();
        lines.extend(json_lines(&text, theme));
    }
    lines
}

//! The Traffic view: the requests the local server receives for this key, live, and one opened
//! with its problems beside its fields and both verdicts when forwarding.

use super::Theme;
use super::annotated::{self, Note};
use crate::api::inspect::{RequestRecord, Verdict};
use crate::inspect::table::{precise_time, request_row};
use crate::sanitize::sanitize;
use crate::tui::state::State;
use crate::tui::traffic::{Link, ROUTES, TrafficView};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Padding, Paragraph, Row, Table, TableState, Wrap};

/// The line under the header: the stream's state, pause, and the filters.
pub fn bar(frame: &mut Frame<'_>, area: Rect, t: &TrafficView, theme: Theme) {
    let (link, style) = match &t.link {
        Link::Connecting => ("○ connecting…".to_owned(), theme.dim()),
        Link::Live => ("● live".to_owned(), theme.success()),
        Link::Lost(_) => ("● stream lost".to_owned(), theme.error()),
    };
    let mut spans = vec![
        Span::styled(" Traffic ", theme.active_tab()),
        Span::raw("  "),
        Span::styled(link, style),
    ];
    if t.paused {
        spans.push(Span::styled(
            format!("  ⏸ paused, {} new", t.held.len()),
            theme.warning(),
        ));
    }
    spans.push(Span::styled(
        format!(
            "  status: {} · route: {}",
            t.status.label(),
            ROUTES[t.route]
        ),
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &State, theme: Theme) {
    match state.traffic.opened_record() {
        Some(r) => {
            let number = state.traffic.number(&r.id).unwrap_or_default();
            detail(frame, area, r, number, state.traffic.scroll, theme);
        }
        None => list(frame, area, state, theme),
    }
}

/// The status line: why the stream is down, else nothing of its own.
pub fn status_line(t: &TrafficView, theme: Theme) -> Option<Line<'static>> {
    match &t.link {
        Link::Lost(why) => Some(Line::from(Span::styled(
            format!(" ✗ {} · retrying", sanitize(why)),
            theme.error(),
        ))),
        _ => None,
    }
}

fn status_style(status: Option<u16>, theme: Theme) -> Style {
    theme.status(status)
}

fn list(frame: &mut Frame<'_>, area: Rect, state: &State, theme: Theme) {
    let t = &state.traffic;
    let shown = t.shown();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            format!(
                " requests for key {} · {} shown of {} ",
                state.profile.key.masked(),
                shown.len(),
                t.records.len()
            ),
            theme.title(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if shown.is_empty() {
        frame.render_widget(
            Paragraph::new(empty_lines(state, theme)).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    // Rows are built for what fits, not for the up to 10 000 kept.
    let fits = usize::from(inner.height.saturating_sub(1)).max(1);
    let first = crate::tui::layout::data_offset(t.selected, area);
    let rows: Vec<Row> = shown
        .iter()
        .skip(first)
        .take(fits)
        .map(|r| {
            let row = request_row(r);
            Row::new(vec![
                Cell::from(Span::styled(row.time, theme.dim())),
                Cell::from(Span::styled(row.status, status_style(row.answered, theme))),
                Cell::from(row.route),
                Cell::from(Span::styled(row.source, theme.dim())),
                Cell::from(row.problem),
            ])
        })
        .collect();
    let header =
        Row::new(["time", "status", "request", "source", "first problem"]).style(theme.dim());
    let table = Table::new(
        rows,
        [
            Constraint::Length(12),
            Constraint::Length(9),
            Constraint::Length(18),
            Constraint::Max(22),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .column_spacing(1)
    .row_highlight_style(theme.selected());
    let mut selection = TableState::default().with_selected(Some(t.selected - first));
    frame.render_stateful_widget(table, inner, &mut selection);
}

fn empty_lines(state: &State, theme: Theme) -> Vec<Line<'static>> {
    let t = &state.traffic;
    if !t.records.is_empty() {
        return vec![Line::from(Span::styled(
            "No request matches the filters: f changes the status filter, m the route.",
            theme.label(),
        ))];
    }
    vec![
        Line::from(Span::styled(
            "No requests yet for this tracking key.",
            theme.label(),
        )),
        Line::from(""),
        Line::from(Span::styled(
            format!(
                "Point your app at {} with this profile's tracking key ({}), for example the \
                 browser SDK with host: \"{}\". Every call it makes shows here as it arrives, \
                 with the server's verdict.",
                sanitize(&state.base_url),
                state.profile.key.masked(),
                sanitize(&state.base_url)
            ),
            theme.dim(),
        )),
    ]
}

fn verdict_line(label: &str, v: &Verdict, theme: Theme) -> Line<'static> {
    let status = v
        .status
        .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
    let mut spans = vec![
        Span::styled(format!("{label:<24}"), theme.label()),
        Span::styled(format!("{status:<10}"), status_style(v.status, theme)),
        Span::styled(format!("{:.1} ms", v.latency_ms), theme.dim()),
    ];
    if let Some(code) = v.error_code {
        spans.push(Span::raw(format!(
            "  {}",
            serde_json::to_value(code)
                .ok()
                .and_then(|c| c.as_str().map(str::to_owned))
                .unwrap_or_default()
        )));
    }
    if v.validation_errors.is_empty()
        && let Some(m) = &v.message
    {
        spans.push(Span::styled(format!("  {}", sanitize(m)), theme.dim()));
    }
    Line::from(spans)
}

fn notes(v: &Verdict, prefix: &str) -> Vec<Note> {
    v.validation_errors
        .iter()
        .map(|e| Note {
            path: e.path.clone(),
            text: format!("{prefix}{}", e.message),
            error: true,
        })
        .chain(v.warnings.iter().map(|w| Note {
            path: w.path.clone(),
            text: format!("{prefix}{}", w.message),
            error: false,
        }))
        .collect()
}

fn detail(
    frame: &mut Frame<'_>,
    area: Rect,
    r: &RequestRecord,
    number: u64,
    scroll: u16,
    theme: Theme,
) {
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{:<24}", "received"), theme.label()),
            Span::raw(precise_time(&r.received_at)),
        ]),
        verdict_line("this server (contract)", &r.local, theme),
    ];
    if let Some(up) = &r.upstream {
        lines.push(verdict_line("real service (forward)", up, theme));
    }
    for check in crate::api::flags::explain::checks_in(&r.path, &r.body) {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<24}", "flag check"), theme.label()),
            Span::raw(sanitize(&check)),
        ]));
    }
    let h = &r.headers;
    for (name, value) in [
        ("content-type", &h.content_type),
        ("bucket-sdk-version", &h.sdk_version),
        ("user-agent", &h.user_agent),
        ("origin", &h.origin),
    ] {
        if let Some(v) = value {
            lines.push(Line::from(vec![
                Span::styled(format!("{name:<24}"), theme.dim()),
                Span::raw(sanitize(v)),
            ]));
        }
    }
    lines.push(Line::from(Span::styled(
        if r.body_incomplete {
            "body (incomplete: the client stopped before its end; not checked, not stored)"
        } else if r.body_truncated {
            "body (cut at the 32 KiB limit)"
        } else {
            "body"
        },
        theme.label(),
    )));
    let mut all = notes(&r.local, "");
    if let Some(up) = &r.upstream
        && up.validation_errors != r.local.validation_errors
    {
        all.extend(notes(up, "real service: "));
    }
    lines.extend(annotated::lines(&r.body, &all, theme));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .padding(Padding::horizontal(1))
        .title(Span::styled(
            format!(
                " request #{number} · {} {} ",
                sanitize(&r.method),
                sanitize(&r.path)
            ),
            theme.title(),
        ));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

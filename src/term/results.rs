//! A feature's results as lines: the kiosk's closing screen and the console's Results view.

use super::Theme;
use crate::api::Score;
use crate::results::Results;
use crate::sanitize::sanitize;
use ratatui::text::{Line, Span};

pub fn result_lines(r: &Results, width: u16, theme: Theme) -> Vec<Line<'static>> {
    let average = r
        .average
        .map_or_else(|| "no score yet".to_owned(), |a| format!("{a:.2}"));
    let mut lines = vec![
        Line::from(format!(
            "{} · average {average}",
            plural(r.responses as u64, "response")
        )),
        Line::from(Span::styled(r.source, theme.dim())),
        Line::from(""),
    ];
    let most = r.distribution.iter().copied().max().unwrap_or(0).max(1);
    let bar_width = u64::from(width.saturating_sub(34).max(10));
    for (i, n) in r.distribution.iter().enumerate() {
        let score = i as u8 + 1;
        let len = usize::try_from(n * bar_width / most).unwrap_or(0);
        lines.push(Line::from(vec![
            Span::styled(
                format!("{score} {:<18}", Score::new(score).map_or("", Score::label)),
                theme.score(score),
            ),
            Span::styled("█".repeat(len), theme.score(score)),
            Span::raw(format!(" {n}")),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "comments, newest first",
        theme.label(),
    )));
    if r.comments.is_empty() {
        lines.push(Line::from(Span::styled("  none", theme.dim())));
    }
    for (time, score, comment) in &r.comments {
        let score = score.map(|s| format!("{s}/5 ")).unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {} {score}", crate::inspect::table::short_time(time)),
                theme.dim(),
            ),
            Span::raw(sanitize(&comment.replace('\n', " "))),
        ]));
    }
    lines
}

/// `1 response`, `2 responses`.
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

//! Alt+B's batch: on a runtime profile, sends are collected as pending items and go together as
//! one `POST /bulk`. The sent batch is one exchange of the log, which opens into its items, each
//! with its verdict and the problems the server put on it.

use crate::api::Method;
use crate::api::runtime::bulk::{ItemOutcome, item_verdicts};
use crate::client::Exchange;
use crate::client::batch::{self as bulk, BatchError};
use crate::sanitize::sanitize;
use crate::term::Theme;
use ratatui::text::{Line, Span};

/// A call collected for the batch, as its form would have sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub method: Method,
    pub body: String,
}

/// The batch being collected: its items in order, and whether its `/bulk` is on its way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub items: Vec<Pending>,
    pub sending: bool,
    /// Quit was asked once while items were pending, and told what it would lose.
    pub quit_warned: bool,
}

impl Batch {
    /// The `/bulk` body of the items, within the batch's bounds.
    pub fn body(&self) -> Result<String, BatchError> {
        let items = self
            .items
            .iter()
            .map(|p| bulk::item_from_text(p.method, &p.body))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(bulk::Batch::new(items)?.text().to_owned())
    }

    /// "3 items" (or "1 item").
    pub fn count(&self) -> String {
        items(self.items.len())
    }
}

/// "1 item", "3 items".
pub fn items(n: usize) -> String {
    format!("{n} item{}", if n == 1 { "" } else { "s" })
}

/// Whether a log entry is a sent batch.
pub fn is_batch(e: &Exchange) -> bool {
    e.method == bulk::ROUTE
}

/// What the log's method column says of an entry: a batch with its number of items (`bulk·3`).
pub fn method_label(e: &Exchange) -> String {
    if !is_batch(e) {
        return e.method.clone();
    }
    // Counted without building the items: the row is drawn on every frame.
    match serde_json::from_str::<Vec<serde::de::IgnoredAny>>(&e.request_body) {
        Ok(items) => format!("{}·{}", e.method, items.len()),
        Err(_) => e.method.clone(),
    }
}

/// The items of a sent batch, as sent.
pub fn sent_items(e: &Exchange) -> Vec<serde_json::Value> {
    match serde_json::from_str::<serde_json::Value>(&e.request_body) {
        Ok(serde_json::Value::Array(items)) => items,
        _ => Vec::new(),
    }
}

/// What the detail of a batch selects among: its items (another exchange's validation errors).
pub fn choices(e: &Exchange) -> usize {
    if is_batch(e) {
        sent_items(e).len()
    } else {
        e.validation_errors.len()
    }
}

/// A batch's items in its detail: each with its type and verdict, the chosen one marked, and
/// under each the problems the server put on it.
pub fn item_lines(e: &Exchange, selected: usize, theme: Theme) -> Vec<Line<'static>> {
    let verdicts = item_verdicts(
        &e.request_body,
        e.status().unwrap_or(0),
        &e.validation_errors,
    );
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{} (↑↓ choose · Enter: load it into its form, its problems marked)",
            items(verdicts.len())
        ),
        theme.title(),
    ))];
    for v in &verdicts {
        let (word, style) = match (v.verdict, e.status()) {
            (ItemOutcome::Stored, _) => ("stored", theme.success()),
            (ItemOutcome::Refused, _) => ("refused", theme.error()),
            (ItemOutcome::NotStored, None) => ("no answer: not stored", theme.warning()),
            (ItemOutcome::NotStored, Some(_)) => {
                ("not stored (the batch was refused)", theme.dim())
            }
        };
        let chosen = v.index == selected;
        let text = format!(
            "{} #{:<3} {:<20} {word}",
            if chosen { "▸" } else { " " },
            v.index,
            sanitize(v.item_type.as_deref().unwrap_or("?")),
        );
        lines.push(Line::from(Span::styled(
            text,
            if chosen { theme.selected() } else { style },
        )));
        for p in &v.problems {
            lines.push(Line::from(Span::styled(
                format!("      {:<18} {}", sanitize(&p.path), sanitize(&p.message)),
                theme.error(),
            )));
        }
    }
    lines
}

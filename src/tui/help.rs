//! F1's content, laid out for a width: the update bounds the scroll with the same rows the view
//! draws, so the last line can always be reached and none is cut.

use crate::tui::keys::{Context, Keymap};

/// Where F1 is scrolled to and what it is filtered by (`/` then typing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpView {
    pub scroll: usize,
    pub filter: String,
    pub typing: bool,
}

/// One drawn row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Title(&'static str),
    /// A binding's keys (on its first row only) and a part of what it does.
    Entry {
        keys: String,
        what: String,
    },
    Blank,
    Note(String),
}

/// The keys column, then the description.
pub const KEYS_WIDTH: usize = 26;

const NOTE: &str = "Mouse: click tabs, fields and log rows; wheel scrolls the log. Esc closes. \
                    The names in [ ] rebind in config.toml.";

/// The box's width on a terminal `width` columns wide: wide enough for the commands' names.
#[must_use]
pub fn box_width(width: u16) -> u16 {
    width.saturating_sub(2).clamp(76, 118).min(width)
}

/// The rows for `contexts`, each binding matching `filter` (case-insensitive, keys or words),
/// wrapped to the box's inner `inner` columns.
#[must_use]
pub fn rows(keymap: &Keymap, contexts: &[Context], filter: &str, inner: usize) -> Vec<Row> {
    let filter = filter.to_lowercase();
    let mut rows = Vec::new();
    for context in contexts {
        let entries: Vec<(String, String)> = keymap
            .help_lines(*context)
            .into_iter()
            .filter(|(k, w)| {
                filter.is_empty()
                    || k.to_lowercase().contains(&filter)
                    || w.to_lowercase().contains(&filter)
            })
            .collect();
        if entries.is_empty() {
            continue;
        }
        if !rows.is_empty() {
            rows.push(Row::Blank);
        }
        rows.push(Row::Title(context.title()));
        for (keys, what) in entries {
            let keys = format!("  {keys}");
            // Keys too long for their column get a row of their own.
            let mut first = if keys.chars().count() >= KEYS_WIDTH {
                rows.push(Row::Entry {
                    keys,
                    what: String::new(),
                });
                String::new()
            } else {
                keys
            };
            for part in crate::term::wrap(&what, inner.saturating_sub(KEYS_WIDTH)) {
                rows.push(Row::Entry {
                    keys: std::mem::take(&mut first),
                    what: part,
                });
            }
        }
    }
    if rows.is_empty() {
        rows.push(Row::Note(format!("no key matches `{filter}`")));
    }
    rows.push(Row::Blank);
    rows.extend(crate::term::wrap(NOTE, inner).into_iter().map(Row::Note));
    rows
}

/// How many rows show at once in a box on a terminal `height` rows high: all but the borders and
/// the footer line.
#[must_use]
pub fn visible(rows: usize, height: u16) -> usize {
    (rows + 3).min(usize::from(height)).saturating_sub(3)
}

/// F1 shows the keys of where it was opened, then the console's (on the console), the shared
/// ones, and its own.
#[must_use]
pub fn contexts(here: Context) -> Vec<Context> {
    let mut contexts = vec![here];
    if here.falls_back_to_list() {
        contexts.push(Context::List);
    }
    if here.on_console() && here != Context::Console {
        contexts.push(Context::Console);
    }
    contexts.push(Context::Anywhere);
    contexts.extend([Context::Help, Context::HelpFilter]);
    contexts
}

/// The rows for a terminal of `size`, and how many of them show at once.
#[must_use]
pub fn layout(
    keymap: &Keymap,
    here: Context,
    view: &HelpView,
    size: (u16, u16),
) -> (Vec<Row>, usize) {
    let inner = usize::from(box_width(size.0).saturating_sub(2));
    let rows = rows(keymap, &contexts(here), &view.filter, inner);
    let shown = visible(rows.len(), size.1);
    (rows, shown)
}

/// The furthest the view scrolls: the last row at the bottom.
#[must_use]
pub fn max_scroll(rows: usize, shown: usize) -> usize {
    rows.saturating_sub(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wrapped, never cut: each `[command-name]` config.toml needs is whole on one row.
    #[test]
    fn every_command_name_shows_whole_at_80_and_120_columns() {
        let keymap = Keymap::default();
        for width in [80, 120] {
            for here in [Context::Form, Context::Log, Context::Data, Context::Traffic] {
                let all = contexts(here);
                let rows = rows(&keymap, &all, "", usize::from(box_width(width) - 2));
                let text: Vec<String> = rows
                    .iter()
                    .filter_map(|r| match r {
                        Row::Entry { keys, what } => Some(format!("{keys:<KEYS_WIDTH$}{what}")),
                        _ => None,
                    })
                    .collect();
                assert!(
                    text.iter()
                        .all(|t| t.chars().count() <= usize::from(box_width(width) - 2))
                );
                for context in &all {
                    for (_, what) in keymap.help_lines(*context) {
                        let Some(names) = what.rsplit_once('[').map(|(_, n)| n) else {
                            continue;
                        };
                        for name in names.trim_end_matches(']').split(", ") {
                            assert!(
                                text.iter().any(|t| t.contains(name)),
                                "{width}: {name} cut in {text:#?}"
                            );
                        }
                    }
                }
            }
        }
    }
}

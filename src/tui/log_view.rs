//! The log pane's state ([`LogView`], one struct like every other screen's), its filter (status
//! class, method, profile: the CLI's `log` filter, one rule for both) and moving the selection
//! among the entries it keeps. The selection stays an index into the whole log, so a detail
//! opened on it names the same exchange whatever the filter.

use super::state::State;
use crate::api::Method;
use crate::client::Exchange;
use crate::history::{Filter, StatusClass};
use std::collections::VecDeque;

/// The console's log pane.
#[derive(Debug, Clone)]
pub struct LogView {
    /// Newest first.
    pub entries: VecDeque<Exchange>,
    /// An index into `entries`, whatever the filter.
    pub selected: usize,
    /// Which entries the pane shows (`f`, `m`, `p` on the log; `0` clears them).
    pub filter: Filter,
    /// The history's first read has not come yet.
    pub loading: bool,
    /// The history's latest change the pane holds, and whether a read of later ones runs
    /// (`Some(true)`: and the file was written again meanwhile).
    pub change: i64,
    pub refresh: Option<bool>,
}

impl Default for LogView {
    fn default() -> Self {
        Self {
            entries: VecDeque::new(),
            selected: 0,
            filter: Filter::default(),
            loading: true,
            change: 0,
            refresh: None,
        }
    }
}

impl State {
    /// The entries shown, newest first, with their index in the whole log.
    pub fn visible_log(&self) -> impl Iterator<Item = (usize, &Exchange)> {
        let filter = &self.log.filter;
        let all = filter.is_empty();
        self.log
            .entries
            .iter()
            .enumerate()
            .filter(move |(_, e)| all || filter.matches(e))
    }

    /// What the pane draws with `rows` rows: the entries on screen (the selection on the last
    /// row once it is that far down, as [`crate::tui::layout::log_offset`] places it), and how
    /// many are shown in all. Without a filter this jumps straight there; with one it is a single
    /// pass over the log, so a frame stays cheap however long the log is.
    pub fn log_window(&self, rows: usize) -> LogWindow<'_> {
        let rows = rows.max(1);
        if self.log.filter.is_empty() {
            let offset = self.log.selected.saturating_sub(rows - 1);
            return LogWindow {
                rows: self
                    .log
                    .entries
                    .iter()
                    .enumerate()
                    .skip(offset)
                    .take(rows)
                    .collect(),
                count: self.log.entries.len(),
            };
        }
        let mut window = std::collections::VecDeque::with_capacity(rows + 1);
        let (mut found, mut count) = (false, 0);
        for (i, e) in self.visible_log() {
            count += 1;
            if !found {
                window.push_back((i, e));
                if window.len() > rows {
                    window.pop_front();
                }
                found = i == self.log.selected;
            } else if window.len() < rows {
                window.push_back((i, e));
            }
        }
        if !found {
            window = self.visible_log().take(rows).collect();
        }
        LogWindow {
            rows: window.into(),
            count,
        }
    }

    pub fn visible_count(&self) -> usize {
        if self.log.filter.is_empty() {
            self.log.entries.len()
        } else {
            self.visible_log().count()
        }
    }

    /// Where the selection is among the shown entries; `None` when it is not one of them.
    pub fn selected_position(&self) -> Option<usize> {
        if self.log.filter.is_empty() {
            return (self.log.selected < self.log.entries.len()).then_some(self.log.selected);
        }
        self.visible_log().position(|(i, _)| i == self.log.selected)
    }

    /// Selects the shown entry at `position`, or the last one past the end.
    pub fn select_visible(&mut self, position: usize) {
        let chosen = if self.log.filter.is_empty() {
            (!self.log.entries.is_empty()).then(|| position.min(self.log.entries.len() - 1))
        } else {
            let mut last = None;
            for (n, (i, _)) in self.visible_log().enumerate() {
                last = Some(i);
                if n == position {
                    break;
                }
            }
            last
        };
        if let Some(i) = chosen {
            self.log.selected = i;
        }
    }

    /// After the log or the filter changed: the selection is a shown entry when there is one.
    pub fn keep_selection_visible(&mut self) {
        if self.selected_position().is_none() {
            self.select_visible(0);
        }
    }

    /// `f`: all → 2xx → 4xx → 5xx → failed → queued → all.
    pub fn cycle_status_filter(&mut self) {
        const ORDER: [Option<StatusClass>; 6] = [
            None,
            Some(StatusClass::Hundreds(200)),
            Some(StatusClass::Hundreds(400)),
            Some(StatusClass::Hundreds(500)),
            Some(StatusClass::Failed),
            Some(StatusClass::Queued),
        ];
        self.log.filter.status = next(&ORDER, &self.log.filter.status);
        self.keep_selection_visible();
    }

    /// `m`: all → user → company → event → feedback → all.
    pub fn cycle_method_filter(&mut self) {
        let order: Vec<Option<String>> = std::iter::once(None)
            .chain(Method::ALL.iter().map(|m| Some(m.as_str().to_owned())))
            .collect();
        self.log.filter.method = next(&order, &self.log.filter.method);
        self.keep_selection_visible();
    }

    /// `0`: every entry again, the selected one kept (it is shown whatever the filter was).
    pub fn clear_log_filters(&mut self) {
        self.log.filter = Filter::default();
        self.keep_selection_visible();
    }

    /// `p`: all → each profile the log holds, by name → all.
    pub fn cycle_profile_filter(&mut self) {
        let mut names: Vec<&str> = self
            .log
            .entries
            .iter()
            .map(|e| e.profile.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        let order: Vec<Option<String>> = std::iter::once(None)
            .chain(names.into_iter().map(|n| Some(n.to_owned())))
            .collect();
        self.log.filter.profile = next(&order, &self.log.filter.profile);
        self.keep_selection_visible();
    }
}

/// The value after `current` in `order`, wrapping (the first when `current` is not in it).
fn next<T: Clone + PartialEq>(order: &[T], current: &T) -> T {
    let at = order.iter().position(|o| o == current);
    order[at.map_or(0, |i| (i + 1) % order.len())].clone()
}

/// The filter in force, for the pane's title: `4xx · event · staging`.
pub fn describe(filter: &Filter) -> String {
    let mut parts = Vec::new();
    if let Some(status) = filter.status {
        parts.push(status.label());
    }
    parts.extend(filter.method.clone());
    parts.extend(filter.profile.clone());
    parts.join(" · ")
}

/// The log pane's rows on screen, each with its index in the whole log, and the count shown.
pub struct LogWindow<'a> {
    pub rows: Vec<(usize, &'a Exchange)>,
    pub count: usize,
}

#[cfg(test)]
mod tests {
    use crate::tui::fixtures::{exchange, state};
    use crate::tui::layout;

    /// The single pass shows exactly the rows the layout's offset names, for every selection,
    /// with and without a filter, so clicks land on what is drawn.
    #[test]
    fn the_window_is_the_rows_the_layout_places() {
        let mut s = state(crate::api::Method::Event);
        s.log.entries = (0..40)
            .map(|i| {
                let mut e = exchange("event", if i % 3 == 0 { 400 } else { 200 }, "{}", vec![]);
                e.id = Some(i);
                e
            })
            .collect();
        let area = ratatui::layout::Rect::new(0, 0, 40, 12);
        for filtered in [false, true] {
            if filtered {
                s.cycle_status_filter();
                s.cycle_status_filter();
            }
            let shown: Vec<usize> = s.visible_log().map(|(i, _)| i).collect();
            for (position, &index) in shown.iter().enumerate() {
                s.log.selected = index;
                let offset = layout::log_offset(position, area);
                let expected: Vec<usize> = shown.iter().copied().skip(offset).take(10).collect();
                let window = s.log_window(10);
                let got: Vec<usize> = window.rows.iter().map(|(i, _)| *i).collect();
                assert_eq!(got, expected, "filtered {filtered}, position {position}");
                assert_eq!(window.count, shown.len());
            }
        }
    }
}

//! The log pane's state ([`LogView`], one struct like every other screen's), its filter (status
//! class, method, profile: the CLI's `log` filter, one rule for both) and moving the selection
//! among the entries it keeps. The selection stays an index into the whole log, so a detail
//! opened on it names the same exchange whatever the filter.

use super::state::State;
use crate::api::Method;
use crate::client::Exchange;
use crate::history::{Filter, StatusClass};
use std::collections::VecDeque;

mod entries;
#[cfg(test)]
mod entries_tests;

/// The console's log pane. The entries and the filter change only through its methods
/// (`log_view::entries`), which keep the index of the entries the filter shows.
#[derive(Debug, Clone)]
pub struct LogView {
    entries: VecDeque<Exchange>,
    /// An index into `entries`, whatever the filter.
    pub selected: usize,
    filter: Filter,
    shown: entries::Shown,
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
            shown: entries::Shown::default(),
            loading: true,
            change: 0,
            refresh: None,
        }
    }
}

impl LogView {
    /// Exchanges the pane keeps, as many as the history's first read brings: a long session
    /// holds what a restart would show, and its memory stops growing there.
    pub const KEEP: usize = 10_000;
}

impl State {
    /// After exchanges arrive: the oldest past [`LogView::KEEP`] leave, but not one a detail is
    /// open on (it goes once the detail is closed and another arrives); the selection stays on
    /// an entry.
    pub fn bound_log(&mut self) {
        let keep = self
            .detail
            .as_ref()
            .map_or(LogView::KEEP, |d| LogView::KEEP.max(d.index + 1));
        if self.log.keep_newest(keep) > 0 {
            let last = self.log.entries.len().saturating_sub(1);
            self.log.selected = self.log.selected.min(last);
        }
    }

    /// The entries shown, newest first, with their index in the whole log.
    pub fn visible_log(&self) -> Box<dyn Iterator<Item = (usize, &Exchange)> + '_> {
        let log = &self.log;
        if log.filter.is_empty() {
            Box::new(log.entries.iter().enumerate())
        } else {
            Box::new(log.shown_indexes().map(|i| (i, &log.entries[i])))
        }
    }

    /// What the pane draws with `rows` rows: the entries on screen (the selection on the last
    /// row once it is that far down, as [`crate::tui::layout::log_offset`] places it), and how
    /// many are shown in all. The filtered index makes this a jump, filter or not, so a frame
    /// stays cheap however long the log is.
    pub fn log_window(&self, rows: usize) -> LogWindow<'_> {
        let rows = rows.max(1);
        let offset = self
            .selected_position()
            .unwrap_or(0)
            .saturating_sub(rows - 1);
        let log = &self.log;
        let rows = if log.filter.is_empty() {
            log.entries
                .iter()
                .enumerate()
                .skip(offset)
                .take(rows)
                .collect()
        } else {
            (offset..offset + rows)
                .map_while(|position| log.shown_at(position))
                .map(|i| (i, &log.entries[i]))
                .collect()
        };
        LogWindow {
            rows,
            count: self.visible_count(),
        }
    }

    pub fn visible_count(&self) -> usize {
        if self.log.filter.is_empty() {
            self.log.entries.len()
        } else {
            self.log.shown_len()
        }
    }

    /// Where the selection is among the shown entries; `None` when it is not one of them.
    pub fn selected_position(&self) -> Option<usize> {
        if self.log.filter.is_empty() {
            return (self.log.selected < self.log.entries.len()).then_some(self.log.selected);
        }
        self.log.shown_position(self.log.selected)
    }

    /// Selects the shown entry at `position`, or the last one past the end.
    pub fn select_visible(&mut self, position: usize) {
        let count = self.visible_count();
        if count == 0 {
            return;
        }
        let position = position.min(count - 1);
        self.log.selected = if self.log.filter.is_empty() {
            position
        } else {
            self.log.shown_at(position).unwrap_or(self.log.selected)
        };
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
        let filter = Filter {
            status: next(&ORDER, &self.log.filter.status),
            ..self.log.filter.clone()
        };
        self.log.set_filter(filter);
        self.keep_selection_visible();
    }

    /// `m`: all → user → company → event → feedback → all.
    pub fn cycle_method_filter(&mut self) {
        let order: Vec<Option<String>> = std::iter::once(None)
            .chain(Method::ALL.iter().map(|m| Some(m.as_str().to_owned())))
            .collect();
        let filter = Filter {
            method: next(&order, &self.log.filter.method),
            ..self.log.filter.clone()
        };
        self.log.set_filter(filter);
        self.keep_selection_visible();
    }

    /// `0`: every entry again, the selected one kept (it is shown whatever the filter was).
    pub fn clear_log_filters(&mut self) {
        self.log.set_filter(Filter::default());
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
        let filter = Filter {
            profile: next(&order, &self.log.filter.profile),
            ..self.log.filter.clone()
        };
        self.log.set_filter(filter);
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
        s.log.set_entries((0..40).map(|i| {
            let mut e = exchange("event", if i % 3 == 0 { 400 } else { 200 }, "{}", vec![]);
            e.id = Some(i);
            e
        }));
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

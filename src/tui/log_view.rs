//! The log pane's filter (status class, method, profile: the CLI's `log` filter, one rule for
//! both) and moving the selection among the entries it keeps. The selection stays an index into
//! the whole log, so a detail opened on it names the same exchange whatever the filter.

use super::state::State;
use crate::api::Method;
use crate::client::Exchange;
use crate::history::{Filter, StatusClass};

impl State {
    /// The entries shown, newest first, with their index in the whole log.
    pub fn visible_log(&self) -> impl Iterator<Item = (usize, &Exchange)> {
        let filter = &self.log_filter;
        let all = filter.is_empty();
        self.log
            .iter()
            .enumerate()
            .filter(move |(_, e)| all || filter.matches(e))
    }

    pub fn visible_count(&self) -> usize {
        if self.log_filter.is_empty() {
            self.log.len()
        } else {
            self.visible_log().count()
        }
    }

    /// Where the selection is among the shown entries; `None` when it is not one of them.
    pub fn selected_position(&self) -> Option<usize> {
        if self.log_filter.is_empty() {
            return (self.log_selected < self.log.len()).then_some(self.log_selected);
        }
        self.visible_log().position(|(i, _)| i == self.log_selected)
    }

    /// Selects the shown entry at `position`, or the last one past the end.
    pub fn select_visible(&mut self, position: usize) {
        let chosen = if self.log_filter.is_empty() {
            (!self.log.is_empty()).then(|| position.min(self.log.len() - 1))
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
            self.log_selected = i;
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
        self.log_filter.status = next(&ORDER, &self.log_filter.status);
        self.keep_selection_visible();
    }

    /// `m`: all → user → company → event → feedback → all.
    pub fn cycle_method_filter(&mut self) {
        let order: Vec<Option<String>> = std::iter::once(None)
            .chain(Method::ALL.iter().map(|m| Some(m.as_str().to_owned())))
            .collect();
        self.log_filter.method = next(&order, &self.log_filter.method);
        self.keep_selection_visible();
    }

    /// `p`: all → each profile the log holds, by name → all.
    pub fn cycle_profile_filter(&mut self) {
        let mut names: Vec<&str> = self.log.iter().map(|e| e.profile.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let order: Vec<Option<String>> = std::iter::once(None)
            .chain(names.into_iter().map(|n| Some(n.to_owned())))
            .collect();
        self.log_filter.profile = next(&order, &self.log_filter.profile);
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

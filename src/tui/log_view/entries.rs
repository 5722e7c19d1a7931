//! The log's entries and the filtered index kept beside them. Every change to the entries goes
//! through here, so the index of the entries the filter shows follows each arrival, replacement
//! and insertion in a step of its own, and is rebuilt only when the filter changes: a frame, a
//! key or a click on a filtered log never walks the whole log.
//!
//! Entries are newest first and most arrive at the front, which would shift every position by
//! one. So the index holds keys, not positions: entry `i` has key `origin + i`, a push at the
//! front lowers `origin`, and the keys already held stay right.

use super::LogView;
use crate::client::Exchange;
use crate::history::Filter;
use std::collections::VecDeque;

/// The keys of the entries the filter shows, ascending (newest first). Empty and unused while
/// the filter shows everything.
#[derive(Debug, Clone, Default)]
pub(super) struct Shown {
    keys: VecDeque<i64>,
    origin: i64,
}

impl LogView {
    /// Newest first.
    pub fn entries(&self) -> &VecDeque<Exchange> {
        &self.entries
    }

    /// Which entries the pane shows (`f`, `m`, `p` on the log; `0` clears them).
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// A new filter: the one moment the index is built from the whole log.
    pub fn set_filter(&mut self, filter: Filter) {
        self.filter = filter;
        self.rebuild();
    }

    /// Every entry replaced at once (newest first).
    pub fn set_entries(&mut self, entries: impl IntoIterator<Item = Exchange>) {
        self.entries = entries.into_iter().collect();
        self.rebuild();
    }

    /// A new exchange, on top.
    pub fn push_front(&mut self, entry: Exchange) {
        self.shown.origin -= 1;
        if self.counts(&entry) {
            self.shown.keys.push_front(self.shown.origin);
        }
        self.entries.push_front(entry);
    }

    /// Older exchanges, below those held (the history's first read).
    pub fn extend_older(&mut self, entries: impl IntoIterator<Item = Exchange>) {
        for entry in entries {
            if self.counts(&entry) {
                self.shown.keys.push_back(self.key(self.entries.len()));
            }
            self.entries.push_back(entry);
        }
    }

    /// An exchange placed at `at` (another process's write, by id): the keys below it move
    /// down one.
    pub fn insert(&mut self, at: usize, entry: Exchange) {
        let at = at.min(self.entries.len());
        if at == 0 {
            return self.push_front(entry);
        }
        let key = self.key(at);
        let from = self.shown.keys.partition_point(|&k| k < key);
        for k in self.shown.keys.range_mut(from..) {
            *k += 1;
        }
        if self.counts(&entry) {
            self.shown.keys.insert(from, key);
        }
        self.entries.insert(at, entry);
    }

    /// Drops the oldest entries past the newest `keep`; says how many went.
    pub fn keep_newest(&mut self, keep: usize) -> usize {
        let gone = self.entries.len().saturating_sub(keep);
        for _ in 0..gone {
            let last = self.key(self.entries.len() - 1);
            if self.shown.keys.back() == Some(&last) {
                self.shown.keys.pop_back();
            }
            self.entries.pop_back();
        }
        gone
    }

    /// The entry at `at` moved on (queued → delivered): the filter may now show or hide it.
    pub fn replace(&mut self, at: usize, entry: Exchange) {
        self.change(at, |e| *e = entry);
    }

    /// Changes the entry at `at` in place (it left the outbox, say): the filter may now show or
    /// hide it.
    pub fn change(&mut self, at: usize, change: impl FnOnce(&mut Exchange)) {
        let Some(entry) = self.entries.get_mut(at) else {
            return;
        };
        let was = !self.filter.is_empty() && self.filter.matches(entry);
        change(entry);
        let now = !self.filter.is_empty() && self.filter.matches(entry);
        if was != now {
            let key = self.key(at);
            let found = self.shown.keys.binary_search(&key);
            match (found, now) {
                (Err(place), true) => self.shown.keys.insert(place, key),
                (Ok(place), false) => {
                    self.shown.keys.remove(place);
                }
                _ => {}
            }
        }
    }

    /// The filtered entries' indexes in the whole log, newest first (only with a filter).
    pub(super) fn shown_indexes(&self) -> impl DoubleEndedIterator<Item = usize> + '_ {
        self.shown
            .keys
            .iter()
            .map(|k| (k - self.shown.origin) as usize)
    }

    /// How many entries the filter shows (only with a filter).
    pub(super) fn shown_len(&self) -> usize {
        self.shown.keys.len()
    }

    /// The index of the `position`th entry the filter shows (only with a filter).
    pub(super) fn shown_at(&self, position: usize) -> Option<usize> {
        self.shown
            .keys
            .get(position)
            .map(|k| (k - self.shown.origin) as usize)
    }

    /// Where entry `index` is among those the filter shows (only with a filter).
    pub(super) fn shown_position(&self, index: usize) -> Option<usize> {
        self.shown.keys.binary_search(&self.key(index)).ok()
    }

    fn key(&self, index: usize) -> i64 {
        self.shown.origin + index as i64
    }

    /// Whether the index holds `entry`: never while the filter shows everything.
    fn counts(&self, entry: &Exchange) -> bool {
        !self.filter.is_empty() && self.filter.matches(entry)
    }

    fn rebuild(&mut self) {
        self.shown.origin = 0;
        self.shown.keys = if self.filter.is_empty() {
            VecDeque::new()
        } else {
            self.entries
                .iter()
                .enumerate()
                .filter(|(_, e)| self.filter.matches(e))
                .map(|(i, _)| i as i64)
                .collect()
        };
    }
}

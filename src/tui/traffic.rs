//! The Traffic view's state: the requests a local server received for the profile's key, live,
//! newest first, with filters, pause and one request opened. Records arrive as actions from a
//! stream task; nothing here does I/O.

use crate::api::inspect::RequestRecord;
use std::collections::VecDeque;

/// Requests kept on screen, newest first (the server keeps its own 10 000).
pub const KEEP: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    #[default]
    All,
    /// 2xx from whoever answered.
    Accepted,
    /// 4xx.
    Rejected,
    /// 5xx, or no answer.
    Failed,
}

impl StatusFilter {
    #[must_use]
    pub fn next(self) -> Self {
        match self {
            StatusFilter::All => StatusFilter::Rejected,
            StatusFilter::Rejected => StatusFilter::Failed,
            StatusFilter::Failed => StatusFilter::Accepted,
            StatusFilter::Accepted => StatusFilter::All,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StatusFilter::All => "all",
            StatusFilter::Accepted => "2xx",
            StatusFilter::Rejected => "4xx",
            StatusFilter::Failed => "5xx/none",
        }
    }

    fn keeps(self, r: &RequestRecord) -> bool {
        let status = r.answered().status;
        match self {
            StatusFilter::All => true,
            StatusFilter::Accepted => matches!(status, Some(200..=299)),
            StatusFilter::Rejected => matches!(status, Some(400..=499)),
            StatusFilter::Failed => !matches!(status, Some(0..=499)),
        }
    }
}

/// Which routes to show: every one, one method, or anything else (typos, prompting-init).
pub const ROUTES: [&str; 6] = ["all", "user", "company", "event", "feedback", "other"];

/// Whether the stream is up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Live,
    /// Lost, with why; the task retries by itself.
    Lost(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrafficView {
    /// Newest first.
    pub records: VecDeque<RequestRecord>,
    /// Arrived while paused, oldest first; shown on resume.
    pub held: Vec<RequestRecord>,
    pub paused: bool,
    pub status: StatusFilter,
    /// Index into [`ROUTES`].
    pub route: usize,
    /// Selected row among the shown ones.
    pub selected: usize,
    /// The id of the request opened whole, and how far it is scrolled.
    pub opened: Option<String>,
    pub scroll: u16,
    pub link: Link,
    /// Records from an older stream (another profile) are dropped.
    pub generation: u64,
    /// The newest id shown or held: ids only grow, so a record at or below it (resent after a
    /// reconnect) is a duplicate, found without scanning the list.
    pub newest: u64,
    pub started: bool,
    /// How many records were ever shown, for their short numbers (#1, #2…): the server's ids
    /// are long and meant for `watch` and the stream, not for reading.
    pub pushed: u64,
}

impl Default for TrafficView {
    fn default() -> Self {
        Self {
            records: VecDeque::new(),
            held: Vec::new(),
            paused: false,
            status: StatusFilter::All,
            route: 0,
            selected: 0,
            opened: None,
            scroll: 0,
            link: Link::Connecting,
            generation: 0,
            newest: 0,
            started: false,
            pushed: 0,
        }
    }
}

impl TrafficView {
    fn route_keeps(&self, r: &RequestRecord) -> bool {
        let route = r.route();
        let method = crate::api::Method::from_route(route).map(|(m, _)| m.as_str());
        match ROUTES[self.route] {
            "all" => true,
            "other" => method.is_none(),
            name => method == Some(name),
        }
    }

    /// The rows the filters let through, newest first.
    pub fn shown(&self) -> Vec<&RequestRecord> {
        self.records
            .iter()
            .filter(|r| self.status.keeps(r) && self.route_keeps(r))
            .collect()
    }

    pub fn selected_record(&self) -> Option<&RequestRecord> {
        self.shown().get(self.selected).copied()
    }

    pub fn opened_record(&self) -> Option<&RequestRecord> {
        let id = self.opened.as_ref()?;
        self.records.iter().find(|r| &r.id == id)
    }

    /// A record from the stream of `generation`.
    pub fn arrived(&mut self, generation: u64, record: RequestRecord) {
        if generation != self.generation {
            return;
        }
        let id: u64 = record.id.parse().unwrap_or(0);
        if id <= self.newest {
            return;
        }
        self.newest = id;
        if self.paused {
            self.held.push(record);
        } else {
            let keeps = self.status.keeps(&record) && self.route_keeps(&record);
            self.push(record);
            // The selection stays on the same request as rows arrive above it.
            if keeps && self.selected > 0 {
                self.selected += 1;
            }
        }
    }

    /// The short number of the record with `id`, in the order records were shown (display only).
    pub fn number(&self, id: &str) -> Option<u64> {
        let at = self.records.iter().position(|r| r.id == id)?;
        Some(self.pushed - at as u64)
    }

    fn push(&mut self, record: RequestRecord) {
        self.pushed += 1;
        self.records.push_front(record);
        self.records.truncate(KEEP);
    }

    pub fn toggle_pause(&mut self) {
        self.paused = !self.paused;
        if !self.paused {
            for r in std::mem::take(&mut self.held) {
                self.push(r);
            }
            self.selected = 0;
        }
    }

    pub fn move_selection(&mut self, down: bool, by: usize) {
        let len = self.shown().len();
        self.selected = if down {
            (self.selected + by).min(len.saturating_sub(1))
        } else {
            self.selected.saturating_sub(by)
        };
    }

    pub fn cycle_status(&mut self) {
        self.status = self.status.next();
        self.selected = 0;
    }

    pub fn cycle_route(&mut self) {
        self.route = (self.route + 1) % ROUTES.len();
        self.selected = 0;
    }

    /// A new stream (first open, or another profile): forget what the last one showed.
    pub fn restart(&mut self) -> u64 {
        let generation = self.generation + 1;
        *self = Self {
            generation,
            started: true,
            status: self.status,
            route: self.route,
            ..Self::default()
        };
        generation
    }
}

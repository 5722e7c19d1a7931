//! The traffic recorder: every request on a tracking route, accepted or not, with what was
//! answered, kept per tracking key in a bounded table in memory, and published live to the
//! `requests/stream` subscribers.
//!
//! In memory, not in SQLite, so recording costs the ingestion path a mutex and a copy rather than
//! a write per call; a restart of the server clears it (it is a debugging view, not data).

use crate::api::inspect::{RequestHeaders, RequestRecord, Verdict};
use crate::api::timestamp;
use bytes::Bytes;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// Requests kept per tracking key unless told otherwise.
pub const DEFAULT_KEEP: usize = 10_000;
/// The most of an answer's body a record keeps (the tracking API's answers are tiny; a record is
/// for reading, and a bound on each keeps the budget's arithmetic honest).
pub const MAX_RECORDED_ANSWER: usize = 64 * 1024;

/// What a record keeps of a request and its answer, in one allocation: the route, the four
/// headers that matter, the body and the local answer's body. A full table then holds two
/// allocations per record (this and its `Arc`); with one per piece, glibc's malloc spent several
/// percent of the server's CPU consolidating what evictions freed. Copies, too, because keeping
/// hyper's `Bytes` would keep each connection's read buffer alive.
#[derive(Debug, Default)]
pub struct Texts {
    buf: Box<[u8]>,
    /// Where each part ends: route, content-type, sdk version, user agent, origin, body, answer.
    ends: [u32; 7],
    /// Which of the four headers were present.
    present: [bool; 4],
}

impl Texts {
    /// `Content-Type`, `bucket-sdk-version`, `User-Agent`, `Origin`.
    const HEADERS: [&'static str; 4] =
        ["content-type", "bucket-sdk-version", "user-agent", "origin"];

    pub fn new(route: &str, headers: &axum::http::HeaderMap, body: &[u8], answer: &[u8]) -> Self {
        Self::with_sdk(route, headers, None, body, answer)
    }

    /// [`Texts::new`] with the SDK named otherwise than by `bucket-sdk-version` (a Runtime API
    /// call's `reflag-sdk-version`, a header on POSTs and a query parameter on GETs).
    pub fn with_sdk(
        route: &str,
        headers: &axum::http::HeaderMap,
        sdk: Option<&[u8]>,
        body: &[u8],
        answer: &[u8],
    ) -> Self {
        let mut values =
            Self::HEADERS.map(|name| headers.get(name).map(|v| &v.as_bytes()[..v.len().min(500)]));
        if let Some(sdk) = sdk {
            values[1] = Some(&sdk[..sdk.len().min(500)]);
        }
        let route = &route.as_bytes()[..route.len().min(400)];
        let mut parts: Vec<&[u8]> = vec![route];
        parts.extend(values.iter().map(|v| v.unwrap_or_default()));
        parts.push(body);
        parts.push(&answer[..answer.len().min(MAX_RECORDED_ANSWER)]);
        let mut buf = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
        let mut ends = [0u32; 7];
        for (i, part) in parts.iter().enumerate() {
            buf.extend_from_slice(part);
            ends[i] = u32::try_from(buf.len()).unwrap_or(u32::MAX);
        }
        Self {
            buf: buf.into_boxed_slice(),
            ends,
            present: values.map(|v| v.is_some()),
        }
    }

    fn part(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.buf[start..self.ends[i] as usize]
    }

    fn text(&self, i: usize) -> String {
        String::from_utf8_lossy(self.part(i)).into_owned()
    }

    fn len(&self) -> usize {
        self.buf.len()
    }

    fn headers(&self) -> RequestHeaders {
        let header = |i: usize| self.present[i].then(|| self.text(i + 1));
        RequestHeaders {
            content_type: header(0),
            sdk_version: header(1),
            user_agent: header(2),
            origin: header(3),
        }
    }
}

/// The key of a record not yet in a table.
pub fn no_key() -> Arc<str> {
    static NONE: std::sync::LazyLock<Arc<str>> = std::sync::LazyLock::new(|| Arc::from(""));
    Arc::clone(&NONE)
}

/// One request as it happened, before it is shaped for the routes.
#[derive(Debug)]
pub struct Recorded {
    pub id: u64,
    /// The tracking key, in memory only (never written, printed or answered); set by
    /// [`Traffic::record`] from its table, so a call costs no copy of it.
    pub key: Arc<str>,
    pub received_ms: i64,
    pub verb: axum::http::Method,
    /// What follows the key in the path (`event`, `feedback/prompting-init`, `evnt`…), the
    /// headers, the body as received and the local answer's body.
    pub texts: Texts,
    pub body_truncated: bool,
    /// The body did not arrive whole (cut short, or too slow): it was neither checked nor stored.
    pub body_incomplete: bool,
    /// The local answer's status and latency.
    pub local: (u16, f64),
    pub upstream: Option<Upstream>,
    /// A Runtime API call: its key as shown (kind, masked, fingerprint; empty when none came).
    /// The route is then the whole path, `publishableKey` redacted.
    pub runtime_key: Option<Box<str>>,
}

/// The real service's answer in forwarding mode: status, body and latency, or why there was none.
#[derive(Debug, Clone)]
pub struct Upstream {
    pub answer: Result<(u16, Bytes), String>,
    pub latency_ms: f64,
}

impl Upstream {
    /// The copy a record keeps: the body cut at [`MAX_RECORDED_ANSWER`] and copied, so a large
    /// answer's buffer is not kept alive by a slice of it.
    #[must_use]
    pub fn for_record(self) -> Self {
        Self {
            answer: self.answer.map(|(status, body)| {
                if body.len() > MAX_RECORDED_ANSWER {
                    (status, Bytes::copy_from_slice(&body[..MAX_RECORDED_ANSWER]))
                } else {
                    (status, body)
                }
            }),
            latency_ms: self.latency_ms,
        }
    }
}

impl Recorded {
    fn weight(&self) -> usize {
        let upstream = self
            .upstream
            .as_ref()
            .and_then(|u| u.answer.as_ref().ok())
            .map_or(0, |(_, body)| body.len());
        self.texts.len() + upstream + 256
    }

    /// The record as the routes and the stream give it.
    pub fn to_record(&self) -> RequestRecord {
        let text = |b: &Bytes| String::from_utf8_lossy(b).into_owned();
        let (status, latency) = self.local;
        let ms = |x: f64| (x * 1000.0).round() / 1000.0;
        let path = match self.runtime_key {
            Some(_) => self.texts.text(0),
            None => format!("/{{key}}/{}", self.texts.text(0)),
        };
        let local = Verdict::read(Some(status), self.texts.text(6), ms(latency));
        let body = self.texts.text(5);
        let items = if self.runtime_key.is_some() && path == "/bulk" {
            crate::api::runtime::bulk::item_verdicts(&body, status, &local.validation_errors)
        } else {
            Vec::new()
        };
        RequestRecord {
            id: self.id.to_string(),
            received_at: timestamp::format(self.received_ms),
            method: self.verb.to_string(),
            path,
            key: self
                .runtime_key
                .as_deref()
                .filter(|k| !k.is_empty())
                .map(str::to_owned),
            headers: self.texts.headers(),
            body,
            body_truncated: self.body_truncated,
            body_incomplete: self.body_incomplete,
            items,
            local,
            upstream: self.upstream.as_ref().map(|u| match &u.answer {
                Ok((status, body)) => Verdict::read(Some(*status), text(body), ms(u.latency_ms)),
                Err(why) => Verdict {
                    status: None,
                    message: Some(why.clone()),
                    latency_ms: ms(u.latency_ms),
                    ..Verdict::default()
                },
            }),
        }
    }
}

/// Said to every stream when a record is added: which key and which id. The stream reads the
/// record from the table, so the channel holds no bodies and costs nothing however far a
/// reader falls behind.
#[derive(Debug, Clone)]
pub struct Notice {
    pub key: Arc<str>,
    pub id: u64,
}

/// What a table of one key costs beyond its records: the key, the map's entry, the deque.
const RING_OVERHEAD: usize = 160;

#[derive(Default)]
struct Table {
    rings: HashMap<Arc<str>, VecDeque<Arc<Recorded>>>,
    /// Each ring's oldest id: the oldest record across keys is the first entry.
    oldest: BTreeMap<u64, Arc<str>>,
    bytes: usize,
    next_id: u64,
}

impl Table {
    /// Drops the oldest record of `key`, and the key itself when that was its last.
    fn pop_oldest(&mut self, key: &Arc<str>) {
        let Some(ring) = self.rings.get_mut(key) else {
            return;
        };
        let Some(old) = ring.pop_front() else {
            return;
        };
        self.bytes -= old.weight();
        self.oldest.remove(&old.id);
        match ring.front() {
            Some(next) => {
                self.oldest.insert(next.id, Arc::clone(key));
            }
            None => {
                self.rings.remove(key);
                self.bytes -= RING_OVERHEAD + key.len();
            }
        }
    }
}

pub struct Traffic {
    keep: usize,
    /// Bytes of records held across every key.
    budget: usize,
    table: Mutex<Table>,
    live: broadcast::Sender<Notice>,
}

impl Traffic {
    /// Keeps the newest `keep` requests per key (0 records nothing), and at most `budget` bytes
    /// of them across keys, the oldest going first.
    pub fn new(keep: usize, budget: usize) -> Self {
        Self {
            keep,
            budget,
            table: Mutex::new(Table {
                // Ids go on increasing across restarts, so a watcher resuming "after ID" from
                // the last server's numbering misses nothing of the new one's.
                next_id: u64::try_from(timestamp::now_ms()).unwrap_or(1) * 1000,
                ..Table::default()
            }),
            live: broadcast::channel(1024).0,
        }
    }

    pub fn enabled(&self) -> bool {
        self.keep > 0
    }

    /// The newest id given so far: a stream that starts now follows what comes after it.
    pub fn last_id(&self) -> u64 {
        self.table.lock().map_or(0, |t| t.next_id.saturating_sub(1))
    }

    /// Records a request of `key`; its `id` and `key` are set here, so ids increase in each
    /// table's order.
    pub fn record(&self, key: &str, mut recorded: Recorded) {
        if !self.enabled() {
            return;
        }
        let Ok(mut table) = self.table.lock() else {
            return;
        };
        let table = &mut *table;
        recorded.id = table.next_id;
        table.next_id += 1;
        let shared = match table.rings.get_key_value(key) {
            Some((k, _)) => Arc::clone(k),
            None => {
                let k: Arc<str> = Arc::from(key);
                table.rings.insert(Arc::clone(&k), VecDeque::new());
                table.bytes += RING_OVERHEAD + key.len();
                table.oldest.insert(recorded.id, Arc::clone(&k));
                k
            }
        };
        recorded.key = Arc::clone(&shared);
        let notice = Notice {
            key: Arc::clone(&shared),
            id: recorded.id,
        };
        table.bytes += recorded.weight();
        let ring = table.rings.entry(Arc::clone(&shared)).or_default();
        ring.push_back(Arc::new(recorded));
        let over_count = ring.len() > self.keep;
        if over_count {
            table.pop_oldest(&shared);
        }
        while table.bytes > self.budget {
            let Some(oldest) = table.oldest.first_key_value().map(|(_, k)| Arc::clone(k)) else {
                break;
            };
            table.pop_oldest(&oldest);
        }
        // Nobody listening is the usual case, not an error.
        let _ = self.live.send(notice);
    }

    /// Up to `limit` records of `key`, oldest first: after `after` when given, else the newest.
    pub fn list(&self, key: &str, after: Option<u64>, limit: usize) -> Vec<Arc<Recorded>> {
        let Ok(table) = self.table.lock() else {
            return Vec::new();
        };
        let Some(ring) = table.rings.get(key) else {
            return Vec::new();
        };
        let skip = match after {
            // Ids increase along a ring.
            Some(after) => ring.partition_point(|r| r.id <= after),
            None => ring.len().saturating_sub(limit),
        };
        ring.range(skip..).take(limit).cloned().collect()
    }

    /// Bytes the table holds, as counted against the budget.
    pub fn held(&self) -> usize {
        self.table.lock().map_or(0, |t| t.bytes)
    }

    /// Keys with at least one record.
    pub fn keys(&self) -> usize {
        self.table.lock().map_or(0, |t| t.rings.len())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.live.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(body: &str) -> Recorded {
        Recorded {
            id: 0,
            key: no_key(),
            received_ms: 0,
            verb: axum::http::Method::POST,
            texts: Texts::new(
                "event",
                &axum::http::HeaderMap::new(),
                body.as_bytes(),
                b"{\"success\":true}",
            ),
            body_truncated: false,
            body_incomplete: false,
            local: (200, 0.1),
            upstream: None,
            runtime_key: None,
        }
    }

    #[test]
    fn keeps_the_newest_per_key_and_pages_after_an_id() {
        let t = Traffic::new(3, usize::MAX);
        for i in 0..5 {
            t.record("a", rec(&i.to_string()));
        }
        t.record("b", rec("other"));
        let first = t.list("a", None, 100)[0].id - 2;
        let ids = |v: Vec<Arc<Recorded>>| v.iter().map(|r| r.id - first).collect::<Vec<_>>();
        assert_eq!(ids(t.list("a", None, 100)), [2, 3, 4]);
        assert_eq!(ids(t.list("a", None, 2)), [3, 4]);
        assert_eq!(ids(t.list("a", Some(first + 2), 1)), [3]);
        assert_eq!(ids(t.list("b", None, 100)), [5]);
        assert!(t.list("c", None, 100).is_empty());
    }

    #[test]
    fn one_budget_across_keys_evicts_the_oldest_and_forgets_empty_keys() {
        let body = "x".repeat(10_000);
        let one = rec(&body).weight() + RING_OVERHEAD + 1;
        let t = Traffic::new(100, one * 3);
        for key in ["a", "b", "c", "d", "e"] {
            t.record(key, rec(&body));
            assert!(t.held() <= one * 3);
        }
        assert_eq!(t.keys(), 3, "the two oldest keys are forgotten");
        assert!(t.list("a", None, 10).is_empty());
        assert!(t.list("b", None, 10).is_empty());
        assert_eq!(t.list("e", None, 10).len(), 1);
        // A key's own records go oldest first too.
        for _ in 0..5 {
            t.record("e", rec(&body));
        }
        assert!(t.held() <= one * 3);
        assert_eq!(t.keys(), 1);
        let ids: Vec<u64> = t.list("e", None, 10).iter().map(|r| r.id).collect();
        assert!(
            ids.len() == 3 && ids.windows(2).all(|w| w[0] < w[1]),
            "{ids:?}"
        );
    }

    #[test]
    fn after_an_id_pages_forward() {
        let t = Traffic::new(100, usize::MAX);
        for i in 0..10 {
            t.record("a", rec(&i.to_string()));
        }
        let all = t.list("a", None, 100);
        let page = t.list("a", Some(all[3].id), 4);
        assert_eq!(
            page.iter().map(|r| r.id).collect::<Vec<_>>(),
            all[4..8].iter().map(|r| r.id).collect::<Vec<_>>()
        );
        assert!(t.list("a", Some(all[9].id), 4).is_empty());
    }

    #[test]
    fn zero_records_nothing() {
        let t = Traffic::new(0, usize::MAX);
        t.record("a", rec("x"));
        assert!(t.list("a", None, 10).is_empty());
    }
}

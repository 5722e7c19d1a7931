//! The traffic recorder: every request on a tracking route, accepted or not, with what was
//! answered, kept per tracking key in a bounded table in memory, and published live to the
//! `requests/stream` subscribers.
//!
//! In memory, not in SQLite, so recording costs the ingestion path a mutex and a copy rather than
//! a write per call; a restart of the server clears it (it is a debugging view, not data).

use crate::api::inspect::{RequestHeaders, RequestRecord, Verdict};
use crate::api::timestamp;
use bytes::Bytes;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// Requests kept per tracking key unless told otherwise.
pub const DEFAULT_KEEP: usize = 10_000;
/// Bytes of bodies kept per tracking key, whatever the count: a flood of 32 KiB bodies must not
/// take the machine's memory.
const BYTES_PER_KEY: usize = 64 * 1024 * 1024;

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
        let values =
            Self::HEADERS.map(|name| headers.get(name).map(|v| &v.as_bytes()[..v.len().min(500)]));
        let route = &route.as_bytes()[..route.len().min(200)];
        let mut parts: Vec<&[u8]> = vec![route];
        parts.extend(values.iter().map(|v| v.unwrap_or_default()));
        parts.push(body);
        parts.push(answer);
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
    /// The local answer's status and latency.
    pub local: (u16, f64),
    pub upstream: Option<Upstream>,
}

/// The real service's answer in forwarding mode: status, body and latency, or why there was none.
#[derive(Debug, Clone)]
pub struct Upstream {
    pub answer: Result<(u16, Bytes), String>,
    pub latency_ms: f64,
}

impl Recorded {
    fn weight(&self) -> usize {
        self.texts.len() + 256
    }

    /// The record as the routes and the stream give it.
    pub fn to_record(&self) -> RequestRecord {
        let text = |b: &Bytes| String::from_utf8_lossy(b).into_owned();
        let (status, latency) = self.local;
        let ms = |x: f64| (x * 1000.0).round() / 1000.0;
        RequestRecord {
            id: self.id.to_string(),
            received_at: timestamp::format(self.received_ms),
            method: self.verb.to_string(),
            path: format!("/{{key}}/{}", self.texts.text(0)),
            headers: self.texts.headers(),
            body: self.texts.text(5),
            body_truncated: self.body_truncated,
            local: Verdict::read(Some(status), self.texts.text(6), ms(latency)),
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

#[derive(Default)]
struct Ring {
    records: VecDeque<Arc<Recorded>>,
    bytes: usize,
}

pub struct Traffic {
    keep: usize,
    next_id: AtomicU64,
    rings: Mutex<HashMap<Arc<str>, Ring>>,
    live: broadcast::Sender<Arc<Recorded>>,
}

impl Traffic {
    /// Keeps the newest `keep` requests per key; 0 records nothing.
    pub fn new(keep: usize) -> Self {
        Self {
            keep,
            // Ids go on increasing across restarts, so a watcher resuming "after ID" from the
            // last server's numbering misses nothing of the new one's.
            next_id: AtomicU64::new(u64::try_from(timestamp::now_ms()).unwrap_or(1) * 1000),
            rings: Mutex::new(HashMap::new()),
            live: broadcast::channel(1024).0,
        }
    }

    pub fn enabled(&self) -> bool {
        self.keep > 0
    }

    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Records a request of `key` (its `key` field is replaced by the table's own copy).
    pub fn record(&self, key: &str, mut recorded: Recorded) {
        if !self.enabled() {
            return;
        }
        let Ok(mut rings) = self.rings.lock() else {
            return;
        };
        let shared = match rings.get_key_value(key) {
            Some((k, _)) => Arc::clone(k),
            None => {
                let k: Arc<str> = Arc::from(key);
                rings.insert(Arc::clone(&k), Ring::default());
                k
            }
        };
        recorded.key = shared;
        let recorded = Arc::new(recorded);
        {
            let Some(ring) = rings.get_mut(key) else {
                return;
            };
            ring.bytes += recorded.weight();
            ring.records.push_back(Arc::clone(&recorded));
            while ring.records.len() > self.keep || ring.bytes > BYTES_PER_KEY {
                match ring.records.pop_front() {
                    Some(old) => ring.bytes -= old.weight(),
                    None => break,
                }
            }
        }
        drop(rings);
        // Nobody listening is the usual case, not an error.
        let _ = self.live.send(recorded);
    }

    /// Up to `limit` records of `key`, oldest first: after `after` when given, else the newest.
    pub fn list(&self, key: &str, after: Option<u64>, limit: usize) -> Vec<Arc<Recorded>> {
        let Ok(rings) = self.rings.lock() else {
            return Vec::new();
        };
        let Some(ring) = rings.get(key) else {
            return Vec::new();
        };
        match after {
            Some(after) => ring
                .records
                .iter()
                .filter(|r| r.id > after)
                .take(limit)
                .cloned()
                .collect(),
            None => {
                let skip = ring.records.len().saturating_sub(limit);
                ring.records.iter().skip(skip).cloned().collect()
            }
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Recorded>> {
        self.live.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(t: &Traffic, body: &str) -> Recorded {
        Recorded {
            id: t.next_id(),
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
            local: (200, 0.1),
            upstream: None,
        }
    }

    #[test]
    fn keeps_the_newest_per_key_and_pages_after_an_id() {
        let t = Traffic::new(3);
        for i in 0..5 {
            t.record("a", rec(&t, &i.to_string()));
        }
        t.record("b", rec(&t, "other"));
        let first = t.list("a", None, 100)[0].id - 2;
        let ids = |v: Vec<Arc<Recorded>>| v.iter().map(|r| r.id - first).collect::<Vec<_>>();
        assert_eq!(ids(t.list("a", None, 100)), [2, 3, 4]);
        assert_eq!(ids(t.list("a", None, 2)), [3, 4]);
        assert_eq!(ids(t.list("a", Some(first + 2), 1)), [3]);
        assert_eq!(ids(t.list("b", None, 100)), [5]);
        assert!(t.list("c", None, 100).is_empty());
    }

    #[test]
    fn zero_records_nothing() {
        let t = Traffic::new(0);
        t.record("a", rec(&t, "x"));
        assert!(t.list("a", None, 10).is_empty());
    }
}

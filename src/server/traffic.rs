//! The traffic recorder: every request on a tracking route, accepted or not, with what was
//! answered, kept per tracking key in a bounded table in memory, and published live to the
//! `requests/stream` subscribers.
//!
//! In memory, not in SQLite, so recording costs the ingestion path a mutex and a copy rather than
//! a write per call; a restart of the server clears it (it is a debugging view, not data).

use crate::api::inspect::{RequestHeaders, RequestRecord, Verdict};
use crate::api::{key, timestamp};
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

/// One request as it happened, before it is shaped for the routes.
#[derive(Debug)]
pub struct Recorded {
    pub id: u64,
    /// SHA-256 of the key: records are found by key, and the key itself is not kept.
    pub key_digest: String,
    pub received_ms: i64,
    pub verb: String,
    /// What follows the key in the path: `event`, `feedback/prompting-init`, `evnt`…
    pub route: String,
    pub headers: RequestHeaders,
    pub body: Bytes,
    pub body_truncated: bool,
    pub local: (u16, Bytes, f64),
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
        self.body.len() + self.local.1.len() + 256
    }

    /// The record as the routes and the stream give it.
    pub fn to_record(&self) -> RequestRecord {
        let text = |b: &Bytes| String::from_utf8_lossy(b).into_owned();
        let (status, body, latency) = &self.local;
        let ms = |x: f64| (x * 1000.0).round() / 1000.0;
        RequestRecord {
            id: self.id.to_string(),
            received_at: timestamp::format(self.received_ms),
            method: self.verb.clone(),
            path: format!("/{{key}}/{}", self.route),
            headers: self.headers.clone(),
            body: text(&self.body),
            body_truncated: self.body_truncated,
            local: Verdict::read(Some(*status), text(body), ms(*latency)),
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
    rings: Mutex<HashMap<String, Ring>>,
    live: broadcast::Sender<Arc<Recorded>>,
}

impl Traffic {
    /// Keeps the newest `keep` requests per key; 0 records nothing.
    pub fn new(keep: usize) -> Self {
        Self {
            keep,
            next_id: AtomicU64::new(1),
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

    pub fn record(&self, recorded: Recorded) {
        if !self.enabled() {
            return;
        }
        let recorded = Arc::new(recorded);
        if let Ok(mut rings) = self.rings.lock() {
            let ring = rings.entry(recorded.key_digest.clone()).or_default();
            ring.bytes += recorded.weight();
            ring.records.push_back(Arc::clone(&recorded));
            while ring.records.len() > self.keep || ring.bytes > BYTES_PER_KEY {
                match ring.records.pop_front() {
                    Some(old) => ring.bytes -= old.weight(),
                    None => break,
                }
            }
        }
        // Nobody listening is the usual case, not an error.
        let _ = self.live.send(recorded);
    }

    /// Up to `limit` records of `key`, oldest first: after `after` when given, else the newest.
    pub fn list(&self, key: &str, after: Option<u64>, limit: usize) -> Vec<Arc<Recorded>> {
        let digest = key::digest(key);
        let Ok(rings) = self.rings.lock() else {
            return Vec::new();
        };
        let Some(ring) = rings.get(&digest) else {
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

    fn rec(t: &Traffic, key: &str, body: &str) -> Recorded {
        Recorded {
            id: t.next_id(),
            key_digest: key::digest(key),
            received_ms: 0,
            verb: "POST".into(),
            route: "event".into(),
            headers: RequestHeaders::default(),
            body: Bytes::from(body.to_owned()),
            body_truncated: false,
            local: (200, Bytes::from_static(b"{\"success\":true}"), 0.1),
            upstream: None,
        }
    }

    #[test]
    fn keeps_the_newest_per_key_and_pages_after_an_id() {
        let t = Traffic::new(3);
        for i in 0..5 {
            t.record(rec(&t, "a", &i.to_string()));
        }
        t.record(rec(&t, "b", "other"));
        let ids = |v: Vec<Arc<Recorded>>| v.iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(t.list("a", None, 100)), [3, 4, 5]);
        assert_eq!(ids(t.list("a", None, 2)), [4, 5]);
        assert_eq!(ids(t.list("a", Some(3), 1)), [4]);
        assert_eq!(ids(t.list("b", None, 100)), [6]);
        assert!(t.list("c", None, 100).is_empty());
    }

    #[test]
    fn zero_records_nothing() {
        let t = Traffic::new(0);
        t.record(rec(&t, "a", "x"));
        assert!(t.list("a", None, 10).is_empty());
    }
}

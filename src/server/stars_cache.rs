//! The last few STARS answers, reused while the store has not changed: F6 reopened, or `stars`
//! run again, over a million events answers at once instead of reading them all again. Keyed by
//! the store's change counter and the as-of day, never by a timer, so a reused answer is always
//! the one a fresh computation would give.

use crate::api::stars::{DAY_MS, Feature};
use crate::api::timestamp;
use axum::body::Bytes;
use std::collections::VecDeque;
use std::sync::Mutex;

/// Answers kept: F6's list and its drill-down, and a `stars` or two, per key. Each is at most the
/// answer's bound (`serve --stars-answer-bytes`), so this bounds the memory too.
const ENTRIES: usize = 4;

/// What a STARS answer depends on besides the store and the as-of time.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub key: String,
    pub features: Vec<Feature>,
    pub company_id: Option<String>,
    pub standings: bool,
    pub companies: bool,
}

struct Entry {
    question: Question,
    changes: u64,
    as_of_ms: i64,
    /// A use stamped after `as_of_ms` on its day: a later as-of time would count it.
    later: bool,
    /// The answer as sent: kept as bytes, so a reuse costs a copy, not a serialization.
    answer: Bytes,
    /// Where each funnel's window end (`window.to`, the as-of time) sits in `answer`.
    ends: Vec<usize>,
}

/// Most recently used first.
#[derive(Default)]
pub struct StarsCache {
    entries: Mutex<VecDeque<Entry>>,
}

impl StarsCache {
    /// The answer to `question` at `as_of_ms` over the store at `changes`, if computed before:
    /// at the same time, or earlier the same UTC day with no use stamped in between.
    pub fn get(&self, question: &Question, changes: u64, as_of_ms: i64) -> Option<Bytes> {
        let mut entries = self.entries.lock().ok()?;
        // The counter only grows: an answer of an older store can never be reused.
        entries.retain(|e| e.changes == changes);
        let at = entries.iter().position(|e| {
            e.question == *question
                && e.as_of_ms.div_euclid(DAY_MS) == as_of_ms.div_euclid(DAY_MS)
                && (e.as_of_ms == as_of_ms || (!e.later && e.as_of_ms < as_of_ms))
        })?;
        let entry = entries.remove(at)?;
        let (answer, ends, kept_at) = (entry.answer.clone(), entry.ends.clone(), entry.as_of_ms);
        entries.push_front(entry);
        drop(entries);
        if kept_at == as_of_ms {
            return Some(answer);
        }
        // The window's end is the one thing a later as-of time of the same day changes.
        let (old, new) = (timestamp::format(kept_at), timestamp::format(as_of_ms));
        if old.len() != new.len() {
            return None;
        }
        let mut bytes = answer.to_vec();
        for at in ends {
            bytes
                .get_mut(at..at + new.len())?
                .copy_from_slice(new.as_bytes());
        }
        Some(bytes.into())
    }

    /// Keeps `answer` (a JSON array of funnels), computed for `question` at `as_of_ms` from the
    /// store at `changes`.
    pub fn put(&self, question: Question, changes: u64, as_of_ms: i64, later: bool, answer: Bytes) {
        let Some(ends) = window_ends(&answer, &timestamp::format(as_of_ms)) else {
            return;
        };
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        entries.retain(|e| e.question != question);
        entries.push_front(Entry {
            question,
            changes,
            as_of_ms,
            later,
            answer,
            ends,
        });
        entries.truncate(ENTRIES);
    }
}

/// Where each `"window":{"from":"…","to":"` value starts, `None` unless each holds `to`. Every
/// text the answer carries is a JSON string, whose quotes are escaped: only a funnel's own window
/// can match.
fn window_ends(answer: &[u8], to: &str) -> Option<Vec<usize>> {
    const WINDOW: &[u8] = br#""window":{"from":""#;
    const TO: &[u8] = br#"","to":""#;
    let mut ends = Vec::new();
    let mut from = 0;
    while let Some(i) = find(&answer[from..], WINDOW) {
        let after = from + i + WINDOW.len();
        let at = after + find(&answer[after..], TO)? + TO.len();
        if answer.get(at..at + to.len())? != to.as_bytes() {
            return None;
        }
        ends.push(at);
        from = at;
    }
    Some(ends)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::stars::{Excluded, Funnel, Window};

    fn question(key: &str) -> Question {
        Question {
            key: key.to_owned(),
            features: vec![Feature::from_event("export")],
            company_id: None,
            standings: false,
            companies: true,
        }
    }

    /// The answer of two funnels at `as_of_ms`, as the route sends it.
    fn funnels(as_of_ms: i64) -> Bytes {
        let funnels: Vec<Funnel> = ["export", "to \"window\":{\"from\":\""]
            .iter()
            .map(|name| {
                let f = Feature::from_event(name);
                crate::api::stars::funnel(
                    &f,
                    Window::ending(as_of_ms, &f.rules),
                    &[],
                    Excluded::default(),
                )
            })
            .collect();
        serde_json::to_vec(&funnels).unwrap().into()
    }

    const NOON: i64 = 1_796_040_000_000;

    #[test]
    fn an_answer_is_reused_only_for_the_same_store_day_and_question() {
        let cache = StarsCache::default();
        cache.put(question("a"), 7, NOON, false, funnels(NOON));
        assert_eq!(cache.get(&question("a"), 7, NOON), Some(funnels(NOON)));
        // Later the same day: what a fresh computation says, its window ending then.
        assert_eq!(
            cache.get(&question("a"), 7, NOON + 1000),
            Some(funnels(NOON + 1000))
        );
        assert_eq!(cache.get(&question("a"), 7, NOON - 1000), None);
        assert_eq!(cache.get(&question("a"), 7, NOON + DAY_MS), None);
        assert_eq!(cache.get(&question("b"), 7, NOON), None);
        assert_eq!(cache.get(&question("a"), 8, NOON), None);
        // Once the store changed, the old answer is gone for good.
        assert_eq!(cache.get(&question("a"), 7, NOON), None);
    }

    #[test]
    fn a_use_stamped_later_that_day_keeps_the_answer_to_its_own_time() {
        let cache = StarsCache::default();
        cache.put(question("a"), 1, NOON, true, funnels(NOON));
        assert_eq!(cache.get(&question("a"), 1, NOON + 1000), None);
        assert_eq!(cache.get(&question("a"), 1, NOON), Some(funnels(NOON)));
    }

    #[test]
    fn a_few_answers_are_kept_the_least_recently_used_going_first() {
        let cache = StarsCache::default();
        for k in ["a", "b", "c", "d"] {
            cache.put(question(k), 1, NOON, false, funnels(NOON));
        }
        assert!(cache.get(&question("a"), 1, NOON).is_some());
        cache.put(question("e"), 1, NOON, false, funnels(NOON));
        assert!(cache.get(&question("b"), 1, NOON).is_none());
        for k in ["a", "c", "d", "e"] {
            assert!(cache.get(&question(k), 1, NOON).is_some(), "{k}");
        }
    }
}

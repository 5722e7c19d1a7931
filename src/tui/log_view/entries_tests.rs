//! The filtered index, kept step by step, against a fresh pass of the filter over the whole log.

use super::LogView;
use crate::client::{Exchange, Outcome};
use crate::history::{Filter, StatusClass};
use proptest::prelude::*;

/// An exchange from a small space, so that filters both match and miss.
fn entry(kind: u8) -> Exchange {
    let method = ["event", "user", "company"][usize::from(kind % 3)];
    let status = [200, 400, 500][usize::from(kind / 3 % 3)];
    let mut e = crate::fixtures::exchange(method, status, "{}", vec![]);
    e.profile = ["local", "staging"][usize::from(kind / 9 % 2)].into();
    if kind / 18 % 2 == 1 {
        e.outcome = Outcome::Failed;
        e.response = None;
        e.outbox_id = kind.is_multiple_of(2).then_some(1);
    }
    e
}

fn filter(status: u8, method: u8, profile: u8) -> Filter {
    Filter {
        status: [
            None,
            Some(StatusClass::Hundreds(200)),
            Some(StatusClass::Hundreds(400)),
            Some(StatusClass::Failed),
            Some(StatusClass::Queued),
        ][usize::from(status % 5)],
        method: [None, Some("event".into()), Some("user".into())][usize::from(method % 3)].clone(),
        profile: [None, Some("staging".into())][usize::from(profile % 2)].clone(),
    }
}

#[derive(Debug, Clone)]
enum Step {
    Arrive(u8),
    Older(Vec<u8>),
    Insert(usize, u8),
    Replace(usize, u8),
    /// In place: in or out of the outbox, which moves it between queued and failed.
    Requeue(usize),
    Filter(u8, u8, u8),
    Reset(Vec<u8>),
    /// The oldest past this many leave.
    Keep(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => any::<u8>().prop_map(Step::Arrive),
        1 => prop::collection::vec(any::<u8>(), 0..6).prop_map(Step::Older),
        2 => (0..40usize, any::<u8>()).prop_map(|(at, k)| Step::Insert(at, k)),
        2 => (0..40usize, any::<u8>()).prop_map(|(at, k)| Step::Replace(at, k)),
        2 => (0..40usize).prop_map(Step::Requeue),
        2 => (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(s, m, p)| Step::Filter(s, m, p)),
        1 => prop::collection::vec(any::<u8>(), 0..12).prop_map(Step::Reset),
        1 => (0..30usize).prop_map(Step::Keep),
    ]
}

/// What a full pass of the filter shows: every entry without one.
fn full_pass(log: &LogView) -> Vec<usize> {
    log.entries()
        .iter()
        .enumerate()
        .filter(|(_, e)| log.filter().matches(e))
        .map(|(i, _)| i)
        .collect()
}

proptest! {
    #[test]
    fn the_kept_index_is_a_fresh_filter_pass(steps in prop::collection::vec(step(), 1..60)) {
        let mut log = LogView::default();
        for step in steps {
            match step.clone() {
                Step::Arrive(k) => log.push_front(entry(k)),
                Step::Older(ks) => log.extend_older(ks.into_iter().map(entry)),
                Step::Insert(at, k) => log.insert(at, entry(k)),
                Step::Replace(at, k) => log.replace(at, entry(k)),
                Step::Requeue(at) => log.change(at, |e| {
                    e.outbox_id = if e.outbox_id.is_some() { None } else { Some(1) };
                }),
                Step::Filter(s, m, p) => log.set_filter(filter(s, m, p)),
                Step::Reset(ks) => log.set_entries(ks.into_iter().map(entry)),
                Step::Keep(n) => {
                    let before = log.entries().len();
                    let gone = log.keep_newest(n);
                    prop_assert_eq!(log.entries().len(), before.min(n));
                    prop_assert_eq!(gone, before - log.entries().len());
                }
            }
            if log.filter().is_empty() {
                prop_assert_eq!(log.shown_len(), 0, "no index without a filter");
                continue;
            }
            let expected = full_pass(&log);
            let kept: Vec<usize> = log.shown_indexes().collect();
            prop_assert_eq!(&kept, &expected, "after {:?}", step);
            for (position, &index) in expected.iter().enumerate() {
                prop_assert_eq!(log.shown_position(index), Some(position));
                prop_assert_eq!(log.shown_at(position), Some(index));
            }
        }
    }
}

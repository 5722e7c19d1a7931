//! The funnel's SQL against a plain reading of the rules: whatever the history, each company's
//! step and reason, and what is left out, are the same.

use super::*;
use crate::api::stars::{DAY_MS, Step, standing};
use proptest::prelude::*;
use std::collections::BTreeSet;

const KEY: &str = "propKey_0123456789abcdef";
/// The last millisecond of a UTC day, so that no event of the as-of day comes after it.
const AS_OF: i64 = 20_000 * DAY_MS + DAY_MS - 1;
const COMPANIES: usize = 4;
const USERS: usize = 5;

#[derive(Debug, Clone)]
struct Event {
    user: usize,
    company: Option<usize>,
    days_ago: i64,
    ms: i64,
    ours: bool,
}

fn event() -> impl Strategy<Value = Event> {
    (
        0..USERS,
        proptest::option::of(0..COMPANIES),
        0i64..60,
        0..DAY_MS,
        proptest::bool::weighted(0.8),
    )
        .prop_map(|(user, company, days_ago, ms, ours)| Event {
            user,
            company,
            days_ago,
            ms,
            ours,
        })
}

fn at(e: &Event) -> i64 {
    (AS_OF.div_euclid(DAY_MS) - e.days_ago) * DAY_MS + e.ms.min(DAY_MS - 1)
}

/// A store of `events`, the users and companies of the first `merged / 2` of them in the merged
/// table of owners (`store::owners`), of the first `merged` in the middle one, the others' in the
/// recent one.
fn store(
    memberships: &BTreeSet<(usize, usize)>,
    events: &[Event],
    scores: &[(usize, u8)],
    merged: usize,
) -> Connection {
    let mut conn = Connection::open_in_memory().unwrap();
    super::super::schema::create(&conn).unwrap();
    conn.execute(
        "INSERT INTO tracking_keys (id, key_sha256) VALUES (1, ?1)",
        [crate::api::key::digest(KEY)],
    )
    .unwrap();
    for c in 0..COMPANIES {
        conn.execute(
            "INSERT INTO companies (key_id, company_id, attributes, first_seen) VALUES (1, ?1, '{}', 0)",
            [format!("c{c}")],
        )
        .unwrap();
    }
    for (c, u) in memberships {
        conn.execute(
            "INSERT INTO memberships (key_id, company_id, user_id) VALUES (1, ?1, ?2)",
            [format!("c{c}"), format!("u{u}")],
        )
        .unwrap();
    }
    for (n, e) in events.iter().enumerate() {
        if n == merged / 2 || n == merged {
            super::super::owners::merge(&mut conn).unwrap();
        }
        conn.execute(
            "INSERT INTO events (key_id, event, user_id, company_id, attributes, timestamp, received_at)
             VALUES (1, ?1, ?2, ?3, '{}', ?4, ?4)",
            params![
                if e.ours { "Used it" } else { "Other" },
                format!("u{}", e.user),
                e.company.map(|c| format!("c{c}")),
                at(e)
            ],
        )
        .unwrap();
    }
    // The blocks the writer writes for stored events (`store::derived`).
    super::super::derived::write(&mut conn).unwrap();
    for (n, (c, score)) in scores.iter().enumerate() {
        conn.execute(
            "INSERT INTO feedback (feedback_id, key_id, feature_id, user_id, company_id, score, source, created_at, updated_at)
             VALUES (?1, 1, 'it', 'u0', ?2, ?3, 'api', ?4, ?4)",
            params![format!("f{n}"), format!("c{c}"), score, n],
        )
        .unwrap();
    }
    conn
}

/// Each company's step and reason, in company order.
type Steps = Vec<(String, Step, Option<String>)>;

/// What the funnel answers for each company, and the uses left out (their count and users).
type Answer = (Steps, u64, Vec<String>);

/// The rules read plainly at `as_of` (on `AS_OF`'s day): every use of every company, one by one.
fn expected(
    feature: &Feature,
    memberships: &BTreeSet<(usize, usize)>,
    events: &[Event],
    scores: &[(usize, u8)],
    as_of: i64,
) -> Answer {
    let window = Window::ending(as_of, &feature.rules);
    let counted = |e: &&Event| e.ours && at(e) <= as_of;
    let mut out = Vec::new();
    let ids: Vec<String> = (0..COMPANIES).map(|c| format!("c{c}")).collect();
    for (c, id) in ids.iter().enumerate() {
        let times: Vec<i64> = events
            .iter()
            .filter(counted)
            .filter(|e| match e.company {
                Some(x) => x == c,
                None => memberships.contains(&(c, e.user)),
            })
            .map(at)
            .collect();
        let days: BTreeSet<i64> = times
            .iter()
            .filter(|t| **t >= window.from_ms)
            .map(|t| t.div_euclid(DAY_MS))
            .collect();
        let use_ = CompanyUse {
            company_id: id,
            days: u32::try_from(days.len()).unwrap(),
            first_day: times.iter().min().map(|t| t.div_euclid(DAY_MS)),
            last_day: times.iter().max().map(|t| t.div_euclid(DAY_MS)),
            score: scores.iter().rev().find(|(x, _)| *x == c).map(|(_, s)| *s),
            ..CompanyUse::default()
        };
        let (step, why) = standing(feature, window, &use_);
        out.push((id.clone(), step, why));
    }
    let left_out: Vec<&Event> = events
        .iter()
        .filter(counted)
        .filter(|e| at(e) >= window.from_ms && e.company.is_none())
        .filter(|e| !memberships.iter().any(|(_, u)| *u == e.user))
        .collect();
    let users: BTreeSet<String> = left_out.iter().map(|e| format!("u{}", e.user)).collect();
    (out, left_out.len() as u64, users.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Both reads of the window's days (the blocks ingest keeps, and the events) agree with the
    /// rules read plainly, and with each other to the last field, at any time of the as-of day.
    #[test]
    fn the_sql_agrees_with_the_rules_read_plainly(
        memberships in proptest::collection::btree_set((0..COMPANIES, 0..USERS), 0..8),
        events in proptest::collection::vec(event(), 0..60),
        ahead in prop_oneof![
            Just(Vec::new()),
            proptest::collection::vec(event().prop_map(|e| Event { days_ago: -1 - e.days_ago % 3, ..e }), 1..3),
        ],
        scores in proptest::collection::vec((0..COMPANIES, 1u8..=5), 0..4),
        adopted_days in 1u32..6,
        retained_after_days in 0u32..20,
        recent_days in 1u32..10,
        window_days in prop_oneof![3 => Just(28u32), 1 => 6u32..130],
        time_of_day in prop_oneof![Just(DAY_MS - 1), 0..DAY_MS],
        merged in 0..64usize,
    ) {
        let feature = Feature {
            usage: Usage::Event { events: vec!["Used it".into()] },
            rules: stars::Rules {
                window_days: window_days.max(adopted_days),
                adopted_days,
                retained_after_days,
                recent_days,
                ..stars::Rules::default()
            },
            ..Feature::from_event("it")
        };
        let as_of = AS_OF - (DAY_MS - 1) + time_of_day;
        // Uses stamped after the as-of day, in its block of days or not, in half the cases.
        let events = [events, ahead].concat();
        let conn = store(&memberships, &events, &scores, merged);
        let want = expected(&feature, &memberships, &events, &scores, as_of);
        let later = events.iter().any(|e| {
            e.ours && at(e) > as_of && at(e).div_euclid(DAY_MS) == as_of.div_euclid(DAY_MS)
        });
        let mut answers = Vec::new();
        for read in [Read::Blocks, Read::Events] {
            let (funnel, seen_later) = read_one(&conn, &feature, as_of, read);
            let steps: Steps = funnel
                .standings
                .iter()
                .map(|s| (s.company_id.clone(), s.step, s.why_not_next.clone()))
                .collect();
            prop_assert_eq!(
                (steps, funnel.excluded_events, funnel.excluded_user_ids.clone()),
                want.clone(),
                "read from {:?}",
                read
            );
            prop_assert_eq!(seen_later, Later(later), "read from {:?}", read);
            answers.push(funnel);
        }
        prop_assert_eq!(&answers[0], &answers[1]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// F6's list asks for the counts alone: over any store, those are the whole answer's, and
    /// not one id is built for it (nor a standing); one company's view lists it alone.
    #[test]
    fn the_counts_alone_are_the_whole_answers_without_its_ids(
        memberships in proptest::collection::btree_set((0..COMPANIES, 0..USERS), 0..8),
        events in proptest::collection::vec(event(), 0..60),
        scores in proptest::collection::vec((0..COMPANIES, 1u8..=5), 0..4),
        segment_of in proptest::option::of(0..COMPANIES),
        only in 0..COMPANIES,
    ) {
        let conn = store(&memberships, &events, &scores, 0);
        if let Some(c) = segment_of {
            conn.execute(
                "UPDATE companies SET attributes = '{\"plan\":\"big\"}' WHERE company_id = ?1",
                [format!("c{c}")],
            )
            .unwrap();
        }
        let features = vec![
            Feature {
                usage: Usage::Event { events: vec!["Used it".into(), "Other".into()] },
                segment: segment_of.map(|_| stars::Segment {
                    attribute: "plan".into(),
                    equals: serde_json::json!("big"),
                }),
                ..Feature::from_event("it")
            },
            Feature {
                usage: Usage::Attribute { attribute: "plan".into() },
                ..Feature::from_event("plan")
            },
        ];
        let read = |listing| funnels(&conn, KEY, &features, AS_OF, listing).unwrap();
        let full = read(Listing::ALL);
        let counts = read(Listing { companies: false, standings: false, only: None });
        let only = format!("c{only}");
        let one = read(Listing { companies: true, standings: true, only: Some(&only) });
        prop_assert_eq!(full.len(), 2);
        for ((full, counts), one) in full.iter().zip(&counts).zip(&one) {
            prop_assert_eq!(&counts.companies, &None);
            prop_assert!(counts.standings.is_empty());
            let without = |f: &Funnel| Funnel { companies: None, standings: Vec::new(), ..f.clone() };
            prop_assert_eq!(without(counts), without(full));
            prop_assert_eq!(without(one), without(full));
            let theirs: Vec<&stars::Standing> =
                full.standings.iter().filter(|s| s.company_id == only).collect();
            prop_assert_eq!(one.standings.iter().collect::<Vec<_>>(), theirs);
            let listed = one.companies.as_ref().unwrap();
            prop_assert!(listed.segment.iter().all(|id| *id == only));
            prop_assert_eq!(
                listed.tried.len() as u64,
                u64::from(full.companies.as_ref().unwrap().tried.contains(&only))
            );
        }
    }
}

/// The one feature's funnel read one way, and whether uses later on the as-of day were seen.
fn read_one(conn: &Connection, feature: &Feature, as_of: i64, read: Read) -> (Funnel, Later) {
    let mut got = Vec::new();
    let later = each_funnel_read(
        conn,
        KEY,
        std::slice::from_ref(feature),
        (as_of, Listing::ALL),
        read,
        |f| {
            got.push(f);
            true
        },
    )
    .unwrap();
    (got.remove(0), later)
}

/// A company whose only use comes later on the as-of day than the as-of time has not used the
/// feature yet, whichever way the window is read (the seek for its first use once stopped at the
/// as-of day's end, not at the as-of time).
#[test]
fn a_use_later_on_the_as_of_day_is_no_use_yet() {
    let use_later = Event {
        user: 0,
        company: Some(0),
        days_ago: 0,
        ms: DAY_MS / 2 + 1,
        ours: true,
    };
    let conn = store(&BTreeSet::new(), &[use_later], &[], 0);
    let as_of = AS_OF - (DAY_MS - 1) + DAY_MS / 2;
    let feature = Feature {
        usage: Usage::Event {
            events: vec!["Used it".into()],
        },
        ..Feature::from_event("it")
    };
    for read in [Read::Blocks, Read::Events] {
        let (funnel, later) = read_one(&conn, &feature, as_of, read);
        assert_eq!(later, Later(true), "{read:?}");
        let standing = &funnel.standings[0];
        assert_eq!(
            (
                standing.step,
                standing.why_not_next.as_deref(),
                &standing.last_use
            ),
            (Step::Segment, Some("no use yet"), &None),
            "{read:?}"
        );
    }
}

/// A company whose first use was stamped before 1970 (which has no bit in the blocks of days) has
/// been using the feature long enough to be Retained, whichever way the window is read: the
/// blocks' account of the days before the window gives way to the events'.
#[test]
fn a_first_use_before_1970_is_read_from_the_events() {
    let mut conn = store(&BTreeSet::new(), &[], &[], 0);
    let days = [-3].into_iter().chain(190..=199);
    for ms in days.map(|d| d * DAY_MS + 7) {
        conn.execute(
            "INSERT INTO events (key_id, event, user_id, company_id, attributes, timestamp, received_at)
             VALUES (1, 'Used it', 'u0', 'c0', '{}', ?1, ?1)",
            [ms],
        )
        .unwrap();
    }
    super::super::derived::write(&mut conn).unwrap();
    let feature = Feature {
        usage: Usage::Event {
            events: vec!["Used it".into()],
        },
        ..Feature::from_event("it")
    };
    let as_of = 200 * DAY_MS - 1;
    for read in [Read::Blocks, Read::Events] {
        let (funnel, _) = read_one(&conn, &feature, as_of, read);
        assert_eq!(funnel.standings[0].step, Step::Retained, "{read:?}");
    }
}

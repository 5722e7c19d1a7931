use super::*;
use proptest::prelude::*;
use serde_json::json;

const AS_OF: i64 = 1_764_504_000_000; // 2025-11-30T12:00:00Z

fn day(n: i64) -> i64 {
    (AS_OF - n * DAY_MS).div_euclid(DAY_MS)
}

fn export() -> Feature {
    Feature {
        usage: Usage::Event {
            events: vec!["Exported".into()],
        },
        ..Feature::from_event("export")
    }
}

fn company(
    days: u32,
    first: Option<i64>,
    last: Option<i64>,
    score: Option<u8>,
) -> CompanyUse<'static> {
    CompanyUse {
        company_id: "acme",
        days,
        first_day: first,
        last_day: last,
        score,
        ..CompanyUse::default()
    }
}

#[test]
fn each_step_says_what_holds_it_there() {
    let f = export();
    let w = Window::ending(AS_OF, &f.rules);
    let cases = [
        (
            company(0, None, None, None),
            Step::Segment,
            Some("no use yet"),
        ),
        (
            company(0, Some(day(60)), Some(day(40)), None),
            Step::Segment,
            Some("last use 40 days ago, before the 28-day window"),
        ),
        (
            company(4, Some(day(20)), Some(day(1)), None),
            Step::Tried,
            Some("4 of 5 days"),
        ),
        (
            company(5, Some(day(10)), Some(day(1)), None),
            Step::Adopted,
            Some("first use 10 of 14 days ago"),
        ),
        (
            company(5, Some(day(27)), Some(day(8)), Some(5)),
            Step::Adopted,
            Some("no use in the last 7 days"),
        ),
        (
            company(5, Some(day(27)), Some(day(6)), None),
            Step::Retained,
            Some("no score for `export` yet"),
        ),
        (
            company(5, Some(day(27)), Some(day(0)), Some(3)),
            Step::Retained,
            Some("latest score 3, needs 4 or more"),
        ),
        (
            company(5, Some(day(14)), Some(day(0)), Some(4)),
            Step::Satisfied,
            None,
        ),
    ];
    for (use_, step, why) in cases {
        let got = standing(&f, w, &use_);
        assert_eq!(got, (step, why.map(str::to_owned)), "{use_:?}");
    }
}

#[test]
fn the_window_is_28_utc_days_ending_on_the_as_of_day() {
    let w = Window::ending(AS_OF, &Rules::default());
    assert_eq!(
        super::super::timestamp::format(w.from_ms),
        "2025-11-03T00:00:00.000Z"
    );
    assert_eq!(w.to_ms, AS_OF);
}

#[test]
fn an_attribute_feature_has_only_adopted() {
    let f = Feature {
        usage: Usage::Attribute {
            attribute: "hasSlack".into(),
        },
        ..Feature::from_event("slack")
    };
    let w = Window::ending(AS_OF, &f.rules);
    let on = CompanyUse {
        truthy: true,
        ..company(0, None, None, Some(5))
    };
    assert_eq!(standing(&f, w, &on), (Step::Adopted, None));
    let report = funnel(&f, w, &[on], Excluded::default());
    assert_eq!((report.segment, report.adopted), (1, 1));
    assert!(report.shares.tried.is_none() && report.shares.retained.is_none());
    assert!((report.shares.adopted.unwrap().of_previous - 1.0).abs() < 1e-9);
    assert!(truthy(Some(&json!("yes"))) && !truthy(Some(&json!(0))) && !truthy(None));
}

#[test]
fn the_report_counts_nested_steps_and_the_excluded() {
    let f = export();
    let w = Window::ending(AS_OF, &f.rules);
    let mut a = company(1, Some(day(3)), Some(day(3)), None);
    a.company_id = "a";
    let mut b = company(5, Some(day(20)), Some(day(0)), Some(5));
    b.company_id = "b";
    let report = funnel(
        &f,
        w,
        &[a, b],
        Excluded {
            events: 3,
            user_ids: vec!["u9".into()],
        },
    );
    assert_eq!(
        (
            report.segment,
            report.tried,
            report.adopted,
            report.retained,
            report.satisfied
        ),
        (2, 2, 1, 1, 1)
    );
    let listed = report.companies.as_ref().unwrap();
    assert_eq!(listed.tried, ["a", "b"]);
    assert_eq!(listed.satisfied, ["b"]);
    assert!((report.shares.adopted.unwrap().of_previous - 0.5).abs() < 1e-9);
    assert_eq!(
        report.excluded_note().unwrap(),
        "3 events from 1 user left out: no company; send a `company` call with `userId` `u9`"
    );
}

proptest! {
    /// Whatever the history, a company on a step meets every step before it.
    #[test]
    fn steps_nest(days in 0u32..30, first in 0i64..90, since_last in 0i64..90, score in proptest::option::of(1u8..=5)) {
        let f = export();
        let w = Window::ending(AS_OF, &f.rules);
        let last = first.min(since_last);
        let use_ = company(days, Some(day(first)), Some(day(last)), score);
        let (step, why) = standing(&f, w, &use_);
        prop_assert_eq!(why.is_none(), step == Step::Satisfied);
        if step >= Step::Tried { prop_assert!(days > 0); }
        if step >= Step::Adopted { prop_assert!(days >= 5); }
        if step >= Step::Retained { prop_assert!(first >= 14 && last < 7); }
        if step == Step::Satisfied { prop_assert!(score.unwrap() >= 4); }
    }
}

/// Ids to lend to the uses generated.
const IDS: [&str; 12] = [
    "c00", "c01", "c02", "c03", "c04", "c05", "c06", "c07", "c08", "c09", "c10", "c11",
];

fn some_use() -> impl Strategy<Value = CompanyUse<'static>> {
    (
        0u32..30,
        proptest::option::of(0i64..90),
        0i64..90,
        any::<bool>(),
        proptest::option::of(1u8..=5),
        proptest::option::of(prop_oneof![Just("ann"), Just("bo")]),
    )
        .prop_map(|(days, first, since_last, truthy, score, member)| {
            let last = first.map(|f| f.min(since_last));
            CompanyUse {
                company_id: "",
                days,
                first_day: first.map(day),
                last_day: last.map(day),
                truthy,
                score,
                member,
            }
        })
}

proptest! {
    /// What a request lists (ids, standings, one company) never changes a count, a share or
    /// anything else of the funnel; unasked, the ids and the standings are not there at all.
    #[test]
    fn a_listing_changes_what_is_listed_never_the_counts(
        uses in proptest::collection::vec(some_use(), 0..12),
        attribute_based in any::<bool>(),
        companies in any::<bool>(),
        standings in any::<bool>(),
        only in proptest::option::of(0usize..14),
    ) {
        let uses: Vec<CompanyUse> = uses
            .into_iter()
            .zip(IDS)
            .map(|(u, id)| CompanyUse { company_id: id, ..u })
            .collect();
        let f = if attribute_based {
            Feature {
                usage: Usage::Attribute { attribute: "on".into() },
                ..export()
            }
        } else {
            export()
        };
        let w = Window::ending(AS_OF, &f.rules);
        let excluded = Excluded { events: 2, user_ids: vec!["u1".into()] };
        let full = funnel(&f, w, &uses, excluded.clone());
        // An id past the last lists no one, as a company outside the segment would.
        let only = only.map(|n| format!("c{n:02}"));
        let listing = Listing { companies, standings, only: only.as_deref() };
        let listed = funnel_listing(&f, w, &uses, excluded, listing);

        let kept = |id: &String| only.as_ref().is_none_or(|o| o == id);
        let want_companies = companies.then(|| {
            let all = full.companies.clone().unwrap();
            let keep = |v: Vec<String>| v.into_iter().filter(kept).collect();
            Companies {
                segment: keep(all.segment),
                tried: keep(all.tried),
                adopted: keep(all.adopted),
                retained: keep(all.retained),
                satisfied: keep(all.satisfied),
            }
        });
        let want_standings: Vec<Standing> = if standings {
            full.standings.iter().filter(|s| kept(&s.company_id)).cloned().collect()
        } else {
            Vec::new()
        };
        prop_assert_eq!(&listed.companies, &want_companies);
        prop_assert_eq!(&listed.standings, &want_standings);
        prop_assert_eq!(
            Funnel { companies: None, standings: Vec::new(), ..listed },
            Funnel { companies: None, standings: Vec::new(), ..full.clone() }
        );
        // The answer without ids does not name them: nor does its JSON.
        if !companies && !standings {
            let json = serde_json::to_string(&funnel_listing(
                &f, w, &uses, Excluded::default(), Listing { companies, standings, only: None },
            )).unwrap();
            prop_assert!(!json.contains("\"c0"), "{}", json);
        }
    }
}

#[test]
fn a_request_lists_the_ids_unless_it_says_not_to() {
    let old: StarsRequest = serde_json::from_value(json!({"standings": true})).unwrap();
    assert_eq!(old.listing(), Listing::ALL);
    // Written as before when asking for the ids, so a request reads the same to any server.
    assert_eq!(
        serde_json::to_value(&old).unwrap(),
        json!({"features": [], "standings": true})
    );
    let counts: StarsRequest = serde_json::from_value(json!({"companies": false})).unwrap();
    assert_eq!(
        counts.listing(),
        Listing {
            companies: false,
            standings: false,
            only: None
        }
    );
    assert_eq!(
        serde_json::to_value(&counts).unwrap()["companies"],
        json!(false)
    );
    // One company's view always says where it stands.
    let one: StarsRequest =
        serde_json::from_value(json!({"companyId": "acme", "companies": false})).unwrap();
    assert_eq!(
        one.listing(),
        Listing {
            companies: false,
            standings: true,
            only: Some("acme")
        }
    );
}

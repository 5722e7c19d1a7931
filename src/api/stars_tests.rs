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

fn company(days: u32, first: Option<i64>, last: Option<i64>, score: Option<u8>) -> CompanyUse {
    CompanyUse {
        company_id: "acme".into(),
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
    a.company_id = "a".into();
    let mut b = company(5, Some(day(20)), Some(day(0)), Some(5));
    b.company_id = "b".into();
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
    assert_eq!(report.companies.tried, ["a", "b"]);
    assert_eq!(report.companies.satisfied, ["b"]);
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

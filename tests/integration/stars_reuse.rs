//! F6 and `stars` reuse a funnel while the store has not changed and the as-of day is the same
//! (the store's change counter and the UTC day, not a timer): over TCP to a real server, the
//! `x-stars-cache` header says whether the answer was computed or reused, and a reused answer is
//! byte for byte what a fresh server with the same calls computes.

use crate::support::{KEY, OTHER_KEY, TestServer};
use bucket_console::api::stars::{Feature, StarsRequest, Usage};
use serde_json::{Value, json};

/// 2026-11-30T12:00:00Z.
const AS_OF: i64 = 1_796_040_000_000;
const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;

/// The `stars` route's answer for the demo-like features at `as_of`: (x-stars-cache, body).
async fn ask(s: &TestServer, key: &str, as_of: i64, standings: bool) -> (String, String) {
    ask_listing(s, key, as_of, standings, true).await
}

/// [`ask`], the lists of ids asked for or not (F6's list: not).
async fn ask_listing(
    s: &TestServer,
    key: &str,
    as_of: i64,
    standings: bool,
    companies: bool,
) -> (String, String) {
    let export = Feature {
        usage: Usage::Event {
            events: vec!["Exported report".into(), "Exported CSV".into()],
        },
        ..Feature::from_event("export")
    };
    let body = serde_json::to_value(StarsRequest {
        features: vec![export, Feature::from_event("Signed in with SSO")],
        as_of: Some(json!(as_of)),
        company_id: None,
        standings,
        companies,
    })
    .unwrap();
    let resp = s
        .http
        .post(format!("{}/_local/{key}/stars", s.base))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("answered");
    assert_eq!(resp.status().as_u16(), 200);
    let cache = resp
        .headers()
        .get("x-stars-cache")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("<none>")
        .to_owned();
    (cache, resp.text().await.expect("body"))
}

async fn event(s: &TestServer, company: &str, user: &str, event: &str, at: i64) {
    s.ok(
        "event",
        json!({"event": event, "userId": user, "companyId": company, "timestamp": at}),
    )
    .await;
}

/// A few companies on different steps, the same on every server built with it.
async fn history(s: &TestServer) {
    for (company, user, days) in [
        ("acme", "u-acme", &[20_i64, 15, 10, 1][..]),
        ("globex", "u-globex", &[3][..]),
        ("initech", "u-initech", &[27, 20, 15, 12, 9][..]),
    ] {
        s.ok(
            "company",
            json!({"companyId": company, "userId": user, "attributes": {"plan": "pro"}}),
        )
        .await;
        for d in days {
            event(s, company, user, "Exported CSV", AS_OF - d * DAY).await;
        }
    }
    // A use without `companyId`, counted through its user's company.
    s.ok(
        "event",
        json!({"event": "Exported report", "userId": "u-globex", "timestamp": AS_OF - 2 * DAY}),
    )
    .await;
}

async fn server_with_history() -> TestServer {
    let s = TestServer::start().await;
    history(&s).await;
    s
}

fn tried(body: &str) -> Value {
    let v: Value = serde_json::from_str(body).unwrap();
    v[0]["tried"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_request_over_an_unchanged_store_is_answered_without_computing_again() {
    let s = server_with_history().await;
    let first = ask(&s, KEY, AS_OF, true).await;
    assert_eq!(first.0, "miss");
    let again = ask(&s, KEY, AS_OF, true).await;
    assert_eq!(again, ("hit".to_owned(), first.1.clone()));
    // Another question (without the drill-down, or another key) is its own answer.
    assert_eq!(ask(&s, KEY, AS_OF, false).await.0, "miss");
    assert_eq!(ask(&s, KEY, AS_OF, false).await.0, "hit");
    assert_eq!(ask(&s, OTHER_KEY, AS_OF, true).await.0, "miss");
    assert_eq!(ask(&s, KEY, AS_OF, true).await, again);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_write_in_between_makes_the_funnels_computed_again() {
    let s = server_with_history().await;
    let before = ask(&s, KEY, AS_OF, true).await;
    assert_eq!(tried(&before.1), json!(3));
    s.ok(
        "company",
        json!({"companyId": "hooli", "userId": "u-hooli", "attributes": {}}),
    )
    .await;
    event(&s, "hooli", "u-hooli", "Exported CSV", AS_OF - DAY).await;
    let after = ask(&s, KEY, AS_OF, true).await;
    assert_eq!(after.0, "miss");
    assert_eq!(tried(&after.1), json!(4));
    // Even a write that changes no funnel counts: the cache does not guess what a write touches.
    s.ok("user", json!({"userId": "u-elsewhere"})).await;
    assert_eq!(
        ask(&s, KEY, AS_OF, true).await,
        ("miss".to_owned(), after.1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_day_is_computed_again_and_a_later_time_that_day_equals_a_fresh_answer() {
    let s = server_with_history().await;
    let fresh = server_with_history().await;
    ask(&s, KEY, AS_OF, true).await;
    let later = ask(&s, KEY, AS_OF + HOUR, true).await;
    assert_eq!(later.0, "hit");
    assert_eq!(later.1, ask(&fresh, KEY, AS_OF + HOUR, true).await.1);
    assert!(later.1.contains("2026-11-30T13:00:00"), "{}", later.1);
    // An earlier time may count fewer uses; the next day moves the window.
    assert_eq!(ask(&s, KEY, AS_OF - HOUR, true).await.0, "miss");
    let next_day = ask(&s, KEY, AS_OF + DAY, true).await;
    assert_eq!(next_day.0, "miss");
    assert_eq!(next_day.1, ask(&fresh, KEY, AS_OF + DAY, true).await.1);
}

/// Stored now, stamped half an hour after the first request's as-of time: by naming its company
/// (`direct`), or through its user's company.
async fn stamped_later(s: &TestServer, direct: bool) {
    s.ok(
        "company",
        json!({"companyId": "hooli", "userId": "u-hooli", "attributes": {}}),
    )
    .await;
    if direct {
        event(s, "hooli", "u-hooli", "Exported CSV", AS_OF + HOUR / 2).await;
    } else {
        s.ok(
            "event",
            json!({"event": "Exported report", "userId": "u-hooli", "timestamp": AS_OF + HOUR / 2}),
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_use_stamped_after_the_as_of_time_that_day_is_counted_by_a_later_request() {
    for direct in [true, false] {
        let s = server_with_history().await;
        let fresh = server_with_history().await;
        stamped_later(&s, direct).await;
        stamped_later(&fresh, direct).await;
        let at_noon = ask(&s, KEY, AS_OF, true).await;
        assert_eq!(tried(&at_noon.1), json!(3));
        let later = ask(&s, KEY, AS_OF + HOUR, true).await;
        assert_eq!(later.0, "miss", "direct: {direct}");
        assert_eq!(tried(&later.1), json!(4));
        assert_eq!(later.1, ask(&fresh, KEY, AS_OF + HOUR, true).await.1);
        // The answer kept is the latest one asked: asked again, it is reused.
        assert_eq!(
            ask(&s, KEY, AS_OF + HOUR, true).await,
            ("hit".to_owned(), later.1)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counts_alone_are_kept_apart_from_the_whole_answer_and_reused_as_computed() {
    let s = server_with_history().await;
    let fresh = server_with_history().await;
    let counts = ask_listing(&s, KEY, AS_OF, false, false).await;
    assert_eq!(counts.0, "miss");
    assert!(!counts.1.contains("\"companies\""), "{}", counts.1);
    // The whole answer is its own question: the counts alone would lack its ids.
    let whole = ask(&s, KEY, AS_OF, false).await;
    assert_eq!(whole.0, "miss");
    assert!(whole.1.contains("\"companies\""), "{}", whole.1);
    // Reopened later that day: reused, and what a fresh computation answers.
    let again = ask_listing(&s, KEY, AS_OF + HOUR, false, false).await;
    assert_eq!(again.0, "hit");
    assert_eq!(
        again.1,
        ask_listing(&fresh, KEY, AS_OF + HOUR, false, false).await.1
    );
    // A write in between: computed again, never the kept answer.
    s.ok(
        "company",
        json!({"companyId": "hooli", "userId": "u-hooli", "attributes": {}}),
    )
    .await;
    let after = ask_listing(&s, KEY, AS_OF + HOUR, false, false).await;
    assert_eq!(after.0, "miss");
    assert_eq!(after.1.matches("\"segment\":4").count(), 2, "{}", after.1);
}

//! Flag checks as Traffic shows them, over real TCP: a `POST /features/events` and a `/bulk`
//! item each read as "huddle checked → false · missing company.plan".

use crate::runtime_support::{SEC, on_file, send};
use bucket_console::api::inspect::RequestRecord;
use bucket_console::inspect::table::request_row;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traffic_says_what_each_flag_check_found() {
    let dir = tempfile::tempdir().unwrap();
    let s = on_file(&dir, &[]).await;
    let check = r#"{"action": "check", "key": "huddle", "evalResult": false,
        "evalContext": {"company": {"id": "acme"}}, "evalRuleResults": [false],
        "evalMissingFields": ["company.plan"], "targetingVersion": 3}"#;
    let (status, answer) = send(&s, Some(SEC), "/features/events", check).await;
    assert_eq!(status, 200, "{answer}");
    let bulk = r#"[{"type": "user", "userId": "u1"},
        {"type": "feature-flag-event", "action": "check-config", "key": "huddle",
         "evalResult": {"key": "beta", "payload": {}}, "evalContext": {}},
        {"type": "feature-flag-event", "action": "check", "key": "export", "evalResult": true,
         "evalContext": {}}]"#;
    let (status, answer) = send(&s, Some(SEC), "/bulk", bulk).await;
    assert_eq!(status, 200, "{answer}");
    let (_, recorded) = s.get("/_local/local/requests").await;
    let records: Vec<RequestRecord> = serde_json::from_value(recorded).unwrap();
    let problems: Vec<String> = records.iter().map(|r| request_row(r).problem).collect();
    assert!(
        problems.contains(&"huddle checked → false · missing company.plan".to_owned()),
        "{problems:?}"
    );
    assert!(
        problems.contains(
            &"huddle config checked → variant \"beta\"; export checked → true".to_owned()
        ),
        "{problems:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flag_checks_route_lists_them_newest_first_and_by_flag() {
    let dir = tempfile::tempdir().unwrap();
    let s = on_file(&dir, &[]).await;
    for (flag, result) in [("huddle", "false"), ("export", "true"), ("huddle", "true")] {
        let check = format!(
            r#"{{"action": "check", "key": "{flag}", "evalResult": {result},
                "evalContext": {{"user": {{"id": "u1"}}, "company": {{"id": "acme"}}}},
                "evalMissingFields": ["company.plan"]}}"#
        );
        let (status, answer) = send(&s, Some(SEC), "/features/events", &check).await;
        assert_eq!(status, 200, "{answer}");
    }
    let inspector = bucket_console::inspect::Inspector::new(
        &s.base,
        bucket_console::api::TrackingKey::parse("local").unwrap(),
    )
    .unwrap();
    let all = inspector.flag_checks(None, 10).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].flag_key, "huddle");
    assert_eq!(
        all[0].summary(),
        "huddle checked → true · missing company.plan"
    );
    assert_eq!(all[0].context["company"]["id"], "acme");
    let huddle = inspector.flag_checks(Some("huddle"), 10).await.unwrap();
    assert_eq!(huddle.len(), 2);
    assert!(huddle.iter().all(|c| c.flag_key == "huddle"));
    assert_eq!(huddle[1].result, Some(serde_json::json!(false)));
    // Another environment's checks are its own.
    let (status, other) = s.get("/_local/other/flag-checks").await;
    assert_eq!((status, other), (200, serde_json::json!([])));
    let (status, _) = s.get("/_local/local/flag-checks?flagg=huddle").await;
    assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_views_flag_checks_page_reads_them_over_tcp() {
    use bucket_console::inspect::{Inspector, Query, Rows, Tab, table};
    let dir = tempfile::tempdir().unwrap();
    let s = on_file(&dir, &[]).await;
    let check = r#"{"action": "check", "key": "huddle", "evalResult": false,
        "evalContext": {"user": {"id": "u1"}, "company": {"id": "acme"}},
        "evalMissingFields": ["company.plan"]}"#;
    let (status, answer) = send(&s, Some(SEC), "/features/events", check).await;
    assert_eq!(status, 200, "{answer}");
    let inspector = Inspector::new(
        &s.base,
        bucket_console::api::TrackingKey::parse("local").unwrap(),
    )
    .unwrap();
    let mut query = Query::first(Tab::FlagChecks, 20);
    let rows = inspector.page(&query).await.unwrap();
    assert!(
        matches!(&rows, Rows::FlagChecks(r) if r.len() == 1),
        "{rows:?}"
    );
    let t = table::table(&rows);
    assert_eq!(t.headers, ["received", "check", "user", "company"]);
    assert_eq!(
        t.rows[0][1..],
        [
            "huddle checked → false · missing company.plan",
            "u1",
            "acme"
        ]
    );
    query.search = "nothing".into();
    assert!(inspector.page(&query).await.unwrap().is_empty());
}

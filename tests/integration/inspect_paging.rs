//! Paging the inspection routes by cursor (assets/contract.md §6) over TCP: each page answers with
//! the cursor of its last row, `after` takes it back, and the pages so read are the list read
//! whole; the `data` command prints it and takes it.

use crate::support::{Cli, KEY, TestServer};
use bucket_console::api::TrackingKey;
use bucket_console::inspect::{Inspector, Order, Query, Rows, Tab};
use serde_json::json;
use std::sync::Arc;

fn user_ids(rows: &Rows) -> Vec<String> {
    match rows {
        Rows::Users(users) => users.iter().map(|u| u.user_id.clone()).collect(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursor_pages_follow_one_another_to_the_whole_list() {
    let s = TestServer::start().await;
    // Ids a cursor must carry through a header and a query string; two seen at the same time.
    for (id, at) in [
        ("a/b c?é", 1_714_557_600_000i64),
        ("x:y%z", 1_714_557_600_000),
        ("plain", 1_714_557_660_000),
        ("late", 1_714_557_720_000),
    ] {
        s.ok("user", json!({"userId": id, "timestamp": at})).await;
    }
    s.ok(
        "user",
        json!({"userId": "never", "context": {"active": false}}),
    )
    .await;
    let x = Inspector::new(&s.base, TrackingKey::parse(KEY).unwrap()).unwrap();
    for order in [Order::Newest, Order::Oldest] {
        let whole = Query {
            order,
            ..Query::first(Tab::Users, 100)
        };
        let whole = user_ids(&x.page(&whole).await.unwrap());
        assert_eq!(whole.len(), 5);
        let mut query = Query {
            order,
            ..Query::first(Tab::Users, 2)
        };
        let mut paged = Vec::new();
        loop {
            let page = x.read(&query).await.unwrap();
            if page.rows.is_empty() {
                assert_eq!(page.next, None, "an empty page has no cursor");
                break;
            }
            paged.extend(user_ids(&page.rows));
            query.after = Some(page.next.expect("a page with rows names its last"));
        }
        assert_eq!(paged, whole, "{order:?}");
    }
    let (status, body) = s
        .get(&format!("/_local/{KEY}/events?after=yesterday"))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("next-after"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_command_prints_the_cursor_of_a_full_page_and_takes_it() {
    let s = TestServer::start().await;
    for i in 0..3 {
        s.ok("event", json!({"event": format!("e{i}"), "userId": "u"}))
            .await;
    }
    let cli = Arc::new(Cli::new());
    cli.add_profile("p", &s.base, KEY);
    let out = cli
        .run_async(&["data", "events", "--profile", "p", "--limit", "2", "--json"])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let names: Vec<_> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].clone())
        .collect();
    assert_eq!(names, [json!("e2"), json!("e1")]);
    let after = out
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("next: --after "))
        .unwrap_or_else(|| panic!("{out:?}"))
        .to_owned();
    let out = cli
        .run_async(&[
            "data",
            "events",
            "--profile",
            "p",
            "--limit",
            "2",
            "--json",
            "--after",
            &after,
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()[0]["event"], json!("e0"));
    assert_eq!(out.json().as_array().unwrap().len(), 1);
    assert!(
        !out.stderr.contains("next:"),
        "a short page is the last: {out:?}"
    );
}

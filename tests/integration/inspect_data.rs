//! The Data view's data layer (`inspect`) against a real server over TCP: what user, company and
//! event calls leave behind, read the way the console reads it (assets/contract.md §5), and the
//! `bucket-console data` command on top of it.

use crate::support::{Cli, KEY, TestServer, scripted_server};
use bucket_console::api::TrackingKey;
use bucket_console::inspect::{
    Entity, EntityRef, InspectError, Inspector, Order, Query, Rows, Tab,
};
use serde_json::json;
use std::sync::Arc;

/// Epoch milliseconds of three moments, in order.
const T0: i64 = 1_714_557_600_000;
const T1: i64 = T0 + 60_000;
const T2: i64 = T0 + 120_000;

fn inspector(s: &TestServer) -> Inspector {
    Inspector::new(&s.base, TrackingKey::parse(KEY).unwrap()).unwrap()
}

async fn user(x: &Inspector, id: &str) -> bucket_console::api::inspect::UserRecord {
    match x.entity(&EntityRef::User(id.into())).await.unwrap() {
        Some(Entity::User { user, .. }) => user,
        other => panic!("{other:?}"),
    }
}

async fn company(
    x: &Inspector,
    id: &str,
) -> (
    bucket_console::api::inspect::CompanyRecord,
    Vec<bucket_console::api::inspect::EventRecord>,
) {
    match x.entity(&EntityRef::Company(id.into())).await.unwrap() {
        Some(Entity::Company { company, events }) => (company, events),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_calls_leave_behind_as_the_explorer_reads_it() {
    let s = TestServer::start().await;
    let x = inspector(&s);
    s.ok(
        "user",
        json!({"userId": "u1", "attributes": {"name": "Ana", "plan": "free"}, "timestamp": T0}),
    )
    .await;
    let u = user(&x, "u1").await;
    assert_eq!(u.attributes["name"], json!("Ana"));
    assert!(u.companies.is_empty(), "a user call makes no membership");
    let seen_at_t0 = u.last_seen.clone().unwrap();

    // A company call with a userId: a membership, and both last seen.
    s.ok(
        "company",
        json!({"companyId": "acme", "userId": "u1", "attributes": {"seats": 5}, "timestamp": T1}),
    )
    .await;
    let (c, _) = company(&x, "acme").await;
    assert_eq!(c.users, ["u1"]);
    assert_eq!(c.attributes["seats"], json!(5));
    let u = user(&x, "u1").await;
    assert_eq!(u.companies, ["acme"]);
    assert!(u.last_seen.clone().unwrap() > seen_at_t0);
    let company_seen = c.last_seen.clone().unwrap();
    let user_seen = u.last_seen.clone().unwrap();

    // context.active=false: attributes merge, last seen stays.
    s.ok(
        "company",
        json!({"companyId": "acme", "userId": "u1", "attributes": {"plan": "pro"},
               "context": {"active": false}, "timestamp": T2}),
    )
    .await;
    let (c, _) = company(&x, "acme").await;
    assert_eq!(
        c.attributes["seats"],
        json!(5),
        "attributes merge shallowly"
    );
    assert_eq!(c.attributes["plan"], json!("pro"));
    assert_eq!(c.last_seen.as_deref(), Some(company_seen.as_str()));
    assert_eq!(
        user(&x, "u1").await.last_seen.as_deref(),
        Some(user_seen.as_str())
    );

    // An event: stored, moves both last seen, makes no membership for a new user.
    s.ok(
        "event",
        json!({"event": "Sent message", "userId": "u2", "companyId": "acme", "timestamp": T2}),
    )
    .await;
    let (c, events) = company(&x, "acme").await;
    assert!(c.last_seen.clone().unwrap() > company_seen);
    assert_eq!(c.users, ["u1"], "an event does not make a membership");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event, "Sent message");
    let u2 = user(&x, "u2").await;
    assert!(u2.companies.is_empty());

    let page = x.page(&Query::first(Tab::Users, 50)).await.unwrap();
    let Rows::Users(users) = page else {
        panic!("{page:?}")
    };
    let ids: Vec<_> = users.iter().map(|u| u.user_id.as_str()).collect();
    assert_eq!(ids, ["u2", "u1"], "newest last seen first");
    let oldest = Query {
        order: Order::Oldest,
        ..Query::first(Tab::Users, 50)
    };
    let Rows::Users(users) = x.page(&oldest).await.unwrap() else {
        panic!()
    };
    assert_eq!(users[0].user_id, "u1");
    assert_eq!(
        x.entity(&EntityRef::User("nobody".into())).await.unwrap(),
        None
    );
    let stats = x.stats().await.unwrap();
    assert_eq!((stats.users, stats.companies, stats.events), (2, 1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_that_need_encoding_are_found() {
    let s = TestServer::start().await;
    s.ok("user", json!({"userId": "a/b c?é"})).await;
    let x = inspector(&s);
    assert_eq!(user(&x, "a/b c?é").await.user_id, "a/b c?é");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_without_inspection_routes_or_down_say_so() {
    let (base, _) = scripted_server(vec![(404, vec![], "not found".to_owned())]).await;
    let x = Inspector::new(&base, TrackingKey::parse(KEY).unwrap()).unwrap();
    let e = x.page(&Query::first(Tab::Events, 10)).await.unwrap_err();
    assert_eq!(e, InspectError::NotLocal);
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let x = Inspector::new(&format!("http://{free}"), TrackingKey::parse(KEY).unwrap()).unwrap();
    let e = x.page(&Query::first(Tab::Events, 10)).await.unwrap_err();
    assert!(matches!(e, InspectError::NotAnswering(_)), "{e:?}");
    assert!(!e.to_string().contains(KEY), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_command_lists_flags_and_fails_clearly() {
    let s = TestServer::start().await;
    s.ok("user", json!({"userId": "lonely"})).await;
    s.ok("company", json!({"companyId": "acme", "userId": "member"}))
        .await;
    let cli = Arc::new(Cli::new());
    cli.add_profile("p", &s.base, KEY);
    let out = cli.run_async(&["data", "users", "--profile", "p"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.starts_with("USER"), "{}", out.stdout);
    assert!(out.stdout.contains("⚑ no company"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("send a `company` call with this userId")
    );
    let out = cli
        .run_async(&[
            "data",
            "users",
            "--profile",
            "p",
            "--json",
            "--limit",
            "1",
            "--oldest",
        ])
        .await;
    assert_eq!(out.json()[0]["userId"], json!("lonely"));
    let out = cli
        .run_async(&["data", "companies", "--profile", "p", "--search", "ACM"])
        .await;
    assert!(out.stdout.contains("acme"), "{out:?}");
    let out = cli.run_async(&["data", "events", "--profile", "p"]).await;
    assert_eq!(out.code, 0);
    assert!(out.stderr.contains("no events stored"), "{out:?}");

    let (base, _) = scripted_server(vec![(404, vec![], "not found".to_owned())]).await;
    cli.add_profile("remote", &base, KEY);
    let out = cli
        .run_async(&["data", "users", "--profile", "remote"])
        .await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stderr.contains("no inspection routes"), "{out:?}");
    let out = cli.run_async(&["data", "people", "--profile", "p"]).await;
    assert_eq!(out.code, 2, "{out:?}");
}

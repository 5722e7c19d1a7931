//! The rows the writer takes as stored without looking are stored: also when another server on
//! the same file, an edit by hand, or a refused batch changed the store behind its back.

use crate::api::runtime::bulk::Item;
use crate::api::{Method, validate};
use crate::server::store::{Storage, Store};
use proptest::prelude::*;
use rusqlite::Connection;
use serde_json::json;

const KEY: &str = "knownKey_0123456789abcde";

fn event(name: &str, user: &str, company: Option<&str>) -> crate::api::payload::Payload {
    let mut body = json!({"event": name, "userId": user});
    if let Some(company) = company {
        body["companyId"] = json!(company);
    }
    validate(Method::Event, &body, 0).unwrap().payload
}

/// Stores an event received at `at` and returns its warnings' codes.
async fn send(store: &Store, name: &str, user: &str, company: Option<&str>, at: i64) -> usize {
    let outcome = store
        .write(KEY, event(name, user, company), at)
        .await
        .unwrap();
    outcome.unwrap().warnings.len()
}

/// What must hold whoever wrote the events: each one's position is its place by
/// `(received_at, id)`, and its user, company and name are stored.
fn wrong(conn: &Connection) -> Vec<String> {
    let mut wrong = Vec::new();
    let seqs: Vec<(i64, Option<i64>)> = conn
        .prepare("SELECT id, seq FROM events ORDER BY received_at, id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (place, (id, seq)) in seqs.iter().enumerate() {
        if *seq != Some(place as i64 + 1) {
            wrong.push(format!(
                "event {id} is at {} but has seq {seq:?}",
                place + 1
            ));
        }
    }
    for (what, sql) in [
        (
            "user",
            "SELECT user_id FROM events WHERE user_id NOT IN (SELECT user_id FROM users)",
        ),
        (
            "company",
            "SELECT company_id FROM events WHERE company_id IS NOT NULL AND company_id NOT IN (SELECT company_id FROM companies)",
        ),
        (
            "name",
            "SELECT event FROM events WHERE event NOT IN (SELECT event FROM event_names)",
        ),
    ] {
        let missing: Vec<String> = conn
            .prepare(sql)
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        wrong.extend(missing.into_iter().map(|id| format!("no {what} {id}")));
    }
    wrong
}

/// A store on a file, and a plain connection to it.
fn on_file(dir: &tempfile::TempDir) -> (Store, Connection) {
    let path = dir.path().join("s.sqlite3");
    let store = Store::open(&Storage::File(path.clone())).unwrap();
    (store, Connection::open(&path).unwrap())
}

/// An event another server stored between two of ours, received after our next one: ours goes
/// before it, and it moves one place on.
#[tokio::test]
async fn another_servers_later_event_moves_on() {
    let dir = tempfile::tempdir().unwrap();
    let (ours, plain) = on_file(&dir);
    let theirs = Store::open(&Storage::File(dir.path().join("s.sqlite3"))).unwrap();
    send(&ours, "Used", "u1", None, 1_000).await;
    send(&theirs, "Used", "u1", None, 3_000).await;
    send(&ours, "Used", "u1", None, 2_000).await;
    assert_eq!(wrong(&plain), Vec::<String>::new());
}

/// Rows deleted by hand while serve runs are made again by the next event that names them.
#[tokio::test]
async fn rows_deleted_by_hand_are_made_again() {
    let dir = tempfile::tempdir().unwrap();
    let (store, plain) = on_file(&dir);
    send(&store, "Used", "u1", Some("c1"), 1_000).await;
    plain
        .execute_batch("DELETE FROM users; DELETE FROM companies; DELETE FROM event_names;")
        .unwrap();
    send(&store, "Used", "u1", Some("c1"), 2_000).await;
    assert_eq!(wrong(&plain), Vec::<String>::new());
}

/// A refused `/bulk` batch stores nothing; the user, company and name its event would have made
/// are made by the next event, which takes the place the refused one had.
#[tokio::test]
async fn a_refused_batch_leaves_nothing_taken_as_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (store, plain) = on_file(&dir);
    send(&store, "Used", "u1", None, 1_000).await;
    let refused = validate(
        Method::Feedback,
        &json!({"feedbackId": crate::api::payload::new_feedback_id(), "featureId": "f", "userId": "n1", "score": 3}),
        0,
    )
    .unwrap()
    .payload;
    let items = vec![
        Item::Call(event("New", "n1", Some("c9"))),
        Item::Call(refused),
    ];
    let outcome = store.write_items(KEY, items, true, 2_000).await.unwrap();
    assert!(outcome.is_err(), "{outcome:?}");
    send(&store, "New", "n1", Some("c9"), 3_000).await;
    assert_eq!(wrong(&plain), Vec::<String>::new());
    let events: i64 = plain
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(events, 2);
}

/// A user is warned of having no company until one names them, then no more.
#[tokio::test]
async fn a_user_warned_until_a_company_names_them() {
    let store = Store::open(&Storage::Memory).unwrap();
    assert_eq!(send(&store, "Used", "u1", None, 1_000).await, 1);
    assert_eq!(send(&store, "Used", "u1", None, 2_000).await, 1);
    let joins = validate(
        Method::Company,
        &json!({"companyId": "c1", "userId": "u1"}),
        0,
    )
    .unwrap()
    .payload;
    assert!(store.write(KEY, joins, 3_000).await.unwrap().is_ok());
    assert_eq!(send(&store, "Used", "u1", None, 4_000).await, 0);
    assert_eq!(send(&store, "Used", "u1", None, 5_000).await, 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Two servers on one file, taking turns in any order with events received at any time.
    #[test]
    fn two_servers_on_one_file_keep_every_event_placed_and_named(
        events in proptest::collection::vec((any::<bool>(), 0u8..4, 0u8..4, 1_000i64..1_010), 1..24),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let wrong = rt.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let (a, plain) = on_file(&dir);
            let b = Store::open(&Storage::File(dir.path().join("s.sqlite3"))).unwrap();
            for (by_a, user, name, at) in events {
                let store = if by_a { &a } else { &b };
                let (name, user, company) = (format!("e{name}"), format!("u{user}"), format!("c{}", user % 2));
                send(store, &name, &user, Some(&company), at).await;
            }
            a.close().await;
            b.close().await;
            wrong(&plain)
        });
        prop_assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}

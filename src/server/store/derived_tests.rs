//! The changes held back are the ones each event would have written in its own commit, however
//! they are grouped; reads see them; a refused batch leaves none; a crash loses none.

use super::*;
use crate::api::runtime::bulk::Item;
use crate::api::{Method, validate};
use crate::server::store::{Storage, Store, StoreError, schema};
use proptest::prelude::*;
use serde_json::json;

const DAY: i64 = 86_400_000;

/// A current store with the users and companies the uses below name, never seen.
fn store() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    schema::create(&conn).unwrap();
    for n in 0..3 {
        conn.execute_batch(&format!(
            "INSERT INTO users (key_id, user_id, attributes, first_seen) VALUES (1, 'u{n}', '{{}}', 0);
             INSERT INTO companies (key_id, company_id, attributes, first_seen) VALUES (1, 'c{n}', '{{}}', 0);"
        ))
        .unwrap();
    }
    conn
}

/// A use: user, company, event name, effective time, active.
type Raw = (u8, Option<u8>, u8, i64, bool);

fn to_use((user, company, event, at, active): Raw) -> Use {
    Use {
        key_id: 1,
        event: format!("e{event}"),
        user_id: format!("u{user}"),
        company_id: company.map(|c| format!("c{c}")),
        at,
        active,
    }
}

/// `event_blocks` as rows, in key order.
fn blocks(conn: &Connection) -> Vec<(String, i64, bool, String, i64, i64, i64)> {
    conn.prepare("SELECT event, block, by_company, owner, days, last_ms, last_day_first_ms FROM event_blocks ORDER BY 1, 2, 3, 4")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Every user's and company's `lastSeen`, by id.
fn seen(conn: &Connection) -> Vec<(String, Option<i64>)> {
    conn.prepare(
        "SELECT user_id, last_seen FROM users UNION ALL SELECT company_id, last_seen FROM companies ORDER BY 1",
    )
    .unwrap()
    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// The rows the uses make, read plainly: one use at a time through schema/v6.rs's own upsert
/// (what the trigger of versions 6 to 8 ran for each stored event), and `lastSeen` as the
/// latest active use.
fn one_at_a_time(uses: &[Raw]) -> Connection {
    let conn = store();
    conn.execute_batch(
        "CREATE TEMP TABLE one (key_id INTEGER, event TEXT, user_id TEXT, company_id TEXT, timestamp INTEGER)",
    )
    .unwrap();
    for raw in uses {
        let this = to_use(*raw);
        conn.execute("DELETE FROM one", []).unwrap();
        conn.execute(
            "INSERT INTO one VALUES (1, ?1, ?2, ?3, ?4)",
            params![this.event, this.user_id, this.company_id, this.at],
        )
        .unwrap();
        conn.execute_batch(schema::v6::UPSERT_ONE).unwrap();
        if this.active {
            let owners = [
                ("users", "user_id", Some(this.user_id)),
                ("companies", "company_id", this.company_id),
            ];
            for (table, column, id) in owners {
                let Some(id) = id else { continue };
                conn.execute(
                    &format!("UPDATE {table} SET last_seen = max(coalesce(last_seen, ?2), ?2) WHERE {column} = ?1"),
                    params![id, this.at],
                )
                .unwrap();
            }
        }
    }
    conn
}

fn raw_uses() -> impl Strategy<Value = Vec<(Raw, bool)>> {
    proptest::collection::vec(
        (
            (
                0u8..3,
                proptest::option::of(0u8..3),
                0u8..2,
                -3 * DAY..200 * DAY,
                proptest::bool::weighted(0.8),
            ),
            // whether the changes are written after this event
            proptest::bool::weighted(0.2),
        ),
        0..40,
    )
}

fn insert(conn: &Connection, raw: Raw) {
    let this = to_use(raw);
    conn.execute(
        "INSERT INTO events (key_id, event, user_id, company_id, attributes, timestamp, received_at, inactive)
         VALUES (1, ?1, ?2, ?3, '{}', ?4, 0, ?5)",
        params![this.event, this.user_id, this.company_id, this.at, (!this.active).then_some(1)],
    )
    .unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Written in any grouping (a write every few commits, after a kill, at the next open), the
    /// events leave the rows that writing each one in its own commit leaves, and the mark ends
    /// past the last of them.
    #[test]
    fn written_in_any_grouping_the_events_leave_what_each_would_have(uses in raw_uses()) {
        let mut conn = store();
        for (raw, write_now) in &uses {
            insert(&conn, *raw);
            if *write_now {
                write(&mut conn).unwrap();
            }
        }
        write(&mut conn).unwrap();
        let plain = one_at_a_time(&uses.iter().map(|(raw, _)| *raw).collect::<Vec<_>>());
        prop_assert_eq!(blocks(&conn), blocks(&plain));
        prop_assert_eq!(seen(&conn), seen(&plain));
        let through: i64 = conn.query_row("SELECT events_through FROM derived", [], |r| r.get(0)).unwrap();
        prop_assert_eq!(through, i64::try_from(uses.len()).unwrap());
        prop_assert_eq!(write(&mut conn).unwrap(), 0, "nothing is left to write");
    }
}

fn event(user: &str, company: Option<&str>, at: i64) -> crate::api::payload::Payload {
    let mut body = json!({"event": "Used", "userId": user, "timestamp": at});
    if let Some(company) = company {
        body["companyId"] = json!(company);
    }
    validate(Method::Event, &body, at).unwrap().payload
}

const KEY: &str = "derivedKey_0123456789abc";

async fn last_seen(store: &Store, user: &'static str) -> Option<i64> {
    store
        .read(move |conn| {
            conn.query_row(
                "SELECT last_seen FROM users WHERE user_id = ?1",
                [user],
                |r| r.get(0),
            )
        })
        .await
        .unwrap()
}

/// A read on another connection right after an answer sees that call's `lastSeen` and block,
/// though the writer holds them back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_after_an_answer_sees_its_changes() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Storage::File(dir.path().join("s.sqlite3"))).unwrap();
    for at in [1_000, 2_000, 3_000] {
        send(&store, "u1", Some("c1"), at).await;
        assert_eq!(last_seen(&store, "u1").await, Some(at));
        let block_last: i64 = store
            .read(|conn| conn.query_row("SELECT last_ms FROM event_blocks", [], |r| r.get(0)))
            .await
            .unwrap();
        assert_eq!(block_last, at);
    }
}

/// A `/bulk` batch the store refuses stores nothing, its events' held changes included.
#[tokio::test]
async fn a_refused_batch_leaves_no_held_changes() {
    let store = Store::open(&Storage::Memory).unwrap();
    send(&store, "u1", None, 5_000).await;
    let refused = validate(
        Method::Feedback,
        &json!({"feedbackId": crate::api::payload::new_feedback_id(), "featureId": "f", "userId": "u1", "score": 3}),
        0,
    )
    .unwrap()
    .payload;
    let items = vec![Item::Call(event("u1", None, 9_000)), Item::Call(refused)];
    let outcome = store.write_items(KEY, items, true, 9_000).await.unwrap();
    assert!(outcome.is_err(), "{outcome:?}");
    assert_eq!(last_seen(&store, "u1").await, Some(5_000));
    let rows: Vec<(i64, i64)> = store
        .read(|conn| {
            conn.prepare("SELECT last_ms, days FROM event_blocks")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
        .await
        .unwrap();
    assert_eq!(rows, [(5_000, 1)]);
}

/// An inactive event creates its user without moving `lastSeen`, also when recovered.
#[test]
fn an_inactive_event_moves_no_last_seen_when_recovered() {
    let mut conn = store();
    conn.execute(
        "INSERT INTO events (key_id, event, user_id, attributes, timestamp, received_at, inactive)
         VALUES (1, 'e', 'u0', '{}', 7, 7, 1), (1, 'e', 'u1', '{}', 8, 8, NULL)",
        [],
    )
    .unwrap();
    write(&mut conn).unwrap();
    let seen = seen(&conn);
    assert_eq!(seen[3], ("u0".to_owned(), None));
    assert_eq!(seen[4], ("u1".to_owned(), Some(8)));
    assert_eq!(blocks(&conn).len(), 2, "both are uses");
}

/// Stores an event of `user` at `at` (ms), answered 200.
async fn send(store: &Store, user: &str, company: Option<&str>, at: i64) {
    let outcome = store
        .write(KEY, event(user, company, at), at)
        .await
        .unwrap();
    assert!(outcome.is_ok(), "{outcome:?}");
}

/// A store on a file holding u1's event at 1 000, and another connection to the file.
async fn on_file() -> (tempfile::TempDir, Store, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    let store = Store::open(&Storage::File(path.clone())).unwrap();
    send(&store, "u1", None, 1_000).await;
    assert_eq!(last_seen(&store, "u1").await, Some(1_000));
    (dir, store, Connection::open(&path).unwrap())
}

/// Events another server stored on the same file (here by hand: one killed before its write)
/// are written before a read of ours, though our writer stored none of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_servers_events_are_written_before_a_read() {
    let (_dir, store, other) = on_file().await;
    other
        .execute(
            "INSERT INTO events (key_id, event, user_id, attributes, timestamp, received_at)
             SELECT key_id, 'Used', 'u1', '{}', 2000, 2000 FROM users WHERE user_id = 'u1'",
            [],
        )
        .unwrap();
    assert_eq!(last_seen(&store, "u1").await, Some(2_000));
}

/// Stands in for a full disk: every write of a lastSeen fails until `DROP TRIGGER full`.
fn fill_the_disk(other: &Connection) {
    other
        .execute_batch(
            "CREATE TRIGGER full BEFORE UPDATE OF last_seen ON users BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
        )
        .unwrap();
}

/// A read that cannot have the changes written first fails, saying so, rather than miss an
/// answered call; once the write can be made, the read sees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_fails_when_the_changes_cannot_be_written() {
    let (_dir, store, other) = on_file().await;
    fill_the_disk(&other);
    send(&store, "u1", None, 2_000).await;
    let refused = store
        .read(|conn| conn.query_row("SELECT last_seen FROM users", [], |r| r.get::<_, i64>(0)))
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Derive(why)) if why.contains("disk full")),
        "{refused:?}"
    );
    other.execute_batch("DROP TRIGGER full").unwrap();
    assert_eq!(last_seen(&store, "u1").await, Some(2_000));
}

/// A clean stop writes what it held: the file is complete for whatever reads it next.
#[tokio::test]
async fn a_clean_stop_writes_what_it_held() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    let store = Store::open(&Storage::File(path.clone())).unwrap();
    send(&store, "u1", Some("c1"), 3_000).await;
    store.close().await;
    let conn = Connection::open(&path).unwrap();
    assert_eq!(blocks(&conn).len(), 1);
    let behind: bool = super::behind(&conn).unwrap();
    assert!(!behind, "the mark is past every event");
}

/// A write that keeps failing is tried again less and less often, not every few milliseconds:
/// the idle writer waits 20 ms after the first failure, doubling up to two seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_write_is_retried_less_and_less_often() {
    let (_dir, store, other) = on_file().await;
    fill_the_disk(&other);
    send(&store, "u1", None, 2_000).await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    // Every 20 ms that is about fifty; backing off, seven at most (20, 40, … 640 ms). A slow
    // machine only makes fewer.
    let failed = store
        .counters
        .derive_failures
        .load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        (1..=8).contains(&failed),
        "{failed} failed writes in a second"
    );
    other.execute_batch("DROP TRIGGER full").unwrap();
    assert_eq!(last_seen(&store, "u1").await, Some(2_000));
}

//! The index answers as the scan does: same rows, same order, same pages, for queries of any
//! length and case; stores made before it scan until their build is done.

use super::*;
use crate::api::payload::Payload;
use crate::api::runtime::bulk::Item;
use crate::api::{Method, validate};
use crate::server::store::apply::{Call, apply};
use crate::server::store::queries::{self, EventFilter, Order, Page};
use crate::server::store::{Storage, Store, schema};
use proptest::prelude::*;
use serde_json::json;

const KEYS: [&str; 2] = ["propKey_0123456789abcdef", "otherKey_0123456789abcde"];

fn payload(event: &str, user: &str, company: Option<&str>) -> Payload {
    let mut body = json!({"event": event, "userId": user});
    if let Some(company) = company {
        body["companyId"] = json!(company);
    }
    validate(Method::Event, &body, 0).unwrap().payload
}

/// A current store holding both keys, filled through ingest.
fn store() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    schema::create(&conn).unwrap();
    for key in KEYS {
        conn.execute(
            "INSERT INTO tracking_keys (key_sha256) VALUES (?1)",
            [crate::api::key::digest(key)],
        )
        .unwrap();
    }
    conn
}

fn ingest(conn: &Connection, key_id: i64, payload: &Payload, received_ms: i64) {
    let call = Call {
        key_id,
        payload,
        received_ms,
    };
    let mut known = crate::server::store::known::Known::default();
    assert!(apply(conn, &mut known, &call).unwrap().is_ok());
}

fn page(search: &str, limit: u32, offset: u64, order: Order) -> Page {
    Page {
        limit,
        offset,
        order,
        search: Some(search.to_owned()),
        after: None,
    }
}

/// Marks the index as still being built, as a store migrated from version 4 is: searches scan.
fn unbuilt(conn: &Connection) {
    conn.execute(
        "INSERT INTO search_build (id, next_id, last_id) VALUES (1, 1, 0)",
        [],
    )
    .unwrap();
}

fn built(conn: &Connection) {
    while build_step(conn).unwrap() {}
}

#[test]
fn a_search_reads_matching_values_first_and_nothing_when_none_matches() {
    let conn = store();
    ingest(&conn, 1, &payload("Sent Message", "alice", Some("Acme")), 5);
    ingest(&conn, 1, &payload("Opened", "bob", None), 6);
    ingest(&conn, 2, &payload("Zebra", "zed", None), 7);
    assert_eq!(plan(&conn, 1, Some("zebra")).unwrap(), Plan::Nothing);
    assert_eq!(plan(&conn, 1, Some("acm")).unwrap(), Plan::ByValues);
    assert_eq!(plan(&conn, 1, Some("sent m")).unwrap(), Plan::ByValues);
    assert_eq!(plan(&conn, 1, Some("b")).unwrap(), Plan::ByValues);
    assert_eq!(plan(&conn, 2, Some("zebra")).unwrap(), Plan::ByValues);
    assert_eq!(plan(&conn, 1, None).unwrap(), Plan::Scan);
    assert_eq!(plan(&conn, 1, Some("")).unwrap(), Plan::Scan);
    let found = queries::events(
        &conn,
        KEYS[0],
        &EventFilter::default(),
        &page("acm", 10, 0, Order::Newest),
    )
    .unwrap()
    .rows;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].event, "Sent Message");
    unbuilt(&conn);
    assert_eq!(plan(&conn, 1, Some("zebra")).unwrap(), Plan::Scan);
}

#[test]
fn dense_matches_scan_for_their_page() {
    let conn = store();
    conn.execute_batch(&format!(
        "INSERT INTO users (key_id, user_id, attributes, first_seen) VALUES (1, 'busy', '{{}}', 0), (1, 'rare', '{{}}', 0);
         INSERT INTO event_names VALUES (1, 'e');
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {DENSE})
         INSERT INTO events (key_id, event, user_id, attributes, timestamp, received_at)
         SELECT 1, 'e', 'busy', '{{}}', i, i FROM n;
         INSERT INTO events (key_id, event, user_id, attributes, timestamp, received_at)
         VALUES (1, 'e', 'rare', '{{}}', 0, 0);"
    ))
    .unwrap();
    assert_eq!(plan(&conn, 1, Some("bus")).unwrap(), Plan::Scan);
    assert_eq!(plan(&conn, 1, Some("rar")).unwrap(), Plan::ByValues);
}

/// `/bulk` items go through the same ingest: their event names are in the index at once.
#[tokio::test]
async fn bulk_items_are_indexed_as_they_are_stored() {
    let store = Store::open(&Storage::Memory).unwrap();
    let items = vec![
        Item::Call(payload("Bulk Named", "u1", None)),
        Item::Call(payload("Other", "u2", None)),
    ];
    let outcome = store.write_items(KEYS[0], items, true, 9).await.unwrap();
    assert!(outcome.is_ok());
    let (plan, found) = store
        .read(|conn| {
            let key_id = queries::key_id(conn, KEYS[0])?.unwrap();
            let plan = plan(conn, key_id, Some("bulk n"))?;
            let page = page("bulk n", 10, 0, Order::Newest);
            Ok((
                plan,
                queries::events(conn, KEYS[0], &EventFilter::default(), &page)?.rows,
            ))
        })
        .await
        .unwrap();
    assert_eq!(plan, Plan::ByValues);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].event, "Bulk Named");
}

/// Takes a current store file back to version 4, as a store written before the index is.
fn as_version_4(path: &std::path::Path, events: i64) {
    let conn = Connection::open(path).unwrap();
    schema::create(&conn).unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO tracking_keys (id, key_sha256) VALUES (1, '{}');
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {events} - 1)
         INSERT INTO events (key_id, event, user_id, company_id, attributes, timestamp, received_at)
         SELECT 1, 'Ev' || (i % 7), CASE WHEN i % 5000 = 1 THEN 'Solo' || (i % 3) ELSE 'u' || (i % 13) END,
                CASE WHEN i % 3 = 0 THEN NULL ELSE 'C' || (i % 5) END,
                '{{}}', i, i / 2 FROM n;
         INSERT INTO users (key_id, user_id, attributes, first_seen)
         SELECT DISTINCT key_id, user_id, '{{}}', 0 FROM events;
         INSERT INTO companies (key_id, company_id, attributes, first_seen)
         SELECT DISTINCT key_id, company_id, '{{}}', 0 FROM events WHERE company_id IS NOT NULL;
         DROP TABLE event_names; DROP TABLE search_build;
         DROP TABLE derived; ALTER TABLE events DROP COLUMN inactive; DROP TABLE event_blocks; DROP INDEX events_by_seq; ALTER TABLE events DROP COLUMN seq; DROP INDEX flag_events_by_seq; ALTER TABLE flag_events DROP COLUMN seq; PRAGMA user_version = 4;",
        crate::api::key::digest(KEYS[0])
    ))
    .unwrap();
}

fn names(conn: &Connection) -> Vec<String> {
    conn.prepare("SELECT event FROM event_names ORDER BY event")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// A store migrated from version 4 answers by the scan until its build is done, then by the
/// index, with the same rows; the build, in steps, finds every name.
#[test]
fn a_migrated_store_scans_until_built_then_answers_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v4.sqlite3");
    as_version_4(&path, 2 * BUILD_STEP + 10);
    let conn = Connection::open(&path).unwrap();
    schema::create(&conn).unwrap();
    let read = |conn: &Connection, q: &str| {
        let page = page(q, 7, 3, Order::Oldest);
        queries::events(conn, KEYS[0], &EventFilter::default(), &page)
            .unwrap()
            .rows
    };
    assert!(!ready(&conn).unwrap());
    assert_eq!(plan(&conn, 1, Some("ev3")).unwrap(), Plan::Scan);
    let queries = ["ev3", "solo2", "c4", "nope"];
    let before = queries.map(|q| read(&conn, q));
    assert!(
        build_step(&conn).unwrap(),
        "a step reads part of the events"
    );
    assert!(!ready(&conn).unwrap());
    built(&conn);
    assert!(ready(&conn).unwrap());
    let all: Vec<String> = (0..7).map(|i| format!("Ev{i}")).collect();
    assert_eq!(names(&conn), all);
    assert_eq!(plan(&conn, 1, Some("solo2")).unwrap(), Plan::ByValues);
    assert_eq!(plan(&conn, 1, Some("nope")).unwrap(), Plan::Nothing);
    let after = queries.map(|q| read(&conn, q));
    assert_eq!(before, after);
    assert_eq!(before[0].len(), 7);
    assert_eq!(
        before[1].len(),
        4,
        "Solo2: 7 events, 4 of them past the offset"
    );
}

/// Opening a version 4 store answers at once (the build runs in the writer, between batches)
/// and the index is ready once the writer has had its turns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_builds_the_index_of_a_migrated_store_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v4.sqlite3");
    as_version_4(&path, BUILD_STEP + 10);
    let store = Store::open(&Storage::File(path)).unwrap();
    let mut polls = 0;
    while !store.read(ready).await.unwrap() {
        polls += 1;
        assert!(polls < 10_000, "the build never finished");
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    let names = store.read(|conn| Ok(names(conn))).await.unwrap();
    assert_eq!(names.len(), 7);
}

#[derive(Debug, Clone)]
struct Stored {
    key: usize,
    event: usize,
    user: usize,
    company: Option<usize>,
    received_ms: i64,
}

/// Strings where SQLite's ASCII `lower` and Unicode case folding differ.
fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[aAbBxX1éÉİıßKk][aAbBxX1 éÉİıßKk]{0,3}").unwrap()
}

fn stored() -> impl Strategy<Value = Stored> {
    (
        0..2usize,
        0..4usize,
        0..5usize,
        proptest::option::of(0..3usize),
        0..6i64,
    )
        .prop_map(|(key, event, user, company, received_ms)| Stored {
            key,
            event,
            user,
            company,
            received_ms,
        })
}

#[derive(Debug, Clone)]
struct Search {
    key: usize,
    query: String,
    lowercased: bool,
    user: Option<usize>,
    company: Option<usize>,
    event: Option<usize>,
    limit: u32,
    offset: u64,
    newest: bool,
}

fn search() -> impl Strategy<Value = Search> {
    (
        (0..2usize, "[aAbBxX1 éÉİıßKk]{0,5}", any::<bool>()),
        proptest::option::weighted(0.2, 0..5usize),
        proptest::option::weighted(0.2, 0..3usize),
        proptest::option::weighted(0.2, 0..4usize),
        (1..8u32, 0..6u64, any::<bool>()),
    )
        .prop_map(
            |((key, query, lowercased), user, company, event, (limit, offset, newest))| Search {
                key,
                query,
                lowercased,
                user,
                company,
                event,
                limit,
                offset,
                newest,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Whatever the store and the search, the index's page is the scan's.
    #[test]
    fn the_index_answers_exactly_as_the_scan(
        events in proptest::collection::vec(text(), 4),
        users in proptest::collection::vec(text(), 5),
        companies in proptest::collection::vec(text(), 3),
        stored in proptest::collection::vec(stored(), 0..40),
        searches in proptest::collection::vec(search(), 1..12),
        merged in 0..40usize,
    ) {
        let mut conn = store();
        for (n, s) in stored.iter().enumerate() {
            // The events before half of it are read from the merged table of owners, those
            // before it from the middle one, the others from the recent one (`store::owners`).
            if n == merged / 2 || n == merged {
                crate::server::store::owners::merge(&mut conn).unwrap();
            }
            let company = s.company.map(|c| companies[c].as_str());
            let payload = payload(&events[s.event], &users[s.user], company);
            ingest(&conn, s.key as i64 + 1, &payload, s.received_ms);
        }
        let pages: Vec<(EventFilter, Page)> = searches
            .iter()
            .map(|s| {
                let query = if s.lowercased { s.query.to_lowercase() } else { s.query.clone() };
                let filter = EventFilter {
                    user_id: s.user.map(|u| users[u].clone()),
                    company_id: s.company.map(|c| companies[c].clone()),
                    event: s.event.map(|e| events[e].clone()),
                };
                let order = if s.newest { Order::Newest } else { Order::Oldest };
                (filter, page(&query, s.limit, s.offset, order))
            })
            .collect();
        let read = |conn: &Connection| -> Vec<_> {
            searches
                .iter()
                .zip(&pages)
                .map(|(s, (filter, page))| queries::events(conn, KEYS[s.key], filter, page).unwrap())
                .collect()
        };
        let indexed = read(&conn);
        unbuilt(&conn);
        let scanned = read(&conn);
        prop_assert_eq!(indexed, scanned);
    }
}

//! The entries of `event_owners` are every event's user and company, whether they sit in the
//! recent table or the merged one, whoever wrote the events; a merge moves them all at once.

use super::*;
use crate::server::store::schema;
use proptest::prelude::*;

/// Every entry as reads see it (`event_owners`), and how many of them sit in the recent table.
fn owners(conn: &Connection) -> (Vec<(i64, i64, String, i64)>, i64) {
    let all = conn
        .prepare("SELECT key_id, by_company, owner, id FROM event_owners ORDER BY 1, 2, 3, 4")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (all, count(conn, "owners_recent").unwrap() as i64)
}

/// The entries the events themselves call for.
fn expected(conn: &Connection) -> Vec<(i64, i64, String, i64)> {
    conn.prepare(
        "SELECT key_id, 0, user_id, id FROM events
         UNION ALL SELECT key_id, 1, company_id, id FROM events WHERE company_id IS NOT NULL
         ORDER BY 1, 2, 3, 4",
    )
    .unwrap()
    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn add(conn: &Connection, user: &str, company: Option<&str>) {
    conn.execute(
        "INSERT INTO events (key_id, event, user_id, company_id, attributes, timestamp, received_at)
         VALUES (1, 'Used', ?1, ?2, '{}', 5, 5)",
        rusqlite::params![user, company],
    )
    .unwrap();
}

fn store() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    schema::create(&conn).unwrap();
    conn
}

#[test]
fn stored_events_are_owned_at_once_and_a_merge_moves_them_all() {
    let mut conn = store();
    add(&conn, "u1", Some("c1"));
    add(&conn, "u2", None);
    let (before, recent) = owners(&conn);
    assert_eq!(before, expected(&conn));
    assert_eq!(recent, 3);
    merge(&mut conn).unwrap();
    let (after, recent) = owners(&conn);
    assert_eq!((after, recent), (before, 0));
    add(&conn, "u1", Some("c2"));
    let (split, recent) = owners(&conn);
    assert_eq!((split, recent), (expected(&conn), 2));
}

#[test]
fn events_deleted_or_moved_by_hand_take_their_entries_along() {
    let mut conn = store();
    add(&conn, "u1", Some("c1"));
    add(&conn, "u2", Some("c1"));
    merge(&mut conn).unwrap();
    add(&conn, "u3", None);
    conn.execute_batch(
        "DELETE FROM events WHERE user_id = 'u1';
         UPDATE events SET user_id = 'u9', company_id = NULL WHERE user_id = 'u2';
         DELETE FROM events WHERE user_id = 'u3';",
    )
    .unwrap();
    assert_eq!(owners(&conn).0, expected(&conn));
    assert_eq!(expected(&conn).len(), 1);
}

/// Stores `batch` (user, company) in one transaction, as the writer does, and lets the sweeps
/// take their steps in it: recent into middle, then middle into merged.
fn commit(conn: &mut Connection, sweeps: &mut [Sweep; 2], batch: &[(u8, Option<u8>)]) {
    let tx = conn.transaction().unwrap();
    for (user, company) in batch {
        add(
            &tx,
            &format!("u{user}"),
            company.map(|c| format!("c{c}")).as_deref(),
        );
    }
    let moved = sweeps[0].step(&tx, 2 * batch.len() as u64);
    sweeps[1].step(&tx, moved);
    tx.commit().unwrap();
}

/// Sweeps whose tables keep `recent` and `middle` entries and move them as they come.
fn sweeps(conn: &Connection, recent: u64, middle: u64) -> [Sweep; 2] {
    chunked(conn, recent, (middle, 0))
}

/// Sweeps whose tables keep `recent` and `middle.0` entries; the middle one gathers `middle.1`
/// more before it moves.
fn chunked(conn: &Connection, recent: u64, middle: (u64, u64)) -> [Sweep; 2] {
    [
        Sweep::counted(
            conn,
            Level {
                keep: recent,
                chunk: 0,
                ..RECENT
            },
        )
        .unwrap(),
        Sweep::counted(
            conn,
            Level {
                keep: middle.0,
                chunk: middle.1,
                ..MIDDLE
            },
        )
        .unwrap(),
    ]
}

fn recent(conn: &Connection) -> u64 {
    count(conn, "owners_recent").unwrap()
}

#[test]
fn the_sweep_waits_until_the_recent_table_holds_what_it_keeps() {
    let mut conn = store();
    let mut sweeps = sweeps(&conn, 6, 2);
    commit(&mut conn, &mut sweeps, &[(1, Some(1)), (2, None)]);
    commit(&mut conn, &mut sweeps, &[(3, Some(1))]);
    assert_eq!(recent(&conn), 5, "moved before the recent table was full");
    commit(&mut conn, &mut sweeps, &[(4, Some(2)), (5, Some(2))]);
    assert!(recent(&conn) <= 6, "{} entries kept", recent(&conn));
    assert_eq!(
        count(&conn, "owners_middle").unwrap(),
        2,
        "the middle table kept more"
    );
    assert!(
        count(&conn, "owners_merged").unwrap() > 0,
        "nothing went on to the merged table"
    );
    assert_eq!(owners(&conn).0, expected(&conn));
}

/// The middle table gathers a chunk past what it keeps, then moves it in one go.
#[test]
fn the_middle_sweep_moves_a_chunk_at_a_time() {
    let mut conn = store();
    let mut sweeps = chunked(&conn, 0, (2, 4));
    let merged = |conn: &Connection| count(conn, "owners_merged").unwrap();
    commit(&mut conn, &mut sweeps, &[(1, None), (2, None), (3, None)]);
    commit(&mut conn, &mut sweeps, &[(4, None), (5, None)]);
    assert_eq!(merged(&conn), 0, "moved before a chunk had gathered");
    assert_eq!(count(&conn, "owners_middle").unwrap(), 5);
    commit(&mut conn, &mut sweeps, &[(6, None)]);
    assert_eq!(merged(&conn), 4, "the chunk was not moved in one go");
    assert_eq!(count(&conn, "owners_middle").unwrap(), 2);
    assert_eq!(owners(&conn).0, expected(&conn));
}

/// A move that fails (here refused by a trigger, as a full disk would) is undone alone: the
/// batch's events are stored and read, and a later batch moves their entries.
#[test]
fn a_failed_move_keeps_the_batch_and_its_entries() {
    let mut conn = store();
    let mut sweeps = sweeps(&conn, 0, 0);
    conn.execute_batch(
        "CREATE TRIGGER refused BEFORE INSERT ON owners_middle BEGIN SELECT RAISE(ABORT, 'full'); END;",
    )
    .unwrap();
    commit(&mut conn, &mut sweeps, &[(1, Some(1)), (2, None)]);
    assert_eq!(owners(&conn), (expected(&conn), 3));
    conn.execute_batch("DROP TRIGGER refused").unwrap();
    commit(&mut conn, &mut sweeps, &[(3, None)]);
    assert_eq!(owners(&conn).0, expected(&conn));
    assert!(recent(&conn) < 4, "the stuck entries were not moved");
}

/// An entry in both a table and the next (written there by hand) is swept like any other, once.
#[test]
fn an_entry_already_in_the_next_table_does_not_stop_the_sweep() {
    let mut conn = store();
    let mut sweeps = sweeps(&conn, 0, 100);
    add(&conn, "u1", None);
    conn.execute_batch("INSERT INTO owners_middle SELECT * FROM owners_recent")
        .unwrap();
    commit(&mut conn, &mut sweeps, &[(2, None)]);
    assert_eq!(recent(&conn), 0, "the sweep stopped at the entry in both");
    assert_eq!(owners(&conn).0, expected(&conn));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the batches, the sizes kept and the middle table's chunk, reads see every event's
    /// entries once; the recent table stays within what it keeps and one batch's entries, the
    /// middle one within what it keeps and one chunk.
    #[test]
    fn the_sweeps_move_every_entry_once_and_keep_their_tables_small(
        keep in (0..8u64, 0..12u64),
        chunk in 0..6u64,
        batches in proptest::collection::vec(
            proptest::collection::vec((0..6u8, proptest::option::of(0..3u8)), 0..6),
            1..40,
        ),
    ) {
        let mut conn = store();
        let mut sweeps = chunked(&conn, keep.0, (keep.1, chunk));
        for batch in &batches {
            commit(&mut conn, &mut sweeps, batch);
            prop_assert_eq!(owners(&conn).0, expected(&conn));
            let most = 2 * batch.len() as u64;
            prop_assert!(recent(&conn) <= keep.0 + most, "{} recent, keeping {}", recent(&conn), keep.0);
            let middle = count(&conn, "owners_middle").unwrap();
            prop_assert!(
                middle <= keep.1 + chunk.saturating_sub(1),
                "{} middle, keeping {} and chunks of {}", middle, keep.1, chunk
            );
        }
    }
}

/// A store of version 9 keeps its events by user and company in two indexes on `events`; the
/// migration puts every event's entries in the merged table and drops the indexes, so that no
/// index written by each event is ordered by its user or company.
#[test]
fn a_version_9_store_gets_its_events_owned_and_loses_the_indexes_by_owner() {
    let conn = store();
    conn.execute_batch(
        "DROP VIEW event_owners; DROP TABLE owners_merged; DROP TABLE owners_middle;
         DROP TABLE owners_recent;
         DROP TRIGGER IF EXISTS events_owned; DROP TRIGGER IF EXISTS events_disowned;
         DROP TRIGGER IF EXISTS events_owned_again;
         CREATE INDEX events_by_user ON events (key_id, user_id, received_at);
         CREATE INDEX events_by_company ON events (key_id, company_id, received_at);
         PRAGMA user_version = 9;",
    )
    .unwrap();
    add(&conn, "u1", Some("c1"));
    add(&conn, "u2", None);
    assert_eq!(schema::create(&conn).unwrap(), None);
    let (owned, recent) = owners(&conn);
    assert_eq!((owned, recent), (expected(&conn), 0));
    assert_eq!(expected(&conn).len(), 3);
    let by_owner: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'
               AND (sql LIKE '%user_id%' OR sql LIKE '%company_id%')
               AND sql NOT LIKE '%event,%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        by_owner, 0,
        "an index on events still leads by user or company"
    );
    add(&conn, "u3", None);
    assert_eq!(owners(&conn), (expected(&conn), 1));
}

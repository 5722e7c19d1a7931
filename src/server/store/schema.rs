//! The local server's tables. Every row carries the id of its tracking key, so keys never see each
//! other; the key is stored once, as its SHA-256 in `tracking_keys`: the database never holds a key, and
//! the indexes stay small.

use rusqlite::Connection;

mod v10;
mod v3;
mod v4;
mod v5;
pub(super) mod v6;
mod v7;
mod v8;
mod v9;

pub use v6::BLOCK_DAYS;

/// Pragmas for the writer: WAL so readers never block it, `synchronous=FULL` so a commit is on disk
/// before its requests are answered. A page cache of 8 MB, not more: when a commit splits a page of
/// a b-tree, SQLite moves pages through a spare page number far past the end of the file, and the
/// end of that transaction then walks the whole page cache to drop it. With 32 MB cached, a
/// million events in, that walk took 4–5 % of serve's time; what the writer rereads (the tables'
/// newest pages and the owners' small tables) fits in 8 MB (docs/performance.md).
/// `wal_autocheckpoint` rules only the opening's commits: the writer then copies the log itself,
/// once it has answered the commit that took the log past it (`writer/log.rs`).
pub const WRITER_PRAGMAS: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA busy_timeout = 5000;
PRAGMA cache_size = -8000;
PRAGMA wal_autocheckpoint = 8000;
PRAGMA journal_size_limit = 67108864;
";

/// The write-ahead log's size once a checkpoint resets it (`journal_size_limit` above). Readers
/// that hold an old snapshot while calls keep coming make it grow past this; once they finish it
/// is checkpointed back to nothing.
pub const WAL_LIMIT: u64 = 64 * 1024 * 1024;

/// Stamped in the header (`PRAGMA application_id`, "BCON") so that a store is told from another
/// program's SQLite file before anything is written.
pub const APPLICATION_ID: i32 = 0x4243_4F4E;

pub const READER_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA query_only = 1;";

/// Bumped whenever the tables change shape. An older database is migrated in place (`MIGRATIONS`);
/// a newer one, written by a later build, is refused.
pub const VERSION: i64 = 10;

/// What takes a database of version `n` to `n + 1`, at index `n - 1`; each runs in one transaction.
const MIGRATIONS: &[&str] = &[
    // 1 → 2: the STARS funnel reads a feature's events by name without touching the table (the
    // index covers every column it needs), in the order it aggregates them: per company and UTC
    // day, and for events without a company per day and user.
    EVENTS_BY_NAME,
    v3::RUNTIME,
    v4::FLAG_STATE,
    v5::SEARCH_INDEX,
    v6::EVENT_BLOCKS,
    v7::SEQUENCE,
    v8::EVENTS_BY_NAME_AND_TIME,
    v9::DERIVED,
    v10::OWNERS,
];

const EVENTS_BY_NAME: &str = "CREATE INDEX IF NOT EXISTS events_by_name
    ON events (key_id, event, company_id, timestamp / 86400000, user_id, timestamp);";

/// The tables as version 1 made them; a new database runs this and then every migration.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tracking_keys (
    id INTEGER PRIMARY KEY,
    key_sha256 TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS users (
    key_id INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    attributes TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER,
    PRIMARY KEY (key_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS users_by_last_seen ON users (key_id, last_seen);

CREATE TABLE IF NOT EXISTS companies (
    key_id INTEGER NOT NULL,
    company_id TEXT NOT NULL,
    attributes TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER,
    PRIMARY KEY (key_id, company_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS companies_by_last_seen ON companies (key_id, last_seen);

CREATE TABLE IF NOT EXISTS memberships (
    key_id INTEGER NOT NULL,
    company_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (key_id, company_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS memberships_by_user ON memberships (key_id, user_id);

CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    key_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    user_id TEXT NOT NULL,
    company_id TEXT,
    attributes TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (key_id, received_at, id);
CREATE INDEX IF NOT EXISTS events_by_user ON events (key_id, user_id, received_at);
CREATE INDEX IF NOT EXISTS events_by_company ON events (key_id, company_id, received_at);

CREATE TABLE IF NOT EXISTS feedback (
    feedback_id TEXT PRIMARY KEY,
    key_id INTEGER NOT NULL,
    feature_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    company_id TEXT,
    score INTEGER,
    comment TEXT,
    question TEXT,
    prompted_question TEXT,
    prompt_id TEXT,
    source TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_by_time ON feedback (key_id, updated_at);
CREATE INDEX IF NOT EXISTS feedback_by_feature ON feedback (key_id, feature_id, updated_at);
";

/// Creates the tables if they do not exist yet, or brings an older database up to `VERSION`, and
/// stamps [`APPLICATION_ID`] (stores made before it have none); `Ok(Some(v))` names the version
/// of a newer database this build cannot read.
pub fn create(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > VERSION {
        return Ok(Some(found));
    }
    let mut found = found;
    if found == 0 {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(SCHEMA)?;
        tx.pragma_update(None, "user_version", 1)?;
        tx.commit()?;
        found = 1;
    }
    let pending = MIGRATIONS
        .iter()
        .skip(usize::try_from(found - 1).unwrap_or(0));
    for (from, step) in (found..VERSION).zip(pending) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", from + 1)?;
        tx.commit()?;
    }
    let id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if id != APPLICATION_ID {
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first schema, as version 1 databases hold it.
    fn version_1(conn: &Connection) {
        conn.execute_batch(SCHEMA).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO tracking_keys (id, key_sha256) VALUES (1, 'x');
             INSERT INTO events (key_id, event, user_id, attributes, timestamp, received_at)
             VALUES (1, 'Exported', 'u1', '{}', 5, 5);",
        )
        .unwrap();
    }

    fn indexes(conn: &Connection) -> Vec<String> {
        conn.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_version_1_database_is_migrated_in_place_keeping_its_rows() {
        let conn = Connection::open_in_memory().unwrap();
        version_1(&conn);
        assert!(!indexes(&conn).contains(&"events_by_name_and_time".to_owned()));
        assert_eq!(create(&conn).unwrap(), None);
        assert!(indexes(&conn).contains(&"events_by_name_and_time".to_owned()));
        assert!(!indexes(&conn).contains(&"events_by_name".to_owned()));
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, VERSION);
        let events: i64 = conn
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .unwrap();
        assert_eq!(events, 1);
        let feedback_key: Option<String> = conn
            .query_row("SELECT count(*), NULL FROM flag_events", [], |r| r.get(1))
            .unwrap();
        assert_eq!(feedback_key, None, "the Runtime API's tables exist");
        conn.execute_batch("SELECT key, sent_feature_id FROM feedback")
            .unwrap();
        conn.execute_batch("SELECT version, digest FROM flag_state")
            .unwrap();
        // Opening again changes nothing.
        assert_eq!(create(&conn).unwrap(), None);
    }

    /// A row of `event_blocks`, its columns in order.
    type Block = (i64, String, i64, bool, String, i64, i64, i64);

    fn blocks(conn: &Connection) -> Vec<Block> {
        conn.prepare("SELECT * FROM event_blocks ORDER BY 1, 2, 3, 4, 5")
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn insert(conn: &Connection, events: &[(u8, Option<u8>, i64)]) {
        for (user, company, timestamp) in events {
            conn.execute(
                "INSERT INTO events (key_id, event, user_id, company_id, attributes, timestamp, received_at)
                 VALUES (1, 'Used', ?1, ?2, '{}', ?3, 0)",
                rusqlite::params![
                    format!("u{user}"),
                    company.map(|c| format!("c{c}")),
                    timestamp
                ],
            )
            .unwrap();
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// The blocks a store migrated to version 5 fills from its events are the ones ingest
        /// would have kept, whatever the order the events came in.
        #[test]
        fn the_migration_fills_the_blocks_ingest_keeps(
            events in proptest::collection::vec(
                (0u8..3, proptest::option::of(0u8..2), -3 * DAY..200 * DAY),
                0..40,
            ),
        ) {
            // Ingest's blocks: the writer's held changes, written here as a store opened after
            // these rows were inserted writes them (`store::derived`).
            let mut kept = Connection::open_in_memory().unwrap();
            create(&kept).unwrap();
            insert(&kept, &events);
            super::super::derived::write(&mut kept).unwrap();
            let migrated = Connection::open_in_memory().unwrap();
            create(&migrated).unwrap();
            migrated
                .execute_batch(
                    "DROP TABLE derived; ALTER TABLE events DROP COLUMN inactive; DROP TABLE event_blocks; DROP INDEX events_by_seq; ALTER TABLE events DROP COLUMN seq; DROP INDEX flag_events_by_seq; ALTER TABLE flag_events DROP COLUMN seq; PRAGMA user_version = 5;",
                )
                .unwrap();
            let mut shuffled = events.clone();
            shuffled.reverse();
            insert(&migrated, &shuffled);
            create(&migrated).unwrap();
            proptest::prop_assert_eq!(blocks(&migrated), blocks(&kept));
            // Each row's days, last use and first use of that day, read plainly.
            for (_, _, block, by_company, owner, days, last, first_of_last) in blocks(&kept) {
                let times: Vec<i64> = events
                    .iter()
                    .filter(|(u, c, t)| {
                        let ours = match c {
                            Some(c) => by_company && owner == format!("c{c}"),
                            None => !by_company && owner == format!("u{u}"),
                        };
                        ours && if *t < 0 { block == -1 } else { t / DAY / BLOCK_DAYS == block }
                    })
                    .map(|(_, _, t)| *t)
                    .collect();
                let bits = times
                    .iter()
                    .filter(|t| **t >= 0)
                    .fold(0i64, |bits, t| bits | 1 << (t / DAY % BLOCK_DAYS));
                proptest::prop_assert_eq!(days, bits);
                proptest::prop_assert_eq!(Some(last), times.iter().copied().max());
                let first = times.iter().copied().filter(|t| t / DAY == last / DAY).min();
                proptest::prop_assert_eq!(Some(first_of_last), first);
            }
        }
    }

    const DAY: i64 = 86_400_000;

    #[test]
    fn a_newer_database_is_refused_and_a_new_one_is_current() {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", VERSION + 1)
            .unwrap();
        assert_eq!(create(&conn).unwrap(), Some(VERSION + 1));
        let fresh = Connection::open_in_memory().unwrap();
        assert_eq!(create(&fresh).unwrap(), None);
        assert!(indexes(&fresh).contains(&"events_by_name_and_time".to_owned()));
        assert!(!indexes(&fresh).contains(&"events_by_name".to_owned()));
        assert_eq!(MIGRATIONS.len() as i64, VERSION - 1);
    }

    /// A version 7 store (its events under `events_by_name`, ordered by company and user within
    /// a name) gets the index by name and time, its events all in it, and loses the old one.
    #[test]
    fn a_version_7_store_trades_the_index_by_name_for_one_by_name_and_time() {
        let conn = Connection::open_in_memory().unwrap();
        create(&conn).unwrap();
        conn.execute_batch(
            "DROP INDEX events_by_name_and_time;
             CREATE INDEX events_by_name
                 ON events (key_id, event, company_id, timestamp / 86400000, user_id, timestamp);
             DROP TABLE derived; ALTER TABLE events DROP COLUMN inactive;
             PRAGMA user_version = 7;
             INSERT INTO tracking_keys (id, key_sha256) VALUES (1, 'x');",
        )
        .unwrap();
        insert(
            &conn,
            &[
                (0, Some(1), 5 * DAY),
                (1, None, 3 * DAY),
                (2, Some(0), -DAY),
            ],
        );
        assert_eq!(create(&conn).unwrap(), None);
        assert_eq!(
            indexes(&conn),
            ["events_by_name_and_time", "events_by_seq", "events_by_time",]
        );
        let through_it: Vec<i64> = conn
            .prepare(
                "SELECT timestamp FROM events INDEXED BY events_by_name_and_time
                  WHERE key_id = 1 AND event = 'Used' ORDER BY timestamp",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(through_it, [-DAY, 3 * DAY, 5 * DAY]);
    }
}

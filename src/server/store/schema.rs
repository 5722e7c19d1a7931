//! The local server's tables. Every row carries the id of its tracking key, so keys never see each
//! other; the key is stored once, as its SHA-256 in `tracking_keys`: the database never holds a key, and
//! the indexes stay small.

use rusqlite::Connection;

/// Pragmas for the writer: WAL so readers never block it, `synchronous=FULL` so a commit is on disk
/// before its requests are answered.
pub const WRITER_PRAGMAS: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA busy_timeout = 5000;
PRAGMA cache_size = -32000;
PRAGMA wal_autocheckpoint = 8000;
";

pub const READER_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA query_only = 1;";

/// Bumped whenever the tables change shape; a database of another version is refused.
pub const VERSION: i64 = 1;

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

/// Creates the tables if they do not exist yet; `Ok(Some(v))` names the version of a database
/// this build cannot read.
pub fn create(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found != 0 && found != VERSION {
        return Ok(Some(found));
    }
    conn.execute_batch(SCHEMA)?;
    conn.pragma_update(None, "user_version", VERSION)?;
    Ok(None)
}

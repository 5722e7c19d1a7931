//! The local server's tables. Every row carries its tracking key, so keys never see each other.

use rusqlite::Connection;

/// Pragmas for the writer: WAL so readers never block it, `synchronous=FULL` so a commit is on disk
/// before its requests are answered.
pub const WRITER_PRAGMAS: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA busy_timeout = 5000;
";

pub const READER_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA query_only = 1;";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    key TEXT NOT NULL,
    user_id TEXT NOT NULL,
    attributes TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER,
    PRIMARY KEY (key, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS users_by_last_seen ON users (key, last_seen);

CREATE TABLE IF NOT EXISTS companies (
    key TEXT NOT NULL,
    company_id TEXT NOT NULL,
    attributes TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER,
    PRIMARY KEY (key, company_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS companies_by_last_seen ON companies (key, last_seen);

CREATE TABLE IF NOT EXISTS memberships (
    key TEXT NOT NULL,
    company_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (key, company_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS memberships_by_user ON memberships (key, user_id);

CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    event TEXT NOT NULL,
    user_id TEXT NOT NULL,
    company_id TEXT,
    attributes TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (key, received_at, id);
CREATE INDEX IF NOT EXISTS events_by_user ON events (key, user_id, received_at);
CREATE INDEX IF NOT EXISTS events_by_company ON events (key, company_id, received_at);

CREATE TABLE IF NOT EXISTS feedback (
    feedback_id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
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
CREATE INDEX IF NOT EXISTS feedback_by_time ON feedback (key, updated_at);
CREATE INDEX IF NOT EXISTS feedback_by_feature ON feedback (key, feature_id, updated_at);
";

/// Creates the tables if they do not exist yet.
pub fn create(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)
}

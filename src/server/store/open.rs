//! Opening a database file. Everything is decided from reads before anything is written: a file of
//! another program, one written by a newer bucket-console, or a damaged one is refused with what
//! to do and left byte for byte as it was (no WAL switch, no tables, no stamp).

use super::StoreError;
use super::schema::{APPLICATION_ID, VERSION};
use rusqlite::Connection;
use std::path::Path;

/// The tables a version 1 store already had: a file without our application id (stores made
/// before it was set) is ours only if it has every one.
const OUR_TABLES: [&str; 6] = [
    "companies",
    "events",
    "feedback",
    "memberships",
    "tracking_keys",
    "users",
];

/// Opens `path` (creating it and its directory if missing) once it is known to be a store this
/// build may serve.
pub(super) fn open_file(path: &Path) -> Result<Connection, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::files::create_private_dir(dir)
            .map_err(|e| StoreError::CreateDir(dir.to_path_buf(), e))?;
    }
    // The database holds tracking keys: readable by its owner only (SQLite gives its -wal and
    // -shm files the same mode).
    crate::files::create_private(path).map_err(|e| StoreError::CreateDir(path.to_path_buf(), e))?;
    let conn = Connection::open(path).map_err(|e| StoreError::Open(path.to_path_buf(), e))?;
    check(&conn, path)?;
    Ok(conn)
}

fn check(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let damaged = |e: rusqlite::Error| {
        // Held by another program is not damaged: say so, and the file is fine once it lets go.
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
            StoreError::Open(path.to_path_buf(), e)
        } else {
            StoreError::Damaged(path.to_path_buf(), e.to_string())
        }
    };
    let number = |pragma: &str| {
        conn.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get::<_, i64>(0))
            .map_err(damaged)
    };
    let id = number("application_id")?;
    let version = number("user_version")?;
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(damaged)?;
    let fresh = id == 0 && version == 0 && tables.is_empty();
    let ours = id == i64::from(APPLICATION_ID)
        || (id == 0 && version >= 1 && OUR_TABLES.iter().all(|t| tables.iter().any(|n| n == t)));
    if !fresh && !ours {
        return Err(StoreError::Foreign(
            path.to_path_buf(),
            foreign(id, &tables),
        ));
    }
    if version > VERSION {
        return Err(StoreError::Version(path.to_path_buf(), version, VERSION));
    }
    let verdict: String = conn
        .query_row("PRAGMA quick_check(5)", [], |r| r.get(0))
        .map_err(damaged)?;
    if verdict != "ok" {
        return Err(StoreError::Damaged(
            path.to_path_buf(),
            verdict.chars().take(300).collect(),
        ));
    }
    Ok(())
}

/// What the file looks like, for the refusal.
fn foreign(id: i64, tables: &[String]) -> String {
    let mut shown: Vec<String> = tables
        .iter()
        .take(5)
        .map(|t| crate::sanitize::sanitize(t))
        .collect();
    if tables.len() > shown.len() {
        shown.push("…".to_owned());
    }
    let tables = if shown.is_empty() {
        "no tables".to_owned()
    } else {
        format!("tables {}", shown.join(", "))
    };
    if id == 0 {
        format!("a SQLite database with {tables}")
    } else {
        format!("a SQLite database of application id {id:#010x}, with {tables}")
    }
}

//! The outbox: calls the console could not deliver (network error, timeout, 5xx after retries),
//! kept in SQLite in the data dir and committed (`synchronous=FULL`) before the console says
//! "queued", then delivered oldest first whenever the server answers again. A 4xx moves an item
//! to the rejected list with the server's errors; it is never retried.
//!
//! Items name their profile and the fingerprint of its key, never the key: delivery uses the
//! profile's key of the moment, and only if it is still the key the call was made with and the
//! profile still speaks the API the call was made for (a runtime item never goes to a tracking
//! profile, nor the reverse). A Runtime API batch is one item, its route `bulk`: it was one
//! request, refused or stored whole, and is delivered as one.

mod deliver;

pub use deliver::{Delivered, deliver_due};

use crate::api::timestamp;
use crate::api::{Api, ValidationError};
use crate::files;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Queued,
    Rejected,
}

/// One call waiting (or refused).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub id: i64,
    /// Who queued it: what it sends is logged where that face keeps its record.
    #[serde(default)]
    pub origin: Origin,
    pub queued_at: String,
    pub profile: String,
    pub key_fingerprint: String,
    /// The API the call was made for; `method` is its route there. Items queued before the
    /// outbox said so were all tracking calls.
    #[serde(default)]
    pub api: Api,
    pub method: String,
    pub body: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub state: State,
    /// Epoch ms before which no new attempt is made (backoff).
    #[serde(skip)]
    pub next_try_ms: i64,
    /// For a rejected item: the server's status and errors.
    pub status: Option<u16>,
    #[serde(default)]
    pub validation_errors: Vec<ValidationError>,
}

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("cannot open the outbox {0}: {1}")]
    Open(PathBuf, crate::files::OpenError),
    #[error("the outbox {0} cannot be used: {1}")]
    Sql(PathBuf, rusqlite::Error),
    #[error("no item #{0} in the outbox (`bucket-console outbox list` shows them)")]
    NoSuchItem(i64),
    #[error("the outbox was left unusable by a crashed task")]
    Poisoned,
    #[error(
        "the outbox {0} has version {1}, written by a newer bucket-console (this one reads up to \
         {VERSION}): use that build, or move the file aside to start an empty outbox"
    )]
    Newer(PathBuf, i64),
}

/// The outbox file's version (`PRAGMA user_version`): 0 before items stored their API, 1 since.
/// A build refuses a file of a higher version rather than misread it.
pub const VERSION: i64 = 1;

/// A call to queue.
#[derive(Debug, Clone, Copy)]
pub struct NewItem<'a> {
    pub origin: Origin,
    pub profile: &'a str,
    pub key_fingerprint: &'a str,
    pub api: Api,
    /// The method (tracking) or route (runtime: `event`, `bulk`…).
    pub route: &'a str,
    pub body: &'a str,
    /// Why it could not be delivered.
    pub error: &'a str,
}

pub struct Outbox {
    conn: Connection,
    path: PathBuf,
}

const COLUMNS: &str = "id, queued_at, profile, key_fingerprint, method, body, attempts, last_error,
    state, next_try_ms, status, validation_errors, origin, api";

/// Which face queued an item. The kiosk's are visitors' answers: their exchanges go to the kiosk's
/// own record, never the developer's log, whoever delivers them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    #[default]
    Console,
    Kiosk,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::Console => "console",
            Origin::Kiosk => "kiosk",
        }
    }
}

fn item(r: &rusqlite::Row<'_>) -> rusqlite::Result<Item> {
    let state: String = r.get(8)?;
    let errors: Option<String> = r.get(11)?;
    let origin: String = r.get(12)?;
    let api: String = r.get(13)?;
    Ok(Item {
        id: r.get(0)?,
        origin: if origin == "kiosk" {
            Origin::Kiosk
        } else {
            Origin::Console
        },
        queued_at: timestamp::format(r.get(1)?),
        profile: r.get(2)?,
        key_fingerprint: r.get(3)?,
        // An API this build does not know is not one it may send to: read as runtime, an
        // item no tracking profile takes (a newer file is refused before this anyway).
        api: Api::parse(&api).unwrap_or(Api::Runtime),
        method: r.get(4)?,
        body: r.get(5)?,
        attempts: r.get(6)?,
        last_error: r.get(7)?,
        state: if state == "rejected" {
            State::Rejected
        } else {
            State::Queued
        },
        next_try_ms: r.get(9)?,
        status: r.get(10)?,
        validation_errors: errors
            .and_then(|e| serde_json::from_str(&e).ok())
            .unwrap_or_default(),
    })
}

impl Outbox {
    pub fn open(path: &Path) -> Result<Self, OutboxError> {
        let open_err = |e| OutboxError::Open(path.to_path_buf(), e);
        let conn = files::open_private_db(path).map_err(open_err)?;
        // FULL: an item the console called "queued" survives a power cut, not just a crash.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA busy_timeout = 5000;
             CREATE TABLE IF NOT EXISTS items (
                 id INTEGER PRIMARY KEY AUTOINCREMENT,
                 queued_at INTEGER NOT NULL,
                 profile TEXT NOT NULL,
                 key_fingerprint TEXT NOT NULL,
                 method TEXT NOT NULL,
                 body TEXT NOT NULL,
                 attempts INTEGER NOT NULL DEFAULT 0,
                 last_error TEXT,
                 state TEXT NOT NULL DEFAULT 'queued',
                 next_try_ms INTEGER NOT NULL DEFAULT 0,
                 status INTEGER,
                 validation_errors TEXT,
                 origin TEXT NOT NULL DEFAULT 'console',
                 api TEXT NOT NULL DEFAULT 'tracking'
             );",
        )
        .map_err(|e| OutboxError::Sql(path.to_path_buf(), e))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| OutboxError::Sql(path.to_path_buf(), e))?;
        if version > VERSION {
            return Err(OutboxError::Newer(path.to_path_buf(), version));
        }
        // Outboxes written before items had an origin: every item was the console's or the
        // kiosk's alike, and the column's default says console.
        let has_origin = conn.prepare("SELECT origin FROM items LIMIT 0").is_ok();
        if !has_origin {
            conn.execute_batch(
                "ALTER TABLE items ADD COLUMN origin TEXT NOT NULL DEFAULT 'console';",
            )
            .map_err(|e| OutboxError::Sql(path.to_path_buf(), e))?;
        }
        if version < VERSION {
            // Items queued before they stored their API were all tracking calls: the column's
            // default says so. One transaction, so a crash leaves the file as it was.
            let has_api = conn.prepare("SELECT api FROM items LIMIT 0").is_ok();
            let step = if has_api {
                String::new()
            } else {
                "ALTER TABLE items ADD COLUMN api TEXT NOT NULL DEFAULT 'tracking';".to_owned()
            };
            conn.execute_batch(&format!(
                "BEGIN IMMEDIATE; {step} PRAGMA user_version = {VERSION}; COMMIT;"
            ))
            .map_err(|e| OutboxError::Sql(path.to_path_buf(), e))?;
        }
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn sql(&self, e: rusqlite::Error) -> OutboxError {
        OutboxError::Sql(self.path.clone(), e)
    }

    /// Queues a tracking call; when this returns the item is on disk.
    pub fn enqueue(
        &self,
        origin: Origin,
        profile: &str,
        key_fingerprint: &str,
        method: &str,
        body: &str,
        error: &str,
    ) -> Result<i64, OutboxError> {
        self.queue(&NewItem {
            origin,
            profile,
            key_fingerprint,
            api: Api::Tracking,
            route: method,
            body,
            error,
        })
    }

    /// Queues a call of either API; when this returns the item is on disk.
    pub fn queue(&self, new: &NewItem<'_>) -> Result<i64, OutboxError> {
        self.conn
            .execute(
                "INSERT INTO items (queued_at, profile, key_fingerprint, method, body, attempts,
                                    last_error, origin, api)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8)",
                params![
                    timestamp::now_ms(),
                    new.profile,
                    new.key_fingerprint,
                    new.route,
                    new.body,
                    new.error,
                    new.origin.as_str(),
                    new.api.as_str()
                ],
            )
            .map_err(|e| self.sql(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Every item, queued ones first, each list oldest first.
    pub fn list(&self) -> Result<Vec<Item>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM items ORDER BY state = 'rejected', id"
            ))
            .map_err(|e| self.sql(e))?;
        stmt.query_map([], item)
            .and_then(Iterator::collect)
            .map_err(|e| self.sql(e))
    }

    /// The queued items of a profile, oldest first.
    pub fn queued(&self, profile: &str) -> Result<Vec<Item>, OutboxError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM items WHERE state = 'queued' AND profile = ?1 ORDER BY id"
            ))
            .map_err(|e| self.sql(e))?;
        stmt.query_map([profile], item)
            .and_then(Iterator::collect)
            .map_err(|e| self.sql(e))
    }

    pub fn get(&self, id: i64) -> Result<Item, OutboxError> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM items WHERE id = ?1"),
                [id],
                item,
            )
            .optional()
            .map_err(|e| self.sql(e))?
            .ok_or(OutboxError::NoSuchItem(id))
    }

    /// How many wait to be delivered, over every profile.
    pub fn waiting(&self) -> Result<u64, OutboxError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM items WHERE state = 'queued'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.sql(e))
    }

    pub fn delivered(&self, id: i64) -> Result<(), OutboxError> {
        self.conn
            .execute("DELETE FROM items WHERE id = ?1", [id])
            .map(drop)
            .map_err(|e| self.sql(e))
    }

    pub fn failed(&self, id: i64, error: &str, next_try_ms: i64) -> Result<(), OutboxError> {
        self.conn
            .execute(
                "UPDATE items SET attempts = attempts + 1, last_error = ?2, next_try_ms = ?3 WHERE id = ?1",
                params![id, error, next_try_ms],
            )
            .map(drop)
            .map_err(|e| self.sql(e))
    }

    pub fn rejected(
        &self,
        id: i64,
        status: u16,
        message: &str,
        errors: &[ValidationError],
    ) -> Result<(), OutboxError> {
        self.conn
            .execute(
                "UPDATE items SET state = 'rejected', attempts = attempts + 1, status = ?2,
                        last_error = ?3, validation_errors = ?4 WHERE id = ?1",
                params![
                    id,
                    status,
                    message,
                    serde_json::to_string(errors).unwrap_or_default()
                ],
            )
            .map(drop)
            .map_err(|e| self.sql(e))
    }

    /// Removes an item, queued or rejected.
    pub fn drop_item(&self, id: i64) -> Result<(), OutboxError> {
        match self.conn.execute("DELETE FROM items WHERE id = ?1", [id]) {
            Ok(0) => Err(OutboxError::NoSuchItem(id)),
            Ok(_) => Ok(()),
            Err(e) => Err(self.sql(e)),
        }
    }

    /// The right to deliver, held by one process at a time: the console and a kiosk on the same
    /// machine share the outbox, and both sending an item would store it twice. An advisory
    /// lock on a file beside the database, which the kernel releases when the holder exits,
    /// even by SIGKILL. `None` while another process holds it.
    pub fn delivery_lock(&self) -> Option<std::fs::File> {
        let path = self.path.with_extension("deliver.lock");
        files::create_private(&path).ok()?;
        let file = std::fs::OpenOptions::new().write(true).open(&path).ok()?;
        file.try_lock().ok()?;
        Some(file)
    }

    /// Makes every queued item due now ("retry now").
    pub fn retry_now(&self) -> Result<(), OutboxError> {
        self.conn
            .execute(
                "UPDATE items SET next_try_ms = 0 WHERE state = 'queued'",
                [],
            )
            .map(drop)
            .map_err(|e| self.sql(e))
    }

    /// A feedback update (`feedbackId` absent, for the feedback of queued item `id`): merged into
    /// that item's body, so one request carries both and no id from the server is needed.
    pub fn merge_into(
        &self,
        id: i64,
        fields: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<bool, OutboxError> {
        let Ok(item) = self.get(id) else {
            return Ok(false);
        };
        if item.state != State::Queued {
            return Ok(false);
        }
        let mut body: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&item.body).unwrap_or_default();
        body.extend(fields.clone());
        self.conn
            .execute(
                "UPDATE items SET body = ?2 WHERE id = ?1 AND state = 'queued'",
                params![id, serde_json::Value::Object(body).to_string()],
            )
            .map(|n| n == 1)
            .map_err(|e| self.sql(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_fail_reject_merge_and_drop() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(&dir.path().join("outbox.sqlite3")).unwrap();
        let a = outbox
            .enqueue(
                Origin::Console,
                "kiosk",
                "#abc",
                "feedback",
                r#"{"featureId":"f","userId":"u","score":4}"#,
                "refused",
            )
            .unwrap();
        let b = outbox
            .enqueue(
                Origin::Console,
                "kiosk",
                "#abc",
                "user",
                r#"{"userId":"u"}"#,
                "refused",
            )
            .unwrap();
        outbox
            .enqueue(Origin::Console, "other", "#def", "user", "{}", "refused")
            .unwrap();
        assert_eq!(outbox.waiting().unwrap(), 3);
        let mut comment = serde_json::Map::new();
        comment.insert("comment".into(), "nice".into());
        assert!(outbox.merge_into(a, &comment).unwrap());
        let queued = outbox.queued("kiosk").unwrap();
        assert_eq!(queued.iter().map(|i| i.id).collect::<Vec<_>>(), [a, b]);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&queued[0].body).unwrap(),
            serde_json::json!({"featureId":"f","userId":"u","score":4,"comment":"nice"})
        );
        outbox.failed(a, "timed out", 123).unwrap();
        assert_eq!(outbox.get(a).unwrap().attempts, 2);
        outbox.rejected(b, 400, "bad", &[]).unwrap();
        assert!(
            !outbox.merge_into(b, &comment).unwrap(),
            "a rejected item is not changed"
        );
        assert_eq!(outbox.queued("kiosk").unwrap().len(), 1);
        assert_eq!(
            outbox.list().unwrap().last().unwrap().state,
            State::Rejected
        );
        outbox.delivered(a).unwrap();
        assert!(matches!(
            outbox.drop_item(a),
            Err(OutboxError::NoSuchItem(_))
        ));
        outbox.drop_item(b).unwrap();
        assert_eq!(outbox.waiting().unwrap(), 1);
    }

    #[test]
    fn one_process_delivers_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.sqlite3");
        let a = Outbox::open(&path).unwrap();
        let b = Outbox::open(&path).unwrap();
        let held = a.delivery_lock().expect("free at first");
        assert!(b.delivery_lock().is_none(), "held by the other");
        drop(held);
        assert!(b.delivery_lock().is_some(), "free again once released");
    }
}

#[cfg(test)]
#[path = "api_tests.rs"]
mod api_tests;

//! The persistent log of exchanges: SQLite in the data dir (WAL, so one process can read while
//! another appends), bounded to the newest N entries, mode 0600. Records hold masked keys only.

use crate::client::Exchange;
use crate::files;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};

/// Entries kept unless `BUCKET_HISTORY_LIMIT` says otherwise.
pub const DEFAULT_LIMIT: u64 = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("cannot open the history {0}: {1}")]
    Open(PathBuf, crate::files::OpenError),
    #[error("the history {0} cannot be used: {1}")]
    Sql(PathBuf, rusqlite::Error),
    #[error("history entry {0} is unreadable: {1}")]
    Corrupt(i64, serde_json::Error),
}

pub struct History {
    conn: Connection,
    path: PathBuf,
    limit: u64,
}

/// The limit from `BUCKET_HISTORY_LIMIT`, else the default.
pub fn limit_from_env() -> u64 {
    std::env::var("BUCKET_HISTORY_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_LIMIT)
}

impl History {
    pub fn open(path: &Path, limit: u64) -> Result<History, HistoryError> {
        let open_err = |e| HistoryError::Open(path.to_path_buf(), e);
        let conn = files::open_private_db(path).map_err(open_err)?;
        let sql = |e| HistoryError::Sql(path.to_path_buf(), e);
        // A log, not a ledger: WAL without fsync per entry keeps `send` fast; a crash loses at most
        // the last entries, never the file.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA busy_timeout = 5000;
             CREATE TABLE IF NOT EXISTS exchanges (
                 id INTEGER PRIMARY KEY AUTOINCREMENT,
                 started_at TEXT NOT NULL,
                 record TEXT NOT NULL
             );",
        )
        .map_err(sql)?;
        // Logs written before calls were linked to their outbox item lack the column.
        let linked: bool = conn
            .query_row(
                "SELECT count(*) FROM pragma_table_info('exchanges') WHERE name = 'outbox_id'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map_err(sql)?
            > 0;
        if !linked {
            // `changed` numbers every write, so a reader can ask what changed since it last
            // looked (another process's calls, an entry an outbox delivery moved on).
            conn.execute_batch(
                "ALTER TABLE exchanges ADD COLUMN outbox_id INTEGER;
                 ALTER TABLE exchanges ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;",
            )
            .map_err(sql)?;
        }
        conn.execute_batch(
            "CREATE INDEX IF NOT EXISTS exchanges_outbox ON exchanges (outbox_id)
                 WHERE outbox_id IS NOT NULL;
             CREATE INDEX IF NOT EXISTS exchanges_changed ON exchanges (changed);
             CREATE TABLE IF NOT EXISTS changes (n INTEGER NOT NULL);
             INSERT INTO changes (n) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM changes);",
        )
        .map_err(sql)?;
        Ok(History {
            conn,
            path: path.to_path_buf(),
            limit,
        })
    }

    fn sql(&self, e: rusqlite::Error) -> HistoryError {
        HistoryError::Sql(self.path.clone(), e)
    }

    /// Appends exchanges in one transaction, sets their ids, and drops the oldest past the limit.
    pub fn append(&mut self, exchanges: &mut [Exchange]) -> Result<(), HistoryError> {
        let path = self.path.clone();
        let sql = |e| HistoryError::Sql(path.clone(), e);
        let tx = self.conn.transaction().map_err(sql)?;
        let mut last = 0;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO exchanges (started_at, record, outbox_id, changed)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(sql)?;
            for exchange in exchanges.iter_mut() {
                exchange.id = None;
                let record = serde_json::to_string(exchange).unwrap_or_default();
                let change = next_change(&tx).map_err(sql)?;
                insert
                    .execute(params![
                        exchange.started_at,
                        record,
                        exchange.outbox_id,
                        change
                    ])
                    .map_err(sql)?;
                last = tx.last_insert_rowid();
                exchange.id = Some(last);
            }
        }
        let oldest_kept = last - self.limit as i64;
        if oldest_kept > 0 {
            tx.execute("DELETE FROM exchanges WHERE id <= ?1", [oldest_kept])
                .map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }

    /// Records that the call of entry `id` waits in the outbox as item `outbox_id`; the entry,
    /// as it is now.
    pub fn link(&mut self, id: i64, outbox_id: i64) -> Result<Option<Exchange>, HistoryError> {
        let Some(mut exchange) = self.get(id)? else {
            return Ok(None);
        };
        exchange.outbox_id = Some(outbox_id);
        self.rewrite(&exchange)?;
        Ok(Some(exchange))
    }

    /// Files exchanges an outbox delivery made: each into the entry of its item when the log has
    /// one (so a call stays one entry however often it is tried), else as a new entry. Sets
    /// their ids, and turns each into the entry as stored.
    pub fn settle(&mut self, exchanges: &mut [Exchange]) -> Result<(), HistoryError> {
        for exchange in exchanges.iter_mut() {
            let entry = match exchange.outbox_id {
                Some(item) => self.by_item(item)?,
                None => None,
            };
            match entry {
                Some(entry) => {
                    *exchange = entry.continued(exchange.clone());
                    self.rewrite(exchange)?;
                }
                None => self.append(std::slice::from_mut(exchange))?,
            }
        }
        Ok(())
    }

    /// The item was dropped from the outbox: its entry stops saying it waits.
    pub fn unlink(&mut self, outbox_id: i64) -> Result<Option<Exchange>, HistoryError> {
        let Some(mut exchange) = self.by_item(outbox_id)? else {
            return Ok(None);
        };
        exchange.outbox_id = None;
        exchange.error_message = Some(match exchange.error_message.take() {
            Some(e) => format!("{e}; dropped from the outbox"),
            None => "dropped from the outbox".to_owned(),
        });
        self.rewrite(&exchange)?;
        Ok(Some(exchange))
    }

    fn by_item(&self, outbox_id: i64) -> Result<Option<Exchange>, HistoryError> {
        let row: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT id, record FROM exchanges WHERE outbox_id = ?1 ORDER BY id DESC LIMIT 1",
                [outbox_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        row.map(|(id, record)| decode(id, &record)).transpose()
    }

    fn rewrite(&mut self, exchange: &Exchange) -> Result<(), HistoryError> {
        let path = self.path.clone();
        let sql = |e| HistoryError::Sql(path.clone(), e);
        let mut stored = exchange.clone();
        stored.id = None;
        let record = serde_json::to_string(&stored).unwrap_or_default();
        let tx = self.conn.transaction().map_err(sql)?;
        let change = next_change(&tx).map_err(sql)?;
        tx.execute(
            "UPDATE exchanges SET record = ?1, outbox_id = ?2, changed = ?3 WHERE id = ?4",
            params![record, exchange.outbox_id, change, exchange.id],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)
    }

    /// The number of the latest write; entries written after it have greater numbers.
    pub fn last_change(&self) -> Result<i64, HistoryError> {
        self.conn
            .query_row("SELECT n FROM changes", [], |r| r.get(0))
            .map_err(|e| self.sql(e))
    }

    /// The entries written (added or moved on) after change `since`, oldest first, and the
    /// number of the latest write, to ask from next time.
    pub fn changed_since(&self, since: i64) -> Result<(Vec<Exchange>, i64), HistoryError> {
        let last = self.last_change()?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, record FROM exchanges WHERE changed > ?1 ORDER BY id")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([since], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, record) = row.map_err(|e| self.sql(e))?;
            out.push(decode(id, &record)?);
        }
        Ok((out, last))
    }

    /// Newest first.
    pub fn recent(&self, limit: u64, offset: u64) -> Result<Vec<Exchange>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, record FROM exchanges ORDER BY id DESC LIMIT ?1 OFFSET ?2")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![limit, offset], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, record) = row.map_err(|e| self.sql(e))?;
            out.push(decode(id, &record)?);
        }
        Ok(out)
    }

    pub fn get(&self, id: i64) -> Result<Option<Exchange>, HistoryError> {
        let record: Option<String> = self
            .conn
            .query_row("SELECT record FROM exchanges WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.sql(e))?;
        record.map(|r| decode(id, &r)).transpose()
    }

    pub fn count(&self) -> Result<u64, HistoryError> {
        self.conn
            .query_row("SELECT count(*) FROM exchanges", [], |r| r.get(0))
            .map_err(|e| self.sql(e))
    }
}

/// Numbers one more write.
fn next_change(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("UPDATE changes SET n = n + 1 RETURNING n", [], |r| r.get(0))
}

fn decode(id: i64, record: &str) -> Result<Exchange, HistoryError> {
    let mut exchange: Exchange =
        serde_json::from_str(record).map_err(|e| HistoryError::Corrupt(id, e))?;
    exchange.id = Some(id);
    // Lines written before exchanges stored their API: read once from the URL's shape.
    if exchange.api.is_none() {
        exchange.api = Some(exchange.api_by_url());
    }
    Ok(exchange)
}

/// Which exchanges a listing keeps: by status class, method and profile, each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub status: Option<StatusClass>,
    pub method: Option<String>,
    pub profile: Option<String>,
}

/// A class of outcomes: the answer's hundreds, or no usable answer after the retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    Hundreds(u16),
    /// No answer, and nothing waits to try again.
    Failed,
    /// No answer yet: the call waits in the outbox.
    Queued,
}

impl StatusClass {
    /// As typed: `4xx`, `failed`, `queued`.
    pub fn label(self) -> String {
        match self {
            Self::Hundreds(h) => format!("{}xx", h / 100),
            Self::Failed => "failed".to_owned(),
            Self::Queued => "queued".to_owned(),
        }
    }

    /// `2xx`…`5xx`, `failed` or `queued`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "failed" => Ok(Self::Failed),
            "queued" => Ok(Self::Queued),
            t if t.len() == 3 && t.ends_with("xx") && matches!(&t[..1], "2" | "3" | "4" | "5") => {
                Ok(Self::Hundreds(u16::from(t.as_bytes()[0] - b'0') * 100))
            }
            other => Err(format!(
                "`{other}` is not a status class: 2xx, 3xx, 4xx, 5xx, failed or queued"
            )),
        }
    }
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    pub fn matches(&self, e: &Exchange) -> bool {
        let status = match self.status {
            None => true,
            Some(StatusClass::Failed) => {
                e.outcome == crate::client::Outcome::Failed && !e.is_queued()
            }
            Some(StatusClass::Queued) => e.is_queued(),
            Some(StatusClass::Hundreds(h)) => e.status().is_some_and(|s| s / 100 * 100 == h),
        };
        status
            && self.method.as_ref().is_none_or(|m| e.method == *m)
            && self.profile.as_ref().is_none_or(|p| e.profile == *p)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::client::Outcome;

    pub fn sample(n: usize) -> Exchange {
        Exchange {
            id: None,
            started_at: format!("2024-05-01T12:00:{:02}.000Z", n % 60),
            profile: "local".into(),
            base_url: "http://127.0.0.1:1".into(),
            url: "http://127.0.0.1:1/l…/event".into(),
            key_masked: "…".into(),
            key_fingerprint: "#000000".into(),
            api: None,
            method: "event".into(),
            request_body: format!("{{\"n\":{n}}}"),
            attempts: vec![],
            response: None,
            outcome: Outcome::Failed,
            possibly_duplicated: false,
            latency_ms: 1.0,
            warnings: vec![],
            validation_errors: vec![],
            error_code: None,
            error_message: None,
            feedback_id: None,
            outbox_id: None,
        }
    }

    #[test]
    fn a_calls_api_is_the_stored_field_and_older_lines_are_read_by_their_url() {
        let dir = tempfile::tempdir().unwrap();
        let mut history = History::open(&dir.path().join("h.sqlite3"), 50).unwrap();
        // A runtime call whose URL a tracking call could have had: the field decides.
        let mut runtime = sample(1);
        runtime.api = Some(crate::api::Api::Runtime);
        runtime.method = "event".into();
        runtime.url = "http://127.0.0.1:1/proxy/event".into();
        // A tracking call through a base whose URL reads like a runtime route.
        let mut tracking = sample(2);
        tracking.api = Some(crate::api::Api::Tracking);
        tracking.base_url = "http://127.0.0.1:1/k".into();
        tracking.url = "http://127.0.0.1:1/k/event".into();
        history
            .append(&mut [runtime.clone(), tracking.clone()])
            .unwrap();
        let read = history.recent(2, 0).unwrap();
        assert!(read[1].is_runtime(), "{:?}", read[1]);
        assert!(!read[0].is_runtime(), "{:?}", read[0]);
        // Lines written before the field: a runtime call's URL is `{base}/{route}`.
        let mut old_runtime = serde_json::to_value(sample(3)).unwrap();
        old_runtime["url"] = "http://127.0.0.1:1/event".into();
        let old_tracking = serde_json::to_value(sample(4)).unwrap();
        for line in [old_runtime, old_tracking] {
            assert!(line.get("api").is_none(), "{line}");
            history
                .conn
                .execute(
                    "INSERT INTO exchanges (started_at, record) VALUES ('x', ?1)",
                    [line.to_string()],
                )
                .unwrap();
        }
        let read = history.recent(2, 0).unwrap();
        assert_eq!(read[1].api, Some(crate::api::Api::Runtime), "{:?}", read[1]);
        assert_eq!(
            read[0].api,
            Some(crate::api::Api::Tracking),
            "{:?}",
            read[0]
        );
    }

    #[test]
    fn appends_newest_first_and_stays_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let mut history = History::open(&dir.path().join("h.sqlite3"), 5).unwrap();
        let mut batch: Vec<Exchange> = (0..8).map(sample).collect();
        history.append(&mut batch).unwrap();
        assert_eq!(batch[7].id, Some(8));
        assert_eq!(history.count().unwrap(), 5);
        let recent = history.recent(2, 0).unwrap();
        assert_eq!(
            recent
                .iter()
                .map(|e| e.request_body.as_str())
                .collect::<Vec<_>>(),
            ["{\"n\":7}", "{\"n\":6}"]
        );
        assert_eq!(history.get(8).unwrap().unwrap().id, Some(8));
        assert!(history.get(1).unwrap().is_none(), "the oldest were dropped");
        history.append(&mut [sample(9)]).unwrap();
        assert_eq!(
            history.recent(1, 0).unwrap()[0].id,
            Some(9),
            "ids are never reused"
        );
    }

    #[test]
    fn another_connection_reads_while_one_appends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let mut writer = History::open(&path, 100).unwrap();
        let reader = History::open(&path, 100).unwrap();
        writer.append(&mut [sample(1)]).unwrap();
        assert_eq!(reader.count().unwrap(), 1);
        assert_eq!(files::loose_mode(&path), None);
    }
}

#[cfg(test)]
mod outbox_tests {
    use super::tests::sample;
    use super::*;
    use crate::client::{Attempt, Outcome, Response};

    fn attempt(status: Option<u16>) -> Attempt {
        Attempt {
            started_at: "2024-05-01T12:01:00.000Z".into(),
            status,
            error: status.is_none().then(|| "connection refused".to_owned()),
            latency_ms: 1.0,
        }
    }

    /// A call queued, tried twice more by the outbox, then delivered: one entry throughout.
    #[test]
    fn a_queued_call_is_one_entry_whose_state_moves() {
        let dir = tempfile::tempdir().unwrap();
        let mut history = History::open(&dir.path().join("h.sqlite3"), 100).unwrap();
        let mut first = [sample(1)];
        first[0].attempts = vec![attempt(None)];
        history.append(&mut first).unwrap();
        let entry = first[0].id.unwrap();
        let linked = history.link(entry, 7).unwrap().unwrap();
        assert!(linked.is_queued());
        let mut retry = sample(1);
        retry.attempts = vec![attempt(None)];
        retry.outbox_id = Some(7);
        let mut round = [retry];
        history.settle(&mut round).unwrap();
        assert_eq!(round[0].id, Some(entry));
        assert_eq!(round[0].attempts.len(), 2);
        let mut delivered = sample(1);
        delivered.outcome = Outcome::Delivered;
        delivered.attempts = vec![attempt(Some(200))];
        delivered.response = Some(Response {
            status: 200,
            headers: vec![],
            body: "{\"success\":true}".into(),
        });
        delivered.outbox_id = Some(7);
        history
            .settle(std::slice::from_mut(&mut delivered))
            .unwrap();
        assert_eq!(history.count().unwrap(), 1, "one call, one entry");
        let stored = history.get(entry).unwrap().unwrap();
        assert_eq!(
            (stored.status(), stored.attempts.len(), stored.is_queued()),
            (Some(200), 3, false)
        );
        assert_eq!(
            stored.started_at, first[0].started_at,
            "when it was first sent"
        );
        // An item the log never saw (queued by another tool) becomes an entry of its own.
        let mut stranger = sample(2);
        stranger.outbox_id = Some(8);
        history.settle(std::slice::from_mut(&mut stranger)).unwrap();
        assert_eq!(history.count().unwrap(), 2);
        let dropped = history.unlink(8).unwrap().unwrap();
        assert!(!dropped.is_queued());
        assert!(
            dropped
                .error_message
                .unwrap()
                .contains("dropped from the outbox")
        );
    }

    /// A log written before entries were linked gains the column and keeps its entries.
    #[test]
    fn an_older_log_is_upgraded_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE exchanges (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, record TEXT NOT NULL);",
        )
        .unwrap();
        let record = serde_json::to_string(&sample(1)).unwrap();
        conn.execute(
            "INSERT INTO exchanges (started_at, record) VALUES ('x', ?1)",
            [record],
        )
        .unwrap();
        drop(conn);
        let mut history = History::open(&path, 100).unwrap();
        assert_eq!(history.count().unwrap(), 1);
        assert!(history.link(1, 3).unwrap().unwrap().is_queued());
    }
}

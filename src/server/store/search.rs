//! The events list's search through its index (schema v5): a search first matches the distinct
//! event names, user ids and company ids, a few thousand strings where the events hold millions,
//! then reads the events that hold a matching value through the index by name and the events'
//! owners (schema/v10.rs). A value matches by the very predicate the scan applies to each event
//! (`instr(lower(value), q)`: SQLite's ASCII-only `lower`), so the rows are the scan's, in its
//! order, whatever the query's length or case.

use rusqlite::{Connection, OptionalExtension, params};

/// Today's predicate, the scan: what a search runs while the index is still being built, when the
/// query is empty, and when the matches are dense (a scan stops after its page then).
const SCAN: &str = "(?7 IS NULL OR instr(lower(event), ?7) OR instr(lower(user_id), ?7)
                OR instr(lower(coalesce(company_id, '')), ?7))";

/// `SELECT $col` of the events holding a matching event name, user id or company id, found
/// through the index by name and the events' owners (schema/v10.rs). An event without a company
/// matches no company id (the scan's `coalesce(company_id, '')` never contains a non-empty query).
macro_rules! holding_a_match {
    ($col:literal) => {
        concat!(
            "SELECT ",
            $col,
            " FROM events WHERE key_id = ?1 AND event IN
                (SELECT event FROM event_names WHERE key_id = ?1 AND instr(lower(event), ?7))
             UNION SELECT ",
            $col,
            " FROM events WHERE id IN
                (SELECT id FROM event_owners WHERE key_id = ?1 AND by_company = 0 AND owner IN
                    (SELECT user_id FROM users WHERE key_id = ?1 AND instr(lower(user_id), ?7)))
             UNION SELECT ",
            $col,
            " FROM events WHERE id IN
                (SELECT id FROM event_owners WHERE key_id = ?1 AND by_company = 1 AND owner IN
                    (SELECT company_id FROM companies
                      WHERE key_id = ?1 AND instr(lower(company_id), ?7)))"
        )
    };
}

/// The matching events. Their times make SQLite read them through the index by time, in the
/// page's order and only up to its end; the ids then keep only them of the events sharing those
/// times. `+id` keeps the ids off that index: SQLite would otherwise look up every pair of a time
/// and an id.
const BY_VALUES: &str = concat!(
    "received_at IN (",
    holding_a_match!("received_at"),
    ") AND +id IN (",
    holding_a_match!("id"),
    ")"
);

/// How many events (counted through the indexes, up to this many per column) a search may match
/// and still be read through them: past it the matches are dense enough that the scan finds its
/// page sooner than the index reads them all. On a million events, reading a match through the
/// index costs about two scanned events' time, and a page of 50 matches at density d scans 50/d
/// events: they cost the same near 5 000 matches.
const DENSE: i64 = 5_000;

/// How the events list answers a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// The scan: no query, the index not built yet, or dense matches.
    Scan,
    /// No event holds a matching value: the answer is empty, without reading an event.
    Nothing,
    /// Through the indexes, the matching events being few.
    ByValues,
}

impl Plan {
    /// The predicate on `events` (the key as `?1`, the query as `?7`), `None` when nothing matches.
    pub fn predicate(self) -> Option<&'static str> {
        match self {
            Plan::Scan => Some(SCAN),
            Plan::Nothing => None,
            Plan::ByValues => Some(BY_VALUES),
        }
    }
}

/// Whether the index answers searches: its build, on a store made before it, is done.
pub fn ready(conn: &Connection) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT NOT EXISTS (SELECT 1 FROM search_build)")?
        .query_row([], |r| r.get(0))
}

/// How the events of key `key_id` answer the search `query`.
pub fn plan(conn: &Connection, key_id: i64, query: Option<&str>) -> rusqlite::Result<Plan> {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return Ok(Plan::Scan);
    };
    if !ready(conn)? {
        return Ok(Plan::Scan);
    }
    let matches: i64 = conn
        .prepare_cached(
            "SELECT
               (SELECT count(*) FROM (SELECT 1 FROM events WHERE key_id = ?1 AND event IN
                  (SELECT event FROM event_names WHERE key_id = ?1 AND instr(lower(event), ?2))
                LIMIT ?3))
             + (SELECT count(*) FROM (SELECT 1 FROM event_owners
                 WHERE key_id = ?1 AND by_company = 0 AND owner IN
                  (SELECT user_id FROM users WHERE key_id = ?1 AND instr(lower(user_id), ?2))
                LIMIT ?3))
             + (SELECT count(*) FROM (SELECT 1 FROM event_owners
                 WHERE key_id = ?1 AND by_company = 1 AND owner IN
                  (SELECT company_id FROM companies WHERE key_id = ?1
                   AND instr(lower(company_id), ?2))
                LIMIT ?3))",
        )?
        .query_row(params![key_id, query, DENSE], |r| r.get(0))?;
    Ok(match matches {
        0 => Plan::Nothing,
        n if n >= DENSE => Plan::Scan,
        _ => Plan::ByValues,
    })
}

/// Keeps the event names' dictionary: ingest calls this for every event it stores.
pub fn note_event(conn: &Connection, key_id: i64, event: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO event_names (key_id, event) VALUES (?1, ?2)")?
        .execute(params![key_id, event])?;
    Ok(())
}

/// Events one build step reads: a step holds the writer (and the calls waiting for it) this long.
const BUILD_STEP: i64 = 50_000;

/// Adds the names of the next events of a store made before the index, in one transaction;
/// `Ok(true)` while events are left.
pub fn build_step(conn: &Connection) -> rusqlite::Result<bool> {
    let tx = conn.unchecked_transaction()?;
    let range: Option<(i64, i64)> = tx
        .query_row("SELECT next_id, last_id FROM search_build", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((next, last)) = range else {
        return Ok(false);
    };
    let end = next.saturating_add(BUILD_STEP).min(last.saturating_add(1));
    tx.execute(
        "INSERT OR IGNORE INTO event_names (key_id, event)
         SELECT DISTINCT key_id, event FROM events WHERE id >= ?1 AND id < ?2",
        params![next, end],
    )?;
    let more = end <= last;
    if more {
        tx.execute("UPDATE search_build SET next_id = ?1", [end])?;
    } else {
        tx.execute("DELETE FROM search_build", [])?;
    }
    tx.commit()?;
    Ok(more)
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;

//! The reads behind the inspection routes (assets/contract.md §6): newest first, paged, per key.

use super::owners::owned_by;
use super::paging::{self, Paged};
use crate::api::inspect::Cursor;
use crate::api::inspect::{CompanyRecord, EventRecord, FeedbackRecord, Stats, UserRecord};
use crate::api::timestamp::format;
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Map, Value};

/// Which slice of a list to read, in which order, and the rows whose text contains `search`:
/// `offset` rows on from the start, or from the row `after` names when it is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub limit: u32,
    pub offset: u64,
    pub after: Option<Cursor>,
    pub order: Order,
    /// Case-insensitive (ASCII) substring of the row's ids, names or text; lowercase.
    pub search: Option<String>,
}

pub use crate::api::inspect::Order;

/// Optional filters of the events list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub user_id: Option<String>,
    pub company_id: Option<String>,
    pub event: Option<String>,
}

/// The id of a tracking key, or `None` for a key never written to.
pub(super) fn key_id(conn: &Connection, key: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM tracking_keys WHERE key_sha256 = ?1")?
        .query_row([crate::api::key::digest(key)], |r| r.get(0))
        .optional()
}

fn attributes(text: &str) -> Map<String, Value> {
    serde_json::from_str(text).unwrap_or_default()
}

fn id_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

const USER_COLUMNS: &str = "u.user_id, u.attributes, u.first_seen, u.last_seen,
    (SELECT json_group_array(company_id) FROM
        (SELECT company_id FROM memberships m WHERE m.key_id = u.key_id AND m.user_id = u.user_id ORDER BY company_id))";

const COMPANY_COLUMNS: &str = "c.company_id, c.attributes, c.first_seen, c.last_seen,
    (SELECT json_group_array(user_id) FROM
        (SELECT user_id FROM memberships m WHERE m.key_id = c.key_id AND m.company_id = c.company_id ORDER BY user_id))";

/// The value of an optional text parameter.
fn text(value: Option<&str>) -> Sql {
    value.map_or(Sql::Null, |v| Sql::Text(v.to_owned()))
}

/// A user's or company's cursor: its `lastSeen` and id (columns 3 and 0).
fn seen_cursor(r: &Row<'_>) -> rusqlite::Result<Cursor> {
    Ok(Cursor {
        at: r.get(3)?,
        id: r.get(0)?,
    })
}

fn user_row(r: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        user_id: r.get(0)?,
        attributes: attributes(&r.get::<_, String>(1)?),
        first_seen: format(r.get(2)?),
        last_seen: r.get::<_, Option<i64>>(3)?.map(format),
        companies: id_list(&r.get::<_, String>(4)?),
    })
}

fn company_row(r: &Row<'_>) -> rusqlite::Result<CompanyRecord> {
    Ok(CompanyRecord {
        company_id: r.get(0)?,
        attributes: attributes(&r.get::<_, String>(1)?),
        first_seen: format(r.get(2)?),
        last_seen: r.get::<_, Option<i64>>(3)?.map(format),
        users: id_list(&r.get::<_, String>(4)?),
    })
}

pub fn users(conn: &Connection, key: &str, page: &Page) -> rusqlite::Result<Paged<UserRecord>> {
    let Some(key) = key_id(conn, key)? else {
        return Ok(empty());
    };
    let place = paging::by_seen("u.last_seen", "u.user_id", page);
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.key_id = ?1
           AND (?4 IS NULL OR instr(lower(u.user_id), ?4) OR instr(lower(u.attributes), ?4))
           {}
         ORDER BY {} LIMIT ?2 OFFSET ?3",
        place.filter, place.order
    );
    let values = vec![
        Sql::Integer(key),
        Sql::Integer(page.limit.into()),
        walk(&place),
        text(page.search.as_deref()),
    ];
    paging::run(conn, &sql, values, &place, |r| {
        Ok((user_row(r)?, seen_cursor(r)?))
    })
}

fn empty<T>() -> Paged<T> {
    Paged {
        rows: Vec::new(),
        next: None,
    }
}

fn walk(place: &paging::Place) -> Sql {
    Sql::Integer(i64::try_from(place.walk).unwrap_or(i64::MAX))
}

pub fn user(conn: &Connection, key: &str, user_id: &str) -> rusqlite::Result<Option<UserRecord>> {
    let Some(key) = key_id(conn, key)? else {
        return Ok(None);
    };
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.key_id = ?1 AND u.user_id = ?2");
    conn.prepare_cached(&sql)?
        .query_row(params![key, user_id], user_row)
        .optional()
}

pub fn companies(
    conn: &Connection,
    key: &str,
    page: &Page,
) -> rusqlite::Result<Paged<CompanyRecord>> {
    let Some(key) = key_id(conn, key)? else {
        return Ok(empty());
    };
    let place = paging::by_seen("c.last_seen", "c.company_id", page);
    let sql = format!(
        "SELECT {COMPANY_COLUMNS} FROM companies c WHERE c.key_id = ?1
           AND (?4 IS NULL OR instr(lower(c.company_id), ?4) OR instr(lower(c.attributes), ?4))
           {}
         ORDER BY {} LIMIT ?2 OFFSET ?3",
        place.filter, place.order
    );
    let values = vec![
        Sql::Integer(key),
        Sql::Integer(page.limit.into()),
        walk(&place),
        text(page.search.as_deref()),
    ];
    paging::run(conn, &sql, values, &place, |r| {
        Ok((company_row(r)?, seen_cursor(r)?))
    })
}

pub fn company(
    conn: &Connection,
    key: &str,
    company_id: &str,
) -> rusqlite::Result<Option<CompanyRecord>> {
    let Some(key) = key_id(conn, key)? else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT {COMPANY_COLUMNS} FROM companies c WHERE c.key_id = ?1 AND c.company_id = ?2"
    );
    conn.prepare_cached(&sql)?
        .query_row(params![key, company_id], company_row)
        .optional()
}

pub fn events(
    conn: &Connection,
    key: &str,
    filter: &EventFilter,
    page: &Page,
) -> rusqlite::Result<Paged<EventRecord>> {
    let Some(key) = key_id(conn, key)? else {
        return Ok(empty());
    };
    let plan = super::search::plan(conn, key, page.search.as_deref())?;
    let Some(search) = plan.predicate() else {
        return Ok(empty());
    };
    let whole = *filter == EventFilter::default() && page.search.is_none();
    let seek = whole && page.after.is_none() && paging::numbered(conn, "events", key)?;
    let place = paging::by_pair("received_at", "id", page, seek.then_some("events"));
    let rows = owned_rows(conn, key, filter)?;
    let sql = format!(
        "SELECT id, event, user_id, company_id, attributes, timestamp, received_at FROM events
         WHERE {rows} AND (?2 IS NULL OR user_id = ?2) AND (?3 IS NULL OR company_id = ?3)
           AND (?4 IS NULL OR event = ?4)
           AND {search}
           {}
         ORDER BY {} LIMIT ?5 OFFSET ?6",
        place.filter, place.order
    );
    let values = vec![
        Sql::Integer(key),
        text(filter.user_id.as_deref()),
        text(filter.company_id.as_deref()),
        text(filter.event.as_deref()),
        Sql::Integer(page.limit.into()),
        walk(&place),
        text(page.search.as_deref()),
    ];
    paging::run(conn, &sql, values, &place, |r| {
        let (id, received_at) = (r.get::<_, i64>(0)?, r.get(6)?);
        let record = EventRecord {
            id: id.to_string(),
            event: r.get(1)?,
            user_id: r.get(2)?,
            company_id: r.get(3)?,
            attributes: attributes(&r.get::<_, String>(4)?),
            timestamp: format(r.get(5)?),
            received_at: format(received_at),
        };
        Ok((record, Cursor::rowid(received_at, id)))
    })
}

/// Owners (a user or a company) with fewer events than this have their events read by id and
/// sorted; past it they are common enough among the events that walking the list in its order
/// finds a page sooner (the search's `DENSE`, for the same reason).
const FEW: i64 = 5_000;

/// Which events of key `?1` an events list reads: those of the user `?2` or company `?3` it is
/// filtered by, through `event_owners`, when that owner has few; otherwise every event of the key,
/// walked in the list's order and filtered as it goes.
fn owned_rows(conn: &Connection, key: i64, filter: &EventFilter) -> rusqlite::Result<&'static str> {
    let owners = [
        (
            filter.user_id.as_deref(),
            0,
            // Without `key_id = ?1` on the events (the entries carry the key), SQLite reads them
            // by id rather than walking the index by time past the owner's.
            owned_by!(0, "?2"),
        ),
        (filter.company_id.as_deref(), 1, owned_by!(1, "?3")),
    ];
    for (owner, by_company, rows) in owners {
        let Some(owner) = owner else { continue };
        let events: i64 = conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM event_owners
                  WHERE key_id = ?1 AND by_company = ?2 AND owner = ?3 LIMIT ?4)",
            )?
            .query_row(params![key, by_company, owner, FEW], |r| r.get(0))?;
        if events < FEW {
            return Ok(rows);
        }
    }
    Ok("key_id = ?1")
}

pub fn feedback(
    conn: &Connection,
    key: &str,
    feature_id: Option<&str>,
    page: &Page,
) -> rusqlite::Result<Paged<FeedbackRecord>> {
    let Some(key) = key_id(conn, key)? else {
        return Ok(empty());
    };
    let place = paging::by_pair("updated_at", "rowid", page, None);
    let sql = format!(
        "SELECT feedback_id, feature_id, user_id, company_id, score, comment, question,
                prompted_question, prompt_id, source, created_at, updated_at, key, sent_feature_id,
                rowid
         FROM feedback WHERE key_id = ?1 AND (?2 IS NULL OR feature_id = ?2)
           AND (?5 IS NULL OR instr(lower(feature_id), ?5) OR instr(lower(user_id), ?5)
                OR instr(lower(coalesce(comment, '')), ?5))
           {}
         ORDER BY {} LIMIT ?3 OFFSET ?4",
        place.filter, place.order
    );
    let values = vec![
        Sql::Integer(key),
        text(feature_id),
        Sql::Integer(page.limit.into()),
        walk(&place),
        text(page.search.as_deref()),
    ];
    paging::run(conn, &sql, values, &place, |r| {
        let cursor = Cursor::rowid(r.get(11)?, r.get(14)?);
        let record = FeedbackRecord {
            feedback_id: r.get(0)?,
            feature_id: r.get(1)?,
            user_id: r.get(2)?,
            company_id: r.get(3)?,
            score: r.get(4)?,
            comment: r.get(5)?,
            question: r.get(6)?,
            prompted_question: r.get(7)?,
            prompt_id: r.get(8)?,
            source: r.get(9)?,
            created_at: format(r.get(10)?),
            updated_at: format(r.get(11)?),
            key: r.get(12)?,
            sent_feature_id: r.get(13)?,
        };
        Ok((record, cursor))
    })
}

pub fn stats(conn: &Connection, key: &str) -> rusqlite::Result<Stats> {
    let Some(key) = key_id(conn, key)? else {
        return Ok(Stats::empty());
    };
    let count = |table: &str| -> rusqlite::Result<u64> {
        conn.prepare_cached(&format!("SELECT count(*) FROM {table} WHERE key_id = ?1"))?
            .query_row([key], |r| r.get(0))
    };
    let mut scores = Stats::empty().scores;
    let mut stmt = conn.prepare_cached(
        "SELECT score, count(*) FROM feedback WHERE key_id = ?1 AND score IS NOT NULL GROUP BY score",
    )?;
    let mut rows = stmt.query([key])?;
    let (mut total, mut sum) = (0u64, 0u64);
    while let Some(row) = rows.next()? {
        let (score, n): (u8, u64) = (row.get(0)?, row.get(1)?);
        scores.insert(score.to_string(), n);
        total += n;
        sum += u64::from(score) * n;
    }
    Ok(Stats {
        users: count("users")?,
        companies: count("companies")?,
        events: count("events")?,
        feedback: count("feedback")?,
        scores,
        average_score: (total > 0).then(|| sum as f64 / total as f64),
    })
}

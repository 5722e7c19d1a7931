//! The reads behind the inspection routes (assets/contract.md §6): newest first, paged, per key.

use crate::api::inspect::{CompanyRecord, EventRecord, FeedbackRecord, Stats, UserRecord};
use crate::api::timestamp::format;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Map, Value};

/// Which slice of a list to read, in which order, and the rows whose text contains `search`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub limit: u32,
    pub offset: u64,
    pub order: Order,
    /// Case-insensitive (ASCII) substring of the row's ids, names or text; lowercase.
    pub search: Option<String>,
}

pub use crate::api::inspect::Order;

/// The SQL direction of an order.
fn sql(order: Order) -> &'static str {
    match order {
        Order::Newest => "DESC",
        Order::Oldest => "ASC",
    }
}

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

pub fn users(conn: &Connection, key: &str, page: &Page) -> rusqlite::Result<Vec<UserRecord>> {
    let Some(key) = key_id(conn, key)? else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.key_id = ?1
           AND (?4 IS NULL OR instr(lower(u.user_id), ?4) OR instr(lower(u.attributes), ?4))
         ORDER BY u.last_seen IS NULL, u.last_seen {}, u.user_id LIMIT ?2 OFFSET ?3",
        sql(page.order)
    );
    conn.prepare_cached(&sql)?
        .query_map(params![key, page.limit, page.offset, page.search], user_row)?
        .collect()
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
) -> rusqlite::Result<Vec<CompanyRecord>> {
    let Some(key) = key_id(conn, key)? else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT {COMPANY_COLUMNS} FROM companies c WHERE c.key_id = ?1
           AND (?4 IS NULL OR instr(lower(c.company_id), ?4) OR instr(lower(c.attributes), ?4))
         ORDER BY c.last_seen IS NULL, c.last_seen {}, c.company_id LIMIT ?2 OFFSET ?3",
        sql(page.order)
    );
    conn.prepare_cached(&sql)?
        .query_map(
            params![key, page.limit, page.offset, page.search],
            company_row,
        )?
        .collect()
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
) -> rusqlite::Result<Vec<EventRecord>> {
    let Some(key) = key_id(conn, key)? else {
        return Ok(Vec::new());
    };
    let plan = super::search::plan(conn, key, page.search.as_deref())?;
    let Some(search) = plan.predicate() else {
        return Ok(Vec::new());
    };
    let dir = sql(page.order);
    conn.prepare_cached(&format!(
        "SELECT id, event, user_id, company_id, attributes, timestamp, received_at FROM events
         WHERE key_id = ?1 AND (?2 IS NULL OR user_id = ?2) AND (?3 IS NULL OR company_id = ?3)
           AND (?4 IS NULL OR event = ?4)
           AND {search}
         ORDER BY received_at {dir}, id {dir} LIMIT ?5 OFFSET ?6"
    ))?
    .query_map(
        params![
            key,
            filter.user_id,
            filter.company_id,
            filter.event,
            page.limit,
            page.offset,
            page.search
        ],
        |r| {
            Ok(EventRecord {
                id: r.get::<_, i64>(0)?.to_string(),
                event: r.get(1)?,
                user_id: r.get(2)?,
                company_id: r.get(3)?,
                attributes: attributes(&r.get::<_, String>(4)?),
                timestamp: format(r.get(5)?),
                received_at: format(r.get(6)?),
            })
        },
    )?
    .collect()
}

pub fn feedback(
    conn: &Connection,
    key: &str,
    feature_id: Option<&str>,
    page: &Page,
) -> rusqlite::Result<Vec<FeedbackRecord>> {
    let Some(key) = key_id(conn, key)? else {
        return Ok(Vec::new());
    };
    let dir = sql(page.order);
    conn.prepare_cached(&format!(
        "SELECT feedback_id, feature_id, user_id, company_id, score, comment, question,
                prompted_question, prompt_id, source, created_at, updated_at, key, sent_feature_id
         FROM feedback WHERE key_id = ?1 AND (?2 IS NULL OR feature_id = ?2)
           AND (?5 IS NULL OR instr(lower(feature_id), ?5) OR instr(lower(user_id), ?5)
                OR instr(lower(coalesce(comment, '')), ?5))
         ORDER BY updated_at {dir}, rowid {dir} LIMIT ?3 OFFSET ?4"
    ))?
    .query_map(
        params![key, feature_id, page.limit, page.offset, page.search],
        |r| {
            Ok(FeedbackRecord {
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
            })
        },
    )?
    .collect()
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

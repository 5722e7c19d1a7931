//! The read behind `GET /_local/{env}/flag-checks`: the flag checks an environment's SDKs sent,
//! newest first, optionally of one flag (the index is by flag and time).

use super::queries::{Page, key_id};
use crate::api::inspect::{FlagCheckRecord, Order};
use crate::api::timestamp::format;
use rusqlite::{Connection, params};
use serde_json::Value;

pub fn flag_checks(
    conn: &Connection,
    key: &str,
    flag: Option<&str>,
    page: &Page,
) -> rusqlite::Result<Vec<FlagCheckRecord>> {
    let Some(key) = key_id(conn, key)? else {
        return Ok(Vec::new());
    };
    let dir = match page.order {
        Order::Newest => "DESC",
        Order::Oldest => "ASC",
    };
    let json = |text: Option<String>| text.and_then(|t| serde_json::from_str::<Value>(&t).ok());
    conn.prepare_cached(&format!(
        "SELECT id, flag_key, action, context, result, targeting_version, rule_results,
                missing_fields, received_at FROM flag_events
         WHERE key_id = ?1 AND (?2 IS NULL OR flag_key = ?2)
           AND (?5 IS NULL OR instr(lower(flag_key), ?5) OR instr(lower(context), ?5))
         ORDER BY received_at {dir}, id {dir} LIMIT ?3 OFFSET ?4"
    ))?
    .query_map(
        params![key, flag, page.limit, page.offset, page.search],
        |r| {
            Ok(FlagCheckRecord {
                id: r.get::<_, i64>(0)?.to_string(),
                flag_key: r.get(1)?,
                action: r.get(2)?,
                context: json(r.get(3)?).unwrap_or(Value::Null),
                result: json(r.get(4)?),
                targeting_version: r.get(5)?,
                rule_results: json(r.get(6)?).and_then(|v| serde_json::from_value(v).ok()),
                missing_fields: json(r.get(7)?).and_then(|v| serde_json::from_value(v).ok()),
                received_at: format(r.get(8)?),
            })
        },
    )?
    .collect()
}

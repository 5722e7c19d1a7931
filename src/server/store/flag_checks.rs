//! The read behind `GET /_local/{env}/flag-checks`: the flag checks an environment's SDKs sent,
//! newest first, optionally of one flag (the index is by flag and time).

use super::paging::{self, Paged};
use super::queries::{Page, key_id};
use crate::api::inspect::{Cursor, FlagCheckRecord};
use crate::api::timestamp::format;
use rusqlite::Connection;
use rusqlite::types::Value as Sql;
use serde_json::Value;

pub fn flag_checks(
    conn: &Connection,
    key: &str,
    flag: Option<&str>,
    page: &Page,
) -> rusqlite::Result<Paged<FlagCheckRecord>> {
    let Some(key) = key_id(conn, key)? else {
        return Ok(Paged {
            rows: Vec::new(),
            next: None,
        });
    };
    let whole = flag.is_none() && page.search.is_none() && page.after.is_none();
    let seek = whole && paging::numbered(conn, "flag_events", key)?;
    let place = paging::by_pair("received_at", "id", page, seek.then_some("flag_events"));
    let json = |text: Option<String>| text.and_then(|t| serde_json::from_str::<Value>(&t).ok());
    let sql = format!(
        "SELECT id, flag_key, action, context, result, targeting_version, rule_results,
                missing_fields, received_at FROM flag_events
         WHERE key_id = ?1 AND (?2 IS NULL OR flag_key = ?2)
           AND (?5 IS NULL OR instr(lower(flag_key), ?5) OR instr(lower(context), ?5))
           {}
         ORDER BY {} LIMIT ?3 OFFSET ?4",
        place.filter, place.order
    );
    let text = |v: Option<&str>| v.map_or(Sql::Null, |v| Sql::Text(v.to_owned()));
    let values = vec![
        Sql::Integer(key),
        text(flag),
        Sql::Integer(page.limit.into()),
        Sql::Integer(i64::try_from(place.walk).unwrap_or(i64::MAX)),
        text(page.search.as_deref()),
    ];
    paging::run(conn, &sql, values, &place, |r| {
        let (id, received_at) = (r.get::<_, i64>(0)?, r.get(8)?);
        let record = FlagCheckRecord {
            id: id.to_string(),
            flag_key: r.get(1)?,
            action: r.get(2)?,
            context: json(r.get(3)?).unwrap_or(Value::Null),
            result: json(r.get(4)?),
            targeting_version: r.get(5)?,
            rule_results: json(r.get(6)?).and_then(|v| serde_json::from_value(v).ok()),
            missing_fields: json(r.get(7)?).and_then(|v| serde_json::from_value(v).ok()),
            received_at: format(received_at),
        };
        Ok((record, Cursor::rowid(received_at, id)))
    })
}

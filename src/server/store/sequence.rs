//! Keeping `seq` (schema/v6.rs) exact: a row's `seq` is its 1-based position in its key's list by
//! `(received_at, id)`. Rows are inserted by the one writer, usually in time order, so the new row
//! goes last; a row received earlier than rows already stored (calls queued behind a slower one,
//! a clock stepped back) moves those rows one place on, in the same transaction. Nothing deletes
//! rows, so positions never close up.

use super::known::{Known, Tail};
use rusqlite::{Connection, OptionalExtension, params};

/// The tables whose lists are numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Numbered {
    Events,
    FlagEvents,
}

impl Numbered {
    pub const fn table(self) -> &'static str {
        match self {
            Numbered::Events => "events",
            Numbered::FlagEvents => "flag_events",
        }
    }
}

/// The `seq` of a row about to be inserted into `table` for `key`, received at `received_ms`,
/// having made room for it. Call it right before the insert: the new row takes the largest id, so
/// it comes after every stored row received at the same millisecond. A row received no earlier
/// than the list's last one, the usual case, goes after it without reading the store.
pub fn place(
    conn: &Connection,
    known: &mut Known,
    table: Numbered,
    key: i64,
    received_ms: i64,
) -> rusqlite::Result<i64> {
    if let Some(tail) = known.tail(table, key)
        && tail.received_ms <= received_ms
    {
        known.set_tail(
            table,
            key,
            Some(Tail {
                received_ms,
                seq: tail.seq + 1,
            }),
        );
        return Ok(tail.seq + 1);
    }
    let t = table.table();
    let before: Option<i64> = conn
        .prepare_cached(&format!(
            "SELECT seq FROM {t} WHERE key_id = ?1 AND received_at <= ?2
             ORDER BY received_at DESC, id DESC LIMIT 1"
        ))?
        .query_row(params![key, received_ms], |r| r.get(0))
        .optional()?;
    let moved = conn
        .prepare_cached(&format!(
            "UPDATE {t} SET seq = seq + 1 WHERE key_id = ?1 AND received_at > ?2"
        ))?
        .execute(params![key, received_ms])?;
    let seq = before.unwrap_or(0) + 1;
    // With no row moved on, the new row ends the list; otherwise where it ends is read next time.
    let last = (moved == 0).then_some(Tail { received_ms, seq });
    known.set_tail(table, key, last);
    Ok(seq)
}

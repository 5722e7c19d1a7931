//! How a list query reaches its page (assets/contract.md §6): by `offset` (a walk past the rows
//! before it), by `after` (the cursor of the row before it: an index seek), or, for the unfiltered
//! events and flag checks, by `offset` as a seek on `seq`, each row's position in its key's list
//! (schema/v6.rs). Users and companies have no `seq`: their order changes whenever one is seen
//! again, which would renumber most of the list; their cursor stays exact.

use super::queries::{Order, Page};
use crate::api::inspect::Cursor;
use rusqlite::types::Value;
use rusqlite::{Connection, Row};

/// Parameter numbers the paging fragments use, above any of the list queries' own.
const AT: usize = 20;
const ID: usize = 21;
const SEEK: usize = 22;

/// One page of a list, and the cursor of its last row.
#[derive(Debug, Clone, PartialEq)]
pub struct Paged<T> {
    pub rows: Vec<T>,
    pub next: Option<Cursor>,
}

/// The SQL a list query adds for its page: a predicate (`AND …`, or nothing), its `ORDER BY`
/// terms, the rows still to walk past, and the values of the parameters the fragments name.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub filter: String,
    pub order: String,
    pub walk: u64,
    values: Vec<(usize, Value)>,
}

fn dir(order: Order) -> &'static str {
    match order {
        Order::Newest => "DESC",
        Order::Oldest => "ASC",
    }
}

/// An id as the cursor carries it: a rowid when it reads as one.
fn id_value(id: &str) -> Value {
    id.parse::<i64>()
        .map_or_else(|_| Value::Text(id.to_owned()), Value::Integer)
}

/// A list ordered by `(at, id)`, both one way. `numbered` names the table whose `seq` the list may
/// seek on: only when nothing filters it (the caller says) and no cursor is given.
pub fn by_pair(at: &str, id: &str, page: &Page, numbered: Option<&str>) -> Place {
    let d = dir(page.order);
    if let Some(cursor) = &page.after {
        let op = match page.order {
            Order::Newest => "<",
            Order::Oldest => ">",
        };
        return Place {
            filter: format!("AND ({at}, {id}) {op} (?{AT}, ?{ID})"),
            order: format!("{at} {d}, {id} {d}"),
            walk: page.offset,
            values: vec![
                (AT, cursor.at.map_or(Value::Null, Value::Integer)),
                (ID, id_value(&cursor.id)),
            ],
        };
    }
    if let Some(table) = numbered {
        let offset = Value::Integer(i64::try_from(page.offset).unwrap_or(i64::MAX));
        let filter = match page.order {
            Order::Oldest => format!("AND seq > ?{SEEK}"),
            Order::Newest => {
                format!("AND seq <= (SELECT max(seq) FROM {table} WHERE key_id = ?1) - ?{SEEK}")
            }
        };
        return Place {
            filter,
            order: format!("seq {d}"),
            walk: 0,
            values: vec![(SEEK, offset)],
        };
    }
    Place {
        filter: String::new(),
        order: format!("{at} {d}, {id} {d}"),
        walk: page.offset,
        values: Vec::new(),
    }
}

/// Whether every row of `key` in `table` has its `seq`: rows written around the writer (a
/// hand-edited store, a test's fixture) have none, and their list is then walked, not sought.
pub fn numbered(conn: &Connection, table: &str, key: i64) -> rusqlite::Result<bool> {
    let unnumbered: bool = conn
        .prepare_cached(&format!(
            "SELECT EXISTS (SELECT 1 FROM {table} WHERE key_id = ?1 AND seq IS NULL)"
        ))?
        .query_row([key], |r| r.get(0))?;
    Ok(!unnumbered)
}

/// A list of users or companies: by `seen` one way with the never-seen last, then by `id` up.
pub fn by_seen(seen: &str, id: &str, page: &Page) -> Place {
    let d = dir(page.order);
    let order = format!("{seen} IS NULL, {seen} {d}, {id}");
    let Some(cursor) = &page.after else {
        return Place {
            filter: String::new(),
            order,
            walk: page.offset,
            values: Vec::new(),
        };
    };
    let op = match page.order {
        Order::Newest => "<",
        Order::Oldest => ">",
    };
    let (filter, values) = match cursor.at {
        Some(at) => (
            format!(
                "AND ({seen} IS NULL OR {seen} {op} ?{AT} OR ({seen} = ?{AT} AND {id} > ?{ID}))"
            ),
            vec![
                (AT, Value::Integer(at)),
                (ID, Value::Text(cursor.id.clone())),
            ],
        ),
        None => (
            format!("AND {seen} IS NULL AND {id} > ?{ID}"),
            vec![(ID, Value::Text(cursor.id.clone()))],
        ),
    };
    Place {
        filter,
        order,
        walk: page.offset,
        values,
    }
}

/// Runs a list query: `values` are its own parameters from ?1, the place's are added; each row
/// gives its record and its cursor.
pub fn run<T>(
    conn: &Connection,
    sql: &str,
    values: Vec<Value>,
    place: &Place,
    mut row: impl FnMut(&Row<'_>) -> rusqlite::Result<(T, Cursor)>,
) -> rusqlite::Result<Paged<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let count = stmt.parameter_count();
    let numbered = values.into_iter().enumerate().map(|(i, v)| (i + 1, v));
    for (i, v) in numbered.chain(place.values.iter().cloned()) {
        if i <= count {
            stmt.raw_bind_parameter(i, v)?;
        }
    }
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    let mut next = None;
    while let Some(r) = rows.next()? {
        let (record, cursor) = row(r)?;
        out.push(record);
        next = Some(cursor);
    }
    Ok(Paged { rows: out, next })
}

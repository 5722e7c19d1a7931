//! Whose events are whose (schema/v10.rs): a trigger puts each stored event's user and company
//! in `owners_recent`, and the writer moves them on to `owners_merged` a slice at a time, in the
//! tables' key order, so that a page of the large table is written once for many events instead
//! of once for each. Reads take both through the view `event_owners`.
//!
//! The move is a sweep: once the recent table holds [`KEEP`] entries, each batch moves about as
//! many entries as it added, the next ones in key order after where the last batch stopped,
//! starting over at the end. A page of the merged table is then written once a lap, for the
//! entries of some [`KEEP`] recent ones, and each batch pays its share: no batch waits for a
//! large merge.

use rusqlite::Connection;
use rusqlite::types::Value;

/// Entries (one per event and one more per event naming a company) the recent table keeps:
/// about 65 000 events' worth. Fewer make each lap shorter, and a page of the merged table is
/// written for fewer events; more make the recent table's pages, written by every commit, more
/// numerous.
pub const KEEP: u64 = 110_000;

/// An entry's key: tracking key, by company, owner, event id.
type Entry = (i64, i64, String, i64);

/// Where the sweep stands, and what the recent table holds as far as the writer knows.
#[derive(Debug)]
pub struct Sweep {
    keep: u64,
    /// Counted at open and at the end of each lap; in between, each event counts two (at most
    /// what it added) and each entry moved one less.
    entries: u64,
    /// The last entry moved; `None` at the start of a lap.
    after: Option<Entry>,
}

const COUNT: &str = "SELECT count(*) FROM owners_recent";

impl Sweep {
    /// The sweep of a store as opened: another run may have left entries behind.
    pub fn counted(conn: &Connection, keep: u64) -> rusqlite::Result<Sweep> {
        Ok(Sweep {
            keep,
            entries: conn.query_row(COUNT, [], |r| r.get(0))?,
            after: None,
        })
    }

    /// A sweep that knows of no recent entry: the end of its first lap counts them.
    pub fn counted_none(keep: u64) -> Sweep {
        Sweep {
            keep,
            entries: 0,
            after: None,
        }
    }

    /// Notes `events` stored in the transaction `tx` and moves their share, under a savepoint: a
    /// failed move (a full disk) is undone alone and leaves the batch's own writes in place; its
    /// entries stay readable where they are and a later batch moves them.
    pub fn step(&mut self, tx: &Connection, events: u64) {
        let before = self.after.clone();
        let moved = tx
            .execute_batch("SAVEPOINT sweep")
            .and_then(|()| self.advance(tx, events))
            .and_then(|moved| tx.execute_batch("RELEASE sweep").map(|()| moved));
        if moved.is_err() {
            let _ = tx.execute_batch("ROLLBACK TO sweep; RELEASE sweep");
            self.after = before;
        }
    }

    /// Moves about as many entries as `events` added once the recent table holds more than it
    /// keeps; answers how many it moved.
    fn advance(&mut self, tx: &Connection, events: u64) -> rusqlite::Result<u64> {
        let added = events.saturating_mul(2);
        self.entries = self.entries.saturating_add(added);
        let mut wanted = self.entries.saturating_sub(self.keep).min(added);
        let mut moved = 0;
        let mut wrapped = false;
        while wanted > 0 {
            let (n, end) = move_next(tx, self.after.as_ref(), wanted)?;
            moved += n;
            wanted -= n.min(wanted);
            self.entries = self.entries.saturating_sub(n);
            self.after = end;
            if self.after.is_none() {
                // The end of a lap: the count is made exact again, and one lap is enough.
                self.entries = tx.query_row(COUNT, [], |r| r.get(0))?;
                if wrapped {
                    break;
                }
                wrapped = true;
                wanted = wanted.min(self.entries.saturating_sub(self.keep));
            }
        }
        Ok(moved)
    }
}

/// Moves up to `count` entries after `after` (from the start when `None`) to the merged table;
/// answers how many it moved and the last of them, `None` when it reached the end.
fn move_next(
    tx: &Connection,
    after: Option<&Entry>,
    count: u64,
) -> rusqlite::Result<(u64, Option<Entry>)> {
    const KEY: &str = "(key_id, by_company, owner, id)";
    let lower = if after.is_some() {
        format!("{KEY} > (?1, ?2, ?3, ?4)")
    } else {
        "1".to_owned()
    };
    let mut values: Vec<Value> = after.map_or_else(Vec::new, |entry| values_of(entry).to_vec());
    let offset = i64::try_from(count.saturating_sub(1)).unwrap_or(i64::MAX);
    let last: Option<Entry> = {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT key_id, by_company, owner, id FROM owners_recent WHERE {lower}
             ORDER BY key_id, by_company, owner, id LIMIT 1 OFFSET ?9"
        ))?;
        for (i, v) in values.iter().enumerate() {
            stmt.raw_bind_parameter(i + 1, v)?;
        }
        stmt.raw_bind_parameter(9, offset)?;
        let mut rows = stmt.raw_query();
        match rows.next()? {
            Some(r) => Some((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            None => None,
        }
    };
    let range = match &last {
        Some(entry) => {
            values.extend(values_of(entry));
            let n = values.len() - 3;
            format!(
                "{lower} AND {KEY} <= (?{n}, ?{}, ?{}, ?{})",
                n + 1,
                n + 2,
                n + 3
            )
        }
        None => lower,
    };
    // The recent table is read in its key's order, the merged one's: each page of it the slice
    // reaches is visited once.
    let moved = tx
        .prepare_cached(&format!(
            "INSERT INTO owners_merged (key_id, by_company, owner, id)
             SELECT key_id, by_company, owner, id FROM owners_recent WHERE {range}"
        ))?
        .execute(rusqlite::params_from_iter(values.iter()))?;
    tx.prepare_cached(&format!("DELETE FROM owners_recent WHERE {range}"))?
        .execute(rusqlite::params_from_iter(values.iter()))?;
    Ok((moved as u64, last))
}

fn values_of((key_id, by_company, owner, id): &Entry) -> [Value; 4] {
    [
        Value::Integer(*key_id),
        Value::Integer(*by_company),
        Value::Text(owner.clone()),
        Value::Integer(*id),
    ]
}

/// Moves every recent entry at once: the tests' way to split a store's entries between the two
/// tables at a chosen event.
#[cfg(test)]
pub fn merge(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    move_next(&tx, None, u64::MAX)?;
    tx.commit()
}

#[cfg(test)]
#[path = "owners_tests.rs"]
mod tests;

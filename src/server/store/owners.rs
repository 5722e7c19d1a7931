//! Whose events are whose (schema/v10.rs): a trigger puts each stored event's user and company
//! in `owners_recent`, and the writer moves them on to `owners_middle` and from there to
//! `owners_merged`, a slice at a time in the tables' key order, so that a page of a larger table
//! is written once for many events instead of once for each. Reads take all three through the
//! view `event_owners`.
//!
//! Each move is a sweep: once a table holds what it keeps, each batch moves about as many entries
//! as it added, the next ones in key order after where the last batch stopped, starting over at
//! the end. A page of the next table is then written once a lap, for the entries of all that the
//! table keeps, and each batch pays its share: no batch waits for a large merge. The recent table
//! is kept small so that the entries of a commit, placed by their owners, fall on few pages; the
//! middle one large so that a lap of the merged table's pages carries many events, and it moves
//! a chunk of some twenty batches' entries at once, so that neighbouring slices do not write the
//! same merged pages again ([`MIDDLE`]).

use rusqlite::Connection;
use rusqlite::types::Value;

/// `id IN (…)`: the ids of the events of one user (`by_company` 0) or company (1) of key `?1`,
/// `owner` being the SQL that names it; every reader of one owner's events goes through this.
macro_rules! owned_by {
    ($by_company:literal, $owner:literal) => {
        concat!(
            "id IN (SELECT id FROM event_owners WHERE key_id = ?1 AND by_company = ",
            $by_company,
            " AND owner = ",
            $owner,
            ")"
        )
    };
}
pub(super) use owned_by;

/// A table of entries, the table they are swept into, how many entries it keeps (one per event
/// and one more per event naming a company), and how many past that it gathers before a move
/// (none: each batch moves as many as it added).
#[derive(Debug, Clone, Copy)]
pub struct Level {
    pub from: &'static str,
    pub to: &'static str,
    pub keep: u64,
    pub chunk: u64,
}

/// About 4 000 events: some 35 pages, which a commit's entries mostly share.
pub const RECENT: Level = Level {
    from: "owners_recent",
    to: "owners_middle",
    keep: 8_192,
    chunk: 0,
};

/// About 65 000 events: each page of the merged table the sweep writes takes the entries of some
/// 16 events at a million, and the middle table's 420 pages see only the slices moved in and out.
/// Moved a thousand at a time, some twenty commits' worth: one commit's slice reaches some ten
/// pages of the merged table and the next commit's slice rewrote most of them, 9.1–9.7 pages a
/// commit at a million; a chunk writes each page once, 2.8 pages a commit (docs/performance.md).
pub const MIDDLE: Level = Level {
    from: "owners_middle",
    to: "owners_merged",
    keep: 110_000,
    chunk: 1_024,
};

/// An entry's key: tracking key, by company, owner, event id.
type Entry = (i64, i64, String, i64);

/// Where a sweep stands, and what its table holds as far as the writer knows.
#[derive(Debug)]
pub struct Sweep {
    level: Level,
    /// Counted at open and at the end of each lap; in between, what each step was told was
    /// added (at most what was) and one less for each entry moved.
    entries: u64,
    /// The last entry moved; `None` at the start of a lap.
    after: Option<Entry>,
}

fn count(conn: &Connection, table: &str) -> rusqlite::Result<u64> {
    conn.prepare_cached(&format!("SELECT count(*) FROM {table}"))?
        .query_row([], |r| r.get(0))
}

impl Sweep {
    /// The sweep of a store as opened: another run may have left entries behind.
    pub fn counted(conn: &Connection, level: Level) -> rusqlite::Result<Sweep> {
        Ok(Sweep {
            level,
            entries: count(conn, level.from)?,
            after: None,
        })
    }

    /// A sweep that knows of no entry: the end of its first lap counts them.
    pub fn counted_none(level: Level) -> Sweep {
        Sweep {
            level,
            entries: 0,
            after: None,
        }
    }

    /// Notes `added` entries (at most) put in its table in the transaction `tx`, moves their
    /// share, and answers how many it moved. Under a savepoint: a failed move (a full disk) is
    /// undone alone, moves nothing and leaves the batch's own writes in place; the entries stay
    /// readable where they are and a later batch moves them.
    pub fn step(&mut self, tx: &Connection, added: u64) -> u64 {
        let wanted = self.due(added);
        if wanted == 0 {
            // Most batches: no savepoint to open and release for nothing.
            return 0;
        }
        let before = self.after.clone();
        let moved = tx
            .execute_batch("SAVEPOINT sweep")
            .and_then(|()| self.advance(tx, wanted))
            .and_then(|moved| tx.execute_batch("RELEASE sweep").map(|()| moved));
        moved.unwrap_or_else(|_| {
            let _ = tx.execute_batch("ROLLBACK TO sweep; RELEASE sweep");
            self.after = before;
            0
        })
    }

    /// Notes `added` entries and answers how many to move: once its table holds a chunk more than
    /// it keeps, what is over, up to a chunk or as many entries as were `added` if that is more (a
    /// table opened far over what it keeps comes down a little each batch when its chunk is more
    /// than a batch adds).
    fn due(&mut self, added: u64) -> u64 {
        let Level { keep, chunk, .. } = self.level;
        self.entries = self.entries.saturating_add(added);
        let over = self.entries.saturating_sub(keep);
        if over >= chunk {
            over.min(chunk.max(added))
        } else {
            0
        }
    }

    /// Moves `wanted` entries (fewer if a lap ends with the table at what it keeps); answers how
    /// many it moved.
    fn advance(&mut self, tx: &Connection, mut wanted: u64) -> rusqlite::Result<u64> {
        let Level { from, to, keep, .. } = self.level;
        let mut moved = 0;
        let mut wrapped = false;
        while wanted > 0 {
            let (n, end) = move_next(tx, (from, to), self.after.as_ref(), wanted)?;
            moved += n;
            wanted -= n.min(wanted);
            self.entries = self.entries.saturating_sub(n);
            self.after = end;
            if self.after.is_none() {
                // The end of a lap: the count is made exact again, and one lap is enough.
                self.entries = count(tx, from)?;
                if wrapped {
                    break;
                }
                wrapped = true;
                wanted = wanted.min(self.entries.saturating_sub(keep));
            }
        }
        Ok(moved)
    }
}

/// The writer's two sweeps: recent into middle, middle into merged.
#[derive(Debug)]
pub struct Sweeps {
    recent: Sweep,
    middle: Sweep,
}

impl Sweeps {
    /// The sweeps of a store as opened; a table that cannot be counted starts a lap as if empty.
    pub fn counted(conn: &Connection) -> Sweeps {
        let sweep =
            |level| Sweep::counted(conn, level).unwrap_or_else(|_| Sweep::counted_none(level));
        Sweeps {
            recent: sweep(RECENT),
            middle: sweep(MIDDLE),
        }
    }

    /// `events` were stored in `tx`: each put at most two entries in the recent table.
    pub fn step(&mut self, tx: &Connection, events: u64) {
        let moved = self.recent.step(tx, events.saturating_mul(2));
        self.middle.step(tx, moved);
    }
}

/// Moves up to `count` entries after `after` (from the start when `None`) to the merged table;
/// answers how many it moved and the last of them, `None` when it reached the end.
fn move_next(
    tx: &Connection,
    (from, to): (&str, &str),
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
            "SELECT key_id, by_company, owner, id FROM {from} WHERE {lower}
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
    // The table is read in its key's order, the next one's: each page of it the slice reaches is
    // visited once. An entry already there (a store edited by hand) is not moved twice, nor does
    // it stop the sweep at that entry for good.
    tx.prepare_cached(&format!(
        "INSERT OR IGNORE INTO {to} (key_id, by_company, owner, id)
         SELECT key_id, by_company, owner, id FROM {from} WHERE {range}"
    ))?
    .execute(rusqlite::params_from_iter(values.iter()))?;
    let moved = tx
        .prepare_cached(&format!("DELETE FROM {from} WHERE {range}"))?
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

/// Moves every middle entry to the merged table, then every recent one to the middle table: the
/// tests' way to split a store's entries between the three tables at chosen events.
#[cfg(test)]
pub fn merge(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    move_next(&tx, (MIDDLE.from, MIDDLE.to), None, u64::MAX)?;
    move_next(&tx, (RECENT.from, RECENT.to), None, u64::MAX)?;
    tx.commit()
}

#[cfg(test)]
#[path = "owners_tests.rs"]
mod tests;

//! What events change besides their own rows: the `lastSeen` of their user and company and their
//! row of `event_blocks`, written for many events at once a few commits after theirs
//! (schema/v9.rs says why). The events are the record: a write folds every event after
//! `derived.events_through` and moves the mark past them, in one transaction. So a call rolled
//! back leaves nothing to write, events stored by another server on the same file (or a crash
//! before their write) are written by whichever write comes next, and opening a store writes
//! what a killed server had not.
//!
//! Folding loses nothing: a `lastSeen` is the latest active time, and a block's days, latest use
//! and first use on the latest use's day are each a function of the set of its uses, so they can
//! be merged in any order and any grouping (the property test checks the merge against SQL).

use super::schema::BLOCK_DAYS;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

const DAY_MS: i64 = 86_400_000;

/// One stored event, as far as its derived changes go.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Use {
    key_id: i64,
    event: String,
    user_id: String,
    company_id: Option<String>,
    /// The effective time (events.timestamp).
    at: i64,
    /// `context.active` was not false: the use moves `lastSeen`.
    active: bool,
}

/// A row of `event_blocks` without its key: the days of a block with a use, the latest use and
/// the first use on the latest use's UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Block {
    days: i64,
    last_ms: i64,
    last_day_first_ms: i64,
}

impl Block {
    /// The block of a use at `at` and the row it alone would make. Day numbers divide toward
    /// zero, as SQLite's integer division does (schema/v6.rs): uses before 1970 go to block -1
    /// with no day bit.
    fn of(at: i64) -> (i64, Block) {
        let (block, days) = if at < 0 {
            (-1, 0)
        } else {
            (at / DAY_MS / BLOCK_DAYS, 1 << (at / DAY_MS % BLOCK_DAYS))
        };
        let row = Block {
            days,
            last_ms: at,
            last_day_first_ms: at,
        };
        (block, row)
    }

    fn merge(&mut self, other: &Block) {
        self.days |= other.days;
        let (mine, theirs) = (self.last_ms / DAY_MS, other.last_ms / DAY_MS);
        if theirs > mine {
            self.last_day_first_ms = other.last_day_first_ms;
        } else if theirs == mine {
            self.last_day_first_ms = self.last_day_first_ms.min(other.last_day_first_ms);
        }
        self.last_ms = self.last_ms.max(other.last_ms);
    }
}

/// `event_blocks`' primary key: key, event, block, by company, owner.
type BlockKey = (i64, String, i64, bool, String);

/// The folded changes of the events being written. Ordered maps, so that writing them walks each
/// table's pages in order.
#[derive(Debug, Default)]
struct Pending {
    /// (is a company, key, id) → the latest active use.
    seen: BTreeMap<(bool, i64, String), i64>,
    blocks: BTreeMap<BlockKey, Block>,
}

/// A block's stored row, to merge the held one into ([`Block::merge`] is the one rule).
const STORED_BLOCK: &str = "SELECT days, last_ms, last_day_first_ms FROM event_blocks
 WHERE key_id = ?1 AND event = ?2 AND block = ?3 AND by_company = ?4 AND owner = ?5";

const PUT_BLOCK: &str = "
INSERT INTO event_blocks (key_id, event, block, by_company, owner, days, last_ms, last_day_first_ms)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
ON CONFLICT (key_id, event, block, by_company, owner) DO UPDATE SET
    days = excluded.days, last_ms = excluded.last_ms, last_day_first_ms = excluded.last_day_first_ms";

const MOVE_USER_SEEN: &str = "UPDATE users SET last_seen = ?3
 WHERE key_id = ?1 AND user_id = ?2 AND (last_seen IS NULL OR last_seen < ?3)";

const MOVE_COMPANY_SEEN: &str = "UPDATE companies SET last_seen = ?3
 WHERE key_id = ?1 AND company_id = ?2 AND (last_seen IS NULL OR last_seen < ?3)";

impl Pending {
    fn add(&mut self, used: Use) {
        let Use {
            key_id,
            event,
            user_id,
            company_id,
            at,
            active,
        } = used;
        let (block, row) = Block::of(at);
        if active && let Some(company) = &company_id {
            later(&mut self.seen, (true, key_id, company.clone()), at);
        }
        let (by_company, owner) = match company_id {
            Some(company) => (true, company),
            None => (false, user_id.clone()),
        };
        match self.blocks.entry((key_id, event, block, by_company, owner)) {
            Entry::Occupied(mut stored) => stored.get_mut().merge(&row),
            Entry::Vacant(slot) => {
                slot.insert(row);
            }
        }
        if active {
            later(&mut self.seen, (false, key_id, user_id), at);
        }
    }

    fn write(&self, tx: &Connection) -> rusqlite::Result<()> {
        let mut users = tx.prepare_cached(MOVE_USER_SEEN)?;
        let mut companies = tx.prepare_cached(MOVE_COMPANY_SEEN)?;
        for ((is_company, key, id), at) in &self.seen {
            let moved = if *is_company {
                &mut companies
            } else {
                &mut users
            };
            moved.execute(params![key, id, at])?;
        }
        let mut stored = tx.prepare_cached(STORED_BLOCK)?;
        let mut put = tx.prepare_cached(PUT_BLOCK)?;
        for ((key, event, block, by_company, owner), held) in &self.blocks {
            let mut row = *held;
            let found = stored
                .query_row(params![key, event, block, by_company, owner], |r| {
                    Ok(Block {
                        days: r.get(0)?,
                        last_ms: r.get(1)?,
                        last_day_first_ms: r.get(2)?,
                    })
                })
                .optional()?;
            if let Some(found) = found {
                row.merge(&found);
            }
            put.execute(params![
                key,
                event,
                block,
                by_company,
                owner,
                row.days,
                row.last_ms,
                row.last_day_first_ms
            ])?;
        }
        Ok(())
    }
}

fn later(seen: &mut BTreeMap<(bool, i64, String), i64>, who: (bool, i64, String), at: i64) {
    seen.entry(who)
        .and_modify(|latest| *latest = (*latest).max(at))
        .or_insert(at);
}

/// Writes the changes of the events stored after `derived.events_through` and moves the mark
/// past them, in a transaction of its own; answers how many events it wrote for. On failure
/// nothing moved: the next write covers the same events.
pub fn write(conn: &mut Connection) -> rusqlite::Result<u64> {
    // Checked before taking the write lock, which another server on the file may hold: a store
    // opened with nothing to write does not wait for it.
    if !behind(conn)? {
        return Ok(0);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut pending = Pending::default();
    let mut last = None;
    let mut written = 0;
    {
        let mut after = tx.prepare_cached(
            "SELECT id, key_id, event, user_id, company_id, timestamp, inactive IS NULL FROM events
              WHERE id > (SELECT events_through FROM derived) ORDER BY id",
        )?;
        let mut rows = after.query([])?;
        while let Some(r) = rows.next()? {
            last = Some(r.get::<_, i64>(0)?);
            pending.add(Use {
                key_id: r.get(1)?,
                event: r.get(2)?,
                user_id: r.get(3)?,
                company_id: r.get(4)?,
                at: r.get(5)?,
                active: r.get(6)?,
            });
            written += 1;
        }
    }
    let Some(last) = last else {
        return Ok(0);
    };
    pending.write(&tx)?;
    tx.prepare_cached("UPDATE derived SET events_through = ?1")?
        .execute([last])?;
    tx.commit()?;
    Ok(written)
}

/// Whether events are stored whose changes are not written yet: a read asks for them first.
pub fn behind(conn: &Connection) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT coalesce((SELECT max(id) FROM events), 0) > (SELECT events_through FROM derived)",
    )?
    .query_row([], |r| r.get(0))
}

#[cfg(test)]
#[path = "derived_tests.rs"]
mod tests;

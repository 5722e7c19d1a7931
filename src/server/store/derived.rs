//! What events change besides their own rows: the `lastSeen` of their user and company and their
//! row of `event_blocks`, written for many events at once a few commits after theirs
//! (schema/v9.rs says why). The writer stages each event of the open transaction, keeps the
//! staged changes of committed ones folded together, and writes them when they are due, before
//! any read, and at the stop; a store opened after a crash gets the changes of the events after
//! `derived.events_through` from the events themselves.
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
pub struct Use {
    pub key_id: i64,
    pub event: String,
    pub user_id: String,
    pub company_id: Option<String>,
    /// The effective time (events.timestamp).
    pub at: i64,
    /// `context.active` was not false: the use moves `lastSeen`.
    pub active: bool,
}

/// The uses of the open transaction. A savepoint rolled back drops its own (`truncate` to its
/// `mark`); a transaction rolled back drops them all.
#[derive(Debug, Default)]
pub struct Staged(Vec<Use>);

impl Staged {
    pub fn push(&mut self, used: Use) {
        self.0.push(used);
    }

    pub fn mark(&self) -> usize {
        self.0.len()
    }

    pub fn truncate(&mut self, mark: usize) {
        self.0.truncate(mark);
    }
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

/// The folded changes of committed events not written yet. Ordered maps, so that writing them
/// walks each table's pages in order.
#[derive(Debug, Default)]
pub struct Pending {
    /// (is a company, key, id) → the latest active use.
    seen: BTreeMap<(bool, i64, String), i64>,
    blocks: BTreeMap<BlockKey, Block>,
    /// Uses folded in since the last write.
    uses: usize,
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
    pub fn is_empty(&self) -> bool {
        self.uses == 0
    }

    /// Rows the next write will touch: what holding them costs in memory.
    pub fn rows(&self) -> usize {
        self.seen.len() + self.blocks.len()
    }

    /// Folds in the uses of a transaction that committed.
    pub fn absorb(&mut self, staged: &mut Staged) {
        for used in staged.0.drain(..) {
            self.add(used);
        }
    }

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
        self.uses += 1;
    }

    /// Writes the folded changes in a transaction of their own, with the id of the last event
    /// they cover; on failure they stay to be written again.
    pub fn write(&mut self, conn: &mut Connection) -> rusqlite::Result<()> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
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
        }
        // Every committed event is folded in by now, so all of them are covered.
        tx.execute(
            "UPDATE derived SET events_through = (SELECT coalesce(max(id), 0) FROM events)",
            [],
        )?;
        tx.commit()?;
        *self = Pending::default();
        Ok(())
    }
}

fn later(seen: &mut BTreeMap<(bool, i64, String), i64>, who: (bool, i64, String), at: i64) {
    seen.entry(who)
        .and_modify(|latest| *latest = (*latest).max(at))
        .or_insert(at);
}

/// Writes the changes of the events stored after `derived.events_through`: those a crash kept
/// from being written, or rows inserted by hand (the tests' and benches' seeds).
pub fn recover(conn: &mut Connection) -> rusqlite::Result<()> {
    let mut pending = Pending::default();
    {
        let mut after = conn.prepare(
            "SELECT key_id, event, user_id, company_id, timestamp, inactive IS NULL FROM events
              WHERE id > (SELECT events_through FROM derived)",
        )?;
        let mut rows = after.query([])?;
        while let Some(r) = rows.next()? {
            pending.add(Use {
                key_id: r.get(0)?,
                event: r.get(1)?,
                user_id: r.get(2)?,
                company_id: r.get(3)?,
                at: r.get(4)?,
                active: r.get(5)?,
            });
        }
    }
    if pending.is_empty() {
        return Ok(());
    }
    pending.write(conn)
}

#[cfg(test)]
#[path = "derived_tests.rs"]
mod tests;

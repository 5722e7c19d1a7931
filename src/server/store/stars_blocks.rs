//! The window's days, and each company's days before it, read from `event_blocks` (schema v6):
//! one row per company, or per user for uses naming no company, and block of 63 days, with a bit
//! per day with a use. A feature over a million events is then a few tens of thousands of rows
//! rather than every event of its window.
//!
//! A row says what happened on its days, not when within them; the as-of day needs the time,
//! and the row's last use and the earliest use of that use's day tell it, unless the block holds
//! uses after the as-of day (a past as-of time, or uses stamped ahead): then nothing is read from
//! here and the caller reads the events.

use super::{Companies, Cursor, Fold};
use crate::api::stars::{DAY_MS, Window};
use crate::server::store::owners::owned_by;
use crate::server::store::schema::BLOCK_DAYS;
use rusqlite::{Connection, params};
use std::collections::BTreeSet;

const WINDOW_ROWS: &str = "
SELECT by_company, owner, block, days, last_ms, last_day_first_ms FROM event_blocks
 WHERE key_id = ?1 AND event = ?2 AND block BETWEEN ?3 AND ?4";

/// The uses in the window up to the as-of time of a user in no company, through the user's
/// events (schema/v10.rs): only such users are counted, and each has few.
const LEFT_OUT: &str = concat!(
    "
SELECT count(*) FROM events
 WHERE ",
    owned_by!(0, "?2"),
    "
   AND event = ?3 AND company_id IS NULL AND timestamp BETWEEN ?4 AND ?5"
);

/// The uses left out, per user in no company.
pub(super) type LeftOut = Vec<(String, u64)>;

/// Folds in the days of the window (from its first day, not before 1970) on which `event` was
/// used, as `super::window_days` does from the events; answers whether a use is stamped later on
/// the as-of day than the window's end, and the uses left out. `None` when the rows cannot tell,
/// `folds` then being partly filled.
pub(super) fn window_days(
    conn: &Connection,
    (key_id, event): (i64, &str),
    window: Window,
    companies: &Companies,
    folds: &mut [Fold],
) -> rusqlite::Result<Option<(bool, LeftOut)>> {
    let (from_day, to_day) = (window.first_day(), window.last_day());
    let (first_block, last_block) = (from_day / BLOCK_DAYS, to_day / BLOCK_DAYS);
    let mut later = false;
    let mut cursor = Cursor::new(companies);
    let mut left_out = BTreeSet::new();
    let mut stmt = conn.prepare_cached(WINDOW_ROWS)?;
    let mut rows = stmt.query(params![key_id, event, first_block, last_block])?;
    while let Some(row) = rows.next()? {
        let block: i64 = row.get(2)?;
        let start = block * BLOCK_DAYS;
        let mut days: i64 = row.get(3)?;
        if block == last_block {
            let (last_ms, first_of_last): (i64, i64) = (row.get(4)?, row.get(5)?);
            let last_day = last_ms.div_euclid(DAY_MS);
            if last_day > to_day {
                return Ok(None);
            }
            if last_day == to_day {
                later |= last_ms > window.to_ms;
                if first_of_last > window.to_ms {
                    days &= !(1 << (to_day - start));
                }
            }
        }
        if start < from_day {
            days &= !((1 << (from_day - start)) - 1);
        }
        if days == 0 {
            continue;
        }
        let owner = row.get_ref(1)?.as_str()?;
        // A block holds 63 days: the bits are never negative.
        let each_day = |fold: &mut Fold| fold.saw_days(from_day, start, days as u64);
        if row.get::<_, bool>(0)? {
            if let Some(at) = cursor.company(owner) {
                each_day(&mut folds[at]);
            }
            continue;
        }
        match cursor.companies_of(owner) {
            Some(list) => list.iter().for_each(|&at| each_day(&mut folds[at])),
            None => {
                left_out.insert(owner.to_owned());
            }
        }
    }
    let mut counted = Vec::with_capacity(left_out.len());
    let mut stmt = conn.prepare_cached(LEFT_OUT)?;
    for user in left_out {
        let count: u64 = stmt.query_row(
            params![key_id, user, event, window.from_ms, window.to_ms],
            |r| r.get(0),
        )?;
        counted.push((user, count));
    }
    Ok(Some((later, counted)))
}

/// The rows of one block holding uses naming no company, by user.
const USER_BLOCK: &str = "
SELECT owner, days FROM event_blocks
 WHERE key_id = ?1 AND event = ?2 AND block = ?3 AND by_company = 0";

const FIRST_BLOCK: &str = "SELECT min(block) FROM event_blocks WHERE key_id = ?1 AND event = ?2";

/// Folds in, for each company `open` marks, the first and the last day before the window's first
/// with a use of `event` naming no company by one of its users: what `super::USER_SPAN` reads
/// from the events, but for the days before the window (the window's own are folded in already).
/// One seek per block of days rather than a read of every event of each user. `None`, nothing
/// folded in, when such a user has uses before 1970 (block -1 holds no day): the caller then
/// reads the events.
pub(super) fn user_days_before(
    conn: &Connection,
    (key_id, event): (i64, &str),
    from_day: i64,
    companies: &Companies,
    open: &[bool],
    folds: &mut [Fold],
) -> rusqlite::Result<Option<()>> {
    let Some(first_block) = conn
        .prepare_cached(FIRST_BLOCK)?
        .query_row(params![key_id, event], |r| r.get::<_, Option<i64>>(0))?
    else {
        return Ok(Some(()));
    };
    let last_block = from_day / BLOCK_DAYS;
    let mut stmt = conn.prepare_cached(USER_BLOCK)?;
    // Block -1, if any, comes first: nothing is folded in before it says whether it can.
    for block in first_block..=last_block {
        let start = block * BLOCK_DAYS;
        let mut cursor = Cursor::new(companies);
        let mut rows = stmt.query(params![key_id, event, block])?;
        while let Some(row) = rows.next()? {
            let Some(theirs) = cursor.companies_of(row.get_ref(0)?.as_str()?) else {
                continue;
            };
            if !theirs.iter().any(|at| open[*at]) {
                continue;
            }
            if block < 0 {
                return Ok(None);
            }
            let mut days: i64 = row.get(1)?;
            if block == last_block {
                days &= (1 << (from_day - start)) - 1;
            }
            if days != 0 {
                let first = start + i64::from(days.trailing_zeros());
                let last = start + 63 - i64::from(days.leading_zeros());
                for &at in theirs {
                    folds[at].saw(from_day, first, false);
                    folds[at].saw(from_day, last, false);
                }
            }
        }
    }
    Ok(Some(()))
}

/// The rows of the companies' uses of an event in the blocks up to ?3, the one before the window's
/// first day included.
const SPAN_ROWS: &str = "
SELECT owner, block, days FROM event_blocks
 WHERE key_id = ?1 AND event = ?2 AND block <= ?3 AND by_company";

/// Each company's first and last day with a use of `event` before `from_day` (by position in
/// `companies`), from the days' bits. `None` when a company used it before 1970: such uses have no
/// bit (block -1), and only the events tell their days.
pub(super) fn span(
    conn: &Connection,
    (key_id, event): (i64, &str),
    from_day: i64,
    companies: &Companies,
) -> rusqlite::Result<Option<Vec<(usize, i64, i64)>>> {
    let mut spans: Vec<Option<(i64, i64)>> = vec![None; companies.ids.len()];
    let mut cursor = Cursor::new(companies);
    let mut stmt = conn.prepare_cached(SPAN_ROWS)?;
    let mut rows = stmt.query(params![
        key_id,
        event,
        (from_day - 1).div_euclid(BLOCK_DAYS)
    ])?;
    while let Some(row) = rows.next()? {
        let block: i64 = row.get(1)?;
        if block < 0 {
            return Ok(None);
        }
        let start = block * BLOCK_DAYS;
        let mut days: i64 = row.get(2)?;
        if from_day - start < BLOCK_DAYS {
            days &= (1 << (from_day - start)) - 1;
        }
        if days == 0 {
            continue;
        }
        let Some(at) = cursor.company(row.get_ref(0)?.as_str()?) else {
            continue;
        };
        let first = start + i64::from(days.trailing_zeros());
        let last = start + 63 - i64::from(days.leading_zeros());
        spans[at] = Some(spans[at].map_or((first, last), |(f, l)| (f.min(first), l.max(last))));
    }
    Ok(Some(
        spans
            .into_iter()
            .enumerate()
            .filter_map(|(at, span)| span.map(|(first, last)| (at, first, last)))
            .collect(),
    ))
}

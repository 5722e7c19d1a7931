//! The STARS funnel's reads (assets/contract.md §9): SQL hands over a feature's uses already
//! grouped per company and UTC day (from `event_blocks`, or from the events through the
//! `events_by_name_and_time` index), so a million events never cross into Rust one by one;
//! `api::stars` then puts each company on its step.

use super::owners::owned_by;
use crate::api::stars::{self, CompanyUse, Excluded, Feature, Funnel, Listing, Usage, Window};
use rusqlite::{Connection, params};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// Every feature's funnel at `as_of_ms`, listing what `listing` asks for (with `only`, that
/// company alone, the counts staying the whole segment's).
pub fn funnels(
    conn: &Connection,
    key: &str,
    features: &[Feature],
    as_of_ms: i64,
    listing: Listing<'_>,
) -> rusqlite::Result<Vec<Funnel>> {
    let mut out = Vec::with_capacity(features.len());
    each_funnel(conn, key, features, as_of_ms, listing, |f| {
        out.push(f);
        true
    })?;
    Ok(out)
}

/// [`funnels`], handing each funnel over as soon as it is computed; `each` returning false stops
/// there, so an answer over its bound costs no more work nor memory. Answers whether a use of a
/// feature is stamped later on the as-of day than `as_of_ms`: without one, a later as-of time of
/// the same day gives the same funnels over the same store (only the window's end text differs).
pub fn each_funnel(
    conn: &Connection,
    key: &str,
    features: &[Feature],
    as_of_ms: i64,
    listing: Listing<'_>,
    each: impl FnMut(Funnel) -> bool,
) -> rusqlite::Result<Later> {
    each_funnel_read(conn, key, features, (as_of_ms, listing), Read::Blocks, each)
}

/// Where the window's days are read from: what ingest keeps per block of days (the rows of
/// `event_blocks`, a few per company), or every event of the window (through
/// `events_by_name_and_time`); both give the same funnels, the tests compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    Blocks,
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "the tests' reference for the blocks")
    )]
    Events,
}

fn each_funnel_read(
    conn: &Connection,
    key: &str,
    features: &[Feature],
    (as_of_ms, listing): (i64, Listing<'_>),
    read: Read,
    mut each: impl FnMut(Funnel) -> bool,
) -> rusqlite::Result<Later> {
    let Some(key_id) = super::queries::key_id(conn, key)? else {
        // A key never written to: every funnel is empty.
        for f in features {
            let window = Window::ending(as_of_ms, &f.rules);
            if !each(stars::funnel_listing(
                f,
                window,
                &[],
                Excluded::default(),
                listing,
            )) {
                break;
            }
        }
        return Ok(Later(false));
    };
    let features = if features.is_empty() {
        discovered(conn, key_id)?
    } else {
        features.to_vec()
    };
    let wants_attributes = features
        .iter()
        .any(|f| f.segment.is_some() || matches!(f.usage, Usage::Attribute { .. }));
    let companies = Companies::read(conn, key_id, wants_attributes)?;
    let mut later = false;
    for feature in &features {
        let window = Window::ending(as_of_ms, &feature.rules);
        let (uses, excluded, stamped_later) =
            uses(conn, (key_id, read), feature, window, &companies)?;
        later |= stamped_later;
        let funnel = stars::funnel_listing(feature, window, &uses, excluded, listing);
        if !each(funnel) {
            break;
        }
    }
    Ok(Later(later))
}

/// Whether a use of a computed feature is stamped after the as-of time, on the as-of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Later(pub bool);

/// Without a definition: one feature per event name and per feedback `featureId` seen.
fn discovered(conn: &Connection, key_id: i64) -> rusqlite::Result<Vec<Feature>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT event FROM events WHERE key_id = ?1
         UNION SELECT DISTINCT feature_id FROM feedback WHERE key_id = ?1
         ORDER BY 1",
    )?;
    let names = stmt
        .query_map([key_id], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names.iter().map(|n| Feature::from_event(n)).collect())
}

/// Equal as JSON values, numbers by value (`1` is `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn uses<'a>(
    conn: &Connection,
    (key_id, read): (i64, Read),
    feature: &Feature,
    window: Window,
    companies: &'a Companies,
) -> rusqlite::Result<(Vec<CompanyUse<'a>>, Excluded, bool)> {
    let (folds, excluded, later) = match &feature.usage {
        Usage::Event { .. } => event_folds(conn, (key_id, read), feature, window, companies)?,
        Usage::Attribute { .. } => (Vec::new(), Excluded::default(), false),
    };
    let scores = scores(conn, key_id, &feature.feedback, companies)?;
    let mut out = Vec::with_capacity(companies.ids.len());
    for (at, id) in companies.ids.iter().enumerate() {
        let attributes = &companies.attributes[at];
        if let Some(segment) = &feature.segment
            && !attributes
                .get(&segment.attribute)
                .is_some_and(|v| same(v, &segment.equals))
        {
            continue;
        }
        let fold = folds.get(at);
        out.push(CompanyUse {
            company_id: id,
            days: fold.map_or(0, Fold::days),
            first_day: fold.and_then(|f| f.first),
            last_day: fold.and_then(|f| f.last),
            truthy: match &feature.usage {
                Usage::Attribute { attribute } => stars::truthy(attributes.get(attribute)),
                Usage::Event { .. } => false,
            },
            score: scores.get(&at).copied(),
            member: companies.first_member(at),
        });
    }
    Ok((out, excluded, later))
}

// The funnel touches each (company, day) with a use once, never each event: the index holds the
// company and user of each use beside its time, so SQLite reads no row of the table. Days are UTC
// days since the epoch.

/// The days in the window on which a company used `event` by naming it (`companyId`): read to
/// the as-of day's end, so a use stamped later that day (?4 to ?5) is seen, not counted.
const DIRECT_DAYS: &str = "
SELECT DISTINCT company_id, timestamp / 86400000, timestamp > ?4
  FROM events INDEXED BY events_by_name_and_time
 WHERE key_id = ?1 AND event = ?2 AND company_id IS NOT NULL AND timestamp BETWEEN ?3 AND ?5";

/// Per company, the first day with `event` up to the as-of day and time (?3, ?4) and the last day
/// before the window (?5), in one pass over the feature's uses up to the as-of time: what the
/// events tell of the uses before the window, when `event_blocks` cannot (`blocks::span`).
const DIRECT_SPAN: &str = "
SELECT company_id, min(timestamp / 86400000),
       max(CASE WHEN timestamp / 86400000 < ?5 THEN timestamp / 86400000 END)
  FROM events INDEXED BY events_by_name_and_time
 WHERE key_id = ?1 AND event = ?2 AND company_id IS NOT NULL
   AND timestamp <= ?4 AND timestamp / 86400000 <= ?3
 GROUP BY company_id";

/// Per day in the window and user, the uses of `event` without `companyId`: they count for every
/// company the user belongs to, and are left out (counted) for a user in none. Read to the as-of
/// day's end (?5) like [`DIRECT_DAYS`]: the uses after the as-of time are not counted.
/// ?6 bounds the times below for the index (a day `timestamp / 86400000` at least ?4 is one of
/// times past ?6, whatever their sign).
const USER_DAYS: &str = "
SELECT timestamp / 86400000, user_id, sum(timestamp <= ?3), max(timestamp)
  FROM events INDEXED BY events_by_name_and_time
 WHERE key_id = ?1 AND event = ?2 AND company_id IS NULL
   AND timestamp > ?6 AND timestamp / 86400000 >= ?4 AND timestamp <= ?5
 GROUP BY timestamp / 86400000, user_id";

/// The first day with `event` without `companyId` up to the window's end, and the last day
/// before the window, of each user in the JSON array ?5 (through the user's events, a table
/// lookup per event of the user's: the blocks tell these days, `blocks::user_days_before`, and
/// this is read only where they cannot, and as the tests' reference).
const USER_SPAN: &str = concat!(
    "
SELECT j.value,
  (SELECT min(timestamp / 86400000) FROM events
    WHERE ",
    owned_by!(0, "j.value"),
    "
      AND event = ?2 AND company_id IS NULL AND timestamp <= ?3),
  (SELECT max(timestamp / 86400000) FROM events
    WHERE ",
    owned_by!(0, "j.value"),
    "
      AND event = ?2 AND company_id IS NULL AND timestamp / 86400000 < ?4)
  FROM json_each(?5) j"
);

/// A company's days in the window (a bit each, from the window's first day) and its first and
/// last day.
#[derive(Default, Clone)]
struct Fold {
    days: Vec<u64>,
    first: Option<i64>,
    last: Option<i64>,
}

impl Fold {
    /// A use on `day`, counted among the window's days when `in_window` (then `day` is not
    /// before `from_day`, the window's first).
    fn saw(&mut self, from_day: i64, day: i64, in_window: bool) {
        if in_window {
            let at = usize::try_from(day - from_day).unwrap_or(0);
            if self.days.len() <= at / 64 {
                self.days.resize(at / 64 + 1, 0);
            }
            self.days[at / 64] |= 1 << (at % 64);
        }
        self.first = Some(self.first.map_or(day, |f| f.min(day)));
        self.last = Some(self.last.map_or(day, |l| l.max(day)));
    }

    /// Uses on the days of `bits` (bit d: day `start + d`), each in the window (none before
    /// `from_day`): [`Fold::saw`] for each, a word at a time.
    fn saw_days(&mut self, from_day: i64, start: i64, bits: u64) {
        if bits == 0 {
            return;
        }
        let first = start + i64::from(bits.trailing_zeros());
        let last = start + 63 - i64::from(bits.leading_zeros());
        let shift = start - from_day;
        if shift < 0 {
            self.or_word(0, bits >> -shift);
        } else {
            let (word, bit) = ((shift / 64) as usize, (shift % 64) as u32);
            self.or_word(word, bits << bit);
            if bit > 0 {
                self.or_word(word + 1, bits >> (64 - bit));
            }
        }
        self.first = Some(self.first.map_or(first, |f| f.min(first)));
        self.last = Some(self.last.map_or(last, |l| l.max(last)));
    }

    fn or_word(&mut self, at: usize, bits: u64) {
        if bits == 0 {
            return;
        }
        if self.days.len() <= at {
            self.days.resize(at + 1, 0);
        }
        self.days[at] |= bits;
    }

    fn days(&self) -> u32 {
        self.days.iter().map(|w| w.count_ones()).sum()
    }

    /// The first day in the window with a use.
    fn first_in_window(&self, from_day: i64) -> Option<i64> {
        let (word, bits) = self.days.iter().enumerate().find(|(_, w)| **w != 0)?;
        Some(from_day + (word * 64) as i64 + i64::from(bits.trailing_zeros()))
    }
}

/// Folds in the days of the window on which `event` was used (a user's without `companyId` for
/// each of its companies, or as excluded); answers whether a use is stamped later on the as-of
/// day than the window's end.
fn window_days(
    conn: &Connection,
    (key_id, event): (i64, &str),
    window: Window,
    companies: &Companies,
    folds: &mut [Fold],
    excluded: &mut BTreeMap<String, u64>,
) -> rusqlite::Result<bool> {
    let from_day = window.first_day();
    let day_end = (window.last_day() + 1).saturating_mul(stars::DAY_MS) - 1;
    let mut later = false;
    let mut cursor = Cursor::new(companies);
    let mut stmt = conn.prepare_cached(DIRECT_DAYS)?;
    let mut rows = stmt.query(params![
        key_id,
        event,
        window.from_ms,
        window.to_ms,
        day_end
    ])?;
    while let Some(row) = rows.next()? {
        if row.get::<_, bool>(2)? {
            later = true;
            continue;
        }
        if let Some(at) = cursor.company(row.get_ref(0)?.as_str()?) {
            folds[at].saw(from_day, row.get(1)?, true);
        }
    }
    let mut stmt = conn.prepare_cached(USER_DAYS)?;
    let after = (from_day - 1).saturating_mul(stars::DAY_MS);
    let mut rows = stmt.query(params![
        key_id,
        event,
        window.to_ms,
        from_day,
        day_end,
        after
    ])?;
    while let Some(row) = rows.next()? {
        let day: i64 = row.get(0)?;
        let latest: i64 = row.get(3)?;
        later |= latest > window.to_ms;
        let counted: u64 = row.get(2)?;
        if counted == 0 {
            continue;
        }
        let user = row.get_ref(1)?.as_str()?;
        match cursor.companies_of(user) {
            Some(list) => {
                for &at in list {
                    folds[at].saw(from_day, day, day >= from_day);
                }
            }
            None => match excluded.get_mut(user) {
                Some(count) => *count += counted,
                None => {
                    excluded.insert(user.to_owned(), counted);
                }
            },
        }
    }
    Ok(later)
}

/// Every company's days in the window with a use of one of `events`, the uses left out, and
/// whether a use is stamped later on the as-of day: from the rows ingest keeps per company and
/// block of days, or, should these not tell (see `blocks`), from the events themselves.
fn window_folds(
    conn: &Connection,
    (key_id, read): (i64, Read),
    events: &[String],
    window: Window,
    companies: &Companies,
) -> rusqlite::Result<(Vec<Fold>, BTreeMap<String, u64>, bool)> {
    let mut later = false;
    let mut folds = vec![Fold::default(); companies.ids.len()];
    let mut excluded: BTreeMap<String, u64> = BTreeMap::new();
    let mut from_blocks = read == Read::Blocks && window.from_ms >= 0;
    if from_blocks {
        for event in events {
            match blocks::window_days(conn, (key_id, event), window, companies, &mut folds)? {
                Some((seen_later, left_out)) => {
                    later |= seen_later;
                    for (user, count) in left_out {
                        *excluded.entry(user).or_default() += count;
                    }
                }
                None => {
                    from_blocks = false;
                    break;
                }
            }
        }
    }
    if !from_blocks {
        later = false;
        folds = vec![Fold::default(); companies.ids.len()];
        excluded.clear();
        for event in events {
            later |= window_days(
                conn,
                (key_id, event),
                window,
                companies,
                &mut folds,
                &mut excluded,
            )?;
        }
    }
    Ok((folds, excluded, later))
}

fn event_folds(
    conn: &Connection,
    (key_id, read): (i64, Read),
    feature: &Feature,
    window: Window,
    companies: &Companies,
) -> rusqlite::Result<(Vec<Fold>, Excluded, bool)> {
    let Usage::Event { events } = &feature.usage else {
        return Ok((Vec::new(), Excluded::default(), false));
    };
    let (from_day, to_day) = (window.first_day(), window.last_day());
    let (mut folds, excluded, later) =
        window_folds(conn, (key_id, read), events, window, companies)?;
    // Uses before the window matter only where the window's own days do not settle the steps:
    // a company with none in it (its last use is named), or whose first in it is too recent to
    // be Retained (an earlier use may make it so).
    let settled = to_day - i64::from(feature.rules.retained_after_days);
    let open: Vec<bool> = folds
        .iter()
        .map(|f| {
            f.first_in_window(from_day)
                .is_none_or(|first| first > settled)
        })
        .collect();
    let open_user = |list: &[usize]| list.iter().any(|at| open[*at]);
    let users: Vec<&str> = companies
        .memberships_of
        .iter()
        .filter(|(_, list)| open_user(list))
        .map(|(user, _)| user)
        .collect();
    for event in events {
        direct_span(
            conn,
            (key_id, read),
            event,
            window,
            (companies, &open),
            &mut folds,
        )?;
        if users.is_empty() {
            continue;
        }
        if read == Read::Blocks
            && window.from_ms >= 0
            && blocks::user_days_before(
                conn,
                (key_id, event),
                from_day,
                companies,
                &open,
                &mut folds,
            )?
            .is_some()
        {
            continue;
        }
        let users = serde_json::to_string(&users).unwrap_or_else(|_| "[]".to_owned());
        let mut cursor = Cursor::new(companies);
        let mut stmt = conn.prepare_cached(USER_SPAN)?;
        let mut rows = stmt.query(params![key_id, event, window.to_ms, from_day, users])?;
        while let Some(row) = rows.next()? {
            let (first, last): (Option<i64>, Option<i64>) = (row.get(1)?, row.get(2)?);
            let user = row.get_ref(0)?.as_str()?;
            for &at in cursor.companies_of(user).into_iter().flatten() {
                for day in first.into_iter().chain(last) {
                    folds[at].saw(from_day, day, false);
                }
            }
        }
    }
    let excluded = Excluded {
        events: excluded.values().sum(),
        user_ids: excluded.into_keys().collect(),
    };
    Ok((folds, excluded, later))
}

/// Folds in the first and last day with `event` before the window of each company still `open`:
/// from `event_blocks` when they tell (they do for days since 1970), else from the events. (Its
/// first use up to the as-of time, when in the window, is among the window's days already.)
fn direct_span(
    conn: &Connection,
    (key_id, read): (i64, Read),
    event: &str,
    window: Window,
    (companies, open): (&Companies, &[bool]),
    folds: &mut [Fold],
) -> rusqlite::Result<()> {
    let from_day = window.first_day();
    if read == Read::Blocks
        && window.from_ms >= 0
        && let Some(spans) = blocks::span(conn, (key_id, event), from_day, companies)?
    {
        for (at, first, last) in spans {
            if open[at] {
                folds[at].saw(from_day, first, false);
                folds[at].saw(from_day, last, false);
            }
        }
        return Ok(());
    }
    let mut cursor = Cursor::new(companies);
    let mut stmt = conn.prepare_cached(DIRECT_SPAN)?;
    let mut rows = stmt.query(params![
        key_id,
        event,
        window.last_day(),
        window.to_ms,
        from_day
    ])?;
    while let Some(row) = rows.next()? {
        let Some(at) = cursor.company(row.get_ref(0)?.as_str()?) else {
            continue;
        };
        if open[at] {
            let (first, last): (Option<i64>, Option<i64>) = (row.get(1)?, row.get(2)?);
            for day in first.into_iter().chain(last) {
                folds[at].saw(from_day, day, false);
            }
        }
    }
    Ok(())
}

/// Each company's latest score for `feature_id` (feedback carries no time of use, so any); a
/// feedback without `companyId` speaks for every company of its user.
fn scores(
    conn: &Connection,
    key_id: i64,
    feature_id: &str,
    companies: &Companies,
) -> rusqlite::Result<HashMap<usize, u8>> {
    let mut stmt = conn.prepare_cached(
        "SELECT company_id, user_id, score FROM feedback
          WHERE key_id = ?1 AND feature_id = ?2 AND score IS NOT NULL
          ORDER BY updated_at, rowid",
    )?;
    let mut rows = stmt.query(params![key_id, feature_id])?;
    let mut latest = HashMap::new();
    while let Some(row) = rows.next()? {
        let score: u8 = row.get(2)?;
        match row.get_ref(0)?.as_str_or_null()? {
            Some(company) => {
                if let Some(at) = companies.at(company) {
                    latest.insert(at, score);
                }
            }
            None => {
                let user = row.get_ref(1)?.as_str()?;
                for &at in companies.memberships_of.get(user).into_iter().flatten() {
                    latest.insert(at, score);
                }
            }
        }
    }
    Ok(latest)
}

#[path = "stars_blocks.rs"]
mod blocks;

#[path = "stars_companies.rs"]
mod companies;
use companies::{Companies, Cursor};

#[cfg(test)]
#[path = "stars_tests.rs"]
mod tests;

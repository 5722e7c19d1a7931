//! The STARS funnel's reads (assets/contract.md §9): SQL aggregates a feature's events per company
//! over the `events_by_name` index, so a million events never cross into Rust one by one;
//! `api::stars` then puts each company on its step.

use crate::api::stars::{self, CompanyUse, Excluded, Feature, Funnel, Usage, Window};
use rusqlite::{Connection, params};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

/// Every feature's funnel at `as_of_ms`; with `company`, only that company's standing is listed
/// (the counts stay the whole segment's).
pub fn funnels(
    conn: &Connection,
    key: &str,
    features: &[Feature],
    as_of_ms: i64,
    company: Option<&str>,
) -> rusqlite::Result<Vec<Funnel>> {
    let key_id = super::queries::key_id(conn, key)?;
    let features = if features.is_empty() {
        match key_id {
            Some(id) => discovered(conn, id)?,
            None => Vec::new(),
        }
    } else {
        features.to_vec()
    };
    let companies = match key_id {
        Some(id) => companies(conn, id)?,
        None => Vec::new(),
    };
    let members = match key_id {
        Some(id) => members(conn, id)?,
        None => HashMap::new(),
    };
    let mut out = Vec::with_capacity(features.len());
    for feature in &features {
        let window = Window::ending(as_of_ms, &feature.rules);
        let (uses, excluded) = match key_id {
            Some(id) => (
                uses(conn, id, feature, window, &companies, &members)?,
                excluded(conn, id, feature, window)?,
            ),
            None => (Vec::new(), Excluded::default()),
        };
        let mut funnel = stars::funnel(feature, window, &uses, excluded);
        if let Some(only) = company {
            funnel.standings.retain(|s| s.company_id == only);
        }
        out.push(funnel);
    }
    Ok(out)
}

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

/// Every company of the key with its attributes, by id.
fn companies(
    conn: &Connection,
    key_id: i64,
) -> rusqlite::Result<Vec<(String, Map<String, Value>)>> {
    conn.prepare_cached(
        "SELECT company_id, attributes FROM companies WHERE key_id = ?1 ORDER BY company_id",
    )?
    .query_map([key_id], |r| {
        let text: String = r.get(1)?;
        Ok((r.get(0)?, serde_json::from_str(&text).unwrap_or_default()))
    })?
    .collect()
}

/// One user of each company (the first by id), to fill a form that moves the company on.
fn members(conn: &Connection, key_id: i64) -> rusqlite::Result<HashMap<String, String>> {
    conn.prepare_cached(
        "SELECT company_id, min(user_id) FROM memberships WHERE key_id = ?1 GROUP BY company_id",
    )?
    .query_map([key_id], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// Equal as JSON values, numbers by value (`1` is `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Per company: days used in the window, first and last use, latest score.
struct Aggregate {
    days: u32,
    first: i64,
    last: i64,
}

fn uses(
    conn: &Connection,
    key_id: i64,
    feature: &Feature,
    window: Window,
    companies: &[(String, Map<String, Value>)],
    members: &HashMap<String, String>,
) -> rusqlite::Result<Vec<CompanyUse>> {
    let aggregates = match &feature.usage {
        Usage::Event { events } => event_aggregates(conn, key_id, events, window)?,
        Usage::Attribute { .. } => HashMap::new(),
    };
    let scores = scores(conn, key_id, &feature.feedback)?;
    let mut out = Vec::new();
    for (id, attributes) in companies {
        if let Some(segment) = &feature.segment
            && !attributes
                .get(&segment.attribute)
                .is_some_and(|v| same(v, &segment.equals))
        {
            continue;
        }
        let agg = aggregates.get(id);
        out.push(CompanyUse {
            company_id: id.clone(),
            days: agg.map_or(0, |a| a.days),
            first_use: agg.map(|a| a.first),
            last_use: agg.map(|a| a.last),
            truthy: match &feature.usage {
                Usage::Attribute { attribute } => stars::truthy(attributes.get(attribute)),
                Usage::Event { .. } => false,
            },
            score: scores.get(id).copied(),
            member: members.get(id).cloned(),
        });
    }
    Ok(out)
}

/// An event with `companyId` counts for that company; one without, for every company its user
/// belongs to. Only events up to the window's end count (`--as-of` replays).
const USES: &str = "
WITH names(name) AS (SELECT value FROM json_each(?2)),
uses(company, t) AS (
    SELECT e.company_id, e.timestamp FROM events e
     WHERE e.key_id = ?1 AND e.event IN names AND e.timestamp <= ?3 AND e.company_id IS NOT NULL
    UNION ALL
    SELECT m.company_id, e.timestamp FROM events e
      JOIN memberships m ON m.key_id = e.key_id AND m.user_id = e.user_id
     WHERE e.key_id = ?1 AND e.event IN names AND e.timestamp <= ?3 AND e.company_id IS NULL
)
SELECT company, count(DISTINCT CASE WHEN t >= ?4 THEN t / 86400000 END), min(t), max(t)
  FROM uses GROUP BY company";

fn event_aggregates(
    conn: &Connection,
    key_id: i64,
    events: &[String],
    window: Window,
) -> rusqlite::Result<HashMap<String, Aggregate>> {
    let names = serde_json::to_string(events).unwrap_or_else(|_| "[]".to_owned());
    conn.prepare_cached(USES)?
        .query_map(params![key_id, names, window.to_ms, window.from_ms], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Aggregate {
                    days: r.get(1)?,
                    first: r.get(2)?,
                    last: r.get(3)?,
                },
            ))
        })?
        .collect()
}

/// Each company's latest score for `feature_id` (feedback carries no time of use, so any).
fn scores(
    conn: &Connection,
    key_id: i64,
    feature_id: &str,
) -> rusqlite::Result<HashMap<String, u8>> {
    let mut stmt = conn.prepare_cached(
        "SELECT coalesce(f.company_id, m.company_id), f.score FROM feedback f
           LEFT JOIN memberships m
             ON f.company_id IS NULL AND m.key_id = f.key_id AND m.user_id = f.user_id
          WHERE f.key_id = ?1 AND f.feature_id = ?2 AND f.score IS NOT NULL
          ORDER BY f.updated_at, f.rowid",
    )?;
    let rows = stmt.query_map(params![key_id, feature_id], |r| {
        Ok((r.get::<_, Option<String>>(0)?, r.get::<_, u8>(1)?))
    })?;
    let mut latest = HashMap::new();
    for row in rows {
        if let (Some(company), score) = row? {
            latest.insert(company, score);
        }
    }
    Ok(latest)
}

/// The feature's events in the window from users in no company, by user.
fn excluded(
    conn: &Connection,
    key_id: i64,
    feature: &Feature,
    window: Window,
) -> rusqlite::Result<Excluded> {
    let Usage::Event { events } = &feature.usage else {
        return Ok(Excluded::default());
    };
    let names = serde_json::to_string(events).unwrap_or_else(|_| "[]".to_owned());
    let mut stmt = conn.prepare_cached(
        "SELECT e.user_id, count(*) FROM events e
          WHERE e.key_id = ?1 AND e.event IN (SELECT value FROM json_each(?2))
            AND e.timestamp BETWEEN ?4 AND ?3 AND e.company_id IS NULL
            AND NOT EXISTS (SELECT 1 FROM memberships m
                             WHERE m.key_id = e.key_id AND m.user_id = e.user_id)
          GROUP BY e.user_id ORDER BY e.user_id",
    )?;
    let by_user: BTreeMap<String, u64> = stmt
        .query_map(params![key_id, names, window.to_ms, window.from_ms], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Excluded {
        events: by_user.values().sum(),
        user_ids: by_user.into_keys().collect(),
    })
}

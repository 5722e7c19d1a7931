//! `[features.NAME]`: the features the STARS funnel evaluates (assets/contract.md §9), read with
//! their lines and checked by the same rules the local server applies (`api::stars`).

use super::load::Reader;
use crate::api::stars::{Feature, Rules, Segment, Usage};
use std::collections::BTreeMap;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

const KEYS: &[&str] = &[
    "events",
    "attribute",
    "feedback",
    "segment",
    "window_days",
    "adopted_days",
    "retained_after_days",
    "recent_days",
    "satisfied_score",
];

/// The file's features, in the order it names them.
pub(super) fn read(r: &mut Reader, root: &DeTable<'_>) -> Vec<Feature> {
    let Some(table) = root.get("features").and_then(|v| r.table(v, "[features]")) else {
        return Vec::new();
    };
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    let mut out = Vec::new();
    for (k, value) in entries {
        let name = k.get_ref().to_string();
        let what = format!("features.{name}");
        let Some(entry) = r.table(value, &what) else {
            continue;
        };
        if let Some(feature) = feature(r, &name, &what, entry, value.span().start) {
            out.push(feature);
        }
    }
    out
}

fn feature(
    r: &mut Reader,
    name: &str,
    what: &str,
    entry: &DeTable<'_>,
    at: usize,
) -> Option<Feature> {
    r.known_keys(entry, KEYS, what);
    let usage = match (entry.get("events"), entry.get("attribute")) {
        (Some(_), Some(a)) => {
            r.problem(
                a.span().start,
                format!("{what}: `events` or `attribute`, not both"),
            );
            return None;
        }
        (Some(events), None) => Usage::Event {
            events: names(r, events, what)?,
        },
        (None, Some(a)) => Usage::Attribute {
            attribute: r.string(a, &format!("{what}: attribute"))?,
        },
        (None, None) => {
            r.problem(
                at,
                format!(
                    "{what}: say how it is used: `events = [\"…\"]` (any of these events is a use) \
                     or `attribute = \"…\"` (a truthy company attribute)"
                ),
            );
            return None;
        }
    };
    // Every part is read before giving up, so one pass names every problem.
    let feedback = match entry.get("feedback") {
        Some(v) => r.string(v, &format!("{what}: feedback")),
        None => Some(name.to_owned()),
    };
    let segment = entry.get("segment").map(|v| segment(r, v, what));
    let rules = rules(r, entry, what);
    let feature = Feature {
        name: name.to_owned(),
        usage,
        feedback: feedback?,
        segment: match segment {
            Some(s) => Some(s?),
            None => None,
        },
        rules,
    };
    for problem in feature.problems() {
        r.problem(at, problem);
    }
    Some(feature)
}

fn names(r: &mut Reader, value: &Spanned<DeValue<'_>>, what: &str) -> Option<Vec<String>> {
    let DeValue::Array(items) = value.get_ref() else {
        r.problem(
            value.span().start,
            format!("{what}: events is a list of event names: events = [\"Exported report\"]"),
        );
        return None;
    };
    items
        .iter()
        .map(|item| r.string(item, &format!("{what}: each of events")))
        .collect()
}

fn segment(r: &mut Reader, value: &Spanned<DeValue<'_>>, what: &str) -> Option<Segment> {
    let segment_what = format!("{what}: segment");
    let table = r.table(value, &segment_what)?;
    r.known_keys(table, &["attribute", "equals"], &segment_what);
    let (Some(attribute), Some(equals)) = (table.get("attribute"), table.get("equals")) else {
        r.problem(
            value.span().start,
            format!(
                "{segment_what} needs `attribute` and `equals`: \
                 segment = {{ attribute = \"plan\", equals = \"enterprise\" }}"
            ),
        );
        return None;
    };
    Some(Segment {
        attribute: r.string(attribute, &format!("{segment_what}.attribute"))?,
        equals: r.json(equals, "", &mut BTreeMap::new()),
    })
}

fn rules(r: &mut Reader, entry: &DeTable<'_>, what: &str) -> Rules {
    let mut rules = Rules::default();
    let mut number = |key: &str, max: u32, slot: &mut u32| {
        let Some(v) = entry.get(key) else { return };
        match v.get_ref() {
            DeValue::Integer(i) => match i.as_str().replace('_', "").parse::<u32>() {
                Ok(n) if n <= max => *slot = n,
                _ => r.problem(
                    v.span().start,
                    format!("{what}: {key} is a whole number from 0 to {max}"),
                ),
            },
            _ => r.problem(
                v.span().start,
                format!("{what}: {key} is a whole number from 0 to {max}"),
            ),
        }
    };
    number("window_days", 3650, &mut rules.window_days);
    number("adopted_days", 3650, &mut rules.adopted_days);
    number("retained_after_days", 3650, &mut rules.retained_after_days);
    number("recent_days", 3650, &mut rules.recent_days);
    let mut score = u32::from(rules.satisfied_score);
    number("satisfied_score", 5, &mut score);
    rules.satisfied_score = u8::try_from(score).unwrap_or(4);
    rules
}

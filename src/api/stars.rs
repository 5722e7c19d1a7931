//! The STARS funnel (Segment, Tried, Adopted, Retained, Satisfied) as the local server computes
//! it per feature and per company (assets/contract.md §9): what a feature is, the request the
//! `stars` route takes, the report it answers, and the pure rule that puts one company on its
//! step. The store only aggregates; the steps are decided here, once, for the server, the CLI
//! and the console.

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const DAY_MS: i64 = 86_400_000;

/// How a feature is used: by tracking events, or by a company attribute being truthy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Usage {
    Event { events: Vec<String> },
    Attribute { attribute: String },
}

/// Who a feature is for: the companies whose `attribute` equals `equals`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub attribute: String,
    pub equals: Value,
}

/// The thresholds of the steps; the defaults are Bucket's documented ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Rules {
    /// UTC days in the window, ending on the as-of day.
    pub window_days: u32,
    /// Separate days with a use, in the window, to be Adopted.
    pub adopted_days: u32,
    /// Days between the first use and the window's end to be Retained.
    pub retained_after_days: u32,
    /// The last days of the window in which a Retained company used it.
    pub recent_days: u32,
    /// The lowest latest score that is Satisfied.
    pub satisfied_score: u8,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            window_days: 28,
            adopted_days: 5,
            retained_after_days: 14,
            recent_days: 7,
            satisfied_score: 4,
        }
    }
}

/// A feature to evaluate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Feature {
    pub name: String,
    #[serde(flatten)]
    pub usage: Usage,
    /// The `featureId` its feedback carries.
    pub feedback: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<Segment>,
    #[serde(default)]
    pub rules: Rules,
}

impl Feature {
    /// An event-based feature named after its one event, with default rules (what is offered
    /// when no collection file defines features).
    pub fn from_event(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            usage: Usage::Event {
                events: vec![name.to_owned()],
            },
            feedback: name.to_owned(),
            segment: None,
            rules: Rules::default(),
        }
    }

    /// What makes this definition unusable, each said so it can be fixed; empty when none.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push("a feature needs a name".to_owned());
        }
        match &self.usage {
            Usage::Event { events } if events.is_empty() => out.push(format!(
                "feature `{}`: `events` lists no event (name at least one, or use `attribute`)",
                self.name
            )),
            Usage::Event { events } if events.iter().any(|e| e.trim().is_empty()) => {
                out.push(format!("feature `{}`: an event name is empty", self.name));
            }
            Usage::Attribute { attribute } if attribute.trim().is_empty() => {
                out.push(format!("feature `{}`: `attribute` is empty", self.name));
            }
            _ => {}
        }
        if self.feedback.trim().is_empty() {
            out.push(format!("feature `{}`: `feedback` is empty", self.name));
        }
        let r = &self.rules;
        for (what, value) in [
            ("the window", r.window_days),
            ("the days to adopt", r.adopted_days),
            ("the recent days", r.recent_days),
        ] {
            if value == 0 {
                out.push(format!(
                    "feature `{}`: {what} must be 1 day or more",
                    self.name
                ));
            }
        }
        if r.adopted_days > r.window_days {
            out.push(format!(
                "feature `{}`: the days to adopt ({}) cannot exceed the window's {} days",
                self.name, r.adopted_days, r.window_days
            ));
        }
        if !(1..=5).contains(&r.satisfied_score) {
            out.push(format!(
                "feature `{}`: the satisfied score is a score from 1 to 5, not {}",
                self.name, r.satisfied_score
            ));
        }
        out
    }

    pub fn kind(&self) -> Kind {
        match self.usage {
            Usage::Event { .. } => Kind::Event,
            Usage::Attribute { .. } => Kind::Attribute,
        }
    }
}

/// Most features one STARS request may name: each costs the server a pass over its events.
pub const MAX_FEATURES: usize = 100;

/// What the `stars` route takes: features (none: every event and featureId seen), the end of
/// the window, and optionally one company whose standing alone is listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StarsRequest {
    #[serde(default)]
    pub features: Vec<Feature>,
    /// RFC 3339 or epoch milliseconds; now when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<String>,
    /// Each company's step and what holds it there (the console's drill-down).
    #[serde(default)]
    pub standings: bool,
}

impl StarsRequest {
    /// What makes the request as a whole unusable (its features each have their own problems).
    pub fn problems(&self) -> Option<String> {
        (self.features.len() > MAX_FEATURES).then(|| {
            format!(
                "a request names at most {MAX_FEATURES} features, this one {}: ask in several \
                 requests",
                self.features.len()
            )
        })
    }

    /// The features, each once, in the order first named: a repeated feature is computed once.
    pub fn distinct_features(self) -> Vec<Feature> {
        let mut distinct: Vec<Feature> = Vec::with_capacity(self.features.len());
        for f in self.features {
            if !distinct.contains(&f) {
                distinct.push(f);
            }
        }
        distinct
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Event,
    Attribute,
}

/// The steps in funnel order; `Segment` is "in the segment, no further".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Segment,
    Tried,
    Adopted,
    Retained,
    Satisfied,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Segment,
        Step::Tried,
        Step::Adopted,
        Step::Retained,
        Step::Satisfied,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Step::Segment => "Segment",
            Step::Tried => "Tried",
            Step::Adopted => "Adopted",
            Step::Retained => "Retained",
            Step::Satisfied => "Satisfied",
        }
    }

    /// The steps an attribute-based feature has: whether the attribute is truthy is all we know.
    pub fn applies(self, kind: Kind) -> bool {
        kind == Kind::Event || matches!(self, Step::Segment | Step::Adopted)
    }
}

/// What the store knows of one company in a feature's segment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyUse {
    pub company_id: String,
    /// Separate UTC days with a use inside the window.
    pub days: u32,
    /// The UTC days (since the epoch) of the first and last use up to the window's end.
    pub first_day: Option<i64>,
    pub last_day: Option<i64>,
    /// For an attribute-based feature: the attribute is truthy.
    pub truthy: bool,
    /// The latest score given for the feature's `featureId`.
    pub score: Option<u8>,
    /// One of its users, to fill a form that moves it on.
    pub member: Option<String>,
}

/// The window: UTC days `from_day..=to_day`, cut at `to_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from_ms: i64,
    pub to_ms: i64,
}

impl Window {
    pub fn ending(as_of_ms: i64, rules: &Rules) -> Self {
        let last_day = as_of_ms.div_euclid(DAY_MS);
        Self {
            from_ms: (last_day - i64::from(rules.window_days.max(1)) + 1) * DAY_MS,
            to_ms: as_of_ms,
        }
    }

    pub fn last_day(self) -> i64 {
        self.to_ms.div_euclid(DAY_MS)
    }

    pub fn first_day(self) -> i64 {
        self.from_ms.div_euclid(DAY_MS)
    }
}

/// Where a company stands, and why it is not on the next step (`None` at the end).
pub fn standing(feature: &Feature, window: Window, company: &CompanyUse) -> (Step, Option<String>) {
    let r = &feature.rules;
    if let Usage::Attribute { attribute } = &feature.usage {
        return if company.truthy {
            (Step::Adopted, None)
        } else {
            (
                Step::Segment,
                Some(format!("`{attribute}` is not truthy on the company")),
            )
        };
    }
    if company.days == 0 {
        let why = match company.last_day {
            Some(last) => format!(
                "last use {} days ago, before the {}-day window",
                window.last_day() - last,
                r.window_days
            ),
            None => "no use yet".to_owned(),
        };
        return (Step::Segment, Some(why));
    }
    if company.days < r.adopted_days {
        let why = format!("{} of {} days", company.days, r.adopted_days);
        return (Step::Tried, Some(why));
    }
    let last_day = window.last_day();
    let first_day = company.first_day.unwrap_or(last_day);
    let recent_day = company.last_day.unwrap_or(i64::MIN / 2);
    let since = last_day - first_day;
    if since < i64::from(r.retained_after_days) {
        let why = format!("first use {since} of {} days ago", r.retained_after_days);
        return (Step::Adopted, Some(why));
    }
    let quiet = last_day - recent_day;
    if quiet >= i64::from(r.recent_days.max(1)) {
        let why = format!("no use in the last {} days", r.recent_days);
        return (Step::Adopted, Some(why));
    }
    match company.score {
        Some(s) if s >= r.satisfied_score => (Step::Satisfied, None),
        Some(s) => (
            Step::Retained,
            Some(format!(
                "latest score {s}, needs {} or more",
                r.satisfied_score
            )),
        ),
        None => (
            Step::Retained,
            Some(format!("no score for `{}` yet", feature.feedback)),
        ),
    }
}

/// The window as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowText {
    pub from: String,
    pub to: String,
}

/// A step's count over Segment and over the step before (0 when that is empty).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Share {
    pub of_segment: f64,
    pub of_previous: f64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Shares {
    pub tried: Option<Share>,
    pub adopted: Option<Share>,
    pub retained: Option<Share>,
    pub satisfied: Option<Share>,
}

/// The companies at each step or beyond, by id.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Companies {
    pub segment: Vec<String>,
    pub tried: Vec<String>,
    pub adopted: Vec<String>,
    pub retained: Vec<String>,
    pub satisfied: Vec<String>,
}

/// One company's step, and what holds it there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Standing {
    pub company_id: String,
    pub step: Step,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why_not_next: Option<String>,
    pub days: u32,
    /// The day of the last use up to the window's end (`2026-11-30`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_use: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
}

/// One feature's funnel. `standings` is the console's drill-down; the CLI's JSON leaves it out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Funnel {
    pub feature: String,
    pub kind: Kind,
    pub window: WindowText,
    pub segment: u64,
    pub tried: u64,
    pub adopted: u64,
    pub retained: u64,
    pub satisfied: u64,
    pub shares: Shares,
    pub excluded_events: u64,
    pub excluded_users: u64,
    pub excluded_user_ids: Vec<String>,
    pub companies: Companies,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standings: Vec<Standing>,
    /// The feature as evaluated (its events, feedback id, segment and rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<Feature>,
}

/// Excluded events (in the window) from users in no company.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Excluded {
    pub events: u64,
    pub user_ids: Vec<String>,
}

/// Excluded user ids listed at most (the count says how many there are).
pub const EXCLUDED_LISTED: usize = 100;

/// A UTC day as `2026-11-30`.
pub fn day_text(day: i64) -> String {
    let text = super::timestamp::format(day.saturating_mul(DAY_MS));
    text.get(..10).unwrap_or(&text).to_owned()
}

fn share(n: u64, of: u64) -> f64 {
    if of == 0 { 0.0 } else { n as f64 / of as f64 }
}

/// The funnel from every segment company's use, sorted by company id.
pub fn funnel(
    feature: &Feature,
    window: Window,
    uses: &[CompanyUse],
    excluded: Excluded,
) -> Funnel {
    let mut companies = Companies::default();
    let mut standings = Vec::with_capacity(uses.len());
    for company in uses {
        let (step, why) = standing(feature, window, company);
        let id = &company.company_id;
        companies.segment.push(id.clone());
        for (at, list) in [
            (Step::Tried, &mut companies.tried),
            (Step::Adopted, &mut companies.adopted),
            (Step::Retained, &mut companies.retained),
            (Step::Satisfied, &mut companies.satisfied),
        ] {
            if step >= at {
                list.push(id.clone());
            }
        }
        standings.push(Standing {
            company_id: id.clone(),
            step,
            why_not_next: why,
            days: company.days,
            last_use: company.last_day.map(day_text),
            score: company.score,
            member: company.member.clone(),
        });
    }
    let count = |v: &Vec<String>| v.len() as u64;
    let (segment, tried, adopted, retained, satisfied) = (
        count(&companies.segment),
        count(&companies.tried),
        count(&companies.adopted),
        count(&companies.retained),
        count(&companies.satisfied),
    );
    let kind = feature.kind();
    let step_share = |step: Step, n: u64, previous: u64| {
        step.applies(kind).then(|| Share {
            of_segment: share(n, segment),
            of_previous: share(n, previous),
        })
    };
    let shares = Shares {
        tried: step_share(Step::Tried, tried, segment),
        adopted: step_share(
            Step::Adopted,
            adopted,
            if kind == Kind::Event { tried } else { segment },
        ),
        retained: step_share(Step::Retained, retained, adopted),
        satisfied: step_share(Step::Satisfied, satisfied, retained),
    };
    let excluded_users = excluded.user_ids.len() as u64;
    let mut excluded_user_ids = excluded.user_ids;
    excluded_user_ids.truncate(EXCLUDED_LISTED);
    Funnel {
        feature: feature.name.clone(),
        kind,
        window: WindowText {
            from: super::timestamp::format(window.from_ms),
            to: super::timestamp::format(window.to_ms),
        },
        segment,
        tried,
        adopted,
        retained,
        satisfied,
        shares,
        excluded_events: excluded.events,
        excluded_users,
        excluded_user_ids,
        companies,
        standings,
        definition: Some(feature.clone()),
    }
}

/// One line of a funnel as shown: a step that applies, its count, and (past Segment) its shares
/// with the step before named.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRow {
    pub step: Step,
    pub count: u64,
    pub share: Option<(Share, Step)>,
}

impl Funnel {
    /// The steps this funnel has, in order.
    pub fn rows(&self) -> Vec<StepRow> {
        let mut out: Vec<StepRow> = Vec::new();
        for step in Step::ALL.into_iter().filter(|s| s.applies(self.kind)) {
            let share = match step {
                Step::Segment => None,
                Step::Tried => self.shares.tried,
                Step::Adopted => self.shares.adopted,
                Step::Retained => self.shares.retained,
                Step::Satisfied => self.shares.satisfied,
            };
            let previous = out.last().map_or(Step::Segment, |r| r.step);
            out.push(StepRow {
                step,
                count: self.count(step),
                share: share.map(|s| (s, previous)),
            });
        }
        out
    }

    /// The companies standing exactly at `step`.
    pub fn at(&self, step: Step) -> impl Iterator<Item = &Standing> {
        self.standings.iter().filter(move |s| s.step == step)
    }

    /// The count at a step.
    pub fn count(&self, step: Step) -> u64 {
        match step {
            Step::Segment => self.segment,
            Step::Tried => self.tried,
            Step::Adopted => self.adopted,
            Step::Retained => self.retained,
            Step::Satisfied => self.satisfied,
        }
    }

    /// "3 events from 1 user left out: no company", or `None` when nothing was.
    pub fn excluded_note(&self) -> Option<String> {
        (self.excluded_events > 0).then(|| {
            let plural =
                |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
            // Named, so the call to send can be written from the note alone.
            let listed: Vec<String> = self
                .excluded_user_ids
                .iter()
                .take(3)
                .map(|u| format!("`{u}`"))
                .collect();
            let more = self.excluded_users.saturating_sub(listed.len() as u64);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let whom = match listed.len() {
                0 => "with their `userId`".to_owned(),
                1 => format!("with `userId` {}", listed[0]),
                _ => format!("for each `userId`: {}{more}", listed.join(", ")),
            };
            format!(
                "{} from {} left out: no company; send a `company` call {whom}",
                plural(self.excluded_events, "event"),
                plural(self.excluded_users, "user")
            )
        })
    }
}

/// JSON truthiness as a company attribute reads: not null, false, 0 or "".
pub fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|x| x != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

#[cfg(test)]
#[path = "stars_tests.rs"]
mod tests;

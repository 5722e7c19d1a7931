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
    /// The companies at each step by id (`false`: the counts alone, what F6's list shows). Sent
    /// only when `false`, so a request asking for them reads as before this member was known.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub companies: bool,
}

fn yes() -> bool {
    true
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde passes a reference"
)]
fn is_yes(b: &bool) -> bool {
    *b
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

    /// What each funnel of the answer lists besides its counts.
    pub fn listing(&self) -> Listing<'_> {
        Listing {
            companies: self.companies,
            // One company's view always says where it stands.
            standings: self.standings || self.company_id.is_some(),
            only: self.company_id.as_deref(),
        }
    }

    /// The features, each once, in the order first named (a repeated feature is computed once),
    /// taken out of the request: the rest says what to list.
    pub fn take_distinct_features(&mut self) -> Vec<Feature> {
        let mut distinct: Vec<Feature> = Vec::with_capacity(self.features.len());
        for f in std::mem::take(&mut self.features) {
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

/// What the store knows of one company in a feature's segment; its texts borrowed from what the
/// store read once per request, not copied for each feature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyUse<'a> {
    pub company_id: &'a str,
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
    pub member: Option<&'a str>,
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

/// What holds a company on its step, put in words only where they are shown (the standings):
/// the counts alone need none, and F6's list asks for the counts alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds<'a> {
    /// An attribute-based feature's attribute is not truthy on the company.
    NotTruthy(&'a str),
    NoUseYet,
    /// The last use came before the window.
    LastUseBefore {
        days_ago: i64,
        window_days: u32,
    },
    TooFewDays {
        days: u32,
        needs: u32,
    },
    FirstUseTooRecent {
        since: i64,
        needs: u32,
    },
    NoRecentUse {
        recent_days: u32,
    },
    LowScore {
        score: u8,
        needs: u8,
    },
    NoScore {
        feedback: &'a str,
    },
}

impl std::fmt::Display for Holds<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Holds::NotTruthy(attribute) => write!(f, "`{attribute}` is not truthy on the company"),
            Holds::NoUseYet => f.write_str("no use yet"),
            Holds::LastUseBefore {
                days_ago,
                window_days,
            } => write!(
                f,
                "last use {days_ago} days ago, before the {window_days}-day window"
            ),
            Holds::TooFewDays { days, needs } => write!(f, "{days} of {needs} days"),
            Holds::FirstUseTooRecent { since, needs } => {
                write!(f, "first use {since} of {needs} days ago")
            }
            Holds::NoRecentUse { recent_days } => {
                write!(f, "no use in the last {recent_days} days")
            }
            Holds::LowScore { score, needs } => {
                write!(f, "latest score {score}, needs {needs} or more")
            }
            Holds::NoScore { feedback } => write!(f, "no score for `{feedback}` yet"),
        }
    }
}

/// Where a company stands, and why it is not on the next step (`None` at the end).
pub fn standing(
    feature: &Feature,
    window: Window,
    company: &CompanyUse<'_>,
) -> (Step, Option<String>) {
    let (step, holds) = step_of(feature, window, company);
    (step, holds.map(|h| h.to_string()))
}

/// [`standing`], the reason left unworded: the one rule, whether or not it is shown.
pub fn step_of<'a>(
    feature: &'a Feature,
    window: Window,
    company: &CompanyUse<'_>,
) -> (Step, Option<Holds<'a>>) {
    let r = &feature.rules;
    if let Usage::Attribute { attribute } = &feature.usage {
        return if company.truthy {
            (Step::Adopted, None)
        } else {
            (Step::Segment, Some(Holds::NotTruthy(attribute)))
        };
    }
    if company.days == 0 {
        let why = match company.last_day {
            Some(last) => Holds::LastUseBefore {
                days_ago: window.last_day() - last,
                window_days: r.window_days,
            },
            None => Holds::NoUseYet,
        };
        return (Step::Segment, Some(why));
    }
    if company.days < r.adopted_days {
        let why = Holds::TooFewDays {
            days: company.days,
            needs: r.adopted_days,
        };
        return (Step::Tried, Some(why));
    }
    let last_day = window.last_day();
    let first_day = company.first_day.unwrap_or(last_day);
    let recent_day = company.last_day.unwrap_or(i64::MIN / 2);
    let since = last_day - first_day;
    if since < i64::from(r.retained_after_days) {
        let why = Holds::FirstUseTooRecent {
            since,
            needs: r.retained_after_days,
        };
        return (Step::Adopted, Some(why));
    }
    let quiet = last_day - recent_day;
    if quiet >= i64::from(r.recent_days.max(1)) {
        let why = Holds::NoRecentUse {
            recent_days: r.recent_days,
        };
        return (Step::Adopted, Some(why));
    }
    match company.score {
        Some(s) if s >= r.satisfied_score => (Step::Satisfied, None),
        Some(s) => (
            Step::Retained,
            Some(Holds::LowScore {
                score: s,
                needs: r.satisfied_score,
            }),
        ),
        None => (
            Step::Retained,
            Some(Holds::NoScore {
                feedback: &feature.feedback,
            }),
        ),
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

#[path = "stars_funnel.rs"]
mod answer;
pub use answer::*;

#[cfg(test)]
#[path = "stars_tests.rs"]
mod tests;

//! A feature's funnel as the `stars` route answers it (assets/contract.md §9): the counts and
//! shares always, the companies' ids and standings only when asked, and nothing built that is
//! not sent. Part of [`super`]; its own file to keep each small.

use super::{CompanyUse, DAY_MS, Feature, Kind, Step, Window, step_of};
use serde::{Deserialize, Serialize};

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

/// One feature's funnel. `companies` is there unless the request said `"companies": false`;
/// `standings` is the console's drill-down, the CLI's JSON leaves it out.
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub companies: Option<Companies>,
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
    let text = super::super::timestamp::format(day.saturating_mul(DAY_MS));
    text.get(..10).unwrap_or(&text).to_owned()
}

fn share(n: u64, of: u64) -> f64 {
    if of == 0 { 0.0 } else { n as f64 / of as f64 }
}

/// What a funnel lists besides its counts ([`super::StarsRequest::listing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listing<'a> {
    /// The ids at each step or beyond.
    pub companies: bool,
    /// Each company's standing.
    pub standings: bool,
    /// Only this company is listed (the counts stay the whole segment's).
    pub only: Option<&'a str>,
}

impl Listing<'_> {
    /// Everything: every company's id at each step and its standing.
    pub const ALL: Listing<'static> = Listing {
        companies: true,
        standings: true,
        only: None,
    };

    fn lists(&self, company_id: &str) -> bool {
        self.only.is_none_or(|only| only == company_id)
    }
}

/// The funnel from every segment company's use, sorted by company id, listing everything.
pub fn funnel(
    feature: &Feature,
    window: Window,
    uses: &[CompanyUse<'_>],
    excluded: Excluded,
) -> Funnel {
    funnel_listing(feature, window, uses, excluded, Listing::ALL)
}

/// The funnel, listing what `listing` asks for: the counts are the same whatever it lists.
pub fn funnel_listing(
    feature: &Feature,
    window: Window,
    uses: &[CompanyUse<'_>],
    excluded: Excluded,
    listing: Listing<'_>,
) -> Funnel {
    let mut companies = listing.companies.then(Companies::default);
    let mut standings = Vec::new();
    // How many stand exactly at each step, in `Step::ALL`'s order.
    let mut at = [0_u64; 5];
    for company in uses {
        let (step, why) = step_of(feature, window, company);
        at[step as usize] += 1;
        let id = company.company_id;
        if !listing.lists(id) {
            continue;
        }
        if let Some(c) = &mut companies {
            for (list, from) in [
                (&mut c.segment, Step::Segment),
                (&mut c.tried, Step::Tried),
                (&mut c.adopted, Step::Adopted),
                (&mut c.retained, Step::Retained),
                (&mut c.satisfied, Step::Satisfied),
            ] {
                if step >= from {
                    list.push(id.to_owned());
                }
            }
        }
        if listing.standings {
            standings.push(Standing {
                company_id: id.to_owned(),
                step,
                why_not_next: why.map(|h| h.to_string()),
                days: company.days,
                last_use: company.last_day.map(day_text),
                score: company.score,
                member: company.member.map(str::to_owned),
            });
        }
    }
    // At a step or beyond: the sums from each step to the top.
    let beyond = |from: Step| at[from as usize..].iter().sum::<u64>();
    let (segment, tried, adopted, retained, satisfied) = (
        beyond(Step::Segment),
        beyond(Step::Tried),
        beyond(Step::Adopted),
        beyond(Step::Retained),
        beyond(Step::Satisfied),
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
            from: super::super::timestamp::format(window.from_ms),
            to: super::super::timestamp::format(window.to_ms),
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

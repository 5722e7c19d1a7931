//! The columns of each list as plain text: the console's tables and `bucket-console data` print
//! the same cells. Every cell is sanitized here, once.

use super::Rows;
use crate::sanitize::sanitize;
use serde_json::{Map, Value};

/// Column titles and, per row, its cells.
pub struct Table {
    pub headers: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
    /// Per row: the user belongs to no company (users only).
    pub unassociated: Vec<bool>,
}

pub const NO_COMPANY: &str = "⚑ no company";

pub fn table(rows: &Rows) -> Table {
    match rows {
        Rows::Users(users) => Table {
            headers: &["user", "last seen", "companies", "attributes"],
            rows: users
                .iter()
                .map(|u| {
                    vec![
                        sanitize(&u.user_id),
                        seen(u.last_seen.as_deref()),
                        if u.companies.is_empty() {
                            NO_COMPANY.to_owned()
                        } else {
                            sanitize(&u.companies.join(", "))
                        },
                        attributes(&u.attributes),
                    ]
                })
                .collect(),
            unassociated: users.iter().map(|u| u.companies.is_empty()).collect(),
        },
        Rows::Companies(companies) => Table {
            headers: &["company", "last seen", "users", "attributes"],
            rows: companies
                .iter()
                .map(|c| {
                    vec![
                        sanitize(&c.company_id),
                        seen(c.last_seen.as_deref()),
                        c.users.len().to_string(),
                        attributes(&c.attributes),
                    ]
                })
                .collect(),
            unassociated: vec![false; companies.len()],
        },
        Rows::Events(events) => Table {
            headers: &["received", "event", "user", "company", "attributes"],
            rows: events
                .iter()
                .map(|e| {
                    vec![
                        short_time(&e.received_at),
                        sanitize(&e.event),
                        sanitize(&e.user_id),
                        e.company_id
                            .as_deref()
                            .map_or_else(|| "—".to_owned(), sanitize),
                        attributes(&e.attributes),
                    ]
                })
                .collect(),
            unassociated: vec![false; events.len()],
        },
        Rows::Feedback(feedback) => Table {
            headers: &["updated", "feature", "user", "score", "comment"],
            rows: feedback
                .iter()
                .map(|f| {
                    vec![
                        short_time(&f.updated_at),
                        sanitize(&f.feature_id),
                        sanitize(&f.user_id),
                        f.score.map_or_else(|| "—".to_owned(), |s| format!("{s}/5")),
                        f.comment.as_deref().map(one_line).unwrap_or_default(),
                    ]
                })
                .collect(),
            unassociated: vec![false; feedback.len()],
        },
        Rows::FlagChecks(checks) => Table {
            headers: &["received", "check", "user", "company"],
            rows: checks
                .iter()
                .map(|c| {
                    vec![
                        short_time(&c.received_at),
                        sanitize(&c.summary()),
                        context_id(&c.context, "user"),
                        context_id(&c.context, "company"),
                    ]
                })
                .collect(),
            unassociated: vec![false; checks.len()],
        },
    }
}

/// The id a flag check's context gives a user or company (`—` when none).
pub fn context_id(context: &Value, entity: &str) -> String {
    match &context[entity]["id"] {
        Value::String(s) => sanitize(s),
        Value::Number(n) => n.to_string(),
        _ => "—".to_owned(),
    }
}

/// Why a user without a company matters, in the words of the server's warning (assets/contract.md §4).
pub fn unassociated_explanation(user_id: &str) -> String {
    sanitize(&crate::api::errors::unassociated_explanation(user_id))
}

/// `2026-11-26T07:26:13.123Z` → `2026-11-26 07:26:13`.
pub fn short_time(rfc3339: &str) -> String {
    let t = rfc3339.replacen('T', " ", 1);
    sanitize(t.split('.').next().unwrap_or(&t).trim_end_matches('Z'))
}

/// `2026-11-26T07:26:13.123Z` → `2026-11-26 07:26:13.123`: for a detail, where a change within
/// the same second must show.
pub fn precise_time(rfc3339: &str) -> String {
    sanitize(rfc3339.replacen('T', " ", 1).trim_end_matches('Z'))
}

fn seen(last: Option<&str>) -> String {
    last.map_or_else(|| "never".to_owned(), short_time)
}

fn attributes(map: &Map<String, Value>) -> String {
    if map.is_empty() {
        String::new()
    } else {
        one_line(&Value::Object(map.clone()).to_string())
    }
}

fn one_line(text: &str) -> String {
    sanitize(&text.replace(['\n', '\r'], " "))
}

/// A recorded request as one row: when, the verdict(s), the verb and route, who sent it, and the
/// first problem. The console's Traffic list and `bucket-console watch` print the same.
pub struct RequestRow {
    pub time: String,
    /// `400`, or `400 → 200` when forwarded (local verdict, then the real service's).
    pub status: String,
    /// The status the sender got, for colour: `None` when nothing answered.
    pub answered: Option<u16>,
    pub route: String,
    pub source: String,
    /// The first validation error (with its path), else the error message, else the first
    /// warning, else the flag checks it carried (`huddle checked → false · missing company.plan`).
    pub problem: String,
}

pub fn request_row(r: &crate::api::inspect::RequestRecord) -> RequestRow {
    let status = |v: &crate::api::inspect::Verdict| {
        v.status.map_or_else(|| "—".to_owned(), |s| s.to_string())
    };
    let time = r
        .received_at
        .split('T')
        .nth(1)
        .unwrap_or(&r.received_at)
        .trim_end_matches('Z');
    let verdict = r.answered();
    let problem = |v: &crate::api::inspect::Verdict| {
        v.validation_errors
            .first()
            .map(|e| {
                if e.path.is_empty() {
                    e.message.clone()
                } else {
                    format!("{} {}", e.path, e.message)
                }
            })
            .or_else(|| v.message.clone())
            .or_else(|| v.warnings.first().map(|w| format!("⚠ {}", w.message)))
    };
    RequestRow {
        time: sanitize(time),
        status: match &r.upstream {
            Some(up) => format!("{} → {}", status(&r.local), status(up)),
            None => status(&r.local),
        },
        answered: verdict.status,
        route: sanitize(&format!("{} {}", r.method, r.route())),
        source: sanitize(r.source().unwrap_or("")),
        problem: sanitize(
            &problem(&r.local)
                .or_else(|| r.upstream.as_ref().and_then(problem))
                .or_else(|| {
                    // A flag check says what was checked, which is what its reader looks for.
                    let checks = crate::api::flags::explain::checks_in(&r.path, &r.body);
                    (!checks.is_empty()).then(|| checks.join("; "))
                })
                .unwrap_or_default(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_short_and_strings_sanitized() {
        assert_eq!(
            short_time("2026-11-26T07:26:13.123Z"),
            "2026-11-26 07:26:13"
        );
        assert_eq!(short_time("2026-11-26T07:26:13Z"), "2026-11-26 07:26:13");
        assert_eq!(one_line("a\nb\u{1b}[31mc"), "a bc");
    }
}

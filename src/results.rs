//! Live results for one feature: responses, the distribution of scores, the average, and the
//! comments newest first. From the local server's feedback when it has the inspection routes,
//! otherwise from what this machine sent (the history).

use crate::api::inspect::FeedbackRecord;
use crate::client::{Exchange, Outcome};

/// Why results could not be read: from the server, or, without inspection routes, the history.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error(transparent)]
    Server(#[from] crate::inspect::InspectError),
    #[error(transparent)]
    Delivery(#[from] crate::delivery::DeliveryError),
    #[error(transparent)]
    History(#[from] crate::history::HistoryError),
}

/// Every feature's results, most responses first: from the local server's feedback when it
/// answers the inspection routes, else from what this machine sent (`sent`: the developer's log
/// for the console, the kiosk's own record for the kiosk). `only` keeps one feature.
pub async fn load(
    target: &crate::client::Target,
    only: Option<&str>,
    sent: &crate::delivery::Journal,
) -> Result<Vec<Results>, ResultsError> {
    load_of(target, only, Who::Everyone, sent).await
}

/// Whose answers count: everyone's, or only those of users whose id starts with a prefix (a
/// kiosk session's respondents are `kiosk-<session>-<n>`, so its results are that session's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who<'a> {
    Everyone,
    UsersStartingWith(&'a str),
}

impl Who<'_> {
    pub fn counts(self, user_id: &str) -> bool {
        match self {
            Who::Everyone => true,
            Who::UsersStartingWith(prefix) => user_id.starts_with(prefix),
        }
    }

    /// A feedback call's body names a user this counts.
    fn counts_body(self, body: &serde_json::Value) -> bool {
        self == Who::Everyone || body["userId"].as_str().is_some_and(|u| self.counts(u))
    }
}

/// [`load`], keeping only the answers of `who`.
pub async fn load_of(
    target: &crate::client::Target,
    only: Option<&str>,
    who: Who<'_>,
    sent: &crate::delivery::Journal,
) -> Result<Vec<Results>, ResultsError> {
    use crate::inspect::{InspectError, Inspector};
    let inspector = Inspector::new(&target.base_url, target.key.data_key())?;
    let mut pairs = vec![("limit", "1000".to_owned())];
    if let Some(f) = only {
        pairs.push(("featureId", f.to_owned()));
    }
    let query = format!(
        "feedback?{}",
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    );
    let per_feature = match inspector.get_json::<Vec<FeedbackRecord>>(&query).await {
        Ok(mut rows) => {
            rows.retain(|r| who.counts(&r.user_id));
            features(rows.iter().map(|r| r.feature_id.clone()), only)
                .into_iter()
                .map(|f| Results::from_stored(&f, &rows))
                .collect()
        }
        Err(InspectError::NotLocal) => {
            let history = sent.open()?;
            let mut exchanges = history.recent(crate::history::DEFAULT_LIMIT, 0)?;
            exchanges.retain(|e| {
                serde_json::from_str::<serde_json::Value>(&e.request_body)
                    .is_ok_and(|b| who.counts_body(&b))
            });
            let names = exchanges
                .iter()
                .filter(|e| e.method == "feedback")
                .filter_map(|e| {
                    serde_json::from_str::<serde_json::Value>(&e.request_body)
                        .ok()
                        .and_then(|b| b["featureId"].as_str().map(str::to_owned))
                });
            features(names, only)
                .into_iter()
                .map(|f| Results::from_history(&f, &exchanges))
                .filter(|r| r.responses > 0)
                .collect()
        }
        Err(e) => return Err(e.into()),
    };
    let mut per_feature: Vec<Results> = per_feature;
    per_feature.sort_by(|a, b| {
        b.responses
            .cmp(&a.responses)
            .then(a.feature.cmp(&b.feature))
    });
    Ok(per_feature)
}

fn features(names: impl Iterator<Item = String>, only: Option<&str>) -> Vec<String> {
    let mut set: Vec<String> = names.filter(|n| only.is_none_or(|o| o == n)).collect();
    set.sort();
    set.dedup();
    if let (true, Some(o)) = (set.is_empty(), only) {
        set.push(o.to_owned());
    }
    set
}

#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    pub feature: String,
    pub responses: usize,
    /// Count per score, 1 to 5.
    pub distribution: [u64; 5],
    pub average: Option<f64>,
    /// `(time, score, comment)`, newest first.
    pub comments: Vec<(String, Option<u8>, String)>,
    /// Where the figures come from, said under them.
    pub source: &'static str,
}

impl Results {
    fn from_rows(
        feature: &str,
        rows: Vec<(String, Option<u8>, Option<String>)>,
        source: &'static str,
    ) -> Self {
        let mut distribution = [0u64; 5];
        for (_, score, _) in &rows {
            if let Some(s @ 1..=5) = score {
                distribution[usize::from(*s - 1)] += 1;
            }
        }
        let scored: u64 = distribution.iter().sum();
        let sum: u64 = distribution
            .iter()
            .enumerate()
            .map(|(i, n)| (i as u64 + 1) * n)
            .sum();
        let mut comments: Vec<_> = rows
            .iter()
            .filter_map(|(t, s, c)| {
                c.clone()
                    .filter(|c| !c.trim().is_empty())
                    .map(|c| (t.clone(), *s, c))
            })
            .collect();
        comments.sort_by(|a, b| b.0.cmp(&a.0));
        Self {
            feature: feature.to_owned(),
            responses: rows.len(),
            distribution,
            average: (scored > 0).then(|| sum as f64 / scored as f64),
            comments,
            source,
        }
    }

    /// From the local server's feedback rows of the feature (each row is one response).
    pub fn from_stored(feature: &str, rows: &[FeedbackRecord]) -> Self {
        Self::from_rows(
            feature,
            rows.iter()
                .filter(|r| r.feature_id == feature)
                .map(|r| (r.updated_at.clone(), r.score, r.comment.clone()))
                .collect(),
            "the local server's feedback for this feature",
        )
    }

    /// From the delivered feedback calls this machine made: a call with a `feedbackId` updates
    /// the response it names.
    pub fn from_history(feature: &str, exchanges: &[Exchange]) -> Self {
        /// One response: when last touched, its score and comment, and its feedback id.
        struct Response {
            time: String,
            score: Option<u8>,
            comment: Option<String>,
            id: Option<String>,
        }
        let mut rows: Vec<Response> = Vec::new();
        let mut oldest_first: Vec<&Exchange> = exchanges.iter().collect();
        oldest_first.sort_by(|a, b| a.started_at.cmp(&b.started_at));
        for ex in oldest_first {
            if ex.method != "feedback" || ex.outcome != Outcome::Delivered {
                continue;
            }
            let Ok(body) = serde_json::from_str::<serde_json::Value>(&ex.request_body) else {
                continue;
            };
            if body["featureId"].as_str() != Some(feature) {
                continue;
            }
            let score = body["score"]
                .as_u64()
                .and_then(|s| u8::try_from(s).ok())
                .filter(|s| *s > 0);
            let comment = body["comment"].as_str().map(str::to_owned);
            let id = body["feedbackId"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| ex.feedback_id.clone());
            match rows.iter_mut().find(|r| r.id.is_some() && r.id == id) {
                Some(row) => {
                    row.time.clone_from(&ex.started_at);
                    row.score = score.or(row.score);
                    row.comment = comment.or(row.comment.take());
                }
                None => rows.push(Response {
                    time: ex.started_at.clone(),
                    score,
                    comment,
                    id,
                }),
            }
        }
        Self::from_rows(
            feature,
            rows.into_iter()
                .map(|r| (r.time, r.score, r.comment))
                .collect(),
            "the feedback this machine delivered (the server has no inspection routes)",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(t: &str, score: Option<u8>, comment: Option<&str>) -> FeedbackRecord {
        FeedbackRecord {
            feedback_id: t.into(),
            feature_id: "f".into(),
            user_id: "u".into(),
            company_id: None,
            score,
            comment: comment.map(str::to_owned),
            question: None,
            prompted_question: None,
            prompt_id: None,
            source: "widget".into(),
            created_at: t.into(),
            updated_at: t.into(),
            key: None,
            sent_feature_id: None,
        }
    }

    /// A kiosk session counts its own respondents only, not every answer stored for the feature.
    #[test]
    fn a_session_counts_its_own_users() {
        let who = Who::UsersStartingWith("kiosk-s1-");
        assert!(who.counts("kiosk-s1-3"));
        assert!(!who.counts("kiosk-s2-1"));
        assert!(!who.counts("u-42"));
        assert!(Who::Everyone.counts("u-42"));
        assert!(who.counts_body(&serde_json::json!({"userId": "kiosk-s1-1"})));
        assert!(!who.counts_body(&serde_json::json!({"userId": 42})));
    }

    #[test]
    fn distribution_average_and_comments_newest_first() {
        let r = Results::from_stored(
            "f",
            &[
                row("1", Some(5), None),
                row("2", Some(3), Some("ok")),
                row("3", None, Some("no score")),
                row("4", Some(5), Some("  ")),
            ],
        );
        assert_eq!(r.responses, 4);
        assert_eq!(r.distribution, [0, 0, 1, 0, 2]);
        assert!((r.average.unwrap() - 13.0 / 3.0).abs() < 1e-9);
        let texts: Vec<_> = r.comments.iter().map(|c| c.2.as_str()).collect();
        assert_eq!(texts, ["no score", "ok"]);
    }
}

//! Applying one validated call to the store inside the writer's open transaction (assets/contract.md §5).
//! Every check that can refuse a call runs before its first write, so a refused call changes
//! nothing even though it shares a transaction with others.

use super::known::{Kind, Known};
use crate::api::payload::{
    Attributes, CompanyCall, EventCall, FeedbackCall, Payload, Tracking, UserCall, new_feedback_id,
};
use crate::api::validate::no_score_or_comment;
use crate::api::{ErrorCode, FieldCode, Rejection, ValidationError, Warning};
use rusqlite::{Connection, OptionalExtension, params};

/// What a stored call answers besides success.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    pub feedback_id: Option<String>,
    pub warnings: Vec<Warning>,
}

/// The outcome of one call: stored, or refused by a rule that needs the store to decide.
pub type Outcome = Result<Applied, Rejection>;

/// One call to apply: the id of its tracking key, what, and when it arrived (epoch ms).
pub struct Call<'a> {
    pub key_id: i64,
    pub payload: &'a Payload,
    pub received_ms: i64,
}

pub fn apply(conn: &Connection, known: &mut Known, call: &Call<'_>) -> rusqlite::Result<Outcome> {
    let key = call.key_id;
    match call.payload {
        Payload::User(u) => user(conn, key, u, call.received_ms),
        Payload::Company(c) => company(conn, key, c, call.received_ms),
        Payload::Event(e) => event(conn, known, key, e, call.received_ms),
        Payload::Feedback(f) => feedback(conn, key, f, call.received_ms),
    }
}

#[derive(Clone, Copy)]
enum Entity {
    User,
    Company,
}

impl Entity {
    const fn select(self) -> &'static str {
        match self {
            Entity::User => {
                "SELECT attributes, last_seen FROM users WHERE key_id = ?1 AND user_id = ?2"
            }
            Entity::Company => {
                "SELECT attributes, last_seen FROM companies WHERE key_id = ?1 AND company_id = ?2"
            }
        }
    }
    const fn insert(self) -> &'static str {
        match self {
            Entity::User => {
                "INSERT INTO users (key_id, user_id, attributes, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5)"
            }
            Entity::Company => {
                "INSERT INTO companies (key_id, company_id, attributes, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5)"
            }
        }
    }
    /// Create, or move `lastSeen` forward, in one statement: the common case of events.
    const fn upsert_seen(self) -> &'static str {
        match self {
            Entity::User => {
                "INSERT INTO users (key_id, user_id, attributes, first_seen, last_seen) VALUES (?1, ?2, '{}', ?3, ?4)
                 ON CONFLICT (key_id, user_id) DO UPDATE SET last_seen = excluded.last_seen
                 WHERE excluded.last_seen IS NOT NULL
                   AND (users.last_seen IS NULL OR users.last_seen < excluded.last_seen)"
            }
            Entity::Company => {
                "INSERT INTO companies (key_id, company_id, attributes, first_seen, last_seen) VALUES (?1, ?2, '{}', ?3, ?4)
                 ON CONFLICT (key_id, company_id) DO UPDATE SET last_seen = excluded.last_seen
                 WHERE excluded.last_seen IS NOT NULL
                   AND (companies.last_seen IS NULL OR companies.last_seen < excluded.last_seen)"
            }
        }
    }
    /// Creates the entity if it is new, as an event does; its `lastSeen` moves later, with the
    /// event's other changes (`store::derived`).
    const fn create(self) -> &'static str {
        match self {
            Entity::User => {
                "INSERT INTO users (key_id, user_id, attributes, first_seen, last_seen) VALUES (?1, ?2, '{}', ?3, ?4)
                 ON CONFLICT (key_id, user_id) DO NOTHING"
            }
            Entity::Company => {
                "INSERT INTO companies (key_id, company_id, attributes, first_seen, last_seen) VALUES (?1, ?2, '{}', ?3, ?4)
                 ON CONFLICT (key_id, company_id) DO NOTHING"
            }
        }
    }
    const fn update(self) -> &'static str {
        match self {
            Entity::User => {
                "UPDATE users SET attributes = ?3, last_seen = ?4 WHERE key_id = ?1 AND user_id = ?2"
            }
            Entity::Company => {
                "UPDATE companies SET attributes = ?3, last_seen = ?4 WHERE key_id = ?1 AND company_id = ?2"
            }
        }
    }
}

/// Creates or updates a user or company: attributes merge shallowly, and an active call moves
/// `lastSeen` forward to its effective time (never back).
fn touch(
    conn: &Connection,
    entity: Entity,
    key: i64,
    id: &str,
    attributes: &Attributes,
    effective_ms: i64,
    active: bool,
) -> rusqlite::Result<()> {
    if attributes.is_empty() {
        let last_seen = active.then_some(effective_ms);
        conn.prepare_cached(entity.upsert_seen())?.execute(params![
            key,
            id,
            effective_ms,
            last_seen
        ])?;
        return Ok(());
    }
    let existing: Option<(String, Option<i64>)> = conn
        .prepare_cached(entity.select())?
        .query_row(params![key, id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match existing {
        None => {
            let last_seen = active.then_some(effective_ms);
            conn.prepare_cached(entity.insert())?.execute(params![
                key,
                id,
                to_json(attributes),
                effective_ms,
                last_seen
            ])?;
        }
        Some((stored, last_seen)) => {
            let new_last_seen = if active {
                Some(last_seen.map_or(effective_ms, |l| l.max(effective_ms)))
            } else {
                last_seen
            };
            let mut merged: Attributes = serde_json::from_str(&stored).unwrap_or_default();
            merged.extend(attributes.iter().map(|(k, v)| (k.clone(), v.clone())));
            conn.prepare_cached(entity.update())?.execute(params![
                key,
                id,
                to_json(&merged),
                new_last_seen
            ])?;
        }
    }
    Ok(())
}

fn to_json(attributes: &Attributes) -> String {
    serde_json::Value::Object(attributes.clone()).to_string()
}

fn effective(tracking: &Tracking, received_ms: i64) -> i64 {
    tracking.timestamp.unwrap_or(received_ms)
}

fn user(
    conn: &Connection,
    key: i64,
    call: &UserCall,
    received_ms: i64,
) -> rusqlite::Result<Outcome> {
    let t = &call.tracking;
    touch(
        conn,
        Entity::User,
        key,
        &call.user_id,
        &t.attributes,
        effective(t, received_ms),
        t.is_active(),
    )?;
    Ok(Ok(Applied::default()))
}

fn company(
    conn: &Connection,
    key: i64,
    call: &CompanyCall,
    received_ms: i64,
) -> rusqlite::Result<Outcome> {
    let t = &call.tracking;
    let (at, active) = (effective(t, received_ms), t.is_active());
    touch(
        conn,
        Entity::Company,
        key,
        &call.company_id,
        &t.attributes,
        at,
        active,
    )?;
    if let Some(user_id) = &call.user_id {
        touch(
            conn,
            Entity::User,
            key,
            user_id,
            &Attributes::new(),
            at,
            active,
        )?;
        conn.prepare_cached(
            "INSERT OR IGNORE INTO memberships (key_id, company_id, user_id) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![key, call.company_id, user_id])?;
    }
    Ok(Ok(Applied::default()))
}

fn event(
    conn: &Connection,
    known: &mut Known,
    key: i64,
    call: &EventCall,
    received_ms: i64,
) -> rusqlite::Result<Outcome> {
    let t = &call.tracking;
    let (at, active) = (effective(t, received_ms), t.is_active());
    let last_seen = active.then_some(at);
    let mut create = |entity: Entity, kind: Kind, id: &str| -> rusqlite::Result<()> {
        if !known.has(kind, key, id) {
            conn.prepare_cached(entity.create())?
                .execute(params![key, id, at, last_seen])?;
            known.note(kind, key, id);
        }
        Ok(())
    };
    create(Entity::User, Kind::User, &call.user_id)?;
    if let Some(company_id) = &call.company_id {
        create(Entity::Company, Kind::Company, company_id)?;
    }
    let seq = super::sequence::place(
        conn,
        known,
        super::sequence::Numbered::Events,
        key,
        received_ms,
    )?;
    conn.prepare_cached(
        "INSERT INTO events (key_id, event, user_id, company_id, attributes, timestamp, received_at, seq, inactive)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        key,
        call.event,
        call.user_id,
        call.company_id,
        to_json(&t.attributes),
        at,
        received_ms,
        seq,
        (!active).then_some(1)
    ])?;
    if !known.has(Kind::EventName, key, &call.event) {
        super::search::note_event(conn, key, &call.event)?;
        known.note(Kind::EventName, key, &call.event);
    }
    let mut warnings = Vec::new();
    if call.company_id.is_none() && !known.has(Kind::Member, key, &call.user_id) {
        let member: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM memberships WHERE key_id = ?1 AND user_id = ?2)",
            )?
            .query_row(params![key, call.user_id], |r| r.get(0))?;
        if member {
            known.note(Kind::Member, key, &call.user_id);
        } else {
            warnings.push(Warning::unassociated_user(&call.user_id));
        }
    }
    Ok(Ok(Applied {
        feedback_id: None,
        warnings,
    }))
}

/// The stored fields a feedback update may replace.
struct StoredFeedback {
    company_id: Option<String>,
    score: Option<u8>,
    comment: Option<String>,
    question: Option<String>,
    prompted_question: Option<String>,
    prompt_id: Option<String>,
    source: String,
}

fn feedback(
    conn: &Connection,
    key: i64,
    call: &FeedbackCall,
    received_ms: i64,
) -> rusqlite::Result<Outcome> {
    let Some(id) = &call.feedback_id else {
        return create_feedback(conn, key, call, received_ms);
    };
    let stored = conn
        .prepare_cached(
            "SELECT company_id, score, comment, question, prompted_question, prompt_id, source
             FROM feedback WHERE feedback_id = ?1 AND key_id = ?2",
        )?
        .query_row(params![id, key], |r| {
            Ok(StoredFeedback {
                company_id: r.get(0)?,
                score: r.get(1)?,
                comment: r.get(2)?,
                question: r.get(3)?,
                prompted_question: r.get(4)?,
                prompt_id: r.get(5)?,
                source: r.get(6)?,
            })
        })
        .optional()?;
    let Some(stored) = stored else {
        return Ok(Err(Rejection::from_errors(vec![ValidationError::new(
            "/feedbackId",
            FieldCode::FeedbackNotFound,
            format!("no feedback with id `{id}` exists for this tracking key"),
        )])));
    };
    let score = call
        .score
        .clone()
        .map_set(crate::api::Score::get)
        .apply(stored.score);
    let comment = call.comment.clone().apply(stored.comment);
    if score.is_none() && comment.is_none() {
        let mut rejection = Rejection::from_errors(vec![no_score_or_comment()]);
        rejection.message = format!(
            "{}; this update would leave the feedback empty",
            rejection.message
        );
        return Ok(Err(rejection));
    }
    touch(
        conn,
        Entity::User,
        key,
        &call.user_id,
        &Attributes::new(),
        received_ms,
        false,
    )?;
    conn.prepare_cached(
        "UPDATE feedback SET feature_id = ?3, user_id = ?4, company_id = ?5, score = ?6, comment = ?7,
            question = ?8, prompted_question = ?9, prompt_id = ?10, source = ?11, updated_at = ?12,
            key = coalesce(?13, key), sent_feature_id = coalesce(?14, sent_feature_id)
         WHERE feedback_id = ?1 AND key_id = ?2",
    )?
    .execute(params![
        id,
        key,
        call.feature_id,
        call.user_id,
        call.company_id.clone().or(stored.company_id),
        score,
        comment,
        call.question.clone().or(stored.question),
        call.prompted_question.clone().or(stored.prompted_question),
        call.prompt_id.clone().or(stored.prompt_id),
        call.source.map_or(stored.source, |s| s.as_str().to_owned()),
        received_ms,
        call.key,
        call.sent_feature_id
    ])?;
    Ok(Ok(Applied {
        feedback_id: Some(id.clone()),
        warnings: Vec::new(),
    }))
}

fn create_feedback(
    conn: &Connection,
    key: i64,
    call: &FeedbackCall,
    received_ms: i64,
) -> rusqlite::Result<Outcome> {
    touch(
        conn,
        Entity::User,
        key,
        &call.user_id,
        &Attributes::new(),
        received_ms,
        false,
    )?;
    let id = new_feedback_id();
    conn.prepare_cached(
        "INSERT INTO feedback (feedback_id, key_id, feature_id, user_id, company_id, score, comment,
            question, prompted_question, prompt_id, source, created_at, updated_at, key,
            sent_feature_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14)",
    )?
    .execute(params![
        id,
        key,
        call.feature_id,
        call.user_id,
        call.company_id,
        call.score.set().map(|s| s.get()),
        call.comment.set(),
        call.question,
        call.prompted_question,
        call.prompt_id,
        call.source.map_or("api", |s| s.as_str()),
        received_ms,
        call.key,
        call.sent_feature_id
    ])?;
    Ok(Ok(Applied {
        feedback_id: Some(id),
        warnings: Vec::new(),
    }))
}

/// A refusal that needs no field path, for completeness of the store's error space.
pub fn storage_failed(detail: &str) -> Rejection {
    Rejection::new(
        ErrorCode::UnknownError,
        format!("storing the call failed ({detail}); nothing was stored, so retrying is safe"),
    )
}

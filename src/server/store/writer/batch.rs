//! Runtime API items (a `/bulk` batch, or a single flag check or prompt event) stored together or
//! not at all: inside the writer's group transaction, under a savepoint of their own, so a batch
//! refused by the store (a `feedbackId` it does not hold) leaves nothing and fails no other call.

use super::super::Store;
use super::super::StoreError;
use super::super::known::Known;
use super::super::sequence;
use super::Job;
use super::apply::{self, Applied, Call, Outcome};
use crate::api::runtime::bulk::Item;
use crate::api::runtime::events::{FlagEvent, PromptEvent};
use rusqlite::{Connection, Transaction, params};
use tokio::sync::oneshot;

pub struct BatchJob {
    pub key: String,
    pub items: Vec<Item>,
    /// Items of a `/bulk` array: problems and warnings point into it (`/3/userId`).
    pub in_array: bool,
    pub received_ms: i64,
    pub reply: oneshot::Sender<Outcome>,
}

impl Store {
    /// Stores `items` under `key` in one transaction; answers after the commit that holds them,
    /// or with the store's refusal of one of them (then none is stored).
    pub async fn write_items(
        &self,
        key: &str,
        items: Vec<Item>,
        in_array: bool,
        received_ms: i64,
    ) -> Result<Outcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job = BatchJob {
            key: key.to_owned(),
            items,
            in_array,
            received_ms,
            reply,
        };
        self.jobs
            .send(Job::Batch(job))
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)
    }
}

pub fn apply(
    tx: &mut Transaction<'_>,
    known: &mut Known,
    key_id: i64,
    job: &BatchJob,
) -> rusqlite::Result<Outcome> {
    let sp = tx.savepoint()?;
    let mut warnings = Vec::new();
    let at = |i: usize, path: &str| {
        if job.in_array {
            format!("/{i}{path}")
        } else {
            path.to_owned()
        }
    };
    for (i, item) in job.items.iter().enumerate() {
        let outcome = match item {
            Item::Call(payload) => apply::apply(
                &sp,
                known,
                &Call {
                    key_id,
                    payload,
                    received_ms: job.received_ms,
                },
            )?,
            Item::Flag(flag) => flag_event(&sp, known, key_id, flag, job.received_ms)?,
            Item::Prompt(prompt) => prompt_event(&sp, key_id, prompt, job.received_ms)?,
        };
        match outcome {
            Ok(applied) => warnings.extend(applied.warnings.into_iter().map(|mut w| {
                w.path = at(i, &w.path);
                w
            })),
            Err(mut rejection) => {
                for e in &mut rejection.validation_errors {
                    e.path = at(i, &e.path);
                }
                if job.in_array {
                    rejection.message = format!(
                        "item {i}: {}; nothing of the batch was stored",
                        rejection.message
                    );
                }
                // Dropping the savepoint rolls the items before this one back, and with them
                // rows the writer noted as stored.
                known.forget();
                return Ok(Err(rejection));
            }
        }
    }
    sp.commit()?;
    Ok(Ok(Applied {
        feedback_id: None,
        warnings,
    }))
}

fn flag_event(
    conn: &Connection,
    known: &mut Known,
    key_id: i64,
    e: &FlagEvent,
    received_ms: i64,
) -> rusqlite::Result<Outcome> {
    let json = |v: &serde_json::Value| v.to_string();
    let seq = sequence::place(
        conn,
        known,
        sequence::Numbered::FlagEvents,
        key_id,
        received_ms,
    )?;
    conn.prepare_cached(
        "INSERT INTO flag_events (key_id, flag_key, action, context, result, targeting_version,
            rule_results, missing_fields, received_at, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        key_id,
        e.flag_key,
        e.action,
        json(&e.context),
        e.result.as_ref().map(json),
        e.targeting_version,
        e.rule_results
            .as_ref()
            .map(|r| serde_json::json!(r).to_string()),
        e.missing_fields
            .as_ref()
            .map(|m| serde_json::json!(m).to_string()),
        received_ms,
        seq
    ])?;
    Ok(Ok(Applied::default()))
}

fn prompt_event(
    conn: &Connection,
    key_id: i64,
    e: &PromptEvent,
    received_ms: i64,
) -> rusqlite::Result<Outcome> {
    conn.prepare_cached(
        "INSERT INTO prompt_events (key_id, action, feature_id, prompt_id, user_id,
            prompted_question, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        key_id,
        e.action,
        e.feature_id,
        e.prompt_id,
        e.user_id,
        e.prompted_question,
        received_ms
    ])?;
    Ok(Ok(Applied::default()))
}

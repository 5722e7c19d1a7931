//! `replay --bulk N`: the lines as Runtime API items, N to a `/bulk` request, with the batch
//! code `send bulk` uses. Each line is counted by its own item's verdict: a 400 names the items
//! it refused, and the other lines of that batch were not stored, which their reports say.

use super::context::CliError;
use super::replay::{Call, Report};
use super::replay_log::LogBook;
use bucket_console::client::batch::{self, Batch, ItemResult};
use bucket_console::client::{Client, ClientConfig, Target};
use bucket_console::sanitize::sanitize;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The lines' calls in batches of `per`, each with the line numbers of its items.
pub fn batches(calls: Vec<Call>, per: u16) -> Result<Vec<(Batch, Vec<usize>)>, CliError> {
    let lines: Vec<usize> = calls.iter().map(|c| c.line).collect();
    let items = calls
        .into_iter()
        .map(|c| {
            let body = serde_json::from_slice(&c.body).unwrap_or_default();
            batch::item(c.method, &body)
        })
        .collect();
    let packed = batch::pack(items, usize::from(per)).map_err(|e| match e {
        batch::BatchError::ItemTooLarge { index, bytes } => CliError::usage(format!(
            "line {}: {bytes} bytes, past the 1 MiB a /bulk batch may carry",
            lines.get(index).copied().unwrap_or(0)
        )),
        other => CliError::usage(other.to_string()),
    })?;
    let mut at = 0;
    Ok(packed
        .into_iter()
        .map(|b| {
            let of = lines[at..at + b.len()].to_vec();
            at += b.len();
            (b, of)
        })
        .collect())
}

/// Sends the batches with `concurrency` workers; each batch's exchange goes to the log, each
/// line is tallied by its item's result.
pub async fn send_all(
    target: &Target,
    batches: Vec<(Batch, Vec<usize>)>,
    concurrency: u16,
    log: Arc<LogBook>,
    progress: indicatif::ProgressBar,
) -> Result<Report, CliError> {
    let client =
        Client::new(ClientConfig::default()).map_err(|e| CliError::failed(e.to_string()))?;
    let tally = Arc::new([AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)]);
    let examples = Arc::new(Mutex::new(Vec::<String>::new()));
    let workers = usize::from(concurrency).min(batches.len().max(1));
    let batches = Arc::new(batches);
    let next = Arc::new(AtomicUsize::new(0));
    let target = Arc::new(target.clone());
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (batches, next, target, client) = (
            batches.clone(),
            next.clone(),
            target.clone(),
            client.clone(),
        );
        let (tally, log, progress, examples) = (
            tally.clone(),
            log.clone(),
            progress.clone(),
            examples.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut worker = client.worker(&target);
            while let Some((batch, lines)) = batches.get(next.fetch_add(1, Ordering::Relaxed)) {
                let exchange = worker.send_batch(&target, batch).await;
                let status = exchange
                    .status()
                    .map_or_else(|| "-".to_owned(), |s| s.to_string());
                // The refused items' own problems first, then what became of the others.
                let mut said = Vec::new();
                for (line, result) in lines.iter().zip(batch::results(batch, &exchange)) {
                    let (n, why) = match result {
                        ItemResult::Stored => (0, None),
                        ItemResult::Refused(problems) => (
                            1,
                            Some(
                                problems
                                    .iter()
                                    .map(|p| format!("{} {}", p.path, p.message))
                                    .collect::<Vec<_>>()
                                    .join("; "),
                            ),
                        ),
                        ItemResult::NotStored(why) => (1, Some(why)),
                        ItemResult::Undelivered(why) => (2, Some(why)),
                    };
                    tally[n].fetch_add(1, Ordering::Relaxed);
                    if let Some(why) = why {
                        said.push((!why.starts_with('/'), *line, why));
                    }
                }
                said.sort();
                if let Ok(mut list) = examples.lock() {
                    for (_, line, why) in said.into_iter().take(10 - list.len().min(10)) {
                        list.push(format!("line {line}: {status} {}", sanitize(&why)));
                    }
                }
                progress.inc(batch.len() as u64);
                log.offer(exchange);
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let examples = examples.lock().map(|l| l.clone()).unwrap_or_default();
    Ok(Report {
        accepted: tally[0].load(Ordering::Relaxed),
        rejected: tally[1].load(Ordering::Relaxed),
        failed: tally[2].load(Ordering::Relaxed),
        examples,
    })
}

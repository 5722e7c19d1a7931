//! Running saved requests and scenarios: each named item `repeat` times, `concurrency` at once,
//! every call's templates resolved afresh (`{{seq}}` numbered as calls start), checked against
//! the contract unless its step expects a refusal, sent, and judged by its step's expectation.
//! A scenario's steps run in order; the first that does not pass ends that run of it.

pub use super::run_error::RunError;
use super::template::{Scope, Shape};
use super::{Call, Collection, Expect, Save, Side, Step};
use crate::api::{self, Method};
use crate::client::{Client, Exchange, Outcome, Target};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How a run goes.
#[derive(Debug, Clone)]
pub struct Options {
    pub repeat: u32,
    pub concurrency: usize,
    /// Makes every generator reproducible (with one call at a time, the whole run).
    pub seed: u64,
    /// `--var NAME=VALUE`, over the file's vars.
    pub vars: BTreeMap<String, Value>,
    /// The profile's ids, for `{{profile.userId}}` and the like.
    pub profile_ids: BTreeMap<String, String>,
    /// The variables `{{env NAME}}` may read.
    pub env: super::template::Env,
    /// Reports carry each body sent (else only the refused ones': a long run saves the copies).
    pub keep_bodies: bool,
    /// `run --bulk N`: calls go N to a Runtime API `/bulk` request (a step's `bulk = N` says
    /// so for its own calls).
    pub bulk: Option<u16>,
}

/// What became of one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Delivered, and what its step expected.
    Passed,
    /// Delivered (or refused as asked), but not what was expected: why.
    Failed(String),
    /// Refused before sending (the contract, a template, the key in the body) or by a 4xx that
    /// no expectation asked for.
    Refused(String),
    /// No answer after the retries.
    Undelivered(String),
}

/// One call of a run.
#[derive(Debug, Clone)]
pub struct CallReport {
    /// The request or scenario named on the command line.
    pub item: String,
    /// The step (1-based) for a scenario.
    pub step: Option<usize>,
    /// Which of the item's repeats (1-based).
    pub round: u32,
    pub seq: u64,
    pub method: Method,
    /// The body as sent (or as it would have been).
    pub body: String,
    pub exchange: Option<Exchange>,
    pub verdict: Verdict,
    /// Sent as an item of a `/bulk` batch: `exchange` is the batch's, shared by its items.
    pub batch: Option<BatchPart>,
}

/// Which item of its batch a call was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchPart {
    /// 0-based: the batch's first item's report is the one that logs the exchange.
    pub index: usize,
    pub of: usize,
}

/// The items to run, known to exist.
pub fn plan(collection: &Collection, names: &[String]) -> Result<Vec<String>, RunError> {
    let known = collection.names();
    for name in names {
        if !known.contains(&name.as_str()) {
            return Err(RunError::NoSuchItem {
                name: name.clone(),
                path: collection.path.clone(),
                hint: api::suggest::nearest(name, &known).map(str::to_owned),
            });
        }
    }
    Ok(names.to_vec())
}

/// The variables the calls of `items` read with `{{env NAME}}`, so a run can refuse the ones
/// not allowed before it sends anything.
pub fn env_read(collection: &Collection, items: &[String]) -> BTreeSet<String> {
    let mut gens = Vec::new();
    for item in items {
        if let Some(request) = collection.requests.get(item) {
            super::template::gens(&request.body, &mut gens);
        }
        for step in collection.scenarios.get(item).into_iter().flatten() {
            match &step.call {
                Call::Request(name) => {
                    if let Some(r) = collection.requests.get(name) {
                        super::template::gens(&r.body, &mut gens);
                    }
                }
                Call::Inline { body, .. } => super::template::gens(body, &mut gens),
            }
        }
    }
    gens.into_iter()
        .filter_map(|g| match g {
            super::template::Gen::Env(name) => Some(name),
            _ => None,
        })
        .collect()
}

/// Whether a step of `items` asks for batches (`bulk = N`).
pub fn uses_bulk(collection: &Collection, items: &[String]) -> bool {
    items.iter().any(|item| {
        collection
            .scenarios
            .get(item)
            .is_some_and(|steps| steps.iter().any(|s| s.bulk.is_some()))
    })
}

pub(super) struct Shared {
    collection: Collection,
    /// The file's vars with the command line's over them.
    pub(super) names: BTreeMap<String, Value>,
    pub(super) options: Options,
    pub(super) target: Target,
    items: Vec<String>,
    /// Every repeat of every item, numbered as they are taken: produced one at a time, so a
    /// run of any length holds no list of them.
    units: u64,
    pub(super) next: AtomicU64,
    seq: AtomicU64,
    pub(super) report: Box<dyn Fn(CallReport) + Send + Sync>,
}

/// Runs `items` (see [`plan`]), reporting each call as it finishes.
pub async fn run(
    collection: Collection,
    items: Vec<String>,
    options: Options,
    client: &Client,
    target: Target,
    report: impl Fn(CallReport) + Send + Sync + 'static,
) {
    let units = u64::from(options.repeat.max(1)) * items.len() as u64;
    let workers = options
        .concurrency
        .clamp(1, usize::try_from(units).unwrap_or(usize::MAX).max(1));
    let mut names = collection.vars.clone();
    names.extend(options.vars.clone());
    let shared = Arc::new(Shared {
        names,
        collection,
        options,
        target,
        items,
        units,
        next: AtomicU64::new(0),
        seq: AtomicU64::new(0),
        report: Box::new(report),
    });
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let shared = Arc::clone(&shared);
        let mut worker = client.worker(&shared.target);
        tasks.spawn(async move {
            if let Some(per) = shared.options.bulk {
                return super::run_bulk::units(&shared, &mut worker, per).await;
            }
            while let Some((item, round)) = shared.unit(shared.next.fetch_add(1, Ordering::Relaxed))
            {
                run_unit(&shared, &mut worker, item, round).await;
            }
        });
    }
    while tasks.join_next().await.is_some() {}
}

impl Shared {
    /// The `n`th call of the run (0-based): each item of round 1, then of round 2…
    pub(super) fn unit(&self, n: u64) -> Option<(&str, u32)> {
        let len = self.items.len() as u64;
        (n < self.units).then(|| {
            (
                self.items[(n % len) as usize].as_str(),
                (n / len + 1) as u32,
            )
        })
    }
}

/// The lone request `item` names, as a call of round `round`.
pub(super) fn lone<'a>(shared: &'a Shared, item: &'a str, round: u32) -> Option<One<'a>> {
    const NOTHING: Expect = Expect {
        status: None,
        code: None,
        error_path: None,
        warning: None,
    };
    shared.collection.requests.get(item).map(|request| One {
        item,
        step: None,
        round,
        method: request.method,
        body: &request.body,
        expect: &NOTHING,
        save: &[],
    })
}

pub(super) async fn run_unit(
    shared: &Shared,
    worker: &mut crate::client::Worker,
    item: &str,
    round: u32,
) {
    if let Some(request) = shared.collection.requests.get(item) {
        let expect = Expect::default();
        let call = One {
            item,
            step: None,
            round,
            method: request.method,
            body: &request.body,
            expect: &expect,
            save: &[],
        };
        // A lone request saves nothing: the shared names serve, uncopied.
        call.go(shared, worker, &mut Names::Shared(&shared.names))
            .await;
        return;
    }
    let mut names = Names::Own(shared.names.clone());
    let Some(steps) = shared.collection.scenarios.get(item) else {
        return;
    };
    for (n, step) in steps.iter().enumerate() {
        let Step {
            call,
            save,
            repeat,
            expect,
            bulk,
            ..
        } = step;
        let (method, body) = match call {
            Call::Request(name) => match shared.collection.requests.get(name) {
                Some(r) => (r.method, &r.body),
                None => return,
            },
            Call::Inline { method, body } => (*method, body),
        };
        if let Some(per) = bulk.or(shared.options.bulk) {
            let one = One {
                item,
                step: Some(n + 1),
                round,
                method,
                body,
                expect,
                save,
            };
            if !super::run_bulk::step(shared, worker, one, *repeat, per, &mut names).await {
                return;
            }
            continue;
        }
        for _ in 0..*repeat {
            let call = One {
                item,
                step: Some(n + 1),
                round,
                method,
                body,
                expect,
                save,
            };
            if !call.go(shared, worker, &mut names).await {
                return;
            }
        }
    }
}

/// One call about to be made.
#[derive(Clone, Copy)]
pub(super) struct One<'a> {
    pub(super) item: &'a str,
    pub(super) step: Option<usize>,
    pub(super) round: u32,
    pub(super) method: Method,
    body: &'a Shape,
    pub(super) expect: &'a Expect,
    pub(super) save: &'a [Save],
}

impl One<'_> {
    /// Makes the call and reports it; `true` when it passed (a scenario goes on).
    pub(super) async fn go(
        self,
        shared: &Shared,
        worker: &mut crate::client::Worker,
        names: &mut Names<'_>,
    ) -> bool {
        let (mut report, body) = match self.prepare(shared, names) {
            Ok(ready) => ready,
            Err(refused) => {
                (shared.report)(refused);
                return false;
            }
        };
        // The text goes out as the request's bytes; the report keeps the same buffer.
        let text = if shared.options.keep_bodies {
            report.body.clone()
        } else {
            std::mem::take(&mut report.body)
        };
        let exchange = worker
            .send(
                &shared.target,
                self.method.as_str(),
                bytes::Bytes::from(text),
            )
            .await;
        report.verdict = judge(self.expect, &exchange);
        if report.verdict == Verdict::Passed
            && !self.save.is_empty()
            && let Err(e) = save(self.save, &body, &exchange, names.own())
        {
            report.verdict = Verdict::Failed(e.to_string());
        }
        report.exchange = Some(exchange);
        let passed = report.verdict == Verdict::Passed;
        (shared.report)(report);
        passed
    }

    /// The call's templates resolved afresh and its body checked: its report so far and the
    /// body, or its report refused before sending.
    #[expect(
        clippy::result_large_err,
        reason = "the refusal is the report, made once per call"
    )]
    pub(super) fn prepare(
        &self,
        shared: &Shared,
        names: &Names<'_>,
    ) -> Result<(CallReport, Value), CallReport> {
        let seq = shared.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let resolved = {
            let mut rng = call_rng(shared.options.seed, seq);
            let ids = &shared.options.profile_ids;
            let profile = |field: &str| ids.get(field).cloned();
            let env = |name: &str| shared.options.env.value(name);
            let mut scope = Scope {
                names: names.get(),
                profile: &profile,
                env: &env,
                rng: &mut rng,
                seed: shared.options.seed,
                seq,
                now_ms: api::timestamp::now_ms(),
            };
            scope.resolve(self.body)
        };
        let mut report = CallReport {
            item: self.item.to_owned(),
            step: self.step,
            round: self.round,
            seq,
            method: self.method,
            body: resolved.as_ref().map(Value::to_string).unwrap_or_default(),
            exchange: None,
            verdict: Verdict::Passed,
            batch: None,
        };
        let body = match resolved {
            Ok(body) => body,
            Err(e) => {
                report.verdict = Verdict::Refused(e.to_string());
                return Err(report);
            }
        };
        if let Some(refusal) = self.refusal_before_sending(shared, &body) {
            report.verdict = Verdict::Refused(refusal);
            return Err(report);
        }
        Ok((report, body))
    }

    fn refusal_before_sending(&self, shared: &Shared, body: &Value) -> Option<String> {
        if super::holds_key(body, &shared.target.key) {
            return Some(
                "the resolved body holds the tracking key in use (from a var or {{env …}}?): \
                 not sent, so that the key stays out of bodies, stores and logs"
                    .to_owned(),
            );
        }
        if self.expect.wants_refusal() {
            return None;
        }
        // The rules of the API the profile speaks (a runtime feedback names its flag by `key`).
        let validate = match shared.target.key.api() {
            api::Api::Tracking => api::validate,
            api::Api::Runtime => api::validate_runtime,
        };
        validate(self.method, body, api::timestamp::now_ms())
            .err()
            .map(|errors| {
                let named: Vec<String> = errors
                    .iter()
                    .map(|e| {
                        let at = if e.path.is_empty() { "body" } else { &e.path };
                        format!("{at}: {}", e.message)
                    })
                    .collect();
                format!("not sent, the contract refuses it: {}", named.join("; "))
            })
    }
}

/// The names a call resolves against: the run's, or a scenario run's own copy that its steps
/// save into.
pub(super) enum Names<'a> {
    Shared(&'a BTreeMap<String, Value>),
    Own(BTreeMap<String, Value>),
}

impl Names<'_> {
    fn get(&self) -> &BTreeMap<String, Value> {
        match self {
            Names::Shared(n) => n,
            Names::Own(n) => n,
        }
    }

    pub(super) fn own(&mut self) -> &mut BTreeMap<String, Value> {
        if let Names::Shared(n) = self {
            *self = Names::Own((*n).clone());
        }
        match self {
            Names::Own(n) => n,
            Names::Shared(_) => unreachable!("made own just above"),
        }
    }
}

/// The generator of call `seq`: each call's values depend on the run's seed and its number only,
/// so `run --dry-run` shows the values a real run under the same `--seed` sends.
pub(super) fn call_rng(seed: u64, seq: u64) -> fastrand::Rng {
    fastrand::Rng::with_seed(mix(seed, seq))
}

fn mix(seed: u64, seq: u64) -> u64 {
    let mut z = seed ^ seq.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The verdict on an answer: what the step expected (a 2xx when it said nothing).
pub fn judge(expect: &Expect, exchange: &Exchange) -> Verdict {
    if exchange.outcome == Outcome::Failed {
        return Verdict::Undelivered(exchange.problem().unwrap_or_default());
    }
    let status = exchange.status().unwrap_or(0);
    let said = || exchange.problem().unwrap_or_default();
    match expect.status {
        Some(wanted) if wanted != status => {
            return Verdict::Failed(format!("expected {wanted}, got {status}: {}", said()));
        }
        None if !(200..300).contains(&status) => {
            return Verdict::Refused(format!("{status}: {}", said()));
        }
        _ => {}
    }
    if let Some(code) = &expect.code {
        let got = exchange
            .error_code
            .map(|c| code_text(&c))
            .unwrap_or_default();
        if &got != code {
            return Verdict::Failed(format!("expected error code {code}, got {}", or_none(&got)));
        }
    }
    if let Some(path) = &expect.error_path
        && !exchange.validation_errors.iter().any(|e| &e.path == path)
    {
        let paths: Vec<&str> = exchange
            .validation_errors
            .iter()
            .map(|e| e.path.as_str())
            .collect();
        return Verdict::Failed(format!(
            "expected an error at {path}, got {}",
            or_none(&paths.join(", "))
        ));
    }
    if let Some(warning) = &expect.warning
        && !exchange
            .warnings
            .iter()
            .any(|w| code_text(&w.code) == *warning)
    {
        let got: Vec<String> = exchange
            .warnings
            .iter()
            .map(|w| code_text(&w.code))
            .collect();
        return Verdict::Failed(format!(
            "expected the warning {warning}, got {}",
            or_none(&got.join(", "))
        ));
    }
    Verdict::Passed
}

/// A code as the API writes it (`UNASSOCIATED_USER`).
fn code_text(code: &impl serde::Serialize) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn or_none(text: &str) -> &str {
    if text.is_empty() { "none" } else { text }
}

/// Keeps what a step saves, for the steps after it.
pub(super) fn save(
    saves: &[Save],
    body: &Value,
    exchange: &Exchange,
    names: &mut BTreeMap<String, Value>,
) -> Result<(), RunError> {
    let answer = exchange.response_json();
    for s in saves {
        let (side, source) = match s.from {
            Side::Request => ("request", Some(body)),
            Side::Response => ("response", answer.as_ref()),
        };
        let found = source.and_then(|v| v.pointer(&s.pointer)).cloned();
        match found {
            Some(value) => {
                names.insert(s.name.clone(), value);
            }
            None => {
                return Err(RunError::NothingToSave {
                    name: s.name.clone(),
                    side,
                    pointer: s.pointer.clone(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;

//! The console on the shared loop (`term::face_loop`): terminal events and finished effects
//! become actions; `update` changes the state and asks for effects; effects run in tasks and
//! report back. The screen is drawn only when the queue is empty and something changed; ticks
//! run only while a request is in flight.

use super::action::{Action, Effect};
use super::state::State;
use super::{update, view};
use crate::client::{Client, ClientConfig};
use crate::delivery;
use crate::explore::Explorer;
use crate::outbox::Outbox;
use crate::paths;
use crate::profiles::Profile;
use crate::server::RunningServer;
use crate::term::Failure;
use crate::term::face_loop::{self, Face, Step};
use base64::Engine;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// Entries of the history shown in the log.
const LOG_ENTRIES: u64 = 10_000;

/// What the effects need, shared by their tasks.
struct Runner {
    actions: UnboundedSender<Action>,
    client: Client,
    /// For health checks and the Data view's reads.
    http: reqwest::Client,
    journals: Arc<delivery::Journals>,
    embedded: Arc<tokio::sync::Mutex<Option<RunningServer>>>,
    /// The Traffic view's stream; a new one replaces it.
    traffic: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// Opened on first use, off the path to the first frame.
    outbox: std::sync::OnceLock<Result<Arc<Mutex<Outbox>>, Failure>>,
    /// Wakes the delivery task (an item was just queued).
    outbox_wake: Arc<tokio::sync::Notify>,
}

/// Runs the console until the user quits. `embedded` is the server started for `local`, if any.
/// `mouse`: whether to capture the mouse (`config.toml`'s `mouse = false` leaves selection to
/// the terminal).
pub async fn run(state: State, embedded: Option<RunningServer>, mouse: bool) -> Result<(), String> {
    let mut state = state;
    if let Some(local) = &mut state.local {
        local.in_process = embedded.is_some();
    }
    let client = Client::new(ClientConfig::default()).map_err(|e| e.to_string())?;
    let (actions, queue) = unbounded_channel();
    let http = crate::net::client(Duration::from_secs(3)).map_err(|e| e.to_string())?;
    let runner = Arc::new(Runner {
        actions,
        client,
        http,
        journals: Arc::new(delivery::Journals::new()),
        embedded: Arc::new(tokio::sync::Mutex::new(embedded)),
        traffic: Mutex::new(None),
        outbox: std::sync::OnceLock::new(),
        outbox_wake: Arc::new(tokio::sync::Notify::new()),
    });
    let (targets, _) = tokio::sync::watch::channel(state.target());
    let mut console = Console {
        state,
        runner,
        mouse,
        targets,
        watchers: Vec::new(),
    };
    let ticker = tokio::time::interval(Duration::from_millis(100));
    face_loop::run(&mut console, mouse, queue, ticker)
        .await
        .map_err(|e| e.to_string())
}

/// The console as the shared loop runs it: its state, what runs its effects, and what follows
/// the state from outside (the outbox's deliverer, the file watchers).
struct Console {
    state: State,
    runner: Arc<Runner>,
    mouse: bool,
    /// The profile in use, for the outbox's deliverer.
    targets: tokio::sync::watch::Sender<crate::client::Target>,
    /// Kept for the loop's life: dropping one stops its watching.
    watchers: Vec<notify::RecommendedWatcher>,
}

impl Face for Console {
    type Action = Action;
    type Outside = (super::action::Edited, String);

    fn action_from(event: crossterm::event::Event) -> Option<Action> {
        Action::from_terminal(event)
    }

    fn tick() -> Action {
        Action::Tick
    }

    fn needs_ticks(&self) -> bool {
        self.state.needs_ticks()
    }

    fn resized(&mut self, width: u16, height: u16) {
        self.state.size = (width, height);
    }

    fn started(&mut self) {
        let runner = &self.runner;
        run_effect(runner, Effect::LoadHistory);
        run_effect(runner, Effect::LoadCollection);
        run_effect(
            runner,
            Effect::CheckHealth {
                base_url: self.state.base_url.clone(),
            },
        );
        self.watchers
            .extend(super::watch::history(runner.actions.clone()));
        self.watchers
            .extend(super::watch::collection(runner.actions.clone()));
        tokio::spawn(deliver_outbox(Arc::clone(runner), self.targets.subscribe()));
    }

    fn apply(&mut self, batch: Vec<Action>) -> Step<Self::Outside> {
        let state = &mut self.state;
        let applied = update::apply(state, batch, crate::api::timestamp::now_ms());
        let outside = run_effects(&self.runner, applied.effects);
        if !state.quit {
            // Compared in place: a target is built only when the profile really changed.
            self.targets.send_if_modified(|t| {
                let changed = t.profile != state.profile.name
                    || t.base_url != state.base_url
                    || t.key != state.profile.key;
                if changed {
                    *t = state.target();
                }
                changed
            });
        }
        Step {
            redraw: applied.redraw,
            quit: state.quit,
            restart_ticks: false,
            outside,
        }
    }

    fn draw(&self, frame: &mut ratatui::Frame) {
        view::draw(frame, &self.state);
    }

    /// Hands the terminal to the user's editor.
    async fn outside(&mut self, (what, text): Self::Outside) {
        let extension = match what {
            super::action::Edited::Body(_) => "json",
            super::action::Edited::Comment(_) => "txt",
        };
        let result = crate::term::edit_externally(&text, extension, self.mouse).await;
        let _ = self
            .runner
            .actions
            .send(Action::EditedExternally { what, result });
    }
}

/// Runs effects in tasks, except an external edit, which the loop runs itself: it is returned.
fn run_effects(
    runner: &Arc<Runner>,
    effects: Vec<Effect>,
) -> Option<(super::action::Edited, String)> {
    let mut edit = None;
    for effect in effects {
        match effect {
            Effect::EditExternally { what, text } => edit = Some((what, text)),
            effect => run_effect(runner, effect),
        }
    }
    edit
}

fn run_effect(runner: &Arc<Runner>, effect: Effect) {
    let runner = Arc::clone(runner);
    match effect {
        Effect::Send {
            target,
            method,
            body,
        } => {
            tokio::spawn(async move {
                let body = bytes::Bytes::from(body);
                let exchange = delivery::send_logged(
                    &runner.client,
                    &runner.journals,
                    crate::outbox::Origin::Console,
                    &target,
                    method.as_str(),
                    body,
                )
                .await;
                let _ = runner.actions.send(Action::Sent(Box::new(exchange)));
            });
        }
        Effect::LoadHistory => {
            tokio::task::spawn_blocking(move || {
                let history = runner.journals.developer.open().map_err(Failure::from);
                // The mark first: whatever is written after it is read as a change later.
                if let Ok(last) = history.as_ref().map(crate::history::History::last_change) {
                    let _ = runner
                        .actions
                        .send(Action::HistoryChanges(Ok((Vec::new(), last.unwrap_or(0)))));
                }
                let result = history.and_then(|h| h.recent(LOG_ENTRIES, 0).map_err(Failure::from));
                let _ = runner.actions.send(Action::HistoryLoaded(result));
            });
        }
        Effect::RunScenario { .. } | Effect::LoadCollection | Effect::SaveRequest { .. } => {
            collection_effect(runner, effect);
        }
        Effect::LoadHistoryChanges { since } => {
            tokio::task::spawn_blocking(move || {
                let result = runner
                    .journals
                    .developer
                    .changes_since(since)
                    .map_err(Failure::from);
                let _ = runner.actions.send(Action::HistoryChanges(result));
            });
        }
        Effect::CheckHealth { base_url } => {
            tokio::spawn(async move {
                let result = check_health(&runner.http, &base_url).await;
                let _ = runner.actions.send(Action::Health { base_url, result });
            });
        }
        Effect::ProbeHealth { base_url, after_ms } => {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(after_ms)).await;
                let result = check_health(&runner.http, &base_url).await;
                let _ = runner.actions.send(Action::Health { base_url, result });
            });
        }
        Effect::SwitchProfile(profile) => {
            tokio::spawn(async move {
                let result = switch(&runner, profile).await;
                let _ = runner.actions.send(Action::TargetReady(result));
            });
        }
        Effect::ChangeProfiles(_) | Effect::LoadProfiles => profiles_effect(runner, effect),
        Effect::LoadData { .. } | Effect::LoadEntity { .. } => data_effect(runner, effect),
        Effect::Enqueue(exchange) => enqueue(runner, *exchange),
        Effect::LoadStars { .. } => stars_effect(runner, effect),
        Effect::LoadResults(target) => {
            tokio::spawn(async move {
                let result = crate::results::load(&target, None, &runner.journals.developer)
                    .await
                    .map_err(Failure::from);
                let _ = runner.actions.send(Action::ResultsLoaded(result));
            });
        }
        Effect::LoadOutbox | Effect::RetryOutbox | Effect::DropOutboxItem(_) => {
            outbox_effect(runner, effect);
        }
        Effect::WatchTraffic { target, generation } => {
            let task = tokio::spawn(follow_traffic(Arc::clone(&runner), target, generation));
            if let Ok(mut slot) = runner.traffic.lock()
                && let Some(old) = slot.replace(task)
            {
                old.abort();
            }
        }
        // Run by the loop itself, which owns the terminal.
        Effect::EditExternally { .. } => {}
        Effect::Copy(text) => {
            // OSC 52: the terminal (or tmux, or the SSH client's terminal) sets the clipboard.
            let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
            let mut out = std::io::stdout();
            let _ = write!(out, "\u{1b}]52;c;{encoded}\u{7}");
            let _ = out.flush();
        }
    }
}

/// The collection's effects: reading the file, running a scenario of it.
fn collection_effect(runner: Arc<Runner>, effect: Effect) {
    match effect {
        Effect::SaveRequest {
            path,
            name,
            method,
            body,
            replace,
        } => {
            tokio::task::spawn_blocking(move || {
                let written = if replace {
                    crate::collection::write::replace_entry(&path, &name, method, &body)
                } else {
                    let text = crate::collection::write::entry(&name, method, &body);
                    crate::collection::write::append(&path, &name, &text)
                };
                let result = written
                    .map(|()| name)
                    .map_err(|e| crate::sanitize::sanitize(&e));
                let _ = runner.actions.send(Action::RequestSaved(result));
            });
        }
        Effect::RunScenario {
            collection,
            name,
            target,
            profile_ids,
            env,
        } => {
            tokio::spawn(async move {
                let options = crate::collection::run::Options {
                    repeat: 1,
                    concurrency: 1,
                    seed: fastrand::u64(..),
                    vars: std::collections::BTreeMap::new(),
                    profile_ids,
                    env,
                    keep_bodies: false,
                };
                let (journals, actions) = (Arc::clone(&runner.journals), runner.actions.clone());
                let report = move |mut report: crate::collection::run::CallReport| {
                    // Each call is an exchange of this console's, in its log like a send.
                    if let Some(exchange) = report.exchange.take() {
                        let mut one = [exchange];
                        journals.developer.append(&mut one);
                        let [logged] = one;
                        report.exchange = Some(logged);
                    }
                    let _ = actions.send(Action::ScenarioCall(Box::new(report)));
                };
                crate::collection::run::run(
                    *collection,
                    vec![name],
                    options,
                    &runner.client,
                    target,
                    report,
                )
                .await;
                let _ = runner.actions.send(Action::ScenarioDone);
            });
        }
        Effect::LoadCollection => {
            tokio::task::spawn_blocking(move || {
                let _ = runner
                    .actions
                    .send(Action::CollectionLoaded(super::watch::read_collection()));
            });
        }
        _ => {}
    }
}

/// Funnels from the local server, for the Features view or a company in the Data view.
fn stars_effect(runner: Arc<Runner>, effect: Effect) {
    if let Effect::LoadStars {
        target,
        request,
        purpose,
    } = effect
    {
        tokio::spawn(async move {
            let explorer =
                Explorer::with_client(runner.http.clone(), &target.base_url, target.key.data_key());
            let result = explorer.stars(&request).await.map_err(Failure::from);
            let _ = runner.actions.send(Action::StarsLoaded { purpose, result });
        });
    }
}

/// The Data view's reads.
fn data_effect(runner: Arc<Runner>, effect: Effect) {
    match effect {
        Effect::LoadData {
            target,
            query,
            generation,
        } => {
            tokio::spawn(async move {
                let explorer = Explorer::with_client(
                    runner.http.clone(),
                    &target.base_url,
                    target.key.data_key(),
                );
                let result = explorer.page(&query).await.map_err(Failure::from);
                let _ = runner
                    .actions
                    .send(Action::DataLoaded { generation, result });
            });
        }
        Effect::LoadEntity { target, which } => {
            tokio::spawn(async move {
                let explorer = Explorer::with_client(
                    runner.http.clone(),
                    &target.base_url,
                    target.key.data_key(),
                );
                let result = explorer.entity(&which).await.map_err(Failure::from);
                let _ = runner.actions.send(Action::EntityLoaded { which, result });
            });
        }
        _ => {}
    }
}

/// Reads the profiles file, or changes it under its lock, off the async threads: either way the
/// console gets the file as it is after.
fn profiles_effect(runner: Arc<Runner>, effect: Effect) {
    tokio::task::spawn_blocking(move || {
        let path = paths::profiles_file().map_err(Failure::from);
        let action = match effect {
            Effect::ChangeProfiles(change) => Action::ProfilesChanged(path.and_then(|path| {
                crate::profiles::update(&path, &change)
                    .map(|(_, all)| all)
                    .map_err(Failure::from)
            })),
            _ => Action::ProfilesRead(path.and_then(|path| {
                crate::profiles::load(&path)
                    .map(|(all, _)| all)
                    .map_err(Failure::from)
            })),
        };
        let _ = runner.actions.send(action);
    });
}

/// Commits a call that could not be delivered to the outbox, then says so.
fn enqueue(runner: Arc<Runner>, exchange: crate::client::Exchange) {
    tokio::task::spawn_blocking(move || {
        let result = outbox(&runner).and_then(|outbox| {
            delivery::enqueue(
                &outbox,
                &runner.journals,
                &exchange,
                crate::outbox::Origin::Console,
            )
            .map_err(Failure::from)
        });
        let _ = runner.actions.send(Action::Queued {
            entry: exchange.id,
            result,
        });
        runner.outbox_wake.notify_one();
    });
}

/// Reads the outbox for its view, after retrying or dropping when asked.
fn outbox_effect(runner: Arc<Runner>, effect: Effect) {
    tokio::task::spawn_blocking(move || {
        let result = outbox(&runner).and_then(|outbox| {
            let outbox = outbox
                .lock()
                .map_err(|_| Failure::message("the outbox was left unusable by a crashed task"))?;
            match effect {
                Effect::RetryOutbox => outbox.retry_now(),
                Effect::DropOutboxItem(id) => outbox.drop_item(id).inspect(|()| {
                    runner.journals.developer.unlink(id);
                }),
                _ => Ok(()),
            }
            .map_err(Failure::from)?;
            outbox.list().map_err(Failure::from)
        });
        let _ = runner.actions.send(Action::OutboxLoaded(result));
        runner.outbox_wake.notify_one();
    });
}

/// The outbox, opened the first time it is needed.
fn outbox(runner: &Runner) -> Result<Arc<Mutex<Outbox>>, Failure> {
    runner
        .outbox
        .get_or_init(|| delivery::open_outbox().map_err(Failure::from))
        .clone()
}

/// Delivers the outbox in the background for whichever profile is in use.
async fn deliver_outbox(
    runner: Arc<Runner>,
    targets: tokio::sync::watch::Receiver<crate::client::Target>,
) {
    let opened = {
        let runner = Arc::clone(&runner);
        tokio::task::spawn_blocking(move || outbox(&runner)).await
    };
    let Ok(Ok(outbox)) = opened else {
        return;
    };
    let deliverer = delivery::Deliverer {
        outbox,
        client: runner.client.clone(),
        journals: Arc::clone(&runner.journals),
        face: crate::outbox::Origin::Console,
        wake: Arc::clone(&runner.outbox_wake),
    };
    let actions = runner.actions.clone();
    delivery::run(deliverer, targets, move |round| {
        let _ = actions.send(Action::OutboxDelivered {
            exchanges: round.exchanges,
            delivered: round.delivered,
            rejected: round.rejected,
            waiting: round.waiting,
        });
    })
    .await;
}

/// Resolves a profile; `local` reuses the embedded server when one runs.
async fn switch(runner: &Runner, profile: Profile) -> Result<(Profile, String, bool), Failure> {
    let mut embedded = runner.embedded.lock().await;
    if profile.is_local()
        && let Some(server) = embedded.as_ref()
    {
        return Ok((profile, server.base_url(), true));
    }
    let resolved = crate::target::resolve_profile(&profile, false)
        .await
        .map_err(Failure::from)?;
    let in_process = resolved.embedded.is_some();
    if let Some(server) = resolved.embedded {
        *embedded = Some(server);
    }
    Ok((profile, resolved.target.base_url, in_process))
}

/// The local server answers its health route; any other server answers at all (the Data view
/// finds out on its own whether a server has the inspection routes).
async fn check_health(http: &reqwest::Client, base_url: &str) -> Result<(), Failure> {
    http.get(format!("{base_url}/_local/health"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .map_err(|e| {
            if crate::net::is_refused(&e) {
                Failure::message("connection refused")
            } else {
                Failure::from(e.without_url())
            }
        })?;
    Ok(())
}

/// Recorded requests as actions: the newest few, then the live stream, reconnecting after a
/// failure from the last one seen.
async fn follow_traffic(runner: Arc<Runner>, target: crate::client::Target, generation: u64) {
    use crate::tui::traffic::Link;
    use futures_util::StreamExt;
    let explorer =
        Explorer::with_client(runner.http.clone(), &target.base_url, target.key.data_key());
    let link = |link: Link| {
        let _ = runner
            .actions
            .send(Action::TrafficLink { generation, link });
    };
    let record = |record| {
        let _ = runner.actions.send(Action::TrafficRecord {
            generation,
            record: Box::new(record),
        });
    };
    let mut last: Option<u64> = None;
    loop {
        if last.is_none() {
            match explorer.requests(None, 200).await {
                Ok(backlog) => {
                    for r in backlog {
                        last = r.id.parse().ok().or(last);
                        record(r);
                    }
                    last = last.or(Some(0));
                }
                Err(crate::explore::ExploreError::NotLocal) => {
                    link(Link::Lost(
                        crate::explore::ExploreError::NotLocal.to_string(),
                    ));
                    return;
                }
                Err(e) => link(Link::Lost(e.to_string())),
            }
        }
        if last.is_some() {
            match explorer.request_stream(last).await {
                Ok(stream) => {
                    link(Link::Live);
                    let mut stream = std::pin::pin!(stream);
                    while let Some(Ok(r)) = stream.next().await {
                        last = r.id.parse().ok().or(last);
                        record(r);
                    }
                    link(Link::Lost("the stream ended; reconnecting".to_owned()));
                }
                Err(e) => link(Link::Lost(e.to_string())),
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

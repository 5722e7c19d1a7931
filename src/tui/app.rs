//! The console on the shared loop (`term::face_loop`): terminal events and finished effects
//! become actions; `update` changes the state and asks for effects; effects run in tasks and
//! report back. The screen is drawn only when the queue is empty and something changed; ticks
//! run only while a request is in flight.

use super::action::{Action, Effect};
use super::effects::{self, Runner, deliver_outbox};
use super::state::State;
use super::{update, view};
use crate::client::{Client, ClientConfig};
use crate::delivery;
use crate::target::Starting;
use crate::term::face_loop::{self, Face, Step};
use crate::term::{FaceError, Failure};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::unbounded_channel;

/// Runs the console until the user quits. `starting` is the server to start for `local`, if any:
/// bound already, it opens its store after the first frame. `mouse`: whether to capture the mouse
/// (`config.toml`'s `mouse = false` leaves selection to the terminal).
pub async fn run(state: State, starting: Option<Starting>, mouse: bool) -> Result<(), FaceError> {
    let mut state = state;
    if let Some(local) = &mut state.local {
        local.in_process = starting.is_some();
    }
    let client = Client::new(ClientConfig::default()).map_err(FaceError::Client)?;
    let (actions, queue) = unbounded_channel();
    let http = crate::net::client(Duration::from_secs(3)).map_err(FaceError::Client)?;
    let runner = Arc::new(Runner {
        actions,
        client,
        http,
        journals: Arc::new(delivery::Journals::new()),
        embedded: Arc::new(tokio::sync::Mutex::new(None)),
        traffic: Mutex::new(None),
        flags_watch: Mutex::new(None),
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
        starting,
    };
    let ticker = tokio::time::interval(Duration::from_millis(100));
    face_loop::run(&mut console, mouse, queue, ticker).await
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
    /// The embedded server until the first frame is on screen.
    starting: Option<Starting>,
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
        effects::run(runner, Effect::LoadHistory);
        effects::run(runner, Effect::LoadCollection);
        let base_url = self.state.base_url.clone();
        match self.starting.take() {
            Some(starting) => start_embedded(runner, starting, base_url),
            None => effects::run(runner, Effect::CheckHealth { base_url }),
        }
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
            effect => effects::run(runner, effect),
        }
    }
    edit
}

/// Runs the embedded server's start (its store opened after the first frame), then checks its
/// health, or says why it did not start. The server's slot is held from now until it is in, so
/// a switch to `local` meanwhile waits for it rather than starting a second one on the same store.
fn start_embedded(runner: &Arc<Runner>, starting: Starting, base_url: String) {
    let Ok(mut embedded) = Arc::clone(&runner.embedded).try_lock_owned() else {
        // Nothing else takes the slot before the first frame; were it taken, only check.
        effects::run(runner, Effect::CheckHealth { base_url });
        return;
    };
    let runner = Arc::clone(runner);
    tokio::spawn(async move {
        match starting.await {
            Ok(server) => {
                *embedded = Some(server);
                drop(embedded);
                effects::run(&runner, Effect::CheckHealth { base_url });
            }
            Err(e) => {
                let error = Failure::from(e);
                let _ = runner
                    .actions
                    .send(Action::LocalServerFailed { base_url, error });
            }
        }
    });
}

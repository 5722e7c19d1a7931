//! The kiosk on the shared loop (`term::face_loop`): terminal events, ticks and finished effects
//! become actions; effects run in tasks. It shares the console's terminal handling, history and
//! outbox delivery.

use super::state::{Ending, KioskState};
use super::update::{Action, Effect, changes_screen, update};
use super::view;
use crate::client::{Client, ClientConfig, Target};
use crate::delivery::{self, Deliverer};
use crate::outbox::Outbox;
use crate::results::Results;
use crate::server::RunningServer;
use crate::term::face_loop::{self, Face, Step};
use crate::term::{FaceError, Failure};
use crossterm::event::Event;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

struct Runner {
    actions: UnboundedSender<Action>,
    client: Client,
    target: Target,
    journals: Arc<delivery::Journals>,
    outbox: Arc<Mutex<Outbox>>,
    wake: Arc<Notify>,
}

/// Runs the kiosk until Ctrl+C and a key on the results. `embedded` is the local server started
/// for the `local` profile, kept alive meanwhile.
pub async fn run(
    mut state: KioskState,
    target: Target,
    embedded: Option<RunningServer>,
) -> Result<(), FaceError> {
    let outbox = tokio::task::spawn_blocking(delivery::open_outbox)
        .await
        .map_err(FaceError::Task)?
        .map_err(FaceError::Outbox)?;
    let (actions, queue) = unbounded_channel();
    let runner = Arc::new(Runner {
        actions,
        client: Client::new(ClientConfig::default()).map_err(FaceError::Client)?,
        target,
        journals: Arc::new(delivery::Journals::new()),
        outbox,
        wake: Arc::new(Notify::new()),
    });
    state.outbox_waiting = delivery::waiting(&runner.outbox);
    spawn_delivery(&runner);
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    // Ticks missed while nothing counted must not arrive in a burst when counting starts.
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.reset();
    let mut kiosk = Kiosk { state, runner };
    face_loop::run(&mut kiosk, true, queue, ticker).await?;
    drop(embedded);
    Ok(())
}

/// The kiosk as the shared loop runs it: its state, and what runs its effects.
struct Kiosk {
    state: KioskState,
    runner: Arc<Runner>,
}

impl Face for Kiosk {
    type Action = Action;
    type Outside = std::convert::Infallible;

    fn action_from(event: Event) -> Option<Action> {
        match event {
            Event::Key(k) => Some(Action::Key(k)),
            Event::Mouse(m) => Some(Action::Mouse(m)),
            Event::Resize(w, h) => Some(Action::Resize(w, h)),
            _ => None,
        }
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

    fn apply(&mut self, batch: Vec<Action>) -> Step<Self::Outside> {
        let key = batch.first().is_some_and(|action| {
            matches!(action, Action::Key(_) | Action::Mouse(_)) && changes_screen(action)
        });
        let mut redraw = false;
        for action in batch {
            redraw |= changes_screen(&action);
            for effect in update(&mut self.state, action) {
                run_effect(&self.runner, &self.state, effect);
            }
        }
        Step {
            redraw,
            quit: self.state.ending == Ending::Quit,
            // The countdown restarts from a full second after every key.
            restart_ticks: key,
            outside: None,
        }
    }

    fn draw(&self, frame: &mut ratatui::Frame) {
        view::draw(frame, &self.state);
    }

    async fn outside(&mut self, work: Self::Outside) {
        match work {}
    }
}

fn spawn_delivery(runner: &Arc<Runner>) {
    let deliverer = Deliverer {
        outbox: Arc::clone(&runner.outbox),
        client: runner.client.clone(),
        journals: Arc::clone(&runner.journals),
        face: crate::outbox::Origin::Kiosk,
        wake: Arc::clone(&runner.wake),
    };
    let (sender, targets) = tokio::sync::watch::channel(runner.target.clone());
    let actions = runner.actions.clone();
    tokio::spawn(async move {
        // The kiosk's target never changes; the sender lives as long as the task.
        let _sender = sender;
        delivery::run(deliverer, targets, move |round| {
            let _ = actions.send(Action::Outbox {
                waiting: round.waiting,
                delivered: round.delivered > 0,
            });
        })
        .await;
    });
}

fn run_effect(runner: &Arc<Runner>, state: &KioskState, effect: Effect) {
    let runner = Arc::clone(runner);
    match effect {
        Effect::Send {
            purpose,
            respondent,
            method,
            body,
        } => {
            tokio::spawn(async move {
                let body = bytes::Bytes::from(body.to_string());
                let exchange = delivery::send_logged(
                    &runner.client,
                    &runner.journals,
                    crate::outbox::Origin::Kiosk,
                    &runner.target,
                    method,
                    body,
                )
                .await;
                let _ = runner.actions.send(Action::Sent {
                    purpose,
                    respondent,
                    exchange: Box::new(exchange),
                });
            });
        }
        Effect::Enqueue {
            purpose,
            respondent,
            exchange,
        } => {
            tokio::task::spawn_blocking(move || {
                let result = delivery::enqueue(
                    &runner.outbox,
                    &runner.journals,
                    &exchange,
                    crate::outbox::Origin::Kiosk,
                )
                .map_err(Failure::from);
                let _ = runner.actions.send(Action::Queued {
                    purpose,
                    respondent,
                    result,
                });
                runner.wake.notify_one();
            });
        }
        Effect::Merge {
            item,
            fields,
            fallback,
        } => {
            tokio::task::spawn_blocking(move || {
                let merged = runner
                    .outbox
                    .lock()
                    .map_err(|_| ())
                    .and_then(|o| o.merge_into(item, &fields).map_err(|_| ()));
                if merged != Ok(true) {
                    // Delivered meanwhile (or refused): the comment cannot ride along, so it
                    // goes as a feedback of its own.
                    let _ = runner.actions.send(Action::MergeFailed { fallback });
                }
                runner.wake.notify_one();
            });
        }
        Effect::LoadResults { users } => {
            let feature = state.feature.clone();
            tokio::spawn(async move {
                let result = load_results(&runner, &feature, &users).await;
                let _ = runner.actions.send(Action::ResultsLoaded(result));
            });
        }
    }
}

/// The session's answers for its feature, from the local server's feedback or else this
/// machine's history: only the users this session made (`users` is their ids' prefix).
async fn load_results(runner: &Runner, feature: &str, users: &str) -> Result<Results, Failure> {
    let who = crate::results::Who::UsersStartingWith(users);
    let mut all =
        crate::results::load_of(&runner.target, Some(feature), who, &runner.journals.kiosk).await?;
    Ok(all
        .pop()
        .unwrap_or_else(|| Results::from_stored(feature, &[])))
}

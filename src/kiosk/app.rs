//! The kiosk's loop: terminal events, ticks and finished effects become actions; effects run in
//! tasks. It shares the console's terminal handling, history and outbox delivery.

use super::state::{Ending, KioskState};
use super::update::{Action, Effect, changes_screen, update};
use super::view;
use crate::client::{Client, ClientConfig, Target};
use crate::delivery::{self, Deliverer};
use crate::outbox::Outbox;
use crate::results::Results;
use crate::server::RunningServer;
use crate::term::{Failure, enter_terminal};
use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
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
) -> Result<(), String> {
    let outbox = tokio::task::spawn_blocking(delivery::open_outbox)
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let (actions, mut queue) = unbounded_channel();
    let runner = Arc::new(Runner {
        actions,
        client: Client::new(ClientConfig::default()).map_err(|e| e.to_string())?,
        target,
        journals: Arc::new(delivery::Journals::new()),
        outbox,
        wake: Arc::new(Notify::new()),
    });
    state.outbox_waiting = delivery::waiting(&runner.outbox);
    spawn_delivery(&runner);
    // Taken before the terminal changes, so a signal never leaves it in raw mode.
    let ended = crate::term::asked_to_end();
    tokio::pin!(ended);
    let (mut terminal, _guard) = enter_terminal(true);
    if let Ok(size) = terminal.size() {
        state.size = (size.width, size.height);
    }
    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    // Ticks missed while nothing counted must not arrive in a burst when counting starts.
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.reset();
    terminal
        .draw(|f| view::draw(f, &state))
        .map_err(|e| e.to_string())?;
    loop {
        let action = tokio::select! {
            () = &mut ended => break,
            event = events.next() => match event {
                Some(Ok(Event::Key(k))) => Action::Key(k),
                Some(Ok(Event::Mouse(m))) => Action::Mouse(m),
                Some(Ok(Event::Resize(w, h))) => Action::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(format!("cannot read the terminal: {e}")),
                None => break,
            },
            Some(action) = queue.recv() => action,
            _ = ticker.tick(), if state.needs_ticks() => Action::Tick,
        };
        let key = matches!(action, Action::Key(_) | Action::Mouse(_)) && changes_screen(&action);
        // Everything already waiting is taken before drawing, once, and only if needed.
        let mut batch = vec![action];
        while let Ok(action) = queue.try_recv() {
            batch.push(action);
        }
        let mut redraw = false;
        for action in batch {
            redraw |= changes_screen(&action);
            for effect in update(&mut state, action) {
                run_effect(&runner, &state, effect);
            }
        }
        if key {
            // The countdown restarts from a full second after every key.
            ticker.reset();
        }
        if state.ending == Ending::Quit {
            break;
        }
        if redraw {
            terminal
                .draw(|f| view::draw(f, &state))
                .map_err(|e| e.to_string())?;
        }
    }
    drop(embedded);
    Ok(())
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

//! The kiosk's actions, effects and `update`: pure, like the console's. A score is sent the moment
//! it is picked (as the official widget does); the comment follows as an update of the same
//! feedback, or, if the score could not be delivered, is merged into its outbox item.

use super::state::{Ending, KioskState, Link, Sent, Step, THANKS_SECONDS};
use crate::client::{Exchange, Outcome};
use crate::results::Results;
use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use serde_json::{Map, Value, json};

/// What a call was for, and whose it was (respondents are numbered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Name,
    Score,
    Comment,
}

#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Once a second while something counts down.
    Tick,
    Sent {
        purpose: Purpose,
        respondent: u32,
        exchange: Box<Exchange>,
    },
    Queued {
        purpose: Purpose,
        respondent: u32,
        result: Result<(i64, u64), crate::term::Failure>,
    },
    /// How many calls wait in the outbox, and whether the last delivery reached the server.
    Outbox {
        waiting: u64,
        delivered: bool,
    },
    ResultsLoaded(Result<Results, crate::term::Failure>),
    /// A comment could not join its queued score: `fallback` goes as a feedback of its own.
    MergeFailed {
        fallback: Value,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Send {
        purpose: Purpose,
        respondent: u32,
        method: &'static str,
        body: Value,
    },
    Enqueue {
        purpose: Purpose,
        respondent: u32,
        exchange: Box<Exchange>,
    },
    /// Put these fields into queued item `item` (a comment for a score that waits); if the item
    /// is gone (delivered meanwhile), send `fallback` instead.
    Merge {
        item: i64,
        fields: Map<String, Value>,
        fallback: Value,
    },
    /// The session's results: the answers of users whose id starts with `users`.
    LoadResults { users: String },
}

/// Whether an action can change the screen: not a mouse motion or release (mouse capture reports
/// them all), not a key release.
pub fn changes_screen(action: &Action) -> bool {
    match action {
        Action::Key(key) => key.kind != KeyEventKind::Release,
        Action::Mouse(mouse) => matches!(mouse.kind, MouseEventKind::Down(_)),
        _ => true,
    }
}

pub fn update(state: &mut KioskState, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(key) if key.kind != KeyEventKind::Release => on_key(state, key),
        Action::Key(_) => vec![],
        Action::Mouse(mouse) => on_mouse(state, mouse),
        Action::Resize(w, h) => {
            state.size = (w, h);
            vec![]
        }
        Action::Tick => {
            tick(state);
            vec![]
        }
        Action::Sent {
            purpose,
            respondent,
            exchange,
        } => sent(state, purpose, respondent, *exchange),
        Action::Queued {
            purpose,
            respondent,
            result,
        } => queued(state, purpose, respondent, result),
        Action::Outbox { waiting, delivered } => {
            state.outbox_waiting = waiting;
            if delivered {
                state.link = Link::Online;
            }
            vec![]
        }
        Action::ResultsLoaded(result) => {
            state.results = result.into();
            vec![]
        }
        Action::MergeFailed { fallback } => vec![Effect::Send {
            purpose: Purpose::Comment,
            respondent: 0,
            method: "feedback",
            body: fallback,
        }],
    }
}

fn on_key(state: &mut KioskState, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if state.ending == Ending::Results {
        state.ending = Ending::Quit;
        return vec![];
    }
    if ctrl && key.code == KeyCode::Char('c') {
        state.ending = Ending::Results;
        return vec![Effect::LoadResults {
            users: state.respondent_prefix(),
        }];
    }
    state.idle = 0;
    match &mut state.step {
        Step::Name(input) => match key.code {
            KeyCode::Enter => name_given(state),
            _ => {
                crate::term::edit_line(input, key);
                vec![]
            }
        },
        Step::Score { cursor } => match key.code {
            KeyCode::Char(c @ '1'..='5') => pick(state, c as u8 - b'0'),
            KeyCode::Left => {
                *cursor = (*cursor).saturating_sub(1).max(1);
                vec![]
            }
            KeyCode::Right => {
                *cursor = (*cursor + 1).min(5);
                vec![]
            }
            KeyCode::Enter | KeyCode::Char(' ') => {
                let c = *cursor;
                pick(state, c)
            }
            KeyCode::Char('c' | 'C') => {
                state.step = KioskState::comment_step();
                vec![]
            }
            _ => vec![],
        },
        Step::Comment(area) => {
            let alt_or_shift = key
                .modifiers
                .intersects(KeyModifiers::ALT | KeyModifiers::SHIFT);
            match key.code {
                KeyCode::Enter if alt_or_shift => {
                    area.insert_newline();
                    vec![]
                }
                KeyCode::Enter => {
                    let text = area.lines().join("\n");
                    comment(state, text.trim())
                }
                KeyCode::Esc => {
                    finish(state);
                    vec![]
                }
                _ => {
                    area.input(key);
                    vec![]
                }
            }
        }
        Step::Thanks { .. } => vec![],
    }
}

fn name_given(state: &mut KioskState) -> Vec<Effect> {
    let Step::Name(input) = &state.step else {
        return vec![];
    };
    let name = input.text().trim().to_owned();
    state.step = Step::Score { cursor: 3 };
    if name.is_empty() {
        return vec![];
    }
    state.respondent.name = Some(name.clone());
    vec![Effect::Send {
        purpose: Purpose::Name,
        respondent: state.next_respondent,
        method: "user",
        body: json!({"userId": state.respondent.user_id, "attributes": {"name": name}}),
    }]
}

/// The field the feedback's feature goes in, by the API's rules.
fn feature_field(state: &KioskState) -> &'static str {
    crate::api::Method::feature_field(state.api)
}

fn base_feedback(state: &KioskState) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert(feature_field(state).into(), json!(state.feature));
    body.insert("userId".into(), json!(state.respondent.user_id));
    if let Some(c) = &state.company_id {
        body.insert("companyId".into(), json!(c));
    }
    body.insert("question".into(), json!(state.question));
    body.insert("source".into(), json!("widget"));
    body
}

fn pick(state: &mut KioskState, score: u8) -> Vec<Effect> {
    state.respondent.score = Some(score);
    state.respondent.sent = Sent::InFlight;
    let mut body = base_feedback(state);
    body.insert("score".into(), json!(score));
    state.step = KioskState::comment_step();
    vec![Effect::Send {
        purpose: Purpose::Score,
        respondent: state.next_respondent,
        method: "feedback",
        body: Value::Object(body),
    }]
}

fn comment(state: &mut KioskState, text: &str) -> Vec<Effect> {
    if text.is_empty() {
        finish(state);
        return vec![];
    }
    let respondent = state.next_respondent;
    let effects = match state.respondent.sent.clone() {
        Sent::Stored(id) => vec![Effect::Send {
            purpose: Purpose::Comment,
            respondent,
            method: "feedback",
            body: json!({feature_field(state): state.feature, "userId": state.respondent.user_id,
                         "feedbackId": id, "comment": text}),
        }],
        Sent::InFlight => {
            let alone = comment_only(state, text);
            state.pending.push((respondent, text.to_owned(), alone));
            vec![]
        }
        Sent::Queued(item) => vec![merge(item, text, comment_only(state, text))],
        Sent::Nothing => vec![Effect::Send {
            purpose: Purpose::Comment,
            respondent,
            method: "feedback",
            body: comment_only(state, text),
        }],
    };
    finish(state);
    effects
}

fn comment_only(state: &KioskState, text: &str) -> Value {
    let mut body = base_feedback(state);
    body.insert("comment".into(), json!(text));
    Value::Object(body)
}

fn merge(item: i64, text: &str, fallback: Value) -> Effect {
    let mut fields = Map::new();
    fields.insert("comment".into(), json!(text));
    Effect::Merge {
        item,
        fields,
        fallback,
    }
}

/// The respondent is done: counted, thanked, and the form resets after a few seconds.
fn finish(state: &mut KioskState) {
    state.responses += 1;
    if let Some(s) = state.respondent.score {
        state.scores.push(s);
    }
    state.step = Step::Thanks {
        seconds_left: THANKS_SECONDS,
    };
}

fn tick(state: &mut KioskState) {
    if let Step::Thanks { seconds_left } = &mut state.step {
        *seconds_left = seconds_left.saturating_sub(1);
        if *seconds_left == 0 {
            state.next_person();
        }
        return;
    }
    if state.unfinished() {
        state.idle += 1;
        if state.idle >= state.idle_limit {
            // Walked away: a score already given still counts; the rest is dropped.
            if state.respondent.score.is_some() {
                state.responses += 1;
                if let Some(s) = state.respondent.score {
                    state.scores.push(s);
                }
            }
            state.next_person();
        }
    }
}

fn sent(
    state: &mut KioskState,
    purpose: Purpose,
    respondent: u32,
    exchange: Exchange,
) -> Vec<Effect> {
    state.link = if exchange.status().is_some() && exchange.outcome != Outcome::Failed {
        Link::Online
    } else {
        Link::Offline
    };
    if exchange.outcome == Outcome::Failed {
        return vec![Effect::Enqueue {
            purpose,
            respondent,
            exchange: Box::new(exchange),
        }];
    }
    if purpose != Purpose::Score {
        return vec![];
    }
    let stored = match (&exchange.outcome, &exchange.feedback_id) {
        (Outcome::Delivered, Some(id)) => Some(id.clone()),
        _ => None,
    };
    if respondent == state.next_respondent {
        state.respondent.sent = stored.clone().map_or(Sent::Nothing, Sent::Stored);
    }
    // A comment typed while the score travelled goes now.
    let Some(i) = state.pending.iter().position(|(r, _, _)| *r == respondent) else {
        return vec![];
    };
    let (_, text, alone) = state.pending.remove(i);
    let Ok(body) = serde_json::from_str::<Map<String, Value>>(&exchange.request_body) else {
        return vec![];
    };
    let mut update = Map::new();
    for k in ["featureId", "key", "userId"] {
        if let Some(v) = body.get(k) {
            update.insert(k.into(), v.clone());
        }
    }
    match stored {
        Some(id) => {
            update.insert("feedbackId".into(), json!(id));
            update.insert("comment".into(), json!(text));
        }
        // Refused score: the comment goes alone.
        None => {
            return vec![Effect::Send {
                purpose: Purpose::Comment,
                respondent,
                method: "feedback",
                body: alone,
            }];
        }
    }
    vec![Effect::Send {
        purpose: Purpose::Comment,
        respondent,
        method: "feedback",
        body: Value::Object(update),
    }]
}

fn queued(
    state: &mut KioskState,
    purpose: Purpose,
    respondent: u32,
    result: Result<(i64, u64), crate::term::Failure>,
) -> Vec<Effect> {
    let Ok((item, waiting)) = result else {
        return vec![];
    };
    state.outbox_waiting = waiting;
    if purpose != Purpose::Score {
        return vec![];
    }
    if respondent == state.next_respondent {
        state.respondent.sent = Sent::Queued(item);
    }
    match state.pending.iter().position(|(r, _, _)| *r == respondent) {
        Some(i) => {
            let (_, text, alone) = state.pending.remove(i);
            vec![merge(item, &text, alone)]
        }
        None => vec![],
    }
}

fn on_mouse(state: &mut KioskState, mouse: MouseEvent) -> Vec<Effect> {
    if !matches!(mouse.kind, MouseEventKind::Down(MouseButton::Left)) {
        return vec![];
    }
    state.idle = 0;
    if !matches!(state.step, Step::Score { .. }) {
        return vec![];
    }
    match super::view::face_at(state.size, mouse.column, mouse.row) {
        Some(score) => pick(state, score),
        None => vec![],
    }
}

//! Everything the kiosk shows, in one value: the step the current respondent is at, what was sent
//! for them, the session's tally, and the connection. Rendering reads it and nothing else.

use crate::term::LineInput;
use crate::term::comment_box;
use ratatui_textarea::TextArea;
use serde_json::Value;

pub const DEFAULT_QUESTION: &str = "How satisfied are you with this feature?";
/// Seconds without a key before an unfinished form resets.
pub const IDLE_SECONDS: u32 = 20;
/// What the empty comment box says.
pub const COMMENT_PLACEHOLDER: &str = "Type your comment here: it is optional";
/// Seconds the thank-you stays.
pub const THANKS_SECONDS: u32 = 3;

#[derive(Debug, Clone)]
pub enum Step {
    /// `--ask-name`: a name or email first.
    Name(LineInput),
    /// The five faces; `cursor` is where ←/→ are.
    Score { cursor: u8 },
    /// The comment box, after a score or instead of one.
    Comment(Box<TextArea<'static>>),
    /// "Feedback received, thank you!" for a few seconds.
    Thanks { seconds_left: u32 },
}

/// Where the current respondent's feedback went, so a comment can follow the score.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Sent {
    #[default]
    Nothing,
    /// The score is on its way; a comment waits for its answer.
    InFlight,
    /// Stored by the server under this id.
    Stored(String),
    /// In the outbox as this item: a comment is merged into it.
    Queued(i64),
}

#[derive(Debug, Clone)]
pub struct Respondent {
    pub user_id: String,
    pub name: Option<String>,
    pub score: Option<u8>,
    pub sent: Sent,
    /// A comment typed while the score was still in flight.
    pub pending_comment: Option<String>,
}

impl Respondent {
    pub fn new(user_id: String) -> Self {
        Self {
            user_id,
            name: None,
            score: None,
            sent: Sent::Nothing,
            pending_comment: None,
        }
    }
}

/// Ctrl+C shows the results; a key then leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Running,
    Results,
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Unknown,
    Online,
    Offline,
}

#[derive(Debug, Clone)]
pub struct KioskState {
    pub feature: String,
    /// The profile's API: on the Runtime API the feature is sent as the flag `key`.
    pub api: crate::api::Api,
    pub question: String,
    pub company_id: Option<String>,
    pub ask_name: bool,
    pub step: Step,
    pub respondent: Respondent,
    /// Seconds since the last key, while the form is unfinished.
    pub idle: u32,
    pub idle_limit: u32,
    /// Scores given this session (a comment-only response has none).
    pub scores: Vec<u8>,
    pub responses: u32,
    pub outbox_waiting: u64,
    pub link: Link,
    /// After Ctrl+C: the results, then any key leaves.
    pub results: crate::term::Load<crate::results::Results>,
    pub ending: Ending,
    pub color: bool,
    /// The theme's colours (`config.toml`'s `[theme]`).
    pub palette: crate::term::Palette,
    pub size: (u16, u16),
    /// A new id per respondent; `fresh_id` makes them.
    pub next_respondent: u32,
    pub session: String,
    /// Comments typed while their respondent's score was in flight: the respondent's number,
    /// the comment, and the feedback without its score (what the comment needs if sent alone).
    pub pending: Vec<(u32, String, Value)>,
}

impl KioskState {
    pub fn new(
        feature: String,
        question: Option<String>,
        company_id: Option<String>,
        ask_name: bool,
        session: String,
    ) -> Self {
        let mut state = Self {
            feature,
            api: crate::api::Api::Tracking,
            question: question.unwrap_or_else(|| DEFAULT_QUESTION.to_owned()),
            company_id,
            ask_name,
            step: Step::Score { cursor: 3 },
            respondent: Respondent::new(String::new()),
            idle: 0,
            idle_limit: IDLE_SECONDS,
            scores: Vec::new(),
            responses: 0,
            outbox_waiting: 0,
            link: Link::Unknown,
            results: crate::term::Load::Loading,
            ending: Ending::Running,
            color: true,
            palette: crate::term::ThemeName::Dark.palette(),
            size: (80, 24),
            next_respondent: 0,
            session,
            pending: Vec::new(),
        };
        state.next_person();
        state
    }

    /// A fresh form for the next person, with a new anonymous id.
    pub fn next_person(&mut self) {
        self.next_respondent += 1;
        self.respondent = Respondent::new(format!(
            "{}{}",
            self.respondent_prefix(),
            self.next_respondent
        ));
        self.step = if self.ask_name {
            Step::Name(LineInput::new(""))
        } else {
            Step::Score { cursor: 3 }
        };
        self.idle = 0;
    }

    /// What every respondent id of this session starts with: the results are theirs alone.
    pub fn respondent_prefix(&self) -> String {
        format!("kiosk-{}-", self.session)
    }

    /// Whether someone has started and not finished: only then does idleness reset the form.
    pub fn unfinished(&self) -> bool {
        match &self.step {
            Step::Name(input) => !input.text().is_empty(),
            Step::Score { .. } => self.respondent.name.is_some(),
            Step::Comment(_) => true,
            Step::Thanks { .. } => false,
        }
    }

    /// Seconds until an unfinished form resets, shown for the last ten of them (someone
    /// thinking over a comment should not be rushed by a timer from the start).
    pub fn countdown(&self) -> Option<u32> {
        let left = self.idle_limit.saturating_sub(self.idle);
        (self.unfinished() && left <= 10).then_some(left)
    }

    /// Ticks (once a second) are needed only while something counts down.
    pub fn needs_ticks(&self) -> bool {
        self.unfinished() || matches!(self.step, Step::Thanks { .. })
    }

    pub fn average(&self) -> Option<f64> {
        (!self.scores.is_empty()).then(|| {
            self.scores.iter().map(|s| f64::from(*s)).sum::<f64>() / self.scores.len() as f64
        })
    }

    pub fn comment_step() -> Step {
        let mut area = comment_box("");
        // The keys are said under the box: the placeholder fits a box at 80 columns.
        area.set_placeholder_text(COMMENT_PLACEHOLDER);
        Step::Comment(Box::new(area))
    }
}

//! What can happen to the console: terminal input and finished work (Action), and the work that
//! `update` asks for (Effect). Effects run in tasks and report back as actions.

use crate::api::Method;
use crate::api::inspect::RequestRecord;
use crate::client::{Exchange, Target};
use crate::inspect::{Entity, EntityRef, Query};
use crate::profiles::{Change, Profile, Profiles};
use crate::term::Failure;
use crate::tui::traffic::Link;
use crossterm::event::{KeyEvent, MouseEvent};

/// What a funnel request was for, so that its answer goes where it belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StarsPurpose {
    /// The Features view's list, of this generation.
    List(u64),
    /// One feature's drill-down.
    Drill(String),
    /// A company's step per feature in the Data view.
    Company(String),
}

/// What an external edit was of: a method's body (as raw JSON) or its comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edited {
    Body(Method),
    Comment(Method),
}

#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    Paste(String),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Only while a request is in flight: advances the spinner.
    Tick,
    HistoryLoaded(Result<Vec<Exchange>, Failure>),
    /// The collection file as read now: none, loaded, or why it does not load (file:line).
    CollectionLoaded(
        Result<Option<crate::collection::Collection>, crate::collection::CollectionError>,
    ),
    /// A call of the scenario running (its exchange already in the log).
    ScenarioCall(Box<crate::collection::run::CallReport>),
    /// The scenario run ended.
    ScenarioDone,
    /// A request was written into the collection (its name), or why not.
    RequestSaved(Result<String, crate::collection::write::WriteError>),
    /// The collection file was written (saved in an editor, say).
    CollectionTouched,
    /// The history file was written (by this console or another process).
    HistoryTouched,
    /// The entries written since the change the console had seen, and the latest change's number.
    HistoryChanges(Result<(Vec<Exchange>, i64), Failure>),
    Sent(Box<Exchange>),
    /// The batch's `/bulk` came back (or failed): one exchange for all its items.
    BatchSent(Box<Exchange>),
    /// The editor closed: the text saved, or why there is none.
    EditedExternally {
        what: Edited,
        result: Result<String, Failure>,
    },
    /// The console's own server, bound at `base_url` before the first frame, could not open its
    /// store: nothing will answer there until `local` is chosen again.
    LocalServerFailed {
        base_url: String,
        error: Failure,
    },
    /// Whether the server at `base_url` answered its health check.
    Health {
        base_url: String,
        result: Result<(), Failure>,
    },
    /// A page of the Data view, for request `generation`.
    InspectLoaded {
        generation: u64,
        result: Result<crate::inspect::Page, Failure>,
    },
    EntityLoaded {
        which: EntityRef,
        result: Result<Option<Entity>, Failure>,
    },
    /// A request the server recorded, from the Traffic stream of `generation`.
    TrafficRecord {
        generation: u64,
        record: Box<RequestRecord>,
    },
    TrafficLink {
        generation: u64,
        link: Link,
    },
    /// The Flags view's flags (F7), for load `generation`.
    FlagsLoaded {
        generation: u64,
        result: Result<crate::tui::flags::Loaded, Failure>,
    },
    /// The server reloaded its flag definitions (a `RELOAD /features` it recorded), seen by
    /// the Flags view's watch `watch`.
    FlagsChanged {
        watch: u64,
    },
    /// Funnels the local server computed, for what asked.
    StarsLoaded {
        purpose: StarsPurpose,
        result: Result<Vec<crate::api::stars::Funnel>, Failure>,
    },
    /// Every feature's results, for the Results view.
    ResultsLoaded(Result<Vec<crate::results::Results>, Failure>),
    /// The outbox's items, for its view.
    OutboxLoaded(Result<Vec<crate::outbox::Item>, Failure>),
    /// A failed call is in the outbox (committed): its id and how many wait in all; `entry` is
    /// its exchange's id in the log.
    Queued {
        entry: Option<i64>,
        result: Result<(i64, u64), Failure>,
    },
    /// A delivery round of the outbox: the exchanges it made, and how many still wait.
    OutboxDelivered {
        exchanges: Vec<Exchange>,
        delivered: usize,
        rejected: usize,
        waiting: u64,
    },
    /// A profile switch finished: the profile, the base URL it resolved to, and whether that
    /// server runs inside this console (`local` without a `serve`).
    TargetReady(Result<(Profile, String, bool), Failure>),
    /// The profiles as the file holds them after a change (or why the change did not land).
    ProfilesChanged(Result<Profiles, Failure>),
    /// The profiles as the file holds them (or why it could not be read).
    ProfilesRead(Result<Profiles, Failure>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Send {
        target: Target,
        method: Method,
        body: String,
    },
    /// Send a batch's items as one `POST /bulk` (the body built by `client::batch`).
    SendBatch {
        target: Target,
        body: String,
    },
    LoadHistory,
    /// Read the collection file (bucket-console.toml) again.
    LoadCollection,
    /// Write a request into the collection: appended, or replacing the entry of that name.
    SaveRequest {
        path: std::path::PathBuf,
        name: String,
        method: Method,
        body: serde_json::Value,
        replace: bool,
    },
    /// Run a scenario of the collection, each call recorded in the log.
    RunScenario {
        collection: Box<crate::collection::Collection>,
        name: String,
        target: Target,
        profile_ids: std::collections::BTreeMap<String, String>,
        env: crate::collection::template::Env,
    },
    /// Read the history's entries written after change `since`.
    LoadHistoryChanges {
        since: i64,
    },
    CheckHealth {
        base_url: String,
    },
    /// While the server does not answer: check again after a wait (the backoff).
    ProbeHealth {
        base_url: String,
        after_ms: u64,
    },
    /// Resolve the profile (starting the embedded server for `local`) and report TargetReady.
    SwitchProfile(Profile),
    /// Put text on the clipboard with OSC 52 (works over SSH and inside tmux).
    Copy(String),
    /// Suspend the console and edit `text` in the user's editor; the loop runs this itself,
    /// since the terminal is handed over.
    EditExternally {
        what: Edited,
        text: String,
    },
    /// Apply one change to the profiles file as it is now (under its lock, atomically, 0600).
    ChangeProfiles(Change),
    /// Read the profiles file again.
    LoadProfiles,
    /// Read a page of the Data view from the target's inspection routes.
    LoadData {
        target: Target,
        query: Query,
        generation: u64,
    },
    /// Read a user or company and its recent events.
    LoadEntity {
        target: Target,
        which: EntityRef,
    },
    /// Put a call that could not be delivered in the outbox.
    Enqueue(Box<Exchange>),
    LoadOutbox,
    /// Read every feature's feedback for the Results view.
    LoadResults(Target),
    /// Ask the local server for funnels (assets/contract.md §9).
    LoadStars {
        target: Target,
        request: crate::api::stars::StarsRequest,
        purpose: StarsPurpose,
    },
    /// Make every waiting item due now and wake the delivery.
    RetryOutbox,
    DropOutboxItem(i64),
    /// Read the environment's flags for the Flags view (F7): the company's stored attributes
    /// when `local_store` (added to `context` when `prefill`), then definitions or outcomes.
    LoadFlags {
        target: Target,
        generation: u64,
        context: crate::api::flags::FlatContext,
        company: Option<String>,
        local_store: bool,
        prefill: bool,
    },
    /// Watch a local server for reloads of its flags while F7 shows them (replacing the watch
    /// that ran before), each reported as `Action::FlagsChanged { watch }`.
    WatchFlags {
        target: Target,
        watch: u64,
    },
    /// Follow the target's recorded requests (replacing any earlier stream) until told otherwise.
    WatchTraffic {
        target: Target,
        generation: u64,
    },
}

impl Action {
    /// What a terminal event means to the console; other events mean nothing.
    pub fn from_terminal(event: crossterm::event::Event) -> Option<Action> {
        use crossterm::event::Event;
        match event {
            Event::Key(key) => Some(Action::Key(key)),
            Event::Paste(text) => Some(Action::Paste(text)),
            Event::Mouse(mouse) => Some(Action::Mouse(mouse)),
            Event::Resize(w, h) => Some(Action::Resize(w, h)),
            _ => None,
        }
    }
}

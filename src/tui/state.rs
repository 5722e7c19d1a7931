//! Everything the console shows, in one value. Rendering reads it and nothing else.

pub use super::confirm::Confirm;
pub use super::detail::{Detail, Search};
use super::form::Form;
use super::keys::Context;
use crate::api::Method;
use crate::client::{Exchange, Target};
use crate::profiles::{Profile, Profiles};

/// The whole screen: the forms and log, or the Data view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Console,
    Data,
    Traffic,
    Outbox,
    Results,
    Features,
    Flags,
}

/// Where keys go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Form,
    Log,
    Detail,
}

/// A request's life: the console sends one at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestState {
    Idle,
    Sending { method: Method, ticks: u32 },
}

/// Where the `local` profile's calls go: its address, and whether that server runs inside this
/// console or is a `serve` of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalServer {
    pub url: String,
    pub in_process: bool,
}

/// Whether the active profile's server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerStatus {
    Checking,
    Answers,
    Down(crate::term::Failure),
}

/// Something drawn over the screen, which takes the keys while open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help(crate::tui::help::HelpView),
    /// A question before doing something, carrying what to do on yes.
    Confirm(Confirm),
    /// Choose and manage profiles.
    Profiles {
        selected: usize,
    },
    /// Add (no original) or edit a profile.
    ProfileEditor(Box<super::profile_editor::ProfileEditor>),
    /// The collection's requests and scenarios (Ctrl+O).
    Picker(Box<super::collection::Picker>),
    /// A scenario running, or run, from the picker.
    Scenario(Box<super::collection::ScenarioRun>),
    /// Copy log entry `index` as code: the form chosen.
    CopyAs {
        index: usize,
        selected: usize,
    },
    /// The name to save the current form under, in the collection.
    SaveRequest {
        name: crate::term::LineInput,
    },
    /// Every command by name (Alt+X).
    Palette(Box<super::palette::Palette>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Success,
    Warning,
    Error,
}

#[derive(Debug, Clone)]
pub struct State {
    /// The `local` profile's server this console uses, once known.
    pub local: Option<LocalServer>,
    /// The wait before the next health probe while the server does not answer; `None` while it
    /// answers (nothing scheduled).
    pub probe_ms: Option<u64>,
    /// The time of the actions being applied, set by the loop: `update` never reads the clock,
    /// so it is pure and its tests deterministic.
    pub now_ms: i64,
    pub profiles: Profiles,
    pub profile: Profile,
    /// The base URL calls go to (the embedded server's for `local`).
    pub base_url: String,
    pub server: ServerStatus,
    pub screen: Screen,
    pub inspect: super::inspect::InspectView,
    pub traffic: super::traffic::TrafficView,
    /// Calls waiting in the outbox (every profile's).
    pub outbox_waiting: u64,
    pub outbox: super::outbox::OutboxView,
    pub results: super::results::ResultsView,
    pub stars: super::stars::StarsView,
    pub flags: super::flags::FlagsView,
    /// The collection file (bucket-console.toml), for Ctrl+O and templated bodies.
    pub collection: super::collection::CollectionView,
    pub method: Method,
    /// One form per method, in `Method::ALL` order; each keeps its content across tab switches.
    pub forms: Vec<Form>,
    pub focus: Focus,
    /// The log pane: the exchanges, the selected one, the filter, the history's reads.
    pub log: super::log_view::LogView,
    pub detail: Option<Detail>,
    pub request: RequestState,
    /// Alt+B's batch, while one is collected (runtime profiles).
    pub batch: Option<super::batch::Batch>,
    pub overlay: Overlay,
    pub message: Option<(Level, String)>,
    pub size: (u16, u16),
    pub color: bool,
    /// The theme's colours (`config.toml`'s `[theme]`).
    pub palette: crate::term::Palette,
    /// The keys in force (`config.toml`'s `[keys]` over the defaults).
    pub keymap: crate::tui::keys::Keymap,
    pub quit: bool,
}

impl State {
    pub fn new(
        profiles: Profiles,
        profile: Profile,
        base_url: String,
        method: Method,
        color: bool,
        now_ms: i64,
    ) -> Self {
        let forms = Method::ALL
            .iter()
            .map(|m| Form::with_defaults(*m, profile.api(), &defaults(&profile), now_ms))
            .collect();
        Self {
            local: profile.is_local().then(|| LocalServer {
                url: base_url.clone(),
                in_process: false,
            }),
            probe_ms: None,
            now_ms,
            profiles,
            profile,
            base_url,
            server: ServerStatus::Checking,
            screen: Screen::Console,
            inspect: super::inspect::InspectView::default(),
            traffic: super::traffic::TrafficView::default(),
            outbox_waiting: 0,
            outbox: super::outbox::OutboxView::default(),
            results: super::results::ResultsView::default(),
            stars: super::stars::StarsView::default(),
            flags: super::flags::FlagsView::default(),
            collection: super::collection::CollectionView::default(),
            method,
            forms,
            focus: Focus::Form,
            log: super::log_view::LogView::default(),
            detail: None,
            request: RequestState::Idle,
            batch: None,
            overlay: Overlay::None,
            message: None,
            size: (80, 24),
            color,
            palette: crate::term::ThemeName::Dark.palette(),
            keymap: crate::tui::keys::Keymap::default(),
            quit: false,
        }
    }

    pub fn form(&self) -> &Form {
        &self.forms[method_index(self.method)]
    }

    pub fn form_mut(&mut self) -> &mut Form {
        &mut self.forms[method_index(self.method)]
    }

    pub fn target(&self) -> Target {
        Target {
            profile: self.profile.name.clone(),
            base_url: self.base_url.clone(),
            key: self.profile.key.clone(),
        }
    }

    /// Ticks are needed only while something moves on screen.
    pub fn needs_ticks(&self) -> bool {
        matches!(self.request, RequestState::Sending { .. })
    }

    /// The selected entry, when the filter shows it.
    pub fn selected_exchange(&self) -> Option<&Exchange> {
        self.selected_position()?;
        self.log.entries().get(self.log.selected)
    }
}

pub fn method_index(method: Method) -> usize {
    Method::ALL.iter().position(|m| *m == method).unwrap_or(0)
}

/// The profile's default ids, as the forms take them (on the Runtime API its feature is the
/// feedback's flag key).
pub fn defaults(profile: &Profile) -> [(&'static str, Option<&str>); 3] {
    [
        ("userId", profile.user_id.as_deref()),
        ("companyId", profile.company_id.as_deref()),
        (
            Method::feature_field(profile.api()),
            profile.feature_id.as_deref(),
        ),
    ]
}

impl State {
    /// Which bindings apply now: what `update` dispatches on, the hint bar and F1 show.
    pub fn context(&self) -> Context {
        match self.overlay {
            Overlay::Picker(_) => return Context::Picker,
            Overlay::Scenario(_) => return Context::Scenario,
            Overlay::CopyAs { .. } => return Context::CopyAs,
            Overlay::Confirm(_) => return Context::Confirm,
            _ => {}
        }
        if self.screen == Screen::Outbox {
            return Context::Outbox;
        }
        if self.screen == Screen::Results {
            return Context::Results;
        }
        if self.screen == Screen::Features {
            return if self.stars.opened.is_some() {
                Context::FeaturesDetail
            } else {
                Context::Features
            };
        }
        if self.screen == Screen::Flags {
            return if self.flags.editing.is_some() {
                Context::FlagsEdit
            } else {
                Context::Flags
            };
        }
        if self.screen == Screen::Traffic {
            return if self.traffic.opened.is_some() {
                Context::TrafficDetail
            } else {
                Context::Traffic
            };
        }
        if self.screen == Screen::Data {
            return if self.inspect.typing {
                Context::DataSearch
            } else if self.inspect.opened.is_some() {
                Context::DataDetail
            } else {
                Context::Data
            };
        }
        match self.focus {
            Focus::Log => Context::Log,
            Focus::Detail
                if self
                    .detail
                    .as_ref()
                    .and_then(|d| d.search.as_ref())
                    .is_some_and(|s| s.typing) =>
            {
                Context::DetailSearch
            }
            Focus::Detail => Context::Detail,
            // Raw JSON takes every key as text, whichever field was focused before.
            Focus::Form if self.form().raw.is_some() => Context::RawJson,
            Focus::Form => match self.form().focused().kind {
                crate::tui::form::Kind::Score => Context::Score,
                crate::tui::form::Kind::Comment => Context::Comment,
                crate::tui::form::Kind::Attributes => Context::Attributes,
                crate::tui::form::Kind::Context | crate::tui::form::Kind::Source => Context::Choice,
                crate::tui::form::Kind::Timestamp => Context::Timestamp,
                _ => Context::Form,
            },
        }
    }
}

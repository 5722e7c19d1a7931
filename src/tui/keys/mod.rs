//! Every key binding, as data: the commands `update` runs, which keys reach them where, and what
//! they are called. `update` asks the [`Keymap`] in `State` which command a key is and matches the
//! command; the help overlay (F1), the hint line and the key table in docs/keys.md are all made from the
//! same keymap, so what is documented is what the keys do. The keymap lives in `State` (like the
//! theme), so a test can run `update` under rebound keys. A field's own keys (next field, a score
//! up, a row added) and a question's yes and no are bindings too; only the keys that edit text
//! inside a field (typing, the cursor, Ctrl+W) are fixed, listed in [`EDITING`].

mod command;
mod defaults;
mod hints;
mod key;

pub use command::{Command, all_commands};
pub use defaults::{BINDINGS, EDITING};
pub use key::{Key, parse_key};

use crossterm::event::KeyEvent;
use std::fmt::Write as _;

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Every screen: send, quit, help, the views, profiles.
    Anywhere,
    /// The console screen (form, log and detail).
    Console,
    /// The moves every list and scrolled view shares, bound once: the views fall back to it.
    List,
    Form,
    RawJson,
    Score,
    Comment,
    Attributes,
    Choice,
    Timestamp,
    Log,
    Detail,
    Profiles,
    Picker,
    Scenario,
    CopyAs,
    Data,
    DataDetail,
    DataSearch,
    Traffic,
    TrafficDetail,
    Outbox,
    Results,
    Features,
    FeaturesDetail,
    Flags,
    FlagsEdit,
    /// A question (send anyway?, delete?, import?): yes or no.
    Confirm,
    /// The exchange detail's search while it is typed.
    DetailSearch,
    /// The command palette (Alt+X).
    Palette,
    /// Naming the form to save it into the collection.
    SaveName,
    /// Adding or editing a profile.
    ProfileEditor,
    /// F1 itself.
    Help,
    /// F1's filter, while typed or shown.
    HelpFilter,
}

impl Context {
    /// Every context, in the order docs/keys.md lists them.
    pub const ALL: &'static [Context] = &[
        Context::Anywhere,
        Context::Console,
        Context::List,
        Context::Form,
        Context::RawJson,
        Context::Score,
        Context::Comment,
        Context::Attributes,
        Context::Choice,
        Context::Timestamp,
        Context::Log,
        Context::Detail,
        Context::DetailSearch,
        Context::Profiles,
        Context::ProfileEditor,
        Context::Picker,
        Context::SaveName,
        Context::Scenario,
        Context::CopyAs,
        Context::Data,
        Context::DataDetail,
        Context::DataSearch,
        Context::Traffic,
        Context::TrafficDetail,
        Context::Outbox,
        Context::Results,
        Context::Features,
        Context::FeaturesDetail,
        Context::Flags,
        Context::FlagsEdit,
        Context::Confirm,
        Context::Palette,
        Context::Help,
        Context::HelpFilter,
    ];

    /// The table `[keys.<name>]` in `config.toml` that rebinds this context's commands; `None`
    /// for those `[keys]` itself rebinds (every screen, the forms and log) and raw JSON, which
    /// binds nothing.
    pub fn config_name(self) -> Option<&'static str> {
        Some(match self {
            Context::Anywhere | Context::Console | Context::RawJson => return None,
            Context::List => "list",
            Context::Form => "form",
            Context::Score => "score",
            Context::Comment => "comment",
            Context::Attributes => "attributes",
            Context::Choice => "choice",
            Context::Timestamp => "timestamp",
            Context::Log => "log",
            Context::Detail => "detail",
            Context::DetailSearch => "detail-search",
            Context::Profiles => "profiles",
            Context::ProfileEditor => "profile-editor",
            Context::Picker => "picker",
            Context::SaveName => "save",
            Context::Scenario => "scenario",
            Context::CopyAs => "copy-as",
            Context::Data => "data",
            Context::DataDetail => "data-detail",
            Context::DataSearch => "data-search",
            Context::Traffic => "traffic",
            Context::TrafficDetail => "traffic-detail",
            Context::Outbox => "outbox",
            Context::Results => "results",
            Context::Features => "features",
            Context::FeaturesDetail => "features-detail",
            Context::Flags => "flags",
            Context::FlagsEdit => "flags-edit",
            Context::Confirm => "confirm",
            // `palette` and `help` are commands of `[keys]`: a table of the same name would clash.
            Context::Palette => "palette-box",
            Context::Help => "help-box",
            Context::HelpFilter => "help-filter",
        })
    }

    /// Whether a field here takes typing: a plain character is text, never a command.
    pub fn takes_typing(self) -> bool {
        matches!(
            self,
            Context::Form
                | Context::Comment
                | Context::Attributes
                | Context::Timestamp
                | Context::DetailSearch
                | Context::ProfileEditor
                | Context::SaveName
                | Context::DataSearch
                | Context::FlagsEdit
                | Context::Palette
                | Context::HelpFilter
        )
    }

    pub fn title(self) -> &'static str {
        match self {
            Context::Anywhere => "Anywhere",
            Context::Console => "Forms and log",
            Context::List => "Every list and scrolled view",
            Context::Form => "Form",
            Context::RawJson => "Raw JSON (Ctrl+R)",
            Context::Score => "Score picker",
            Context::Comment => "Comment box",
            Context::Attributes => "Attributes",
            Context::Choice => "context.active, source",
            Context::Timestamp => "Timestamp",
            Context::Log => "Log",
            Context::Detail => "Exchange detail",
            Context::Profiles => "Profiles (Ctrl+P)",
            Context::Picker => "Saved requests (Ctrl+O)",
            Context::Scenario => "A scenario's run",
            Context::CopyAs => "Copy as (x)",
            Context::Data => "Data view (F2): what the local server stored",
            Context::DataDetail => "Data view: a user, company, event or feedback",
            Context::DataSearch => "Data view: search",
            Context::Traffic => "Traffic view (F3): requests your app sends",
            Context::TrafficDetail => "Traffic view: one request",
            Context::Outbox => "Outbox (F4): calls not delivered yet",
            Context::Results => "Results (F5): feedback per feature",
            Context::Features => "Features (F6): the STARS funnel per feature",
            Context::FeaturesDetail => "Features: one feature's companies, step by step",
            Context::Flags => "Flags (F7): each flag for a user and company, rule by rule",
            Context::FlagsEdit => "Flags: editing the context",
            Context::Confirm => "A question (send anyway? delete? import?)",
            Context::DetailSearch => "Exchange detail: search",
            Context::Palette => "Command palette (Alt+X)",
            Context::SaveName => "Saving the form (Alt+S in Ctrl+O): its name",
            Context::ProfileEditor => "Profiles: adding or editing one",
            Context::Help => "This help (F1)",
            Context::HelpFilter => "This help: its filter (/)",
        }
    }

    /// A key this context does not bind reaches [`Context::List`]'s moves (then the shared
    /// commands, which the router asks first).
    pub fn falls_back_to_list(self) -> bool {
        matches!(
            self,
            Context::Log
                | Context::Profiles
                | Context::Data
                | Context::DataDetail
                | Context::Traffic
                | Context::TrafficDetail
                | Context::Outbox
                | Context::Results
                | Context::Features
                | Context::FeaturesDetail
                | Context::Flags
        )
    }

    /// Where a field's editing keys are, the console's commands apply too.
    pub fn on_console(self) -> bool {
        matches!(
            self,
            Context::Console
                | Context::Form
                | Context::RawJson
                | Context::Score
                | Context::Comment
                | Context::Attributes
                | Context::Choice
                | Context::Timestamp
                | Context::Log
                | Context::Detail
                | Context::DetailSearch
        )
    }

    /// An overlay takes every key but quit: the shared commands wait until it closes, so its
    /// own keys may be theirs.
    pub fn is_overlay(self) -> bool {
        matches!(
            self,
            Context::Profiles
                | Context::Picker
                | Context::Scenario
                | Context::CopyAs
                | Context::Confirm
                | Context::Palette
                | Context::SaveName
                | Context::ProfileEditor
                | Context::Help
                | Context::HelpFilter
        )
    }
}

/// One command reached by some keys in one context. Consecutive bindings with the same `help`
/// share one line in F1; `hint` (when not empty) puts the first key and the word in the hint line.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub context: Context,
    pub command: Command,
    pub keys: &'static [Key],
    pub help: &'static str,
    pub hint: &'static str,
    /// Which hints the hint line keeps when not all fit, lowest first: a context's own keys 1,
    /// `send` and `profile` 2, what is likely next and the forms' method and log keys 3, the
    /// other views 4.
    pub rank: u8,
}

impl Binding {
    /// The binding with its hint ranked `rank` rather than `hints::RANK`.
    #[must_use]
    pub const fn ranked(self, rank: u8) -> Self {
        Self { rank, ..self }
    }
}

/// The bindings in force: the defaults, or the defaults with `config.toml`'s keys. `State` holds
/// one; every lookup reads it, so F1, the hint line and the keys themselves always agree.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self::new(BINDINGS.to_vec())
    }
}

impl Keymap {
    pub fn new(bindings: Vec<Binding>) -> Self {
        Self { bindings }
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// What a message calls the key of `command` in `context` (or of every screen): its first
    /// key as bound, so a rebound command is never named by its default key.
    /// The context's own binding wins over the list's, the console's and the shared ones (F1's
    /// ↑ is its own, not the list's).
    pub fn label(&self, context: Context, command: Command) -> String {
        self.first_key(context, command)
            .map_or_else(|| format!("[{}]", command.name()), Key::label)
    }

    /// What a message calls the moves up and down in `context`, side by side as `↑↓`.
    pub fn up_down(&self, context: Context) -> String {
        format!(
            "{}{}",
            self.label(context, Command::Up),
            self.label(context, Command::Down)
        )
    }

    fn first_key(&self, context: Context, command: Command) -> Option<&Key> {
        [context, Context::List, Context::Console, Context::Anywhere]
            .iter()
            .find_map(|c| {
                self.bindings
                    .iter()
                    .find(|b| b.command == command && b.context == *c)
                    .and_then(|b| b.keys.first())
            })
    }

    /// The key of a command of every screen or of the forms (`send`, `toggle-raw`).
    pub fn shared(&self, command: Command) -> String {
        self.label(Context::Anywhere, command)
    }

    /// The command `key` reaches in `context`: its own bindings, then the list's moves where
    /// it falls back to them.
    pub fn command(&self, context: Context, key: &KeyEvent) -> Option<Command> {
        self.own_command(context, key).or_else(|| {
            context
                .falls_back_to_list()
                .then(|| self.own_command(Context::List, key))
                .flatten()
        })
    }

    fn own_command(&self, context: Context, key: &KeyEvent) -> Option<Command> {
        self.bindings
            .iter()
            .filter(|b| b.context == context)
            .find(|b| b.keys.iter().any(|k| k.matches(key)))
            .map(|b| b.command)
    }

    /// The keys of `context` for F1: one line per run of bindings that share their help, with the
    /// commands' names (what `config.toml` rebinds) after the help.
    pub fn help_lines(&self, context: Context) -> Vec<(String, String)> {
        let mut lines: Vec<(String, &'static str, Vec<String>)> = EDITING
            .iter()
            .filter(|(c, _, _, _)| *c == context)
            .map(|(_, keys, what, _)| ((*keys).to_owned(), *what, Vec::new()))
            .collect();
        for b in self.bindings.iter().filter(|b| b.context == context) {
            let keys = b.keys.iter().map(Key::label).collect::<Vec<_>>().join(", ");
            match lines.last_mut() {
                Some((shown, what, names)) if *what == b.help && !names.is_empty() => {
                    shown.push_str(", ");
                    shown.push_str(&keys);
                    names.push(b.command.name());
                }
                _ => lines.push((keys, b.help, vec![b.command.name()])),
            }
        }
        lines
            .into_iter()
            .map(|(keys, what, names)| {
                if names.is_empty() {
                    (keys, what.to_owned())
                } else {
                    (keys, format!("{what} [{}]", names.join(", ")))
                }
            })
            .collect()
    }

    /// docs/keys.md's key table, made from the bindings (a test keeps that copy equal to it).
    pub fn markdown_table(&self) -> String {
        let mut out = String::from("| where | keys |\n|---|---|\n");
        for &c in Context::ALL {
            let keys = self
                .help_lines(c)
                .iter()
                .map(|(keys, what)| format!("{keys} {what}"))
                .collect::<Vec<_>>()
                .join(" · ")
                .replace('|', "\\|");
            let _ = writeln!(out, "| {} | {keys} |", c.title());
        }
        out
    }
}

#[cfg(test)]
mod tests;

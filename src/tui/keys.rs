//! Every key binding, as data: the commands `update` runs, which keys reach them where, and what
//! they are called. `update` asks [`command`] which command a key is and matches the command; the
//! help overlay (F1), the hint line and README's key table are all made from [`BINDINGS`], so
//! what is documented is what the keys do. The keys that edit text inside a field are fixed and
//! listed in [`EDITING`].

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt::Write as _;

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Every screen: send, quit, help, the views, profiles.
    Anywhere,
    /// The console screen (form, log and detail).
    Console,
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
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Anywhere => "Anywhere",
            Context::Console => "Forms and log",
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
        }
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
        )
    }
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Send,
    Quit,
    Help,
    OpenData,
    OpenTraffic,
    OpenOutbox,
    OpenResults,
    OpenFeatures,
    Profiles,
    OpenCollection,
    Palette,
    NextMethod,
    PrevMethod,
    MethodUser,
    MethodCompany,
    MethodEvent,
    MethodFeedback,
    ToggleLog,
    ToggleRaw,
    ExternalEditor,
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    Open,
    Back,
    Resend,
    Edit,
    CopyCurl,
    CopyAs,
    SaveForm,
    CopyBody,
    Search,
    NextMatch,
    PrevMatch,
    AddProfile,
    EditProfile,
    DeleteProfile,
    MakeDefault,
    NextTab,
    PrevTab,
    Tab1,
    Tab2,
    Tab3,
    Tab4,
    Sort,
    UseInForm,
    Reload,
    OpenInForm,
    Pause,
    StatusFilter,
    ProfileFilter,
    RouteFilter,
    Retry,
    Drop,
}

/// A key as a binding names it: a code and whether Ctrl or Alt is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            ctrl: false,
            alt: false,
        }
    }

    pub const fn char(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(code: KeyCode) -> Self {
        Self {
            code,
            ctrl: true,
            alt: false,
        }
    }

    pub const fn alt(c: char) -> Self {
        Self {
            code: KeyCode::Char(c),
            ctrl: false,
            alt: true,
        }
    }

    /// Shift is part of the character (`N`, `*`), so it is not compared.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        self.code == event.code
            && self.ctrl == event.modifiers.contains(KeyModifiers::CONTROL)
            && self.alt == event.modifiers.contains(KeyModifiers::ALT)
    }

    /// `Ctrl+S`, `Alt+1`, `↑`, `PgUp`, `Enter`, `s`.
    pub fn label(&self) -> String {
        let name = match self.code {
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::Left => "←".to_owned(),
            KeyCode::Right => "→".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "Shift+Tab".to_owned(),
            KeyCode::Backspace => "Backspace".to_owned(),
            KeyCode::Delete => "Delete".to_owned(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) if self.ctrl || self.alt => c.to_ascii_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            other => format!("{other:?}"),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("Ctrl+{name}"),
            (_, true) => format!("Alt+{name}"),
            _ => name,
        }
    }

    /// The label in the hint line, where Ctrl is `^` to fit 80 columns.
    fn short(&self) -> String {
        self.label().replace("Ctrl+", "^")
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
}

const fn bind(
    context: Context,
    command: Command,
    keys: &'static [Key],
    help: &'static str,
    hint: &'static str,
) -> Binding {
    Binding {
        context,
        command,
        keys,
        help,
        hint,
    }
}

use Command as C;
use Context as X;
const UP: &[Key] = &[Key::plain(KeyCode::Up), Key::char('k')];
const DOWN: &[Key] = &[Key::plain(KeyCode::Down), Key::char('j')];
const PGUP: &[Key] = &[Key::plain(KeyCode::PageUp)];
const PGDN: &[Key] = &[Key::plain(KeyCode::PageDown)];
const HOME: &[Key] = &[Key::plain(KeyCode::Home)];
const END: &[Key] = &[Key::plain(KeyCode::End)];
const ENTER: &[Key] = &[Key::plain(KeyCode::Enter)];
const ESC: &[Key] = &[Key::plain(KeyCode::Esc)];

#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    bind(X::Anywhere, C::Send, &[Key::ctrl(KeyCode::Char('s'))], "send the current form", "send"),
    bind(X::Anywhere, C::Help, &[Key::plain(KeyCode::F(1))], "this help", "help"),
    bind(X::Anywhere, C::Quit, &[Key::ctrl(KeyCode::Char('c'))], "quit", "quit"),
    bind(X::Anywhere, C::Profiles, &[Key::ctrl(KeyCode::Char('p'))], "choose a profile", "profile"),
    bind(X::Anywhere, C::OpenCollection, &[Key::ctrl(KeyCode::Char('o'))], "saved requests and scenarios", "saved"),
    bind(X::Anywhere, C::Palette, &[Key::alt('x')], "every command by name, filtered as you type; Enter runs it", ""),
    bind(X::Anywhere, C::OpenData, &[Key::plain(KeyCode::F(2))], "views: data, live requests, outbox, results, features", "data"),
    bind(X::Anywhere, C::OpenTraffic, &[Key::plain(KeyCode::F(3))], "views: data, live requests, outbox, results, features", "traffic"),
    bind(X::Anywhere, C::OpenOutbox, &[Key::plain(KeyCode::F(4))], "views: data, live requests, outbox, results, features", "outbox"),
    bind(X::Anywhere, C::OpenResults, &[Key::plain(KeyCode::F(5))], "views: data, live requests, outbox, results, features", "results"),
    bind(X::Anywhere, C::OpenFeatures, &[Key::plain(KeyCode::F(6))], "views: data, live requests, outbox, results, features", ""),
    bind(X::Console, C::PrevMethod, &[Key::ctrl(KeyCode::Left)], "switch method tab", ""),
    bind(X::Console, C::NextMethod, &[Key::ctrl(KeyCode::Right)], "switch method tab", "method"),
    bind(X::Console, C::MethodUser, &[Key::alt('1')], "switch method tab", ""),
    bind(X::Console, C::MethodCompany, &[Key::alt('2')], "switch method tab", ""),
    bind(X::Console, C::MethodEvent, &[Key::alt('3')], "switch method tab", ""),
    bind(X::Console, C::MethodFeedback, &[Key::alt('4')], "switch method tab", ""),
    bind(X::Console, C::ToggleLog, &[Key::ctrl(KeyCode::Char('l'))], "move between form and log", "log"),
    bind(X::Console, C::ToggleRaw, &[Key::ctrl(KeyCode::Char('r'))], "edit the body as raw JSON / back to fields", ""),
    bind(X::Console, C::ExternalEditor, &[Key::alt('e')], "edit the body (or comment) in $VISUAL/$EDITOR", ""),
    bind(X::Log, C::Up, UP, "select an exchange", "select"),
    bind(X::Log, C::Down, DOWN, "select an exchange", ""),
    bind(X::Log, C::PageUp, PGUP, "select an exchange", ""),
    bind(X::Log, C::PageDown, PGDN, "select an exchange", ""),
    bind(X::Log, C::First, HOME, "select an exchange", ""),
    bind(X::Log, C::Last, END, "select an exchange", ""),
    bind(X::Log, C::Open, ENTER, "show it whole", "open"),
    bind(X::Log, C::Resend, &[Key::char('r')], "resend it", "resend"),
    bind(X::Log, C::Edit, &[Key::char('e')], "load it into the form to edit", "edit"),
    bind(X::Log, C::CopyCurl, &[Key::char('c')], "copy it as curl (key as $BUCKET_TRACKING_KEY)", "curl"),
    bind(X::Log, C::CopyBody, &[Key::char('y')], "copy the response body", "body"),
    bind(X::Log, C::CopyAs, &[Key::char('x')], "copy as curl, HTTPie, fetch, Python or SDK code", "copy as"),
    bind(X::Log, C::StatusFilter, &[Key::char('f')], "status filter: 2xx, 4xx, 5xx, failed, queued", "status"),
    bind(X::Log, C::RouteFilter, &[Key::char('m')], "method filter: user, company, event, feedback", "method"),
    bind(X::Log, C::ProfileFilter, &[Key::char('p')], "profile filter: each profile in the log", ""),
    bind(X::Log, C::Back, ESC, "back to the form", ""),
    bind(X::Detail, C::Up, &[Key::plain(KeyCode::Up)], "select a validation error", "error"),
    bind(X::Detail, C::Down, &[Key::plain(KeyCode::Down)], "select a validation error", ""),
    bind(X::Detail, C::Open, &[Key::plain(KeyCode::Enter), Key::char('e')], "jump to that field, with the request in the form", "fix in form"),
    bind(X::Detail, C::PageUp, PGUP, "scroll", ""),
    bind(X::Detail, C::PageDown, PGDN, "scroll", "scroll"),
    bind(X::Detail, C::Search, &[Key::char('/')], "search the exchange", "search"),
    bind(X::Detail, C::CopyCurl, &[Key::char('c')], "copy it as curl (key as $BUCKET_TRACKING_KEY)", ""),
    bind(X::Detail, C::CopyBody, &[Key::char('y')], "copy the response body", ""),
    bind(X::Detail, C::CopyAs, &[Key::char('x')], "copy as curl, HTTPie, fetch, Python or SDK code", ""),
    bind(X::Detail, C::NextMatch, &[Key::char('n')], "next / previous match", ""),
    bind(X::Detail, C::PrevMatch, &[Key::char('N')], "next / previous match", ""),
    bind(X::Detail, C::Back, ESC, "clear the search, back to the log", "back"),
    bind(X::Profiles, C::Up, &[Key::plain(KeyCode::Up)], "choose", ""),
    bind(X::Profiles, C::Down, &[Key::plain(KeyCode::Down)], "choose", ""),
    bind(X::Profiles, C::Open, ENTER, "use the chosen profile", ""),
    bind(X::Profiles, C::AddProfile, &[Key::char('a')], "add a profile (the key field is masked)", ""),
    bind(X::Profiles, C::EditProfile, &[Key::char('e')], "edit the chosen one (an empty key keeps it)", ""),
    bind(X::Profiles, C::DeleteProfile, &[Key::char('d')], "delete the chosen one (asks first)", ""),
    bind(X::Profiles, C::MakeDefault, &[Key::char('*')], "make the chosen one the default", ""),
    bind(X::Profiles, C::Back, &[Key::plain(KeyCode::Esc), Key::char('q')], "close", ""),
    bind(X::Picker, C::Up, &[Key::plain(KeyCode::Up)], "choose", ""),
    bind(X::Picker, C::Down, &[Key::plain(KeyCode::Down)], "choose", ""),
    bind(X::Picker, C::Open, ENTER, "load the request into its form, or run the scenario", ""),
    bind(X::Picker, C::SaveForm, &[Key::alt('s')], "save the current form into the collection (asks a name)", ""),
    bind(X::Picker, C::Back, ESC, "close", ""),
    bind(X::Scenario, C::Up, &[Key::plain(KeyCode::Up)], "choose a call", ""),
    bind(X::Scenario, C::Down, &[Key::plain(KeyCode::Down)], "choose a call", ""),
    bind(X::Scenario, C::Open, ENTER, "open its exchange", "open"),
    bind(X::Scenario, C::Back, ESC, "close", "close"),
    bind(X::CopyAs, C::Up, &[Key::plain(KeyCode::Up)], "choose a form", ""),
    bind(X::CopyAs, C::Down, &[Key::plain(KeyCode::Down)], "choose a form", ""),
    bind(X::CopyAs, C::Open, ENTER, "copy it (OSC 52)", "copy"),
    bind(X::CopyAs, C::Back, ESC, "close", "close"),
    bind(X::Data, C::PrevTab, &[Key::plain(KeyCode::Left), Key::plain(KeyCode::BackTab)], "Users, Companies, Events, Feedback", ""),
    bind(X::Data, C::NextTab, &[Key::plain(KeyCode::Right), Key::plain(KeyCode::Tab)], "Users, Companies, Events, Feedback", "tab"),
    bind(X::Data, C::Tab1, &[Key::char('1')], "Users, Companies, Events, Feedback", ""),
    bind(X::Data, C::Tab2, &[Key::char('2')], "Users, Companies, Events, Feedback", ""),
    bind(X::Data, C::Tab3, &[Key::char('3')], "Users, Companies, Events, Feedback", ""),
    bind(X::Data, C::Tab4, &[Key::char('4')], "Users, Companies, Events, Feedback", ""),
    bind(X::Data, C::Up, UP, "select; past the page's end the next page loads", "select"),
    bind(X::Data, C::Down, DOWN, "select; past the page's end the next page loads", ""),
    bind(X::Data, C::PageUp, PGUP, "select; past the page's end the next page loads", ""),
    bind(X::Data, C::PageDown, PGDN, "select; past the page's end the next page loads", ""),
    bind(X::Data, C::First, HOME, "select; past the page's end the next page loads", ""),
    bind(X::Data, C::Last, END, "select; past the page's end the next page loads", ""),
    bind(X::Data, C::Search, &[Key::char('/')], "search ids, names and text (Esc clears)", "search"),
    bind(X::Data, C::Sort, &[Key::char('s')], "newest first / oldest first", "sort"),
    bind(X::Data, C::Open, ENTER, "open it; a user or company with recent events", "open"),
    bind(X::Data, C::UseInForm, &[Key::char('u')], "fill the matching form from the row, go there", "use in form"),
    bind(X::Data, C::Reload, &[Key::char('r')], "reload", ""),
    bind(X::Data, C::Back, &[Key::plain(KeyCode::Esc), Key::plain(KeyCode::F(2))], "clear the search, back to the forms", "back"),
    bind(X::DataDetail, C::Open, ENTER, "open the user an event or feedback names", "open user"),
    bind(X::DataDetail, C::UseInForm, &[Key::char('u')], "use in form", "use in form"),
    bind(X::DataDetail, C::Reload, &[Key::char('r')], "reload", "reload"),
    bind(X::DataDetail, C::Up, UP, "scroll", ""),
    bind(X::DataDetail, C::Down, DOWN, "scroll", ""),
    bind(X::DataDetail, C::PageUp, PGUP, "scroll", ""),
    bind(X::DataDetail, C::PageDown, PGDN, "scroll", ""),
    bind(X::DataDetail, C::First, HOME, "scroll", ""),
    bind(X::DataDetail, C::Back, &[ Key::plain(KeyCode::Esc), Key::plain(KeyCode::Backspace), Key::char('q'), ], "back to the list", "back"),
    bind(X::Traffic, C::Up, UP, "select a request", "select"),
    bind(X::Traffic, C::Down, DOWN, "select a request", ""),
    bind(X::Traffic, C::PageUp, PGUP, "select a request", ""),
    bind(X::Traffic, C::PageDown, PGDN, "select a request", ""),
    bind(X::Traffic, C::First, HOME, "select a request", ""),
    bind(X::Traffic, C::Last, END, "select a request", ""),
    bind(X::Traffic, C::Open, ENTER, "open it: body, problems beside fields, verdicts", "open"),
    bind(X::Traffic, C::OpenInForm, &[Key::char('o')], "open it in its form, errors on the fields", "in form"),
    bind(X::Traffic, C::Pause, &[Key::char(' '), Key::char('p')], "pause / resume the list", "pause"),
    bind(X::Traffic, C::StatusFilter, &[Key::char('f')], "status filter: all, 4xx, 5xx/none, 2xx", "status"),
    bind(X::Traffic, C::RouteFilter, &[Key::char('m')], "route filter: all, each method, other", "route"),
    bind(X::Traffic, C::Back, &[Key::plain(KeyCode::Esc), Key::plain(KeyCode::F(3))], "back to the forms", "back"),
    bind(X::TrafficDetail, C::OpenInForm, &[Key::char('o')], "open it in its form to fix and resend", "open in form"),
    bind(X::TrafficDetail, C::Up, UP, "scroll", ""),
    bind(X::TrafficDetail, C::Down, DOWN, "scroll", ""),
    bind(X::TrafficDetail, C::PageUp, PGUP, "scroll", ""),
    bind(X::TrafficDetail, C::PageDown, PGDN, "scroll", ""),
    bind(X::TrafficDetail, C::First, HOME, "scroll", ""),
    bind(X::TrafficDetail, C::Back, &[ Key::plain(KeyCode::Esc), Key::plain(KeyCode::Backspace), Key::char('q'), ], "back to the list", "back"),
    bind(X::Outbox, C::Up, UP, "select an item", "select"),
    bind(X::Outbox, C::Down, DOWN, "select an item", ""),
    bind(X::Outbox, C::Retry, &[Key::char('r')], "retry every waiting item now", "retry now"),
    bind(X::Outbox, C::Drop, &[Key::char('d'), Key::plain(KeyCode::Delete)], "drop the selected item (asks first)", "drop"),
    bind(X::Outbox, C::Back, &[Key::plain(KeyCode::Esc), Key::plain(KeyCode::F(4))], "back to the forms", "back"),
    bind(X::Results, C::Up, UP, "scroll", "scroll"),
    bind(X::Results, C::Down, DOWN, "scroll", ""),
    bind(X::Results, C::PageUp, PGUP, "scroll", ""),
    bind(X::Results, C::PageDown, PGDN, "scroll", ""),
    bind(X::Results, C::First, HOME, "scroll", ""),
    bind(X::Results, C::Reload, &[Key::char('r')], "read the results again", "reload"),
    bind(X::Results, C::Back, &[Key::plain(KeyCode::Esc), Key::plain(KeyCode::F(5))], "back to the forms", "back"),
    bind(X::Features, C::Up, UP, "select a feature", "select"),
    bind(X::Features, C::Down, DOWN, "select a feature", ""),
    bind(X::Features, C::First, HOME, "select a feature", ""),
    bind(X::Features, C::Last, END, "select a feature", ""),
    bind(X::Features, C::Open, ENTER, "its companies, step by step, and why not further", "companies"),
    bind(X::Features, C::Reload, &[Key::char('r')], "compute the funnels again", "reload"),
    bind(X::Features, C::Back, &[Key::plain(KeyCode::Esc), Key::plain(KeyCode::F(6))], "back to the forms", "back"),
    bind(X::FeaturesDetail, C::Up, UP, "select a company", "select"),
    bind(X::FeaturesDetail, C::Down, DOWN, "select a company", ""),
    bind(X::FeaturesDetail, C::PageUp, PGUP, "select a company", ""),
    bind(X::FeaturesDetail, C::PageDown, PGDN, "select a company", ""),
    bind(X::FeaturesDetail, C::First, HOME, "select a company", ""),
    bind(X::FeaturesDetail, C::Last, END, "select a company", ""),
    bind(X::FeaturesDetail, C::UseInForm, &[Key::char('u')], "fill the form that moves it to the next step", "move it on"),
    bind(X::FeaturesDetail, C::Reload, &[Key::char('r')], "compute it again", "reload"),
    bind(X::FeaturesDetail, C::Back, &[ Key::plain(KeyCode::Esc), Key::plain(KeyCode::Backspace), Key::char('q'), ], "back to the features", "back"),
];

/// The keys that edit text inside a field: fixed, documented here beside the commands, each with
/// what the hint line says of it ("" for nothing).
pub const EDITING: &[(Context, &str, &str, &str)] = &[
    (
        Context::Form,
        "Tab / Shift+Tab",
        "next / previous field",
        "Tab field",
    ),
    (Context::Form, "←/→ Home End", "move the cursor", ""),
    (
        Context::Form,
        "Ctrl+W, Ctrl+U",
        "delete a word, clear the field",
        "",
    ),
    (
        Context::Form,
        "Ctrl+T",
        "on userId or companyId: send it as an integer / a string",
        "",
    ),
    (
        Context::RawJson,
        "any key",
        "edit the body as text; it is sent exactly as typed",
        "type JSON",
    ),
    (
        Context::Picker,
        "any key",
        "filter by name",
        "type to filter",
    ),
    (Context::Score, "1…5", "choose a score", "1-5 score"),
    (Context::Score, "←/→", "lower / raise", "←→ change"),
    (Context::Score, "0, Backspace", "no score", "0 none"),
    (Context::Comment, "Enter", "new line", "Enter new line"),
    (
        Context::Comment,
        "Ctrl+U, Ctrl+W",
        "clear the line, delete a word",
        "",
    ),
    (Context::Comment, "Ctrl+Z, Ctrl+Y", "undo, redo", "^Z undo"),
    (
        Context::Comment,
        "Ctrl+X",
        "cut an over-long comment to the 4000-character limit",
        "",
    ),
    (
        Context::Attributes,
        "Enter",
        "key → value → next row",
        "Enter next",
    ),
    (Context::Attributes, "↑/↓", "previous / next row", ""),
    (
        Context::Attributes,
        "Ctrl+N, Ctrl+D",
        "add a row, delete the row",
        "^N row",
    ),
    (
        Context::Attributes,
        "Ctrl+T",
        "value type: string, number, boolean, null",
        "^T type",
    ),
    (Context::Choice, "←/→, Space", "change", "Space change"),
    (Context::Timestamp, "Ctrl+N", "now", "^N now"),
    (
        Context::DataSearch,
        "Enter, Esc",
        "keep the search, clear it",
        "Enter keep · Esc clear",
    ),
];

/// The bindings in force: the defaults, or the defaults with `config.toml`'s keys, installed once
/// before the console starts. Every lookup below reads them, so F1, the hint line and the keys
/// themselves always agree.
static ACTIVE: std::sync::OnceLock<Vec<Binding>> = std::sync::OnceLock::new();

pub fn bindings() -> &'static [Binding] {
    ACTIVE.get().map_or(BINDINGS, Vec::as_slice)
}

/// Puts `bindings` in force for the process (the first call wins).
pub fn install(bindings: Vec<Binding>) {
    let _ = ACTIVE.set(bindings);
}

/// Every command, in the order of the bindings.
pub fn all_commands() -> Vec<Command> {
    let mut out: Vec<Command> = Vec::new();
    for b in BINDINGS {
        if !out.contains(&b.command) {
            out.push(b.command);
        }
    }
    out
}

impl Command {
    /// The command's stable name in `config.toml` and F1: `open-data`, `toggle-raw`.
    pub fn name(self) -> String {
        // `profiles` is also a view's table in config.toml: the command needs another name.
        if self == Command::Profiles {
            return "open-profiles".to_owned();
        }
        let debug = format!("{self:?}");
        let mut out = String::new();
        for (i, c) in debug.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('-');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    pub fn from_name(name: &str) -> Option<Command> {
        all_commands().into_iter().find(|c| c.name() == name)
    }
}

/// The command `key` reaches in `context` (that context's own bindings only).
pub fn command(context: Context, key: &KeyEvent) -> Option<Command> {
    bindings()
        .iter()
        .filter(|b| b.context == context)
        .find(|b| b.keys.iter().any(|k| k.matches(key)))
        .map(|b| b.command)
}

/// The keys of `context` for F1: one line per run of bindings that share their help, with the
/// commands' names (what `config.toml` rebinds) after the help.
pub fn help_lines(context: Context) -> Vec<(String, String)> {
    let mut lines: Vec<(String, &'static str, Vec<String>)> = EDITING
        .iter()
        .filter(|(c, _, _, _)| *c == context)
        .map(|(_, keys, what, _)| ((*keys).to_owned(), *what, Vec::new()))
        .collect();
    for b in bindings().iter().filter(|b| b.context == context) {
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

/// The hint line for where the keys go now: this context's hinted keys, then the console's and
/// the shared ones, as many as fit in 79 columns before `F1 help · ^C quit`, which always show.
pub fn hints(context: Context) -> String {
    hints_with(context, &[])
}

/// [`hints`] with what is likely next first (`F4 outbox (2)` while calls wait, say): a command
/// that is not a context's own, named by its key as bound.
pub fn hints_with(context: Context, next: &[(Command, String)]) -> String {
    let hinted = |c: Context| {
        let editing = EDITING
            .iter()
            .filter(move |(e, _, _, hint)| *e == c && !hint.is_empty())
            .map(|(_, _, _, hint)| (*hint).to_owned());
        let commands = bindings()
            .iter()
            .filter(move |b| b.context == c && !b.hint.is_empty())
            .filter(|b| !matches!(b.command, Command::Help | Command::Quit))
            .map(move |b| format!("{} {}", hint_keys(c, b), b.hint));
        editing.chain(commands)
    };
    let mut parts: Vec<String> = next
        .iter()
        .filter_map(|(command, word)| {
            bindings()
                .iter()
                .find(|b| b.command == *command && b.context == Context::Anywhere)
                .map(|b| format!("{} {word}", b.keys[0].short()))
        })
        .collect();
    let taken: Vec<Command> = next.iter().map(|(c, _)| *c).collect();
    parts.extend(hinted(context));
    if context.on_console() && context != Context::Console {
        parts.extend(hinted(Context::Console));
    }
    if context != Context::Anywhere {
        parts.extend(hinted_anywhere(&taken));
    }
    let tail = bindings()
        .iter()
        .filter(|b| matches!(b.command, Command::Help | Command::Quit))
        .map(|b| format!("{} {}", b.keys[0].short(), b.hint))
        .collect::<Vec<_>>()
        .join(" · ");
    let mut line = String::new();
    for part in parts {
        let next = if line.is_empty() {
            part
        } else {
            format!("{line} · {part}")
        };
        if next.chars().count() + 3 + tail.chars().count() > 79 {
            break;
        }
        line = next;
    }
    if line.is_empty() {
        tail
    } else {
        format!("{line} · {tail}")
    }
}

/// The shared commands' hints, but those already said first.
fn hinted_anywhere(taken: &[Command]) -> Vec<String> {
    bindings()
        .iter()
        .filter(|b| b.context == Context::Anywhere && !b.hint.is_empty())
        .filter(|b| !matches!(b.command, Command::Help | Command::Quit))
        .filter(|b| !taken.contains(&b.command))
        .map(|b| format!("{} {}", b.keys[0].short(), b.hint))
        .collect()
}

/// The key a hint names: the first of the binding's, or `↑↓` for an up that has a down beside it.
fn hint_keys(context: Context, binding: &Binding) -> String {
    let first = binding.keys[0].short();
    if binding.command != Command::Up {
        return first;
    }
    bindings()
        .iter()
        .find(|b| b.context == context && b.command == Command::Down)
        .map_or(first.clone(), |down| {
            format!("{first}{}", down.keys[0].short())
        })
}

/// README's key table, made from the bindings (a test keeps README's copy equal to it).
pub fn markdown_table() -> String {
    let contexts = [
        Context::Anywhere,
        Context::Console,
        Context::Form,
        Context::RawJson,
        Context::Score,
        Context::Comment,
        Context::Attributes,
        Context::Choice,
        Context::Timestamp,
        Context::Log,
        Context::Detail,
        Context::Profiles,
        Context::Picker,
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
    ];
    let mut out = String::from("| where | keys |\n|---|---|\n");
    for c in contexts {
        let keys = help_lines(c)
            .iter()
            .map(|(keys, what)| format!("{keys} {what}"))
            .collect::<Vec<_>>()
            .join(" · ")
            .replace('|', "\\|");
        let _ = writeln!(out, "| {} | {keys} |", c.title());
    }
    out
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;

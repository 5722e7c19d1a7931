//! The commands keys reach, and their stable names in `config.toml` and F1.

use super::defaults::BINDINGS;

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
    OpenFlags,
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
    Tab5,
    Sort,
    UseInForm,
    Reload,
    OpenInForm,
    Pause,
    StatusFilter,
    ProfileFilter,
    RouteFilter,
    ClearFilters,
    Retry,
    Drop,
    Batch,
    DropBatch,
    NextField,
    PrevField,
    IntegerId,
    Lower,
    Raise,
    NoScore,
    NextChoice,
    PrevChoice,
    Now,
    NextCell,
    AddRow,
    DeleteRow,
    CycleType,
    Yes,
    No,
    Accept,
    Cancel,
    Save,
    ToggleApi,
    ClearLine,
    Undo,
    Redo,
    CutToLimit,
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

    /// What the palette and `config default` say of a command that shares its F1 line with
    /// others (F1 lists the five views on one line; alone, each needs its own words).
    pub fn own_help(self) -> Option<&'static str> {
        Some(match self {
            Command::OpenData => "the Data view: what the local server stored",
            Command::OpenTraffic => "the Traffic view: requests your app sends",
            Command::OpenOutbox => "the Outbox: calls not delivered yet",
            Command::OpenResults => "the Results view: feedback per feature",
            Command::OpenFeatures => "the Features view: STARS funnels",
            Command::OpenFlags => "the Flags view: each flag, rule by rule",
            Command::Batch => "start a batch, or send it as one /bulk",
            _ => return None,
        })
    }

    pub fn from_name(name: &str) -> Option<Command> {
        all_commands().into_iter().find(|c| c.name() == name)
    }
}

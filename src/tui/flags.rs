//! The Flags view's state (F7): the environment's flags as the profile's key may read them, the
//! context they are evaluated for (user id, company id, attributes) and each flag explained.
//! Nothing here does I/O; evaluation takes the time the loop stamped on the state.

use std::collections::BTreeSet;

use crate::api::flags::explain::{
    EvaluatedFlag, FlagReport, context_of, unsent_company_attributes,
};
use crate::api::flags::{FlagDefinition, FlatContext, evaluate_flag};
use crate::api::inspect::FlagCheckRecord;
use crate::term::Failure;
use crate::term::LineInput;

/// What the key may read: definitions (a secret key: evaluated here, every filter shown) or
/// the server's outcomes (a publishable key).
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Definitions(Vec<FlagDefinition>),
    Evaluated(Vec<EvaluatedFlag>),
}

/// A load's answer: the flags, and what the local store knows of the company.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub source: Source,
    /// The company's stored attributes as `company.NAME` entries: `None` when no local store
    /// could say; empty when no `company` call has named the company.
    pub stored: Option<Vec<(String, String)>>,
    /// The environment's recent flag checks, newest first: `None` without a local store.
    pub checks: Option<Vec<FlagCheckRecord>>,
}

/// The context editor's three fields.
pub const FIELDS: [&str; 3] = ["user id", "company id", "attributes"];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContextEditor {
    /// User id, company id, attributes (`company.plan=enterprise, user.role=admin`).
    pub fields: [LineInput; 3],
}

impl ContextEditor {
    pub fn user(&self) -> Option<&str> {
        Some(self.fields[0].text().trim()).filter(|t| !t.is_empty())
    }

    pub fn company(&self) -> Option<&str> {
        Some(self.fields[1].text().trim()).filter(|t| !t.is_empty())
    }

    /// The attribute pairs, or the first piece that is not `FIELD=VALUE`.
    pub fn attributes(&self) -> Result<Vec<(String, String)>, AttributeError> {
        parse_attributes(self.fields[2].text())
    }

    /// The context these fields make; a bad attribute piece is left out (the view says so).
    pub fn context(&self) -> FlatContext {
        context_of(
            self.user(),
            self.company(),
            &self.attributes().unwrap_or_default(),
        )
    }
}

pub use crate::api::flags::explain::{AttributeError, attributes as parse_attributes};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlagsView {
    /// Answers to older loads are ignored.
    pub generation: u64,
    /// `None` while loading.
    pub loaded: Option<Result<Loaded, Failure>>,
    /// Each flag explained for the context, in the order the server listed them.
    pub reports: Vec<FlagReport>,
    pub selected: usize,
    /// Lines of the selected flag's tree scrolled past.
    pub scroll: u16,
    pub editor: ContextEditor,
    /// The field being edited, and the fields as they were (Esc puts them back).
    pub editing: Option<(usize, ContextEditor)>,
    /// The company the stored attributes are of (`Loaded::stored`).
    pub stored_for: Option<String>,
    /// The watch for the server's flag reloads started by the latest F7 (0: none); reports of
    /// an older one (another profile's) are ignored.
    pub watch: u64,
}

impl FlagsView {
    /// Starts a new load; the caller turns it into an effect.
    pub fn reload(&mut self) -> u64 {
        self.generation += 1;
        self.loaded = None;
        self.generation
    }

    /// Whether each rule's filters can be shown (a secret key read the definitions).
    pub fn shows_trees(&self) -> bool {
        matches!(
            &self.loaded,
            Some(Ok(Loaded {
                source: Source::Definitions(_),
                ..
            }))
        )
    }

    /// The attribute names the store holds for the editor's company, when it can say.
    fn sent(&self) -> Option<BTreeSet<String>> {
        let Some(Ok(loaded)) = &self.loaded else {
            return None;
        };
        if self.stored_for.as_deref() != self.editor.company() {
            return None;
        }
        loaded.stored.as_ref().map(|attrs| {
            attrs
                .iter()
                .filter_map(|(k, _)| k.strip_prefix("company."))
                .map(|a| a.split('.').next().unwrap_or(a).to_owned())
                .collect()
        })
    }

    /// Explains every flag again: definitions for the editor's context at `now_ms`, or the
    /// server's outcomes as they came.
    pub fn explain(&mut self, now_ms: i64) {
        let sent = self.sent();
        self.reports = match &self.loaded {
            Some(Ok(Loaded {
                source: Source::Definitions(flags),
                ..
            })) => {
                let context = self.editor.context();
                #[allow(
                    clippy::cast_precision_loss,
                    reason = "milliseconds since 1970 are exact in an f64 until the year 287 396"
                )]
                let now = now_ms as f64;
                flags
                    .iter()
                    .map(|flag| {
                        let mut r =
                            FlagReport::from_evaluation(flag, &evaluate_flag(flag, &context, now));
                        if let Some(sent) = &sent {
                            r.unsent = unsent_company_attributes(flag, sent);
                        }
                        r
                    })
                    .collect()
            }
            Some(Ok(Loaded {
                source: Source::Evaluated(flags),
                ..
            })) => flags.iter().map(FlagReport::from_evaluated).collect(),
            _ => Vec::new(),
        };
        self.selected = self.selected.min(self.reports.len().saturating_sub(1));
    }

    pub fn move_selection(&mut self, by: isize) {
        let last = self.reports.len().saturating_sub(1);
        let next = self.selected.saturating_add_signed(by).min(last);
        if next != self.selected {
            self.scroll = 0;
        }
        self.selected = next;
    }
}

//! The Features view's state (F6), named after its screen: every feature's STARS funnel (`stars`
//! inside the code, see the crate's docs) as last computed by the local server, the one opened with its companies step by step, and the form that would move a
//! company on. Nothing here does I/O.

use crate::api::Method;
use crate::api::stars::{Feature, Funnel, Standing, Step, Usage};
use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct StarsView {
    pub loaded: crate::term::Load<Vec<Funnel>>,
    pub selected: usize,
    pub opened: Option<Drill>,
    /// Answers to older requests are ignored.
    pub generation: u64,
    /// Where the features came from, for the title: the file's name, or `None` (every event).
    pub source: Option<String>,
}

/// One feature's companies, step by step.
#[derive(Debug, Clone, PartialEq)]
pub struct Drill {
    pub feature: String,
    pub loaded: crate::term::Load<Funnel>,
    /// Index into [`Drill::rows`].
    pub selected: usize,
}

/// A line of the drill-down one can select: a company at its step, or a user left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row<'a> {
    Company(&'a Standing),
    LeftOut(&'a str),
}

impl Drill {
    /// Companies furthest along first, then the users left out.
    pub fn rows(&self) -> Vec<Row<'_>> {
        let Some(f) = self.loaded.ready() else {
            return Vec::new();
        };
        let mut rows: Vec<Row<'_>> = Vec::new();
        for step in Step::ALL.iter().rev() {
            rows.extend(f.at(*step).map(Row::Company));
        }
        rows.extend(f.excluded_user_ids.iter().map(|u| Row::LeftOut(u)));
        rows
    }
}

impl StarsView {
    /// Starts a new computation; the caller turns it into an effect.
    pub fn reload(&mut self) -> u64 {
        self.generation += 1;
        self.loaded = crate::term::Load::Loading;
        self.generation
    }

    pub fn funnels(&self) -> &[Funnel] {
        self.loaded.ready().map_or(&[], Vec::as_slice)
    }

    pub fn move_selection(&mut self, by: isize) {
        if let Some(drill) = &mut self.opened {
            let last = drill.rows().len().saturating_sub(1);
            drill.selected = drill.selected.saturating_add_signed(by).min(last);
        } else {
            let last = self.funnels().len().saturating_sub(1);
            self.selected = self.selected.saturating_add_signed(by).min(last);
        }
    }
}

/// The form, filled, that would move `row` of `funnel` on, and what to say; `None` at the top.
/// `send` names the key that sends, as bound.
pub fn next_form(
    funnel: &Funnel,
    row: &Row<'_>,
    send: &str,
) -> Option<(Method, Map<String, Value>, String)> {
    let def = funnel.definition.as_ref()?;
    let mut body = Map::new();
    match row {
        Row::LeftOut(user) => {
            body.insert("userId".into(), json!(user));
            body.insert("companyId".into(), json!(""));
            let note = format!(
                "company form: give `{user}` a company (companyId) and {send}; their events then count"
            );
            Some((Method::Company, body, note))
        }
        Row::Company(s) if s.step == Step::Satisfied => None,
        Row::Company(s) if def.kind() == crate::api::stars::Kind::Attribute => {
            if let Usage::Attribute { attribute } = &def.usage {
                body.insert("companyId".into(), json!(s.company_id));
                body.insert("attributes".into(), json!({ attribute.as_str(): true }));
                let note = format!(
                    "company form: `{attribute}` set true for {} · {send} adopts it",
                    s.company_id
                );
                return Some((Method::Company, body, note));
            }
            None
        }
        Row::Company(s) => {
            let user = s.member.clone().unwrap_or_default();
            body.insert("userId".into(), json!(user));
            body.insert("companyId".into(), json!(s.company_id));
            if s.step == Step::Retained {
                body.insert("featureId".into(), json!(def.feedback));
                let note = format!(
                    "feedback form for {}: pick a score of {} or more and {send}",
                    s.company_id, def.rules.satisfied_score
                );
                return Some((Method::Feedback, body, note));
            }
            let event = event_of(def)?;
            body.insert("event".into(), json!(event));
            let why = s.why_not_next.as_deref().unwrap_or_default();
            let note = format!(
                "event form: one more use by {} ({why}) · {send} sends it",
                s.company_id
            );
            Some((Method::Event, body, note))
        }
    }
}

fn event_of(def: &Feature) -> Option<String> {
    match &def.usage {
        Usage::Event { events } => events.first().cloned(),
        Usage::Attribute { .. } => None,
    }
}

/// The status line: the selected company's reason whole (the list may cut it), or what to do.
pub fn status_text(
    view: &crate::tui::stars::StarsView,
    keymap: &crate::tui::keys::Keymap,
) -> String {
    use crate::tui::keys::{Command, Context};
    use crate::tui::stars::Row;
    let key = |context, command| keymap.label(context, command);
    let Some(drill) = &view.opened else {
        return format!(
            " {} shows a feature's companies and why they stop where they do · {} recomputes",
            key(Context::Features, Command::Open),
            key(Context::Features, Command::Reload)
        );
    };
    let move_on = key(Context::FeaturesDetail, Command::UseInForm);
    match drill.rows().get(drill.selected) {
        Some(Row::Company(s)) => format!(
            " {}: {} · {move_on} moves it on",
            crate::sanitize::sanitize(&s.company_id),
            crate::sanitize::sanitize(s.why_not_next.as_deref().unwrap_or("at the top"))
        ),
        Some(Row::LeftOut(u)) => format!(
            " {}: in no company, so their events count for none · {move_on} gives them one",
            crate::sanitize::sanitize(u)
        ),
        None => format!(
            " {} back to the features",
            key(Context::FeaturesDetail, Command::Back)
        ),
    }
}

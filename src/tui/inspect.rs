//! The Data view's state and its pure updates: which list, which page, the selection, the search,
//! an open user or company, and what the last send touched. Pages come from the local server's
//! inspection routes through `inspect`; nothing here does I/O.

use crate::api::inspect::{EventRecord, FeedbackRecord};
use crate::api::stars::Funnel;
use crate::inspect::{Entity, EntityRef, Order, Page, Query, Rows, Tab};
use crate::term::LineInput;
use std::collections::{HashMap, HashSet};

/// Funnels as computed, or why not.
pub type Funnels = Result<Vec<Funnel>, crate::term::Failure>;

/// Rows per page: one request per page step, whatever the store holds.
pub const PAGE: u32 = 50;

/// What the detail pane shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Opened {
    /// A user or company, loading or loaded; `Ready(None)` when the server has no such one.
    Entity {
        which: EntityRef,
        loaded: crate::term::Load<Option<Entity>>,
    },
    Event(Box<EventRecord>),
    Feedback(Box<FeedbackRecord>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct InspectView {
    pub tab: Tab,
    pub query: Query,
    /// The page shown; `None` before the first answer.
    pub rows: Option<Rows>,
    pub selected: usize,
    pub loading: bool,
    pub error: Option<crate::term::Failure>,
    /// Answers to older requests are ignored.
    pub generation: u64,
    pub search: LineInput,
    pub typing: bool,
    pub opened: Option<Opened>,
    /// How far the opened one is scrolled.
    pub scroll: u16,
    /// The entities the last delivered call named.
    pub touched: HashSet<EntityRef>,
    /// Entities whose `lastSeen` changed between two loads.
    pub changed: HashSet<EntityRef>,
    /// The last `lastSeen` seen per entity, to notice changes.
    seen: HashMap<EntityRef, Option<String>>,
    /// The opened company's step per feature: its id, and the funnels once computed.
    pub company_steps: Option<(String, Option<Funnels>)>,
    /// The cursor of the page shown's last row: the next page is read from it.
    next: Option<String>,
    /// The `query.after` of each page before the one shown, for paging back.
    trail: Vec<Option<String>>,
}

impl Default for InspectView {
    fn default() -> Self {
        Self {
            tab: Tab::Users,
            query: Query::first(Tab::Users, PAGE),
            rows: None,
            selected: 0,
            loading: false,
            error: None,
            generation: 0,
            search: LineInput::new(""),
            typing: false,
            opened: None,
            scroll: 0,
            touched: HashSet::new(),
            changed: HashSet::new(),
            seen: HashMap::new(),
            company_steps: None,
            next: None,
            trail: Vec::new(),
        }
    }
}

impl InspectView {
    /// A company's funnels came back: kept when that company is still the one asked about.
    pub fn company_steps_loaded(
        &mut self,
        company: &str,
        result: Result<Vec<Funnel>, crate::term::Failure>,
    ) {
        if let Some((id, slot)) = &mut self.company_steps
            && id == company
        {
            *slot = Some(result);
        }
    }

    /// Starts a new request for the current query; the caller turns it into an effect.
    pub fn reload(&mut self) -> Query {
        self.generation += 1;
        self.loading = true;
        // The cursor shown belongs to the page asked for before; the answer brings the new one.
        self.next = None;
        self.query.clone()
    }

    pub fn switch_tab(&mut self, tab: Tab) -> Query {
        self.tab = tab;
        self.query = Query {
            search: self.search.text().to_owned(),
            ..Query::first(tab, PAGE)
        };
        self.rows = None;
        self.selected = 0;
        self.opened = None;
        self.rewind();
        self.reload()
    }

    /// Back to the first page: no cursor, none to page back to.
    fn rewind(&mut self) {
        self.query.offset = 0;
        self.query.after = None;
        self.trail.clear();
    }

    /// Home: the first page, fetched unless shown.
    pub fn first_page(&mut self) -> Option<Query> {
        self.selected = 0;
        (self.query.offset != 0).then(|| {
            self.rewind();
            self.reload()
        })
    }

    /// The next (`forward`) or previous page; `None` when there is none.
    pub fn page_step(&mut self, forward: bool) -> Option<Query> {
        if forward {
            if self.rows.as_ref().is_none_or(|r| r.len() < PAGE as usize) {
                return None;
            }
            // From the last row's cursor: as cheap a million rows down as on the first page.
            self.trail.push(self.query.after.take());
            self.query.after = self.next.clone();
            self.query.offset += u64::from(PAGE);
        } else {
            if self.query.offset == 0 {
                return None;
            }
            self.query.offset = self.query.offset.saturating_sub(u64::from(PAGE));
            self.query.after = self.trail.pop().flatten();
            if self.query.offset == 0 {
                self.rewind();
            }
        }
        Some(self.reload())
    }

    pub fn flip_order(&mut self) -> Query {
        self.query.order = self.query.order.flipped();
        self.rewind();
        self.selected = 0;
        self.reload()
    }

    /// The search as typed so far applies from the first page.
    pub fn search_changed(&mut self) -> Query {
        self.query.search = self.search.text().to_owned();
        self.rewind();
        self.selected = 0;
        self.reload()
    }

    /// An answer for request `generation`; stale ones are dropped.
    pub fn loaded(&mut self, generation: u64, result: Result<Page, crate::term::Failure>) {
        if generation != self.generation {
            return;
        }
        self.loading = false;
        match result {
            Ok(Page { rows, next }) if rows.tab() == self.tab => {
                self.next = next;
                self.note_last_seen(&rows);
                self.selected = self.selected.min(rows.len().saturating_sub(1));
                self.rows = Some(rows);
                self.error = None;
            }
            Ok(_) => {}
            Err(e) => self.error = Some(e),
        }
    }

    pub fn entity_loaded(
        &mut self,
        which: &EntityRef,
        result: Result<Option<Entity>, crate::term::Failure>,
    ) {
        if self.opened_entity().as_ref() != Some(which) {
            return;
        }
        if let Ok(Some(entity)) = &result {
            let last = match entity {
                Entity::User { user, .. } => user.last_seen.clone(),
                Entity::Company { company, .. } => company.last_seen.clone(),
            };
            self.mark(which.clone(), last);
        }
        if let Some(Opened::Entity { loaded, .. }) = &mut self.opened {
            *loaded = result.into();
        }
    }

    fn note_last_seen(&mut self, rows: &Rows) {
        match rows {
            Rows::Users(users) => {
                for u in users {
                    self.mark(EntityRef::User(u.user_id.clone()), u.last_seen.clone());
                }
            }
            Rows::Companies(companies) => {
                for c in companies {
                    self.mark(
                        EntityRef::Company(c.company_id.clone()),
                        c.last_seen.clone(),
                    );
                }
            }
            Rows::Events(_) | Rows::Feedback(_) | Rows::FlagChecks(_) => {}
        }
    }

    fn mark(&mut self, which: EntityRef, last_seen: Option<String>) {
        if let Some(before) = self.seen.insert(which.clone(), last_seen.clone())
            && before != last_seen
        {
            self.changed.insert(which);
        }
    }

    /// A call was delivered: highlight what it named, forget older marks.
    pub fn touch(&mut self, refs: Vec<EntityRef>) {
        self.touched = refs.into_iter().collect();
        self.changed.clear();
    }

    pub fn move_selection(&mut self, down: bool) {
        let len = self.rows.as_ref().map_or(0, Rows::len);
        if down {
            self.selected = (self.selected + 1).min(len.saturating_sub(1));
        } else {
            self.selected = self.selected.saturating_sub(1);
        }
    }

    /// The user or company a row names (events and feedback name their user).
    /// The status line's warning while the list's selected user is in no company: the view
    /// wraps it, and the layout gives it the rows it needs, so it is never cut.
    pub fn warning(&self) -> Option<String> {
        if self.typing || self.error.is_some() || self.loading || self.opened.is_some() {
            return None;
        }
        let Some(Rows::Users(users)) = &self.rows else {
            return None;
        };
        let user = users
            .get(self.selected)
            .filter(|u| u.companies.is_empty())?;
        Some(format!(
            "{}: {}",
            crate::inspect::table::NO_COMPANY,
            crate::inspect::table::unassociated_explanation(&user.user_id)
        ))
    }

    pub fn row_ref(&self, index: usize) -> Option<EntityRef> {
        match self.rows.as_ref()? {
            Rows::Users(r) => r.get(index).map(|u| EntityRef::User(u.user_id.clone())),
            Rows::Companies(r) => r
                .get(index)
                .map(|c| EntityRef::Company(c.company_id.clone())),
            Rows::Events(r) => r.get(index).map(|e| EntityRef::User(e.user_id.clone())),
            Rows::Feedback(r) => r.get(index).map(|f| EntityRef::User(f.user_id.clone())),
            Rows::FlagChecks(r) => {
                let c = r.get(index)?;
                let id = |entity: &str| c.context[entity]["id"].as_str().map(str::to_owned);
                id("user")
                    .map(EntityRef::User)
                    .or_else(|| id("company").map(EntityRef::Company))
            }
        }
    }

    /// Opens the selected row: a user or company is fetched, an event or feedback shown as is.
    pub fn open_selected(&mut self) -> Option<EntityRef> {
        self.scroll = 0;
        let opened = match self.rows.as_ref()? {
            // A flag check opens the user (else the company) it was checked for.
            Rows::Users(_) | Rows::Companies(_) | Rows::FlagChecks(_) => {
                let which = self.row_ref(self.selected)?;
                self.opened = Some(Opened::Entity {
                    which: which.clone(),
                    loaded: crate::term::Load::Loading,
                });
                return Some(which);
            }
            Rows::Events(r) => Opened::Event(Box::new(r.get(self.selected)?.clone())),
            Rows::Feedback(r) => Opened::Feedback(Box::new(r.get(self.selected)?.clone())),
        };
        self.opened = Some(opened);
        None
    }

    /// Opens a user or company by id (from a detail's links).
    pub fn open(&mut self, which: EntityRef) -> EntityRef {
        self.scroll = 0;
        self.opened = Some(Opened::Entity {
            which: which.clone(),
            loaded: crate::term::Load::Loading,
        });
        which
    }

    /// The entity open in the detail pane, to reload after a send.
    pub fn opened_entity(&self) -> Option<EntityRef> {
        match &self.opened {
            Some(Opened::Entity { which, .. }) => Some(which.clone()),
            _ => None,
        }
    }

    /// The method and the fields "use in form" fills from the selected row (or the open entity).
    pub fn form_values(&self) -> Option<(crate::api::Method, Vec<(&'static str, String)>)> {
        use crate::api::Method;
        if let Some(Opened::Entity { which, .. }) = &self.opened {
            return Some(match which {
                EntityRef::User(id) => (Method::User, vec![("userId", id.clone())]),
                EntityRef::Company(id) => (Method::Company, vec![("companyId", id.clone())]),
            });
        }
        let event = match &self.opened {
            Some(Opened::Event(e)) => Some(e.as_ref()),
            _ => None,
        };
        let feedback = match &self.opened {
            Some(Opened::Feedback(f)) => Some(f.as_ref()),
            _ => None,
        };
        let i = self.selected;
        Some(match self.rows.as_ref()? {
            Rows::Users(r) => (Method::User, vec![("userId", r.get(i)?.user_id.clone())]),
            Rows::Companies(r) => (
                Method::Company,
                vec![("companyId", r.get(i)?.company_id.clone())],
            ),
            Rows::Events(r) => {
                let e = event.or_else(|| r.get(i))?;
                let mut v = vec![("event", e.event.clone()), ("userId", e.user_id.clone())];
                if let Some(c) = &e.company_id {
                    v.push(("companyId", c.clone()));
                }
                (Method::Event, v)
            }
            Rows::Feedback(r) => {
                let f = feedback.or_else(|| r.get(i))?;
                let mut v = vec![
                    ("featureId", f.feature_id.clone()),
                    ("userId", f.user_id.clone()),
                ];
                if let Some(c) = &f.company_id {
                    v.push(("companyId", c.clone()));
                }
                (Method::Feedback, v)
            }
            // A check missing a company attribute is fixed by a `company` call for it.
            Rows::FlagChecks(r) => {
                let c = r.get(i)?;
                match c.context["company"]["id"].as_str() {
                    Some(id) => (Method::Company, vec![("companyId", id.to_owned())]),
                    None => (
                        Method::User,
                        vec![("userId", c.context["user"]["id"].as_str()?.to_owned())],
                    ),
                }
            }
        })
    }

    pub fn order_label(&self) -> &'static str {
        match self.query.order {
            Order::Newest => "newest first",
            Order::Oldest => "oldest first",
        }
    }
}

/// The user and company a delivered call named, read by the same rules the server applied.
pub fn touched_by(method: crate::api::Method, body: &str, now_ms: i64) -> Vec<EntityRef> {
    use crate::api::payload::Payload;
    let Ok(value) = serde_json::from_str::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let Ok(validated) = crate::api::validate(method, &value, now_ms) else {
        return Vec::new();
    };
    let (user, company) = match validated.payload {
        Payload::User(c) => (Some(c.user_id), None),
        Payload::Company(c) => (c.user_id, Some(c.company_id)),
        Payload::Event(c) => (Some(c.user_id), c.company_id),
        Payload::Feedback(c) => (Some(c.user_id), c.company_id),
    };
    user.map(EntityRef::User)
        .into_iter()
        .chain(company.map(EntityRef::Company))
        .collect()
}

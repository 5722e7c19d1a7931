//! Adding and editing a profile inside the console. The key is typed into a masked field; when
//! editing, leaving it empty keeps the stored key.

use crate::api::{AnyKey, Api};
use crate::profiles::{self, Change, Profile, Profiles};
use crate::term::LineInput;

pub const LABELS: [&str; 6] = [
    "name",
    "base URL",
    "tracking key",
    "default userId",
    "default companyId",
    "default featureId",
];
pub const KEY_FIELD: usize = 2;
pub const BASE_FIELD: usize = 1;
/// What an empty base URL means: shown as a hint, never typed in for the user to type after.
pub const DEFAULT_BASE: &str = "https://tracking.bucket.co";
/// What an empty base URL means for a runtime profile: Reflag's Runtime API host.
pub const DEFAULT_RUNTIME_BASE: &str = "reflag";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileEditor {
    /// The profile being edited, `None` when adding.
    pub original: Option<String>,
    pub inputs: [LineInput; 6],
    pub focus: usize,
    /// The stored key, masked, shown while the key field is empty.
    pub key_hint: Option<String>,
    pub error: Option<String>,
    /// Editing a built-in profile: its name, base URL and key are fixed, only the ids change.
    pub builtin: bool,
    /// The API the profile speaks (Ctrl+T while adding; a saved profile keeps its own), as
    /// `profiles add --runtime` chooses it.
    pub api: Api,
}

/// The first field a built-in profile lets the user change.
pub const FIRST_ID_FIELD: usize = 3;

/// Ctrl+T on a saved profile: its API stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a profile keeps the API it speaks ({}): add another profile for the other one", .0.as_str())]
pub struct KeepsItsApi(pub Api);

impl ProfileEditor {
    pub fn add() -> Self {
        Self {
            original: None,
            inputs: Default::default(),
            focus: 0,
            key_hint: None,
            error: None,
            builtin: false,
            api: Api::Tracking,
        }
    }

    pub fn edit(p: &Profile) -> Self {
        let text = |v: &Option<String>| LineInput::new(v.as_deref().unwrap_or(""));
        Self {
            original: Some(p.name.clone()),
            inputs: [
                LineInput::new(&p.name),
                LineInput::new(&p.base_url),
                LineInput::default(),
                text(&p.user_id),
                text(&p.company_id),
                text(&p.feature_id),
            ],
            focus: if p.is_builtin() { FIRST_ID_FIELD } else { 0 },
            // A key read from a variable or a command is kept as such unless one is typed.
            key_hint: Some(if p.key_from.is_file() {
                p.key.masked()
            } else {
                p.key_from.describe()
            }),
            error: None,
            builtin: p.is_builtin(),
            api: p.api(),
        }
    }

    /// Ctrl+T: tracking or runtime, while adding; a saved profile keeps its API.
    pub fn toggle_api(&mut self) -> Result<(), KeepsItsApi> {
        if self.original.is_some() {
            return Err(KeepsItsApi(self.api));
        }
        self.api = match self.api {
            Api::Tracking => Api::Runtime,
            Api::Runtime => Api::Tracking,
        };
        Ok(())
    }

    /// The key field's label.
    pub fn key_label(&self) -> &'static str {
        match self.api {
            Api::Tracking => "tracking key",
            Api::Runtime => "runtime key",
        }
    }

    /// What an empty base URL means, said in its place.
    pub fn base_hint(&self) -> String {
        match self.api {
            Api::Tracking => format!("{DEFAULT_BASE} (when left empty)"),
            Api::Runtime => "reflag (when left empty), reflag-eu or a URL".to_owned(),
        }
    }

    /// The fields Tab and the arrows move through.
    pub fn editable(&self) -> std::ops::Range<usize> {
        let first = if self.builtin { FIRST_ID_FIELD } else { 0 };
        first..self.inputs.len()
    }

    /// Applies the editor to `all`; returns the saved profile, or says what to fix.
    /// The change the editor describes, checked against `all`.
    pub fn change(&self, all: &Profiles) -> Result<Change, String> {
        self.checked(all).map_err(|(_, e)| e)
    }

    /// The field a problem is in, so the editor can put the cursor there.
    fn checked(&self, all: &Profiles) -> Result<Change, (usize, String)> {
        let field = |i: usize| self.inputs[i].text().trim().to_owned();
        let optional = |i: usize| Some(field(i)).filter(|v| !v.is_empty());
        if self.builtin
            && let Some(original) = &self.original
            && let Some(builtin) = all.get(original)
        {
            return Ok(Change::Put {
                profile: builtin.with_ids(profiles::DefaultIds {
                    user_id: optional(3),
                    company_id: optional(4),
                    feature_id: optional(5),
                }),
                was: self.original.clone(),
                keep_key: true,
                replace: true,
            });
        }
        let name = field(0);
        profiles::check_name(&name).map_err(|e| (0, e.to_string()))?;
        let base = Some(field(BASE_FIELD)).filter(|b| !b.is_empty());
        // A runtime profile's base is `reflag`, `reflag-eu` or a URL, as `profiles add --base`.
        let base_url = match self.api {
            Api::Tracking => profiles::normalize_base_url(base.as_deref().unwrap_or(DEFAULT_BASE)),
            Api::Runtime => {
                profiles::runtime_base_url(base.as_deref().unwrap_or(DEFAULT_RUNTIME_BASE))
            }
        }
        .map_err(|e| (BASE_FIELD, e.to_string()))?;
        let typed = self.inputs[KEY_FIELD].text().trim();
        let (key, key_from) = match (&self.original, typed.is_empty()) {
            (Some(original), true) => all
                .get(original)
                .map(|p| (p.key, p.key_from))
                .ok_or((0, "the profile is gone".to_owned()))?,
            (None, true) => {
                return Err((KEY_FIELD, format!("the {} is required", self.key_label())));
            }
            // An edited profile keeps its API: a runtime profile's new key is a `pub_`/`sec_` key.
            (_, false) => AnyKey::parse(self.api, typed)
                .map(|k| (k, profiles::KeyFrom::File))
                .map_err(|e| {
                    let runtime_key = typed.starts_with("pub_") || typed.starts_with("sec_");
                    if self.api == Api::Tracking && runtime_key && self.original.is_none() {
                        (
                            KEY_FIELD,
                            "that is a Runtime API key: Ctrl+T makes this a runtime profile"
                                .to_owned(),
                        )
                    } else {
                        (KEY_FIELD, e.to_string())
                    }
                })?,
        };
        if self.original.as_deref() != Some(name.as_str()) && all.get(&name).is_some() {
            return Err((
                0,
                format!(
                    "a profile named `{name}` exists already: choose another name, or Esc and e \
                     to edit that one"
                ),
            ));
        }
        Ok(Change::Put {
            profile: Profile {
                name,
                base_url,
                key,
                key_from,
                user_id: optional(3),
                company_id: optional(4),
                feature_id: optional(5),
            },
            was: self.original.clone(),
            keep_key: self.original.is_some() && typed.is_empty(),
            replace: false,
        })
    }

    /// Applies the editor's change to `all`; returns the profile saved and the change, which the
    /// file is given next.
    pub fn apply(&mut self, all: &mut Profiles) -> Result<(Profile, Change), String> {
        let change = self.checked(all).map_err(|(at, e)| {
            if self.editable().contains(&at) {
                self.focus = at;
            }
            e
        })?;
        let saved = change.apply(all).map_err(|e| match e {
            // The CLI's words would say --force; here the way out is a key.
            profiles::ProfileError::Exists(name) => format!(
                "a profile named `{name}` exists already: choose another name, or Esc and e to \
                 edit that one"
            ),
            other => other.to_string(),
        })?;
        Ok((saved, change))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "trCqx4DGo1lk3Lcct5NHLjWy";

    fn filled(name: &str, key: &str) -> ProfileEditor {
        let mut e = ProfileEditor::add();
        e.inputs[0].set(name);
        e.inputs[KEY_FIELD].set(key);
        e
    }

    #[test]
    fn adds_checks_and_keeps_the_key_when_editing() {
        let mut all = Profiles::default();
        assert_eq!(
            filled("bad name", KEY).apply(&mut all).unwrap_err(),
            "profile names are 1–64 letters, digits, `_`, `-` or `.`, not `bad name`"
        );
        assert!(
            filled("p", "")
                .apply(&mut all)
                .unwrap_err()
                .contains("key is required")
        );
        assert!(
            !filled("p", "not a key!")
                .apply(&mut all)
                .unwrap_err()
                .contains("not a key"),
            "the typed key is never echoed"
        );
        let saved = filled("p", KEY).apply(&mut all).unwrap().0;
        assert_eq!(saved.base_url, "https://tracking.bucket.co");
        all.set_default("p").unwrap();
        let mut edit = ProfileEditor::edit(&saved);
        assert_eq!(edit.key_hint.as_deref(), Some("…LjWy"));
        edit.inputs[0].set("renamed");
        edit.inputs[3].set("42");
        let renamed = edit.apply(&mut all).unwrap().0;
        assert_eq!(
            (renamed.key.expose(), renamed.user_id.as_deref()),
            (KEY, Some("42"))
        );
        assert!(all.get("p").is_none());
        let from = profiles::KeyFrom::Env("PROD_KEY".into());
        all.add(
            Profile {
                name: "from-env".into(),
                key: AnyKey::unread(Api::Tracking),
                key_from: from.clone(),
                ..renamed.clone()
            },
            false,
        )
        .unwrap();
        let mut edit = ProfileEditor::edit(&all.get("from-env").unwrap());
        assert_eq!(edit.key_hint.as_deref(), Some("from $PROD_KEY"));
        edit.inputs[3].set("7");
        let kept = edit.apply(&mut all).unwrap().0;
        assert_eq!((kept.key_from, kept.user_id.as_deref()), (from, Some("7")));
        assert_eq!(
            all.default_name(),
            "renamed",
            "the default follows a rename"
        );
    }
}

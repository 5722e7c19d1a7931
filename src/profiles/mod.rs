//! Profiles: where to send (base URL), with which tracking key, and default ids. Kept as TOML in
//! the config dir, mode 0600, written atomically. The built-in `local` profile always exists.

mod change;
mod file;
pub mod key_source;
mod select;

pub use change::{Change, update};
pub use file::load;
pub use key_source::{KeyFrom, KeySourceError};
pub use select::{Env, Selected, Source, select};

use crate::api::{AnyKey, Api, TrackingKey};
use std::collections::BTreeMap;

/// The built-in profile's name; its key is `local` too.
pub const LOCAL: &str = "local";
/// The built-in Runtime API profile: the same embedded server, the `local` environment's secret key.
pub const LOCAL_RUNTIME: &str = "local-runtime";
/// The built-in profiles, in the order lists show them.
pub const BUILTINS: [&str; 2] = [LOCAL, LOCAL_RUNTIME];
/// `profiles add --runtime --base reflag|reflag-eu`: Reflag's Runtime API hosts.
pub const REFLAG_HOSTS: [(&str, &str); 2] = [
    ("reflag", "https://front.reflag.com"),
    ("reflag-eu", "https://front-eu.reflag.com"),
];
/// Where `local` looks for a running `serve` first (the default listen address).
pub const LOCAL_URL: &str = "http://127.0.0.1:8787";

/// Everything that can be wrong with profiles, with the words to fix it.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read {0}: {1}")]
    Read(String, std::io::Error),
    #[error("cannot write {0}: {1}")]
    Write(String, std::io::Error),
    #[error("{path} line {line}: {message}")]
    Syntax {
        path: String,
        line: usize,
        message: String,
    },
    #[error("{path}: profile `{profile}`: {message}")]
    Invalid {
        path: String,
        profile: String,
        message: String,
    },
    #[error("no profile named `{0}`; `bucket-console profiles list` shows them")]
    NotFound(String),
    #[error("a profile named `{0}` exists already; remove it first or pass --force")]
    Exists(String),
    #[error(
        "`{0}` is a built-in profile; choose another name (to give it default ids: \
         `bucket-console profiles edit {0} --user-id ID`)"
    )]
    Reserved(String),
    #[error(
        "`{0}` is built in: its base URL and key are fixed; only its default ids change \
         (`bucket-console profiles edit {0} --user-id ID --company-id ID --feature-id ID`)"
    )]
    BuiltinFixed(String),
    #[error("profile names are 1–64 letters, digits, `_`, `-` or `.`, not `{0}`")]
    BadName(String),
    #[error("`{0}` is not a base URL: {1}")]
    BadUrl(String, String),
    #[error("{0}: {1}")]
    BadKey(String, String),
    #[error("profile `{profile}` reads its key {from}, but {source}")]
    KeySource {
        profile: String,
        from: String,
        source: KeySourceError,
    },
    #[error(transparent)]
    NoHome(#[from] crate::paths::NoHome),
}

/// A place to send calls to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    /// Without a trailing slash.
    pub base_url: String,
    /// A tracking key (sent in the path) or a Runtime API key (sent only as a Bearer header).
    pub key: AnyKey,
    /// Where the key comes from: stored, or read into memory from a variable or a command
    /// (then `key` is the key read, or [`AnyKey::unread`] when it could not be).
    pub key_from: KeyFrom,
    pub user_id: Option<String>,
    pub company_id: Option<String>,
    pub feature_id: Option<String>,
}

impl Profile {
    /// The built-in profile: the local server, tracking key `local`.
    pub fn local() -> Profile {
        Profile {
            name: LOCAL.to_owned(),
            base_url: LOCAL_URL.to_owned(),
            key: AnyKey::Tracking(
                TrackingKey::parse(LOCAL)
                    .unwrap_or_else(|_| unreachable!("`local` is a valid key")),
            ),
            key_from: KeyFrom::File,
            user_id: None,
            company_id: None,
            feature_id: None,
        }
    }

    /// The built-in Runtime API profile: the local server's `local` environment, secret key.
    pub fn local_runtime() -> Profile {
        Profile {
            name: LOCAL_RUNTIME.to_owned(),
            key: AnyKey::parse(Api::Runtime, crate::api::runtime::env::LOCAL_SECRET)
                .unwrap_or_else(|_| unreachable!("the local secret key is well-formed")),
            ..Profile::local()
        }
    }

    /// The built-in profile of this name, without ids.
    pub fn builtin(name: &str) -> Option<Profile> {
        match name {
            LOCAL => Some(Profile::local()),
            LOCAL_RUNTIME => Some(Profile::local_runtime()),
            _ => None,
        }
    }

    /// Which API this profile speaks.
    pub fn api(&self) -> Api {
        self.key.api()
    }

    /// Whether it is a built-in profile, served by the embedded local server (started when no
    /// `serve` answers on the default address).
    pub fn is_local(&self) -> bool {
        BUILTINS.contains(&self.name.as_str())
    }

    /// Whether it sends to a local server (the built-in one, or a `serve` on a loopback
    /// address): only those have the store the STARS funnel is computed from, and a request for
    /// it is never sent elsewhere.
    pub fn has_local_store(&self) -> bool {
        self.is_local() || crate::net::is_loopback(&self.base_url)
    }

    /// Whether this is a built-in profile: its base URL and key are fixed, its ids are not.
    pub fn is_builtin(&self) -> bool {
        self.is_local()
    }

    pub fn default_ids(&self) -> DefaultIds {
        DefaultIds {
            user_id: self.user_id.clone(),
            company_id: self.company_id.clone(),
            feature_id: self.feature_id.clone(),
        }
    }

    #[must_use]
    pub fn with_ids(self, ids: DefaultIds) -> Profile {
        Profile {
            user_id: ids.user_id,
            company_id: ids.company_id,
            feature_id: ids.feature_id,
            ..self
        }
    }

    /// The default of an id field the method requires, from this profile.
    pub fn default_for(&self, field: &str) -> Option<&str> {
        match field {
            "userId" => self.user_id.as_deref(),
            "companyId" => self.company_id.as_deref(),
            "featureId" => self.feature_id.as_deref(),
            _ => None,
        }
    }

    /// The ids this profile gives (`userId`, `companyId`, `featureId`), by field name: what
    /// `{{profile.userId}}` and its kin resolve to.
    pub fn ids(&self) -> std::collections::BTreeMap<String, String> {
        ["userId", "companyId", "featureId"]
            .into_iter()
            .filter_map(|f| self.default_for(f).map(|v| (f.to_owned(), v.to_owned())))
            .collect()
    }
}

/// All saved profiles plus `local`, and which is the default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profiles {
    saved: BTreeMap<String, Profile>,
    default: Option<String>,
    /// The default ids given to the built-in profile, whose base URL and key stay fixed.
    builtin_ids: BTreeMap<String, DefaultIds>,
}

/// A profile's default ids: what a form is prefilled with and `{{profile.userId}}` gives. In
/// `profiles.toml` the built-in profiles keep these alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(clippy::struct_field_names)] // the names `profiles.toml` has always used
pub struct DefaultIds {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_id: Option<String>,
}

impl Profiles {
    /// A profile by name, `local` included.
    pub fn get(&self, name: &str) -> Option<Profile> {
        if let Some(builtin) = self.builtin(name) {
            return Some(builtin);
        }
        self.saved.get(name).cloned()
    }

    /// The built-in profiles first, then the saved ones by name.
    pub fn list(&self) -> Vec<Profile> {
        BUILTINS
            .iter()
            .filter_map(|name| self.builtin(name))
            .chain(self.saved.values().cloned())
            .collect()
    }

    /// A built-in profile with the default ids the user gave it.
    fn builtin(&self, name: &str) -> Option<Profile> {
        let ids = self.builtin_ids.get(name).cloned().unwrap_or_default();
        Profile::builtin(name).map(|p| p.with_ids(ids))
    }

    /// Gives a built-in profile `profile`'s default ids; its base URL and key must be the
    /// built-in ones.
    pub fn set_builtin_ids(&mut self, profile: &Profile) -> Result<(), ProfileError> {
        let Some(builtin) = Profile::builtin(&profile.name) else {
            return Err(ProfileError::BuiltinFixed(LOCAL.to_owned()));
        };
        if profile.base_url != builtin.base_url || profile.key != builtin.key {
            return Err(ProfileError::BuiltinFixed(builtin.name));
        }
        self.builtin_ids
            .insert(profile.name.clone(), profile.default_ids());
        Ok(())
    }

    /// The default profile's name (`local` unless another was chosen).
    pub fn default_name(&self) -> &str {
        self.default.as_deref().unwrap_or(LOCAL)
    }

    /// Adds a profile; `replace` allows overwriting one of the same name.
    pub fn add(&mut self, profile: Profile, replace: bool) -> Result<(), ProfileError> {
        check_name(&profile.name)?;
        if !replace && self.saved.contains_key(&profile.name) {
            return Err(ProfileError::Exists(profile.name));
        }
        self.saved.insert(profile.name.clone(), profile);
        Ok(())
    }

    /// Removes a profile; if it was the default, `local` becomes the default again.
    pub fn remove(&mut self, name: &str) -> Result<Profile, ProfileError> {
        if BUILTINS.contains(&name) {
            return Err(ProfileError::Reserved(name.to_owned()));
        }
        let removed = self
            .saved
            .remove(name)
            .ok_or_else(|| ProfileError::NotFound(name.to_owned()))?;
        if self.default.as_deref() == Some(name) {
            self.default = None;
        }
        Ok(removed)
    }

    pub fn set_default(&mut self, name: &str) -> Result<(), ProfileError> {
        if self.get(name).is_none() {
            return Err(ProfileError::NotFound(name.to_owned()));
        }
        self.default = (name != LOCAL).then(|| name.to_owned());
        Ok(())
    }
}

/// Reads the key of a profile that takes it from a variable or a command (once per process),
/// into memory only.
pub fn read_key(profile: &mut Profile) -> Result<(), ProfileError> {
    let failed = |source| ProfileError::KeySource {
        profile: profile.name.clone(),
        from: profile.key_from.describe(),
        source,
    };
    let raw = key_source::read_once(&profile.key_from).map_err(failed)?;
    profile.key = AnyKey::parse(profile.api(), &raw).map_err(|why| {
        ProfileError::BadKey(
            format!(
                "profile `{}`: the key read {}",
                profile.name,
                profile.key_from.describe()
            ),
            why.to_string(),
        )
    })?;
    Ok(())
}

/// Reads, before the console takes the terminal, the key of every profile that takes it from a
/// variable or a command, so that switching to one later needs no prompt; says which failed.
pub fn read_keys(profiles: &mut Profiles) -> Vec<ProfileError> {
    profiles
        .saved
        .values_mut()
        .filter(|p| !p.key_from.is_file())
        .filter_map(|p| read_key(p).err())
        .collect()
}

/// Names are short and safe to show anywhere.
pub fn check_name(name: &str) -> Result<(), ProfileError> {
    if BUILTINS.contains(&name) {
        return Err(ProfileError::Reserved(name.to_owned()));
    }
    let ok = (1..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(ProfileError::BadName(name.to_owned()))
    }
}

/// A `--base` of a runtime profile: `reflag`, `reflag-eu` or a base URL.
pub fn runtime_base_url(raw: &str) -> Result<String, ProfileError> {
    REFLAG_HOSTS
        .iter()
        .find(|(name, _)| *name == raw.trim())
        .map_or_else(|| normalize_base_url(raw), |(_, url)| Ok((*url).to_owned()))
}

/// Checks a base URL (http or https, no query) and returns it without a trailing slash.
pub fn normalize_base_url(raw: &str) -> Result<String, ProfileError> {
    let bad = |why: &str| ProfileError::BadUrl(raw.to_owned(), why.to_owned());
    // `127.0.0.1:8787` and `localhost:8787` read as a relative URL or a scheme: say what to write.
    if !raw.contains("://") {
        return Err(bad(&format!(
            "it needs its scheme: http://{} (or https://)",
            raw.trim()
        )));
    }
    let url = reqwest::Url::parse(raw.trim()).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("it must start with http:// or https://"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("it must not have a query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("credentials do not belong in the URL"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &str) -> Profile {
        Profile {
            name: name.into(),
            ..Profile::local()
        }
    }

    #[test]
    fn a_base_url_without_its_scheme_is_told_what_to_write() {
        for raw in ["127.0.0.1:8787", "localhost:8787"] {
            let e = normalize_base_url(raw).unwrap_err().to_string();
            assert!(e.contains(&format!("http://{raw}")), "{e}");
        }
    }

    #[test]
    fn local_always_exists_and_is_the_first_default() {
        let mut p = Profiles::default();
        assert_eq!(p.default_name(), LOCAL);
        assert_eq!(p.get(LOCAL).unwrap(), Profile::local());
        assert!(matches!(p.remove(LOCAL), Err(ProfileError::Reserved(_))));
        assert!(matches!(
            p.add(profile(LOCAL), true),
            Err(ProfileError::Reserved(_))
        ));
    }

    #[test]
    fn the_built_in_profile_takes_ids_but_keeps_its_base_and_key() {
        let mut p = Profiles::default();
        let with_ids = Profile {
            user_id: Some("u1".into()),
            ..Profile::local()
        };
        p.set_builtin_ids(&with_ids).unwrap();
        assert_eq!(p.get(LOCAL).unwrap().user_id.as_deref(), Some("u1"));
        assert_eq!(p.list()[0].user_id.as_deref(), Some("u1"));
        let moved = Profile {
            base_url: "https://elsewhere.example".into(),
            ..with_ids.clone()
        };
        assert!(matches!(
            p.set_builtin_ids(&moved),
            Err(ProfileError::BuiltinFixed(_))
        ));
        let put = Change::Put {
            profile: moved,
            was: Some(LOCAL.into()),
            keep_key: false,
            replace: true,
        };
        assert!(matches!(
            put.apply(&mut p),
            Err(ProfileError::BuiltinFixed(_))
        ));
        let renamed = Change::Put {
            profile: profile("mine"),
            was: Some(LOCAL.into()),
            keep_key: false,
            replace: true,
        };
        assert!(renamed.apply(&mut p).is_err(), "local cannot be renamed");
        assert!(p.get("mine").is_none());
    }

    #[test]
    fn built_in_ids_are_kept_in_the_file_and_nothing_else_of_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.toml");
        let mut p = Profiles::default();
        p.set_builtin_ids(&Profile {
            company_id: Some("acme".into()),
            ..Profile::local()
        })
        .unwrap();
        file::save(&path, &p).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("[builtin.local]") && !text.contains("base_url"),
            "{text}"
        );
        let (loaded, _) = load(&path).unwrap();
        assert_eq!(
            loaded.get(LOCAL).unwrap().company_id.as_deref(),
            Some("acme")
        );
        for (bad, says) in [
            ("[builtin.local]\nkey = \"other\"\n", "unknown field `key`"),
            (
                "[builtin.remote]\nuser_id = \"u\"\n",
                "not a built-in profile",
            ),
        ] {
            std::fs::write(&path, bad).unwrap();
            let err = load(&path).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn add_remove_and_default() {
        let mut p = Profiles::default();
        p.add(profile("staging"), false).unwrap();
        assert!(matches!(
            p.add(profile("staging"), false),
            Err(ProfileError::Exists(_))
        ));
        p.add(profile("staging"), true).unwrap();
        p.set_default("staging").unwrap();
        assert_eq!(p.default_name(), "staging");
        p.remove("staging").unwrap();
        assert_eq!(
            p.default_name(),
            LOCAL,
            "removing the default falls back to local"
        );
        assert!(matches!(
            p.set_default("nope"),
            Err(ProfileError::NotFound(_))
        ));
        assert!(matches!(
            p.add(profile("bad name"), false),
            Err(ProfileError::BadName(_))
        ));
    }

    #[test]
    fn base_urls_are_checked_and_trimmed() {
        assert_eq!(
            normalize_base_url("https://tracking.bucket.co/").unwrap(),
            "https://tracking.bucket.co"
        );
        assert_eq!(
            normalize_base_url("http://127.0.0.1:9/api/").unwrap(),
            "http://127.0.0.1:9/api"
        );
        for bad in [
            "tracking.bucket.co",
            "ftp://x",
            "https://x/?a=1",
            "https://u:p@x",
            "",
        ] {
            assert!(normalize_base_url(bad).is_err(), "{bad}");
        }
    }
}

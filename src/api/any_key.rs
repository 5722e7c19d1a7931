//! The key a profile sends with: a tracking key, which goes in the path (`/{key}/{method}`), or a
//! Runtime API key, which goes only in `Authorization: Bearer` (assets/contract.md §10). One type
//! so that everything that shows, masks or fingerprints a key does so the same way for both.

use super::TrackingKey;
use super::key::{fingerprint, mask};
use super::runtime::env::Environments;
use super::runtime::key::{KeyKind, RuntimeKey};
use std::fmt;

/// Why a string is not a key of the API asked for, in that API's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyKeyError {
    Tracking(super::KeyError),
    Runtime(super::runtime::key::Refusal),
}

impl fmt::Display for AnyKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tracking(e) => e.fmt(f),
            Self::Runtime(r) => f.write_str(&r.message),
        }
    }
}

impl std::error::Error for AnyKeyError {}

/// Which API a profile speaks (and, stored with a call, which API it went to).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    #[default]
    Tracking,
    Runtime,
}

impl Api {
    pub const fn as_str(self) -> &'static str {
        match self {
            Api::Tracking => "tracking",
            Api::Runtime => "runtime",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "tracking" => Some(Api::Tracking),
            "runtime" => Some(Api::Runtime),
            _ => None,
        }
    }
}

const UNREAD: &str = "key-not-read";
const UNREAD_RUNTIME: &str = "sec_key-not-read";

#[derive(Clone, PartialEq, Eq, Hash)]
pub enum AnyKey {
    Tracking(TrackingKey),
    Runtime(RuntimeKey),
}

impl AnyKey {
    /// Parses `raw` as a key of `api`, with the words of that API's rule when it is not one.
    pub fn parse(api: Api, raw: &str) -> Result<Self, AnyKeyError> {
        match api {
            Api::Tracking => TrackingKey::parse(raw)
                .map(AnyKey::Tracking)
                .map_err(AnyKeyError::Tracking),
            Api::Runtime => RuntimeKey::parse(raw)
                .map(AnyKey::Runtime)
                .map_err(AnyKeyError::Runtime),
        }
    }

    /// What a profile holds while its key, to be read from a variable or a command, is not: a
    /// well-formed key no one has, which the client refuses to send with.
    pub fn unread(api: Api) -> Self {
        Self::parse(
            api,
            match api {
                Api::Tracking => UNREAD,
                Api::Runtime => UNREAD_RUNTIME,
            },
        )
        .unwrap_or_else(|_| unreachable!("the stand-ins are well-formed"))
    }

    /// Whether this is [`AnyKey::unread`]'s stand-in.
    pub fn is_unread(&self) -> bool {
        matches!(self.expose(), UNREAD | UNREAD_RUNTIME)
    }

    pub fn api(&self) -> Api {
        match self {
            AnyKey::Tracking(_) => Api::Tracking,
            AnyKey::Runtime(_) => Api::Runtime,
        }
    }

    pub fn runtime(&self) -> Option<&RuntimeKey> {
        match self {
            AnyKey::Runtime(k) => Some(k),
            AnyKey::Tracking(_) => None,
        }
    }

    /// The whole key. Only to build a request or when the user asked to see it.
    pub fn expose(&self) -> &str {
        match self {
            AnyKey::Tracking(k) => k.expose(),
            AnyKey::Runtime(k) => k.expose(),
        }
    }

    /// The masked form; a runtime key keeps its prefix, which says its kind and no secret, so
    /// a recorded exchange still tells which kind of key made it.
    pub fn masked(&self) -> String {
        match self {
            AnyKey::Tracking(k) => k.masked(),
            AnyKey::Runtime(k) => format!("{}{}", &k.expose()[..4], mask(k.expose())),
        }
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(self.expose())
    }

    pub fn labelled(&self) -> String {
        format!("{} {}", self.masked(), self.fingerprint())
    }

    /// What lists and the console's header say of the key: `tracking`, `runtime · publishable`
    /// or `runtime · secret`.
    pub fn describe(&self) -> &'static str {
        match self {
            AnyKey::Tracking(_) => "tracking",
            AnyKey::Runtime(k) if k.kind() == KeyKind::Publishable => "runtime · publishable",
            AnyKey::Runtime(_) => "runtime · secret",
        }
    }

    /// The path key a local server keeps this key's rows under (`/_local/{it}/…`): a tracking
    /// key itself; for a runtime key its environment's name as `serve` names it without `--env`
    /// (`local` for the built-in keys, else `key-` and its fingerprint).
    pub fn data_key(&self) -> TrackingKey {
        match self {
            AnyKey::Tracking(k) => k.clone(),
            AnyKey::Runtime(k) => TrackingKey::parse(&Environments::default().name_of(k))
                .unwrap_or_else(|_| unreachable!("environment names are path keys")),
        }
    }
}

impl fmt::Debug for AnyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AnyKey({} {})", self.describe(), self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::runtime::env::{LOCAL_PUBLISHABLE, LOCAL_SECRET};

    #[test]
    fn each_api_takes_only_its_own_keys_and_says_its_kind() {
        let pubk = AnyKey::parse(Api::Runtime, LOCAL_PUBLISHABLE).unwrap();
        assert_eq!(pubk.describe(), "runtime · publishable");
        assert_eq!(
            AnyKey::parse(Api::Runtime, LOCAL_SECRET)
                .unwrap()
                .describe(),
            "runtime · secret"
        );
        let refused = AnyKey::parse(Api::Runtime, "trCqx4DGo1lk3Lcct5NHLjWy")
            .unwrap_err()
            .to_string();
        assert!(refused.contains("`pub_`"), "{refused}");
        assert_eq!(
            AnyKey::parse(Api::Tracking, "local").unwrap().describe(),
            "tracking"
        );
        assert!(!format!("{pubk:?}").contains(LOCAL_PUBLISHABLE));
        assert_eq!(pubk.masked(), "pub_…sole");
    }

    #[test]
    fn a_runtime_key_reads_its_environment_rows() {
        let local = AnyKey::parse(Api::Runtime, LOCAL_SECRET).unwrap();
        assert_eq!(local.data_key().expose(), "local");
        let other = AnyKey::parse(Api::Runtime, "sec_a_stranger_key_of_some_length").unwrap();
        let name = other.data_key();
        assert!(name.expose().starts_with("key-"), "{name:?}");
        assert!(!name.expose().contains("stranger"));
    }
}

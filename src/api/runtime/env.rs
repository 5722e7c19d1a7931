//! Environments: which publishable and secret key belong together. A real environment's two keys
//! are unrelated random strings, so the server is told (`serve --env NAME=PUB,SEC`); a key it was
//! not told about is an environment of its own, named by its fingerprint, never by the key.
//! Rows are stored, and `/_local/{NAME}/…` reads them, under the environment's name.

use super::is_reserved_path_key;
use super::key::{KeyKind, RuntimeKey};

/// The built-in environment's name: the console's `local` profile reads the same rows.
pub const LOCAL: &str = "local";
/// The built-in environment's publishable key (printed in docs/runtime-api.md; it guards nothing).
pub const LOCAL_PUBLISHABLE: &str = "pub_local_bucket_console";
/// The built-in environment's secret key, longer than the 22 characters the node SDK refuses.
pub const LOCAL_SECRET: &str = "sec_local_bucket_console_dev_only";

#[derive(Clone, PartialEq, Eq)]
pub struct Environment {
    pub name: String,
    publishable: String,
    secret: String,
}

impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Environment({})", self.name)
    }
}

/// The environments a server knows, `local` always among them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environments(Vec<Environment>);

impl Default for Environments {
    fn default() -> Self {
        Self(vec![Environment {
            name: LOCAL.into(),
            publishable: LOCAL_PUBLISHABLE.into(),
            secret: LOCAL_SECRET.into(),
        }])
    }
}

impl Environments {
    /// Adds `NAME=PUBLISHABLE,SECRET` (the form of `serve --env`). The name becomes a path key of
    /// `/_local/{NAME}/…`, so it follows the tracking key's rules; a name given twice replaces
    /// the earlier (`local` included), a key given to two names is refused.
    pub fn add(&mut self, spec: &str) -> Result<(), String> {
        let (name, keys) = spec
            .split_once('=')
            .ok_or("--env takes NAME=PUBLISHABLE,SECRET")?;
        let (publishable, secret) = keys
            .split_once(',')
            .ok_or("--env takes NAME=PUBLISHABLE,SECRET: two keys, comma-separated")?;
        let name = name.trim();
        crate::api::key::check(name).map_err(|e| {
            format!("--env: the environment's name is a path key of /_local/NAME/…, and {e}")
        })?;
        if is_reserved_path_key(name) || name.starts_with("pub_") || name.starts_with("sec_") {
            return Err(format!(
                "--env: `{}` cannot name an environment (reserved, or shaped like a key)",
                name.chars().take(8).collect::<String>()
            ));
        }
        let kind = |raw: &str, want: KeyKind| match RuntimeKey::parse(raw.trim()) {
            Ok(k) if k.kind() == want => Ok(raw.trim().to_owned()),
            Ok(_) | Err(_) => Err(format!(
                "--env {name}: the {} key must be `{}` + letters, digits, `_` or `-` (at most 128 \
                 characters)",
                want.as_str(),
                if want == KeyKind::Publishable {
                    "pub_"
                } else {
                    "sec_"
                }
            )),
        };
        let publishable = kind(publishable, KeyKind::Publishable)?;
        let secret = kind(secret, KeyKind::Secret)?;
        self.0.retain(|e| e.name != name);
        if let Some(other) = self
            .0
            .iter()
            .find(|e| e.publishable == publishable || e.secret == secret)
        {
            return Err(format!(
                "--env {name}: a key given is already environment `{}`'s",
                other.name
            ));
        }
        self.0.push(Environment {
            name: name.to_owned(),
            publishable,
            secret,
        });
        Ok(())
    }

    /// The environment a key belongs to: the one it was given to, else its own, named
    /// `key-` and the hex digits of its fingerprint.
    pub fn name_of(&self, key: &RuntimeKey) -> String {
        let raw = key.expose();
        self.0
            .iter()
            .find(|e| match key.kind() {
                KeyKind::Publishable => e.publishable == raw,
                KeyKind::Secret => e.secret == raw,
            })
            .map_or_else(
                || format!("key-{}", key.fingerprint().trim_start_matches('#')),
                |e| e.name.clone(),
            )
    }

    /// The environment `/_local/{path_key}/…` reads. A client knows only its own key, so it asks
    /// for `key-{fingerprint}` (what [`Environments::name_of`] says of a key no `--env` names);
    /// when that is the fingerprint of either key of an environment the server was told about,
    /// that environment is meant. A name given to `--env` is itself, so it wins.
    pub fn data_name<'a>(&'a self, path_key: &'a str) -> &'a str {
        if self.0.iter().any(|e| e.name == path_key) {
            return path_key;
        }
        let Some(hex) = path_key.strip_prefix("key-") else {
            return path_key;
        };
        let of = |raw: &str| crate::api::key::fingerprint(raw).trim_start_matches('#') == hex;
        self.0
            .iter()
            .find(|e| of(&e.publishable) || of(&e.secret))
            .map_or(path_key, |e| e.name.as_str())
    }

    /// The names known, in the order given.
    pub fn names(&self) -> Vec<&str> {
        self.0.iter().map(|e| e.name.as_str()).collect()
    }

    /// Secret keys of 22 characters or fewer, by environment name, for a warning at start-up.
    pub fn short_secrets(&self) -> Vec<&str> {
        self.0
            .iter()
            .filter(|e| RuntimeKey::parse(&e.secret).is_ok_and(|k| k.is_short_secret()))
            .map(|e| e.name.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(raw: &str) -> RuntimeKey {
        RuntimeKey::parse(raw).unwrap()
    }

    #[test]
    fn keys_find_their_environment() {
        let mut envs = Environments::default();
        envs.add("prod=pub_P1x,sec_S1xxxxxxxxxxxxxxxxxxxxxxx")
            .unwrap();
        assert_eq!(envs.name_of(&key(LOCAL_PUBLISHABLE)), "local");
        assert_eq!(envs.name_of(&key(LOCAL_SECRET)), "local");
        assert_eq!(envs.name_of(&key("pub_P1x")), "prod");
        assert_eq!(envs.name_of(&key("sec_S1xxxxxxxxxxxxxxxxxxxxxxx")), "prod");
        let unknown = envs.name_of(&key("pub_unknown_key_123"));
        assert_eq!(
            unknown,
            format!(
                "key-{}",
                &crate::api::key::digest("pub_unknown_key_123")[..6]
            )
        );
        assert!(!unknown.contains("unknown"));
        assert!(
            crate::api::key::check(&unknown).is_ok(),
            "a path key of /_local/"
        );
        assert_eq!(envs.names(), ["local", "prod"]);
    }

    #[test]
    fn either_keys_fingerprint_reads_its_named_environment() {
        let mut envs = Environments::default();
        envs.add("prod=pub_P1x,sec_S1xxxxxxxxxxxxxxxxxxxxxxx")
            .unwrap();
        let own = |raw: &str| {
            format!(
                "key-{}",
                crate::api::key::fingerprint(raw).trim_start_matches('#')
            )
        };
        assert_eq!(envs.data_name(&own("pub_P1x")), "prod");
        assert_eq!(
            envs.data_name(&own("sec_S1xxxxxxxxxxxxxxxxxxxxxxx")),
            "prod"
        );
        assert_eq!(envs.data_name("prod"), "prod");
        assert_eq!(envs.data_name("local"), "local");
        let stranger = own("pub_unknown_key_123");
        assert_eq!(envs.data_name(&stranger), stranger);
        assert_eq!(
            envs.data_name("trCqx4DGo1lk3Lcct5NHLjWy"),
            "trCqx4DGo1lk3Lcct5NHLjWy"
        );
    }

    #[test]
    fn bad_specs_are_refused_with_why() {
        let mut envs = Environments::default();
        for bad in [
            "prod",
            "prod=pub_a",
            "prod=sec_a,pub_b",
            "prod=pub_a,sec_b c",
            "pro d=pub_a,sec_b",
            "features=pub_a,sec_b",
            "pub_x=pub_a,sec_b",
            "other=pub_local_bucket_console,sec_zzzzzz",
        ] {
            assert!(envs.add(bad).is_err(), "{bad}");
        }
        envs.add("ci=pub_a,sec_b").unwrap();
        assert_eq!(envs.short_secrets(), ["ci"]);
        envs.add("local=pub_c,sec_dddddddddddddddddddddddd")
            .unwrap();
        assert_eq!(envs.name_of(&key("pub_c")), "local");
        assert_ne!(envs.name_of(&key(LOCAL_PUBLISHABLE)), "local");
    }
}

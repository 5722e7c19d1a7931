//! Which profile a command uses: `--profile`, else `BUCKET_PROFILE`, else the default, else
//! `local`; then `BUCKET_TRACKING_KEY` and `BUCKET_BASE_URL` override its values.

use super::{Profile, ProfileError, Profiles, normalize_base_url};
use crate::api::AnyKey;

/// The environment variables that matter, read once by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    pub profile: Option<String>,
    pub tracking_key: Option<String>,
    pub base_url: Option<String>,
}

impl Env {
    pub fn from_process() -> Self {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        Self {
            profile: var("BUCKET_PROFILE"),
            tracking_key: var("BUCKET_TRACKING_KEY"),
            base_url: var("BUCKET_BASE_URL"),
        }
    }
}

/// Why this profile was chosen (shown by `profiles show` and the console's header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag,
    Environment,
    Default,
    BuiltIn,
}

/// The profile a command will use, after overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    pub profile: Profile,
    pub source: Source,
    /// `BUCKET_BASE_URL` replaced the base URL (so `local` must not start a server).
    pub base_overridden: bool,
    pub key_overridden: bool,
}

pub fn select(
    profiles: &Profiles,
    flag: Option<&str>,
    env: &Env,
) -> Result<Selected, ProfileError> {
    let (name, source) = match (flag, env.profile.as_deref()) {
        (Some(name), _) => (name.to_owned(), Source::Flag),
        (None, Some(name)) => (name.to_owned(), Source::Environment),
        (None, None) if profiles.default_name() != super::LOCAL => {
            (profiles.default_name().to_owned(), Source::Default)
        }
        (None, None) => (super::LOCAL.to_owned(), Source::BuiltIn),
    };
    let mut profile = profiles.get(&name).ok_or(ProfileError::NotFound(name))?;
    if env.tracking_key.is_none() && !profile.key_from.is_file() {
        super::read_key(&mut profile)?;
    }
    if let Some(key) = &env.tracking_key {
        // The override keeps the profile's API: a runtime profile takes a `pub_`/`sec_` key.
        profile.key = AnyKey::parse(profile.api(), key)
            .map_err(|e| ProfileError::BadKey("BUCKET_TRACKING_KEY".into(), e.to_string()))?;
    }
    if let Some(url) = &env.base_url {
        profile.base_url = normalize_base_url(url)?;
    }
    Ok(Selected {
        profile,
        source,
        base_overridden: env.base_url.is_some(),
        key_overridden: env.tracking_key.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles() -> Profiles {
        let mut p = Profiles::default();
        for name in ["a", "b"] {
            let profile = Profile {
                name: name.into(),
                base_url: format!("https://{name}.example"),
                ..Profile::local()
            };
            p.add(profile, false).unwrap();
        }
        p
    }

    #[test]
    fn flag_then_env_then_default_then_local() {
        let mut p = profiles();
        let env = Env {
            profile: Some("b".into()),
            ..Env::default()
        };
        assert_eq!(select(&p, Some("a"), &env).unwrap().profile.name, "a");
        assert_eq!(select(&p, None, &env).unwrap().source, Source::Environment);
        assert_eq!(
            select(&p, None, &Env::default()).unwrap().profile.name,
            "local"
        );
        p.set_default("b").unwrap();
        let chosen = select(&p, None, &Env::default()).unwrap();
        assert_eq!(
            (chosen.profile.name.as_str(), chosen.source),
            ("b", Source::Default)
        );
        assert!(matches!(
            select(&p, Some("zz"), &Env::default()),
            Err(ProfileError::NotFound(_))
        ));
    }

    #[test]
    fn environment_overrides_key_and_base() {
        let env = Env {
            tracking_key: Some("trCqx4DGo1lk3Lcct5NHLjWy".into()),
            base_url: Some("http://127.0.0.1:9/".into()),
            ..Env::default()
        };
        let s = select(&profiles(), Some("a"), &env).unwrap();
        assert_eq!(s.profile.key.expose(), "trCqx4DGo1lk3Lcct5NHLjWy");
        assert_eq!(s.profile.base_url, "http://127.0.0.1:9");
        assert!(s.base_overridden && s.key_overridden);
        let bad = Env {
            tracking_key: Some("no spaces".into()),
            ..Env::default()
        };
        let err = select(&profiles(), None, &bad).unwrap_err().to_string();
        assert!(
            err.starts_with("BUCKET_TRACKING_KEY:") && !err.contains("no spaces"),
            "{err}"
        );
    }
}

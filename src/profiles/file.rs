//! `profiles.toml`: read with errors that point at a line but never quote it (a line may hold a
//! key), written atomically with mode 0600.

use super::{DefaultIds, KeyFrom, Profile, ProfileError, Profiles, check_name, normalize_base_url};
use crate::api::{AnyKey, Api};
use crate::files;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Entry>,
    /// Default ids of the built-in profiles, whose base URL and key are fixed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    builtin: BTreeMap<String, DefaultIds>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// `tracking` (also when absent: files from before the Runtime API) or `runtime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    api: Option<String>,
    base_url: String,
    /// The key itself, unless one of the next two says where to read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_command: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    company_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    feature_id: Option<String>,
}

const HEADER: &str = "# bucket-console profiles. Tracking keys are secrets: keep this file mode 0600.\n\
# Edit with `bucket-console profiles add|edit|remove|default`, or by hand.\n\n";

/// Loads the profiles; a missing file means none saved. The second value lists warnings (a file
/// others can read).
pub fn load(path: &Path) -> Result<(Profiles, Vec<String>), ProfileError> {
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((Profiles::default(), vec![]));
        }
        Err(e) => return Err(ProfileError::Read(shown, e)),
    };
    let mut warnings = Vec::new();
    if let Some(mode) = files::loose_mode(path) {
        warnings.push(format!(
            "{shown} is readable by others (mode {mode:o}) but holds tracking keys; run `chmod 600 {shown}`"
        ));
    }
    let parsed: FileFormat = toml::from_str(&text).map_err(|e| ProfileError::Syntax {
        path: shown.clone(),
        line: e.span().map_or(0, |s| {
            text[..s.start.min(text.len())].matches('\n').count() + 1
        }),
        message: e.message().to_owned(),
    })?;
    let mut profiles = Profiles::default();
    for (name, entry) in parsed.profiles {
        let invalid = |message: String| ProfileError::Invalid {
            path: shown.clone(),
            profile: name.clone(),
            message,
        };
        check_name(&name).map_err(|e| invalid(e.to_string()))?;
        let base_url = normalize_base_url(&entry.base_url).map_err(|e| invalid(e.to_string()))?;
        let api = match entry.api.as_deref() {
            None => Api::Tracking,
            Some(text) => Api::parse(text)
                .ok_or_else(|| invalid("`api` is `tracking` or `runtime`".to_owned()))?,
        };
        let (key, key_from) = entry_key(api, entry.key, entry.key_env, entry.key_command)
            .map_err(|e| invalid(e.to_string()))?;
        let profile = Profile {
            name: name.clone(),
            base_url,
            key,
            key_from,
            user_id: entry.user_id,
            company_id: entry.company_id,
            feature_id: entry.feature_id,
        };
        profiles.add(profile, false)?;
    }
    for (name, ids) in parsed.builtin {
        let Some(builtin) = Profile::builtin(&name) else {
            return Err(ProfileError::Invalid {
                path: shown.clone(),
                profile: name,
                message: format!(
                    "is not a built-in profile ([builtin.{}] and [builtin.{}] are)",
                    super::LOCAL,
                    super::LOCAL_RUNTIME
                ),
            });
        };
        let with_ids = builtin.with_ids(ids);
        profiles.set_builtin_ids(&with_ids)?;
    }
    if let Some(default) = parsed.default {
        profiles
            .set_default(&default)
            .map_err(|_| ProfileError::Invalid {
                path: shown.clone(),
                profile: default.clone(),
                message: "is the default but is not defined".into(),
            })?;
    }
    Ok((profiles, warnings))
}

/// Why a profile's entry does not say where its key is.
#[derive(Debug, thiserror::Error)]
enum EntryKeyError {
    #[error("{0}")]
    Key(crate::api::any_key::AnyKeyError),
    #[error("`key_env` names a variable: key_env = \"PROD_KEY\"")]
    EmptyEnv,
    #[error(
        "`key_command` is a command and its arguments: key_command = [\"pass\", \"show\", \"reflag/prod\"]"
    )]
    EmptyCommand,
    #[error("needs `key`, `key_env` or `key_command`")]
    None,
    #[error("takes one of `key`, `key_env` and `key_command`, not more")]
    More,
}

/// A profile's key and where it comes from: exactly one of `key`, `key_env` and `key_command`.
/// A key to be read is the one this process read already, else [`AnyKey::unread`] (reading is
/// left to the command that uses the profile, so listing profiles runs nothing).
fn entry_key(
    api: Api,
    key: Option<String>,
    env: Option<String>,
    command: Option<Vec<String>>,
) -> Result<(AnyKey, KeyFrom), EntryKeyError> {
    let from = match (key, env, command) {
        (Some(key), None, None) => {
            return Ok((
                AnyKey::parse(api, &key).map_err(EntryKeyError::Key)?,
                KeyFrom::File,
            ));
        }
        (None, Some(name), None) if !name.trim().is_empty() => KeyFrom::Env(name),
        (None, None, Some(argv)) if !argv.is_empty() && !argv[0].is_empty() => {
            KeyFrom::Command(argv)
        }
        (None, Some(_), None) => {
            return Err(EntryKeyError::EmptyEnv);
        }
        (None, None, Some(_)) => {
            return Err(EntryKeyError::EmptyCommand);
        }
        (None, None, None) => {
            return Err(EntryKeyError::None);
        }
        _ => return Err(EntryKeyError::More),
    };
    let key = match super::key_source::known(&from) {
        Some(Ok(raw)) => AnyKey::parse(api, &raw).unwrap_or_else(|_| AnyKey::unread(api)),
        _ => AnyKey::unread(api),
    };
    Ok((key, from))
}

/// Writes every saved profile (not the built-in one).
pub fn save(path: &Path, profiles: &Profiles) -> Result<(), ProfileError> {
    let file = FileFormat {
        default: profiles.default.clone(),
        profiles: profiles
            .saved
            .values()
            .map(|p| {
                let entry = Entry {
                    api: (p.api() == Api::Runtime).then(|| Api::Runtime.as_str().to_owned()),
                    base_url: p.base_url.clone(),
                    // A key read from a variable or a command stays in memory only.
                    key: p.key_from.is_file().then(|| p.key.expose().to_owned()),
                    key_env: match &p.key_from {
                        KeyFrom::Env(name) => Some(name.clone()),
                        _ => None,
                    },
                    key_command: match &p.key_from {
                        KeyFrom::Command(argv) => Some(argv.clone()),
                        _ => None,
                    },
                    user_id: p.user_id.clone(),
                    company_id: p.company_id.clone(),
                    feature_id: p.feature_id.clone(),
                };
                (p.name.clone(), entry)
            })
            .collect(),
        builtin: super::BUILTINS
            .iter()
            .filter_map(|name| profiles.builtin(name))
            .filter(|p| p.default_ids() != DefaultIds::default())
            .map(|p| (p.name.clone(), p.default_ids()))
            .collect(),
    };
    let body = toml::to_string(&file).map_err(|e| {
        ProfileError::Write(
            path.display().to_string(),
            std::io::Error::other(e.to_string()),
        )
    })?;
    files::write_atomic(
        path,
        format!("{HEADER}{body}").as_bytes(),
        files::Access::Private,
    )
    .map_err(|e| ProfileError::Write(path.display().to_string(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "trCqx4DGo1lk3Lcct5NHLjWy";

    fn staging() -> Profile {
        Profile {
            name: "staging".into(),
            base_url: "https://tracking.bucket.co".into(),
            key: crate::api::AnyKey::Tracking(crate::api::TrackingKey::parse(KEY).unwrap()),
            key_from: KeyFrom::File,
            user_id: Some("u1".into()),
            company_id: None,
            feature_id: Some("export".into()),
        }
    }

    #[test]
    fn round_trips_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.toml");
        let mut profiles = Profiles::default();
        profiles.add(staging(), false).unwrap();
        profiles.set_default("staging").unwrap();
        save(&path, &profiles).unwrap();
        let (loaded, warnings) = load(&path).unwrap();
        assert_eq!(loaded, profiles);
        assert!(warnings.is_empty());
        assert_eq!(files::loose_mode(&path), None);
    }

    #[test]
    fn a_missing_file_is_no_profiles() {
        let (p, w) = load(Path::new("/nonexistent/profiles.toml")).unwrap();
        assert_eq!((p, w.len()), (Profiles::default(), 0));
    }

    #[test]
    fn errors_name_the_line_and_never_quote_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.toml");
        for (text, needle) in [
            (
                format!("[profiles.a]\nbase_url = \"https://x\"\nkey = \"{KEY}\nuser_id = 1\n"),
                "line 3",
            ),
            (
                format!("[profiles.a]\nbase_url = \"https://x\"\nkey = \"{KEY}.\"\n"),
                "may only contain",
            ),
            (
                format!("[profiles.a]\nbase_url = \"x\"\nkey = \"{KEY}\"\n"),
                "not a base URL",
            ),
            (
                format!(
                    "[profiles.a]\nbase_url = \"https://x\"\nkey = \"{KEY}\"\nuserid = \"u\"\n"
                ),
                "unknown field",
            ),
            ("default = \"ghost\"\n".to_owned(), "not defined"),
        ] {
            std::fs::write(&path, &text).unwrap();
            let err = load(&path).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
            assert!(!err.contains(KEY), "the key leaked into: {err}");
        }
    }

    #[test]
    fn a_key_from_a_variable_or_a_command_is_never_written_and_survives_a_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.toml");
        let command = KeyFrom::Command(vec!["pass".into(), "show".into(), "reflag/prod".into()]);
        let mut profiles = Profiles::default();
        for (name, from) in [
            ("cmd", command.clone()),
            ("env", KeyFrom::Env("PROD_KEY".into())),
        ] {
            profiles
                .add(
                    Profile {
                        name: name.into(),
                        key_from: from,
                        ..staging()
                    },
                    false,
                )
                .unwrap();
        }
        save(&path, &profiles).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(KEY), "{text}");
        assert!(
            text.contains("key_command = [\"pass\", \"show\", \"reflag/prod\"]")
                && text.contains("key_env = \"PROD_KEY\""),
            "{text}"
        );
        let (loaded, _) = load(&path).unwrap();
        let cmd = loaded.get("cmd").unwrap();
        assert_eq!(cmd.key_from, command);
        assert!(cmd.key.is_unread(), "nothing is run to list profiles");
        for (entry, says) in [
            (format!("key = \"{KEY}\"\nkey_env = \"X\""), "not more"),
            ("key_command = []".to_owned(), "a command and its arguments"),
            ("key_env = \"\"".to_owned(), "names a variable"),
            (String::new(), "needs `key`, `key_env` or `key_command`"),
        ] {
            std::fs::write(
                &path,
                format!("[profiles.a]\nbase_url = \"https://x\"\n{entry}\n"),
            )
            .unwrap();
            let err = load(&path).unwrap_err().to_string();
            assert!(err.contains(says), "{entry}: {err}");
            assert!(!err.contains(KEY), "{err}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_gives_a_warning() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.toml");
        std::fs::write(&path, "").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (_, warnings) = load(&path).unwrap();
        assert!(warnings[0].contains("chmod 600"), "{warnings:?}");
    }
}

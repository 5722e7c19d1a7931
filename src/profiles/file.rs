//! `profiles.toml`: read with errors that point at a line but never quote it (a line may hold a
//! key), written atomically with mode 0600.

use super::{DefaultIds, Profile, ProfileError, Profiles, check_name, normalize_base_url};
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
    key: String,
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
        let key = AnyKey::parse(api, &entry.key).map_err(|e| invalid(e.to_string()))?;
        let profile = Profile {
            name: name.clone(),
            base_url,
            key,
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
                    key: p.key.expose().to_owned(),
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

//! Writing profiles without losing anyone else's: every write takes a lock, reads the file as it
//! is now, applies one [`Change`] and writes it back. A console open for hours and a script adding
//! profiles at the same moment then each keep what the other wrote.
//!
//! The lock is on a sidecar file (`profiles.toml.lock`), not on `profiles.toml`: the rename that
//! replaces `profiles.toml` would leave a lock held on the old file guarding nothing.

use super::{Profile, ProfileError, Profiles, file};
use std::path::{Path, PathBuf};

/// One edit of the saved profiles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Adds `profile`, or with `was` replaces that profile (renaming it when the name differs,
    /// and keeping it the default if it was). With `keep_key` the key is the one saved under `was`
    /// now, not the one carried here.
    Put {
        profile: Profile,
        was: Option<String>,
        keep_key: bool,
        replace: bool,
    },
    Remove(String),
    SetDefault(String),
}

impl Change {
    /// Applies the change; returns the profile it put, removed or made the default.
    pub fn apply(&self, all: &mut Profiles) -> Result<Profile, ProfileError> {
        match self {
            Self::Put {
                profile,
                was,
                keep_key,
                replace,
            } => {
                let mut profile = profile.clone();
                let was_builtin = was
                    .as_deref()
                    .is_some_and(|w| crate::profiles::BUILTINS.contains(&w));
                if profile.is_builtin() || was_builtin {
                    if was.as_deref() != Some(profile.name.as_str()) {
                        return Err(ProfileError::Reserved(
                            was.clone().unwrap_or_else(|| profile.name.clone()),
                        ));
                    }
                    if *keep_key && let Some(builtin) = Profile::builtin(&profile.name) {
                        profile.key = builtin.key;
                    }
                    all.set_builtin_ids(&profile)?;
                    return Ok(profile);
                }
                let previous = was.as_deref().and_then(|w| all.saved.get(w).cloned());
                if *keep_key && let Some(p) = &previous {
                    profile.key = p.key.clone();
                    profile.key_from = p.key_from.clone();
                }
                match was {
                    Some(was) if *was != profile.name => {
                        if all.saved.contains_key(&profile.name) {
                            return Err(ProfileError::Exists(profile.name));
                        }
                        let was_default = all.default_name() == was;
                        if previous.is_some() {
                            all.remove(was)?;
                        }
                        all.add(profile.clone(), false)?;
                        if was_default {
                            all.set_default(&profile.name)?;
                        }
                    }
                    Some(_) => all.add(profile.clone(), true)?,
                    None => all.add(profile.clone(), *replace)?,
                }
                Ok(profile)
            }
            Self::Remove(name) => all.remove(name),
            Self::SetDefault(name) => {
                all.set_default(name)?;
                all.get(name)
                    .ok_or_else(|| ProfileError::NotFound(name.clone()))
            }
        }
    }
}

/// Applies `change` to the file as it is now, under the lock; returns the profile changed and
/// every profile after the change (what a console shows next).
pub fn update(path: &Path, change: &Change) -> Result<(Profile, Profiles), ProfileError> {
    let _lock = lock(path)?;
    let (mut all, _) = file::load(path)?;
    let changed = change.apply(&mut all)?;
    file::save(path, &all)?;
    Ok((changed, all))
}

/// Held until dropped (closing the file releases the lock).
fn lock(path: &Path) -> Result<std::fs::File, ProfileError> {
    let lock_path = sidecar(path);
    let failed = |e| ProfileError::Write(lock_path.display().to_string(), e);
    if let Some(dir) = lock_path.parent() {
        crate::files::create_private_dir(dir).map_err(failed)?;
    }
    crate::files::create_private(&lock_path).map_err(failed)?;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&lock_path)
        .map_err(failed)?;
    file.lock().map_err(failed)?;
    Ok(file)
}

fn sidecar(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::TrackingKey;

    fn profile(name: &str, key: &str) -> Profile {
        Profile {
            name: name.into(),
            base_url: "https://tracking.example".into(),
            key: crate::api::AnyKey::Tracking(TrackingKey::parse(key).unwrap()),
            key_from: super::super::KeyFrom::File,
            user_id: None,
            company_id: None,
            feature_id: None,
        }
    }

    fn put(p: Profile, was: Option<&str>, keep_key: bool) -> Change {
        Change::Put {
            profile: p,
            was: was.map(str::to_owned),
            keep_key,
            replace: false,
        }
    }

    #[test]
    fn a_change_keeps_what_another_writer_added_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.toml");
        update(
            &path,
            &put(profile("demo", "demo_key_0000001"), None, false),
        )
        .unwrap();
        // Someone else adds `app` while a console still holds the list without it.
        update(&path, &put(profile("app", "app_key_00000001"), None, false)).unwrap();
        let mut edited = profile("demo", "ignored_key_0001");
        edited.user_id = Some("42".into());
        let (_, all) = update(&path, &put(edited, Some("demo"), true)).unwrap();
        assert!(all.get("app").is_some(), "app survives the console's edit");
        let demo = all.get("demo").unwrap();
        assert_eq!(demo.user_id.as_deref(), Some("42"));
        assert_eq!(
            demo.key.expose(),
            "demo_key_0000001",
            "the saved key was kept"
        );
    }

    #[test]
    fn a_rename_keeps_the_default_and_refuses_a_taken_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.toml");
        update(&path, &put(profile("a", "key_a_0000000001"), None, false)).unwrap();
        update(&path, &put(profile("b", "key_b_0000000001"), None, false)).unwrap();
        update(&path, &Change::SetDefault("a".into())).unwrap();
        let (_, all) = update(
            &path,
            &put(profile("c", "key_a_0000000001"), Some("a"), true),
        )
        .unwrap();
        assert_eq!(all.default_name(), "c");
        assert!(all.get("a").is_none());
        let taken = update(
            &path,
            &put(profile("b", "key_a_0000000001"), Some("c"), true),
        );
        assert!(matches!(taken, Err(ProfileError::Exists(_))));
    }

    #[test]
    fn writers_in_many_threads_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.toml");
        std::thread::scope(|s| {
            for i in 0..16 {
                let path = &path;
                s.spawn(move || {
                    let p = profile(&format!("p{i}"), &format!("key_{i:012}"));
                    update(path, &put(p, None, false)).unwrap();
                });
            }
        });
        let (all, _) = file::load(&path).unwrap();
        assert_eq!(all.list().len(), 18, "16 saved and the two built-in");
    }
}

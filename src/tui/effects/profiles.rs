//! Which server the console talks to: switching profile, reading or changing the profiles file,
//! and the server's health for the header.

use super::Runner;
use crate::paths;
use crate::profiles::Profile;
use crate::term::Failure;
use crate::tui::action::{Action, Effect};
use std::sync::Arc;
use std::time::Duration;

pub(super) fn effect(runner: Arc<Runner>, effect: Effect) {
    match effect {
        Effect::CheckHealth { base_url } => {
            tokio::spawn(async move {
                let result = check_health(&runner.http, &base_url).await;
                let _ = runner.actions.send(Action::Health { base_url, result });
            });
        }
        Effect::ProbeHealth { base_url, after_ms } => {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(after_ms)).await;
                let result = check_health(&runner.http, &base_url).await;
                let _ = runner.actions.send(Action::Health { base_url, result });
            });
        }
        Effect::SwitchProfile(profile) => {
            tokio::spawn(async move {
                let result = switch(&runner, profile).await;
                let _ = runner.actions.send(Action::TargetReady(result));
            });
        }
        Effect::ChangeProfiles(_) | Effect::LoadProfiles => profiles_effect(runner, effect),
        _ => {}
    }
}

/// Reads the profiles file, or changes it under its lock, off the async threads: either way the
/// console gets the file as it is after.
fn profiles_effect(runner: Arc<Runner>, effect: Effect) {
    tokio::task::spawn_blocking(move || {
        let path = paths::profiles_file().map_err(Failure::from);
        let action = match effect {
            Effect::ChangeProfiles(change) => Action::ProfilesChanged(path.and_then(|path| {
                crate::profiles::update(&path, &change)
                    .map(|(_, all)| all)
                    .map_err(Failure::from)
            })),
            _ => Action::ProfilesRead(path.and_then(|path| {
                crate::profiles::load(&path)
                    .map(|(all, _)| all)
                    .map_err(Failure::from)
            })),
        };
        let _ = runner.actions.send(action);
    });
}

/// Resolves a profile; `local` reuses the embedded server when one runs.
async fn switch(runner: &Runner, profile: Profile) -> Result<(Profile, String, bool), Failure> {
    let mut embedded = runner.embedded.lock().await;
    if profile.is_local()
        && let Some(server) = embedded.as_ref()
    {
        return Ok((profile, server.base_url(), true));
    }
    let resolved = crate::target::resolve_profile(&profile, false)
        .await
        .map_err(Failure::from)?;
    let in_process = resolved.embedded.is_some();
    if let Some(server) = resolved.embedded {
        *embedded = Some(server);
    }
    Ok((profile, resolved.target.base_url, in_process))
}

/// The local server answers its health route; any other server answers at all (the Data view
/// finds out on its own whether a server has the inspection routes).
async fn check_health(http: &reqwest::Client, base_url: &str) -> Result<(), Failure> {
    http.get(format!("{base_url}/_local/health"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .map_err(|e| {
            if crate::net::is_refused(&e) {
                Failure::message("connection refused")
            } else {
                Failure::from(e.without_url())
            }
        })?;
    Ok(())
}

//! What the flags subcommands share: the profile's flags client, with the embedded local server
//! kept alive while it is used.

use super::super::context::{self, CliError};
use bucket_console::client::flags::{FlagsClient, FlagsError};
use bucket_console::profiles::Selected;
use std::future::Future;

/// Runs `work` with the selected profile's flags client (the built-in profiles start the local
/// server when none answers).
pub fn with_client<T, F, Fut>(profile: Option<&str>, work: F) -> Result<T, CliError>
where
    F: FnOnce(Selected, FlagsClient) -> Fut,
    Fut: Future<Output = Result<T, CliError>>,
{
    let (selected, _) = context::selected_profile(profile)?;
    context::runtime(1)?.block_on(async {
        let resolved = bucket_console::target::resolve(&selected)
            .await
            .map_err(|e| CliError::failed(e.to_string()))?;
        let client = FlagsClient::for_target(&resolved.target).map_err(|e| error(&e))?;
        let out = work(selected, client).await;
        drop(resolved.embedded);
        out
    })
}

/// A flags error with its exit status: a wrong profile is a usage error, the rest failures.
pub fn error(e: &FlagsError) -> CliError {
    match e {
        FlagsError::NotRuntime(_) | FlagsError::NeedsSecret(_) => CliError::usage(e.to_string()),
        FlagsError::Refused { status, .. } if (400..500).contains(status) => {
            CliError::rejected(e.to_string())
        }
        _ => CliError::failed(e.to_string()),
    }
}

/// The note said when only outcomes can be shown.
pub const PUBLISHABLE_NOTE: &str = "this profile has a publishable key: shown is each flag's \
outcome as the server evaluated it (GET /features/evaluated); a secret-key profile shows each \
rule's filters";

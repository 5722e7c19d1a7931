//! `bucket-console flags pull`: an environment's flag definitions into the file `serve --flags`
//! reads, so real targeting runs locally. The key never goes into the file.

use super::super::context::{CliError, exit};
use super::shared;
use bucket_console::files::{Access, write_atomic};
use clap::Args;
use serde_json::{Value, json};
use std::path::PathBuf;

/// Writes the environment's flag definitions (GET /features) to a file `serve --flags` reads.
#[derive(Debug, Args)]
#[command(
    after_help = "Needs a secret-key Runtime API profile: the live service or another \
`bucket-console serve`. The file holds {\"features\": [...]} exactly as the server sent the \
flags; no key goes into it (a file that would contain the profile's key is refused).

Exit status: 0 written; 1 the server refused the key; 2 usage error (a tracking or publishable \
profile, an existing file without --force); 3 the server did not answer or sent invalid \
definitions.

Examples:
  bucket-console flags pull --profile prod
  bucket-console flags pull --profile prod --output flags.json --force
  bucket-console serve --flags flags.json"
)]
pub struct PullArgs {
    /// A Runtime API profile with a secret key.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Where to write.
    #[arg(long, short, value_name = "PATH", default_value = "flags.json")]
    output: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(args: &PullArgs) -> Result<u8, CliError> {
    // Checked before anything is fetched, so a hand-written file is never lost to a pull.
    if !args.force && args.output.exists() {
        return Err(CliError::usage(format!(
            "{} exists: give --force to replace it",
            args.output.display()
        )));
    }
    let (defs, key) =
        shared::with_client(args.profile.as_deref(), |selected, client| async move {
            let defs = client
                .definitions(&selected.profile.name)
                .await
                .map_err(|e| shared::error(&e))?;
            Ok((defs, selected.profile.key.expose().to_owned()))
        })?;
    let mut text =
        serde_json::to_string_pretty(&json!({ "features": Value::Array(defs.features.clone()) }))
            .map_err(|e| CliError::failed(e.to_string()))?;
    text.push('\n');
    if text.contains(&key) {
        return Err(CliError::failed(
            "the server's definitions contain this profile's key: nothing was written",
        ));
    }
    write_atomic(&args.output, text.as_bytes(), Access::Keep)
        .map_err(|e| CliError::failed(format!("cannot write {}: {e}", args.output.display())))?;
    eprintln!(
        "wrote {} flag{} to {}{}",
        defs.flags.len(),
        if defs.flags.len() == 1 { "" } else { "s" },
        args.output.display(),
        defs.flag_state_version
            .map(|v| format!(" (flagStateVersion {v})"))
            .unwrap_or_default()
    );
    Ok(exit::OK)
}

//! `bucket-console import curl`: a copied curl command becomes a saved request.

use super::context::{CliError, exit};
use bucket_console::api::{self, TrackingKey, errors::FieldCode};
use bucket_console::collection::{self, curl, write};
use bucket_console::sanitize::sanitize;
use clap::{Args, Subcommand};
use std::io::Read;
use std::path::PathBuf;

/// Turn something copied elsewhere into a saved request.
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    what: ImportCommand,
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// A curl command (as "Copy as cURL" and `log curl` write it) as a [requests.NAME] entry on
    /// stdout. The key and base URL are dropped: profiles hold them.
    #[command(
        after_help = "Exit status: 0 imported; 1 imported, but the body breaks the contract
(the problems are listed); 2 not a tracking call, a body over 32 KiB, more than 1 MiB
on stdin, or --save could not add it.

Examples:
  pbpaste | bucket-console import curl -
  bucket-console import curl \"curl -X POST https://tracking.bucket.co/tk123/event -d '{...}'\"
  bucket-console import curl --name signup --save -
Options come before the command: everything after it is read as the command."
    )]
    Curl {
        /// The command, quoted as one argument, as words, or `-` (or nothing) for stdin.
        #[arg(
            value_name = "COMMAND",
            trailing_var_arg = true,
            allow_hyphen_values = true
        )]
        command: Vec<String>,
        /// The request's name [default: the method, then -imported].
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Append it to the collection (comments and layout kept) instead of printing it.
        #[arg(long)]
        save: bool,
        /// The collection to save into [default: bucket-console.toml here or in a parent,
        /// else a new one here].
        #[arg(long, env = "BUCKET_COLLECTION", value_name = "PATH")]
        collection: Option<PathBuf>,
    },
}

pub fn run(args: &ImportArgs) -> Result<u8, CliError> {
    let ImportCommand::Curl {
        command,
        name,
        save,
        collection: explicit,
    } = &args.what;
    // `import curl "curl …" --name x`: the quoted command came first, so clap gave it the
    // options too; no curl command has these, so say where they go.
    if let [first, rest @ ..] = command.as_slice()
        && first.trim_start().starts_with("curl ")
        && let Some(option) = rest
            .iter()
            .find(|w| matches!(w.as_str(), "--name" | "--save" | "--collection"))
    {
        return Err(CliError::usage(format!(
            "{option} came after the command: options go before it \
             (bucket-console import curl {option} … \"curl …\"); everything after the \
             command is read as the command"
        )));
    }
    let words = match command.as_slice() {
        [] => split(&read_stdin()?)?,
        [one] if one == "-" => split(&read_stdin()?)?,
        [one] => split(one)?,
        many => many.to_vec(),
    };
    let imported = curl::parse(&words).map_err(|e| CliError::usage(e.to_string()))?;
    let masked = TrackingKey::parse(&imported.key).map_or_else(|_| "…".to_owned(), |k| k.masked());
    eprintln!(
        "note: the base URL ({}) and the key ({masked}) are dropped: profiles hold them",
        sanitize(&imported.base_url)
    );
    for note in &imported.notes {
        eprintln!("note: {}", sanitize(note));
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let path = collection::locate(explicit.as_deref(), &cwd)
        .unwrap_or_else(|| cwd.join(collection::FILE_NAME));
    let taken: Vec<String> = collection::load(&path, &[])
        .map(|c| c.names().iter().map(|n| (*n).to_owned()).collect())
        .unwrap_or_default();
    let name = name.clone().unwrap_or_else(|| {
        let base = format!("{}-imported", imported.method);
        // One more than the names taken always leaves one free.
        (1..=taken.len() + 1)
            .map(|n| {
                if n == 1 {
                    base.clone()
                } else {
                    format!("{base}-{n}")
                }
            })
            .find(|candidate| !taken.contains(candidate))
            .unwrap_or(base)
    });
    let problems = api::validate(imported.method, &imported.body, api::timestamp::now_ms()).err();
    // A body no server takes is not worth a place in the collection.
    if let Some(e) = problems
        .iter()
        .flatten()
        .find(|e| e.code == FieldCode::BodyTooLarge)
    {
        return Err(CliError::usage(format!("{}: nothing imported", e.message)));
    }
    let text = write::entry(&name, imported.method, &imported.body);
    if *save {
        write::append(&path, &name, &text).map_err(|e| CliError::usage(e.to_string()))?;
        eprintln!("saved as requests.{name} in {}", path.display());
    } else {
        print!("{text}");
    }
    if let Some(errors) = problems {
        for e in errors {
            let at = if e.path.is_empty() { "body" } else { &e.path };
            eprintln!("problem: {at}: {}", sanitize(&e.message));
        }
        return Ok(exit::REJECTED);
    }
    Ok(exit::OK)
}

/// A pasted command is kilobytes: standard input past this is refused, never read whole.
const MAX_PASTE_BYTES: u64 = 1024 * 1024;

fn read_stdin() -> Result<String, CliError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(MAX_PASTE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::usage(format!("cannot read standard input: {e}")))?;
    if bytes.len() as u64 > MAX_PASTE_BYTES {
        return Err(CliError::usage(
            "standard input holds more than 1 MiB (1048576 bytes), the most import reads: \
             give it one curl command",
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| CliError::usage("standard input is not UTF-8 text: give it a curl command"))
}

fn split(line: &str) -> Result<Vec<String>, CliError> {
    curl::split(line).map_err(|e| CliError::usage(format!("cannot read the command: {e}")))
}

//! `flags check FILE`: the loader `serve` uses, without serving. Exit 2 with each problem at its
//! `file:line`, or 0 with what the file defines (and warnings for what is legal but suspect).

use super::super::context::{CliError, exit};
use bucket_console::flags::{self, Sources};
use bucket_console::sanitize::sanitize;
use clap::Args;
use std::path::PathBuf;

/// Check flag definitions: a JSON file as `serve --flags` reads it, or a collection's
/// `[flags.KEY]` (a .toml file).
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 the definitions can be served (warnings may be printed);
2 they cannot, each problem printed as FILE:LINE: message.

Examples:
  bucket-console flags check flags.json
  bucket-console flags check bucket-console.toml"
)]
pub struct CheckArgs {
    /// The definitions file (JSON), or a collection file (.toml) whose [flags] are checked.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

pub fn run(args: &CheckArgs) -> Result<u8, CliError> {
    let toml = args.file.extension().is_some_and(|e| e == "toml");
    let sources = if toml {
        Sources {
            file: None,
            collection: Some(args.file.clone()),
        }
    } else {
        Sources {
            file: Some(args.file.clone()),
            collection: None,
        }
    };
    let loaded = match flags::load(&sources) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("{}", sanitize(&e.to_string()));
            return Err(CliError::usage(format!(
                "{} cannot be served ({} problem(s))",
                args.file.display(),
                e.problems.len()
            )));
        }
    };
    for warning in &loaded.warnings {
        eprintln!("warning: {}", sanitize(warning));
    }
    let rules: usize = loaded.flags.iter().map(|f| f.rules.len()).sum();
    let configs = loaded.flags.iter().filter(|f| f.config.is_some()).count();
    println!(
        "{}: {} flag(s), {rules} rule(s), {configs} with a config, {} warning(s)",
        sanitize(&args.file.display().to_string()),
        loaded.flags.len(),
        loaded.warnings.len()
    );
    Ok(exit::OK)
}

//! `bucket-console config check|path|default`: the console's config.toml without starting it.

use super::context::{CliError, exit};
use bucket_console::tui::config;
use clap::{Args, Subcommand};

/// The console's config file (keys, theme, mouse): check it, find it, or start one.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    command: ConfigCommand,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Read the file as the console would, and say what is wrong with it (exit 2), by line.
    Check,
    /// Print where the file is read from (BUCKET_CONSOLE_CONFIG, else the config dir).
    Path,
    /// Print a commented file with every command, its default keys, and the theme's colours.
    Default,
}

pub fn run(args: &ConfigArgs) -> Result<u8, CliError> {
    let path = config::path().map_err(|e| CliError::usage(e.to_string()))?;
    match args.command {
        ConfigCommand::Path => {
            println!("{}", path.display());
            if !path.exists() {
                eprintln!(
                    "(no file there yet: `bucket-console config default > that path` starts one)"
                );
            }
        }
        ConfigCommand::Default => print!("{}", config::default_file()),
        ConfigCommand::Check => {
            config::load(&path).map_err(|e| CliError::usage(e.to_string()))?;
            if path.exists() {
                println!("{}: ok", path.display());
            } else {
                println!("{}: no file; the defaults apply", path.display());
            }
        }
    }
    Ok(exit::OK)
}

//! `bucket-console flags …`: flag definitions and their evaluation from the command line.

mod check;

use super::context::CliError;
use clap::{Args, Subcommand};

/// Work with feature flag definitions: check a definitions file before `serve --flags` reads it.
#[derive(Debug, Args)]
pub struct FlagsArgs {
    #[command(subcommand)]
    command: Flags,
}

#[derive(Debug, Subcommand)]
pub enum Flags {
    Check(check::CheckArgs),
}

pub fn run(args: &FlagsArgs) -> Result<u8, CliError> {
    match &args.command {
        Flags::Check(a) => check::run(a),
    }
}

//! `bucket-console flags …`: an environment's flags, read with a Runtime API profile. A thin enum
//! and dispatch; each subcommand lives in its own file.

mod eval;
mod list;
mod pull;
mod shared;

use super::context::CliError;
use clap::{Args, Subcommand};

/// Feature flags of a Runtime API environment: list, explain for a context, pull to a file.
#[derive(Debug, Args)]
pub struct FlagsArgs {
    #[command(subcommand)]
    command: Flags,
}

#[derive(Debug, Subcommand)]
enum Flags {
    List(list::ListArgs),
    Eval(eval::EvalArgs),
    Pull(pull::PullArgs),
}

pub fn run(args: &FlagsArgs) -> Result<u8, CliError> {
    match &args.command {
        Flags::List(a) => list::run(a),
        Flags::Eval(a) => eval::run(a),
        Flags::Pull(a) => pull::run(a),
    }
}

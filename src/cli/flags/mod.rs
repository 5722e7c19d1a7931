//! `bucket-console flags …`: an environment's flags read with a Runtime API profile, and
//! definitions files checked before `serve --flags` reads them. A thin enum and dispatch; each
//! subcommand lives in its own file.

mod check;
mod eval;
mod list;
mod pull;
mod shared;

use super::context::CliError;
use clap::{Args, Subcommand};

/// Feature flags: list an environment's, explain them for a context, pull them to a file, check a
/// definitions file.
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
    Check(check::CheckArgs),
}

pub fn run(args: &FlagsArgs) -> Result<u8, CliError> {
    match &args.command {
        Flags::List(a) => list::run(a),
        Flags::Eval(a) => eval::run(a),
        Flags::Pull(a) => pull::run(a),
        Flags::Check(a) => check::run(a),
    }
}

//! `bucket-console`: parse arguments and dispatch; with no subcommand the console opens.

use clap::Parser;
use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    cli::run(args)
}

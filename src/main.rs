//! `bucket-console`: parse arguments and dispatch. With no subcommand it will open the console;
//! until the console lands it prints its help.

use clap::Parser;
use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    cli::run(args)
}

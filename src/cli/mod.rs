//! The command line: clap definitions and dispatch. Results go to stdout, messages to stderr.

mod serve;

use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

/// A terminal console, local server and CLI for the Bucket Tracking HTTP API.
#[derive(Debug, Parser)]
#[command(name = "bucket-console", version, about, long_about = None)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Serve(serve::ServeArgs),
}

/// Exit statuses shared by every command.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILURE: u8 = 1;
}

pub fn run(args: Args) -> ExitCode {
    match args.command {
        Some(Command::Serve(serve)) => serve::run(&serve),
        None => {
            let _ = Args::command().print_help();
            ExitCode::from(exit::OK)
        }
    }
}

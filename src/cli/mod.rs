//! The command line: clap definitions and dispatch. Results go to stdout, messages to stderr, and
//! the exit status says what happened (see `context::exit`).

mod context;
mod items;
mod log;
mod profiles;
mod render;
mod replay;
mod send;
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
    Send(send::SendArgs),
    Profiles(profiles::ProfilesArgs),
    Log(log::LogArgs),
    Replay(replay::ReplayArgs),
}

pub fn run(args: Args) -> ExitCode {
    match args.command {
        Some(Command::Serve(serve)) => serve::run(&serve),
        Some(Command::Send(a)) => context::finish("send", send::run(&a)),
        Some(Command::Profiles(a)) => context::finish("profiles", profiles::run(&a)),
        Some(Command::Log(a)) => context::finish("log", log::run(&a)),
        Some(Command::Replay(a)) => context::finish("replay", replay::run(&a)),
        None => {
            let _ = Args::command().print_help();
            ExitCode::from(context::exit::OK)
        }
    }
}

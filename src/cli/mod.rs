//! The command line: clap definitions and dispatch. Results go to stdout, messages to stderr, and
//! the exit status says what happened (see `context::exit`).

mod complete;
mod config;
mod console;
mod context;
mod data;
mod dry_run;
mod flags;
mod import;
mod items;
mod junit;
mod kiosk;
mod log;
mod outbox;
mod profiles;
mod render;
mod replay;
mod replay_bulk;
mod replay_log;
mod report_html;
mod run;
mod send;
mod send_bulk;
mod serve;
mod shell;
mod stars;
mod tags;
mod tap;
mod watch;

#[cfg(test)]
mod help_tests;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// A terminal console, local server and CLI for the Bucket Tracking HTTP API.
///
/// Subcommands other than the console ignore --profile/--method here; give them their own.
#[derive(Debug, Parser)]
#[command(name = "bucket-console", version, about, long_about = None)]
#[command(
    after_help = "With no command, the console opens: forms for the four methods, live validation,
the request/response log and profiles. F1 inside it lists every key.

Examples:
  bucket-console                              # the console, on the local server
  bucket-console --profile staging --method feedback
  bucket-console send event event=\"Sent message\" userId:=42
  bucket-console serve"
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The console's profile [default: BUCKET_PROFILE, else the default profile, else local].
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The form the console opens on.
    #[arg(long, value_enum, value_name = "METHOD")]
    pub method: Option<send::MethodArg>,
    /// An environment variable the collection's {{env NAME}} may read in the console
    /// (repeatable); no other is read.
    #[arg(long = "allow-env", value_name = "NAME")]
    pub allow_env: Vec<String>,
}

impl Args {
    /// The console's arguments when the command line is the program's name alone (`count` is
    /// `args_os().len()`). Clap builds every subcommand's definition before it parses even an empty
    /// line, a cost paid before the console's first frame; the answer is the same as parsing
    /// (`bare_matches_an_empty_parse`).
    pub fn bare_if_no_arguments(count: usize) -> Option<Self> {
        (count <= 1).then(|| Self {
            command: None,
            profile: None,
            method: None,
            allow_env: Vec::new(),
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Serve(serve::ServeArgs),
    Send(send::SendArgs),
    Profiles(profiles::ProfilesArgs),
    Log(log::LogArgs),
    Replay(replay::ReplayArgs),
    Run(run::RunArgs),
    Import(import::ImportArgs),
    Data(data::DataArgs),
    Stars(stars::StarsArgs),
    Watch(watch::WatchArgs),
    Outbox(outbox::OutboxArgs),
    Kiosk(kiosk::KioskArgs),
    Config(config::ConfigArgs),
    Flags(flags::FlagsArgs),
    Completions(shell::CompletionsArgs),
    Man(shell::ManArgs),
}

pub fn run(args: Args) -> ExitCode {
    match args.command {
        Some(Command::Serve(serve)) => serve::run(&serve),
        Some(Command::Send(a)) => context::finish("send", send::run(&a)),
        Some(Command::Profiles(a)) => context::finish("profiles", profiles::run(&a)),
        Some(Command::Log(a)) => context::finish("log", log::run(&a)),
        Some(Command::Replay(a)) => context::finish("replay", replay::run(&a)),
        Some(Command::Run(a)) => context::finish("run", run::run(&a)),
        Some(Command::Import(a)) => context::finish("import", import::run(&a)),
        Some(Command::Data(a)) => context::finish("data", data::run(&a)),
        Some(Command::Stars(a)) => context::finish("stars", stars::run(&a)),
        Some(Command::Watch(a)) => context::finish("watch", watch::run(&a)),
        Some(Command::Outbox(a)) => context::finish("outbox", outbox::run(&a)),
        Some(Command::Kiosk(a)) => context::finish("kiosk", kiosk::run(&a)),
        Some(Command::Config(a)) => context::finish("config", config::run(&a)),
        Some(Command::Flags(a)) => context::finish("flags", flags::run(&a)),
        Some(Command::Completions(a)) => shell::completions(&a),
        Some(Command::Man(a)) => shell::man(&a),
        None => context::finish(
            "console",
            console::run(args.profile.as_deref(), args.method, &args.allow_env),
        ),
    }
}

/// Answers the shell's completion request (`COMPLETE=bash bucket-console -- …`) and exits, if
/// this run is one; must come before anything is printed.
pub fn answer_completion_if_asked() {
    complete::answer_if_asked();
}

//! `bucket-console`: parse arguments and dispatch; with no subcommand the console opens.

use clap::Parser;
use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    quiet_when_the_reader_goes_away();
    cli::answer_completion_if_asked();
    let args =
        cli::Args::bare_if_no_arguments(std::env::args_os().len()).unwrap_or_else(cli::Args::parse);
    cli::run(args)
}

/// `bucket-console log | head -3`: when the reader of stdout goes away, Rust's printing panics
/// (the runtime ignores SIGPIPE, and resetting it would take `unsafe`). Like any Unix tool, the
/// command then ends quietly with 141 (128 + SIGPIPE) instead of printing a panic.
fn quiet_when_the_reader_goes_away() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        previous(info);
    }));
}

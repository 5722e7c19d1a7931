//! `bucket-console completions SHELL` and `bucket-console man`: made from the same clap
//! definitions as the commands themselves, so they never fall behind.

use super::Args;
use bucket_console::sanitize::sanitize;
use clap::{CommandFactory, ValueEnum};
use std::io::Write;
use std::process::ExitCode;

/// Print shell completions for bucket-console.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Install (then open a new shell); the script calls back into bucket-console, so
it completes your profiles, the collection's names and recent exchange ids:
  bash:  echo 'source <(bucket-console completions bash)' >> ~/.bashrc
  zsh:   echo 'source <(bucket-console completions zsh)' >> ~/.zshrc      # after compinit
  fish:  bucket-console completions fish > ~/.config/fish/completions/bucket-console.fish"
)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

pub fn completions(args: &CompletionsArgs) -> ExitCode {
    let name = args
        .shell
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default();
    let mut out = Vec::new();
    match super::complete::registration(&name, &mut out) {
        Ok(()) if std::io::stdout().write_all(&out).is_ok() => ExitCode::SUCCESS,
        Ok(()) => ExitCode::from(super::context::exit::FAILURE),
        Err(e) => {
            eprintln!("bucket-console completions: {e}");
            ExitCode::from(super::context::exit::FAILURE)
        }
    }
}

/// Print a manual page (roff), or write them all.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  bucket-console man | man -l -                 # the top page
  bucket-console man profiles add | man -l -    # the page of one subcommand
  bucket-console man --dir ~/.local/share/man/man1   # every page, for `man bucket-console-send`")]
pub struct ManArgs {
    /// The subcommand whose page to print (`profiles add`); none for the top page.
    #[arg(value_name = "SUBCOMMAND", conflicts_with = "dir")]
    subcommand: Vec<String>,
    /// Write every page (bucket-console.1 and one per subcommand) into this directory.
    #[arg(long, value_name = "DIR")]
    dir: Option<std::path::PathBuf>,
}

pub fn man(args: &ManArgs) -> ExitCode {
    let mut command = Args::command().disable_help_subcommand(true);
    command.build();
    if let Some(dir) = &args.dir {
        return write_pages(command, dir);
    }
    let mut page = &command;
    for (depth, name) in args.subcommand.iter().enumerate() {
        let Some(sub) = page.find_subcommand(name) else {
            let path = args.subcommand[..depth].join(" ");
            let known: Vec<&str> = page
                .get_subcommands()
                .map(clap::Command::get_name)
                .collect();
            eprintln!(
                "bucket-console man: `{}` has no subcommand `{}`; it has: {}",
                format!("bucket-console {path}").trim_end(),
                sanitize(name),
                known.join(", ")
            );
            return ExitCode::from(super::context::exit::USAGE);
        };
        page = sub;
    }
    let mut out = Vec::new();
    match clap_mangen::Man::new(page.clone()).render(&mut out) {
        Ok(()) if std::io::stdout().write_all(&out).is_ok() => ExitCode::SUCCESS,
        _ => {
            eprintln!("bucket-console man: the page could not be written");
            ExitCode::from(super::context::exit::FAILURE)
        }
    }
}

fn write_pages(command: clap::Command, dir: &std::path::Path) -> ExitCode {
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("bucket-console man: cannot create {}: {e}", dir.display());
        return ExitCode::from(super::context::exit::FAILURE);
    }
    match clap_mangen::generate_to(command, dir) {
        Ok(()) => {
            eprintln!("bucket-console man: pages written to {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "bucket-console man: cannot write the pages into {}: {e}",
                dir.display()
            );
            ExitCode::from(super::context::exit::FAILURE)
        }
    }
}

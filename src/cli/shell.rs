//! `bucket-console completions SHELL` and `bucket-console man`: made from the same clap
//! definitions as the commands themselves, so they never fall behind.

use super::Args;
use clap::{CommandFactory, ValueEnum};
use std::io::Write;
use std::process::ExitCode;

/// Print shell completions for bucket-console.
#[derive(Debug, clap::Args)]
#[command(after_help = "Install (then open a new shell):
  bash:  bucket-console completions bash > ~/.local/share/bash-completion/completions/bucket-console
  zsh:   bucket-console completions zsh > ~/.zfunc/_bucket-console   # with fpath+=(~/.zfunc) before compinit
  fish:  bucket-console completions fish > ~/.config/fish/completions/bucket-console.fish")]
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
    use clap_complete::Shell as S;
    let shell = match args.shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
        Shell::Elvish => S::Elvish,
    };
    let mut command = Args::command();
    clap_complete::generate(
        shell,
        &mut command,
        "bucket-console",
        &mut std::io::stdout(),
    );
    ExitCode::SUCCESS
}

/// Print the manual page (roff): `bucket-console man | man -l -`.
pub fn man() -> ExitCode {
    let page = clap_mangen::Man::new(Args::command());
    let mut out = Vec::new();
    match page.render(&mut out) {
        Ok(()) if std::io::stdout().write_all(&out).is_ok() => ExitCode::SUCCESS,
        _ => {
            eprintln!("bucket-console man: the page could not be written");
            ExitCode::from(super::context::exit::FAILURE)
        }
    }
}

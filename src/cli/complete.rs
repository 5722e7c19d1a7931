//! Shell completion that knows this user's names: profiles, the collection's requests and
//! scenarios, and the history's exchange ids.
//!
//! clap_complete's generated bash script cannot complete past the first word for a binary whose
//! name has a hyphen (its `case` labels and the `cmd` it computes disagree), and a static script
//! could not know the user's names anyway. So the shells' scripts only call back into the binary
//! (`COMPLETE=bash bucket-console -- WORDS`), which answers from the same clap definitions as the
//! commands themselves, with the completers below attached.

use super::Args;
use bucket_console::sanitize::sanitize;
use bucket_console::{collection, history, paths, profiles};
use clap::CommandFactory;
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use std::ffi::OsString;

/// The variable the shells' scripts set when they ask for candidates.
const VAR: &str = "COMPLETE";
const BIN: &str = "bucket-console";
/// The newest exchanges offered after `log show` and `log export`.
const RECENT_EXCHANGES: u64 = 50;

/// Answers a completion request and exits when the shell asked for one; otherwise returns at once.
pub fn answer_if_asked() {
    clap_complete::CompleteEnv::with_factory(command)
        .var(VAR)
        .bin(BIN)
        .complete();
}

/// The registration script for `shell`, which makes it call back into `bucket-console`.
pub fn registration(shell: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let shells = clap_complete::env::Shells::builtins();
    let Some(completer) = shells.completer(shell) else {
        return Err(std::io::Error::other(format!(
            "no completion for the shell {shell}"
        )));
    };
    completer.write_registration(VAR, BIN, BIN, BIN, out)
}

/// The command line with every argument that names a user's thing given its completer.
pub fn command() -> clap::Command {
    attach(Args::command(), &[])
}

fn attach(mut command: clap::Command, path: &[&str]) -> clap::Command {
    let ids: Vec<String> = command
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        if let Some(candidates) = completer_for(path, &id) {
            command = command.mut_arg(id, |arg| arg.add(candidates));
        }
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        let mut inner: Vec<&str> = path.to_vec();
        inner.push(&name);
        let path_owned: Vec<String> = inner.iter().map(|s| (*s).to_owned()).collect();
        command = command.mut_subcommand(&name, move |sub| {
            let path: Vec<&str> = path_owned.iter().map(String::as_str).collect();
            attach(sub, &path)
        });
    }
    command
}

/// Which candidates an argument takes, by the command it belongs to and its id.
fn completer_for(path: &[&str], id: &str) -> Option<ArgValueCandidates> {
    match (path, id) {
        (_, "profile" | "from_profile") | (["profiles", "remove" | "default" | "edit"], "name") => {
            Some(ArgValueCandidates::new(profile_names))
        }
        (["run"], "names") => Some(ArgValueCandidates::new(collection_names)),
        (["log", "show" | "export" | "curl"], "id") => Some(ArgValueCandidates::new(exchange_ids)),
        _ => None,
    }
}

fn profile_names() -> Vec<CompletionCandidate> {
    let Ok(path) = paths::profiles_file() else {
        return Vec::new();
    };
    let saved = profiles::load(&path).map(|(p, _)| p).unwrap_or_default();
    saved
        .list()
        .into_iter()
        .map(|p| CompletionCandidate::new(p.name))
        .collect()
}

fn collection_names() -> Vec<CompletionCandidate> {
    let explicit = std::env::var_os("BUCKET_COLLECTION").map(std::path::PathBuf::from);
    let cwd = std::env::current_dir().unwrap_or_default();
    let Some(path) = collection::locate(explicit.as_deref(), &cwd) else {
        return Vec::new();
    };
    let Ok(found) = collection::load(&path, &[]) else {
        return Vec::new();
    };
    found
        .names()
        .into_iter()
        // A name that would need sanitizing could drive the terminal when the shell lists it.
        .filter(|name| sanitize(name) == *name)
        .map(|name| CompletionCandidate::new(OsString::from(name)))
        .collect()
}

fn exchange_ids() -> Vec<CompletionCandidate> {
    let Ok(path) = paths::history_database() else {
        return Vec::new();
    };
    if !path.is_file() {
        return Vec::new();
    }
    let Ok(log) = history::History::open(&path, history::limit_from_env()) else {
        return Vec::new();
    };
    let recent = log.recent(RECENT_EXCHANGES, 0).unwrap_or_default();
    recent
        .into_iter()
        .filter_map(|e| {
            let id = e.id?;
            let status = e
                .status()
                .map_or_else(|| "failed".to_owned(), |s| s.to_string());
            let help = format!("{} {} {}", e.method, status, e.started_at);
            Some(CompletionCandidate::new(id.to_string()).help(Some(help.into())))
        })
        .collect()
}

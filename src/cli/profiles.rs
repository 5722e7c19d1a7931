//! `bucket-console profiles list|add|remove|show|default`.

use super::context::{self, CliError, exit};
use bucket_console::api::{AnyKey, Api};
use bucket_console::profiles::{self, Change, Env, Profile, ProfileError, Source};
use clap::{Args, Subcommand};
use std::io::{IsTerminal, Read};

/// Manage profiles: where calls go and with which tracking key. Stored in profiles.toml in the
/// config dir (mode 0600); the built-in `local` profile always exists.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  printf %s \"$KEY\" | bucket-console profiles add staging --base https://tracking.bucket.co --key-stdin
  bucket-console profiles add dev --base http://127.0.0.1:8787 --key devKey --user-id 42 --default
  bucket-console profiles add prod --base https://tracking.bucket.co --key-command \"pass show reflag/prod\"
  bucket-console profiles add ci --base https://tracking.bucket.co --key-env BUCKET_CI_KEY
  bucket-console profiles list
  bucket-console profiles show staging            # key masked
  bucket-console profiles show staging --reveal   # the whole key
  bucket-console profiles default staging
  bucket-console profiles remove dev")]
pub struct ProfilesArgs {
    #[command(subcommand)]
    command: ProfilesCommand,
}

#[derive(Debug, Subcommand)]
enum ProfilesCommand {
    /// List the profiles; the default is marked with *.
    List {
        /// One JSON array, keys masked.
        #[arg(long)]
        json: bool,
    },
    /// Add a profile (or replace one with --force).
    Add(AddArgs),
    /// Change a profile's base URL, key or default ids; the built-in ones take default ids only.
    #[command(after_help = "Examples:
  bucket-console profiles edit local --user-id u1 --company-id acme
  bucket-console profiles edit staging --base https://tracking.bucket.co --key-stdin
  bucket-console profiles edit local --user-id ''     # an empty value clears a default")]
    Edit(EditArgs),
    /// Remove a profile.
    Remove { name: String },
    /// Show one profile (the selected one without a name), key masked unless --reveal.
    Show {
        name: Option<String>,
        /// Print the whole tracking key.
        #[arg(long)]
        reveal: bool,
    },
    /// Make a profile the default.
    Default { name: String },
}

#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // each is a command-line flag
struct AddArgs {
    name: String,
    /// The API's base URL, e.g. https://tracking.bucket.co; with --runtime also `reflag`
    /// (https://front.reflag.com) or `reflag-eu` (https://front-eu.reflag.com).
    #[arg(long, value_name = "URL")]
    base: String,
    /// A Runtime API profile: its key is a `pub_`/`sec_` key, sent only as a Bearer header.
    #[arg(long)]
    runtime: bool,
    /// The key (it stays in your shell history; prefer --key-stdin).
    #[arg(
        long,
        value_name = "KEY",
        conflicts_with = "key_stdin",
        required_unless_present_any = ["key_stdin", "key_env", "key_command"]
    )]
    key: Option<String>,
    /// Read the tracking key from standard input.
    #[arg(long)]
    key_stdin: bool,
    /// Store no key: read it from this environment variable when the profile is used.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["key", "key_stdin", "key_command"])]
    key_env: Option<String>,
    /// Store no key: run this command (split into words as a shell would, run without one,
    /// stdin closed, 10 s at most) once per process when the profile is used; its first line
    /// of output is the key.
    #[arg(long, value_name = "\"CMD ARGS\"", conflicts_with_all = ["key", "key_stdin"])]
    key_command: Option<String>,
    /// Default userId for calls that need one.
    #[arg(long, value_name = "ID")]
    user_id: Option<String>,
    /// Default companyId for company calls.
    #[arg(long, value_name = "ID")]
    company_id: Option<String>,
    /// Default featureId for feedback.
    #[arg(long, value_name = "ID")]
    feature_id: Option<String>,
    /// Make it the default profile.
    #[arg(long)]
    default: bool,
    /// Replace a profile of the same name.
    #[arg(long)]
    force: bool,
}

pub fn run(args: &ProfilesArgs) -> Result<u8, CliError> {
    let (all, path) = context::load_profiles()?;
    // Each change re-reads the file under its lock: what others wrote since is kept.
    let change = |change: Change| {
        profiles::update(&path, &change).map_err(|e| match e {
            ProfileError::Read(..)
            | ProfileError::Write(..)
            | ProfileError::Syntax { .. }
            | ProfileError::Invalid { .. } => CliError::rejected(e.to_string()),
            _ => CliError::usage(e.to_string()),
        })
    };
    match &args.command {
        ProfilesCommand::List { json } => list(&all, *json),
        ProfilesCommand::Add(a) => {
            let (added, _) = change(Change::Put {
                profile: new_profile(a)?,
                was: None,
                keep_key: false,
                replace: a.force,
            })?;
            if a.default {
                change(Change::SetDefault(added.name.clone()))?;
            }
            eprintln!(
                "added {} → {} (key {}){}",
                added.name,
                added.base_url,
                key_shown(&added),
                if a.default { ", now the default" } else { "" }
            );
        }
        ProfilesCommand::Edit(a) => {
            let was = all.get(&a.name).ok_or_else(|| {
                CliError::usage(ProfileError::NotFound(a.name.clone()).to_string())
            })?;
            let profile = edited(was, a)?;
            let (saved, _) = change(Change::Put {
                profile,
                was: Some(a.name.clone()),
                keep_key: false,
                replace: true,
            })?;
            let ids: Vec<String> = saved
                .ids()
                .iter()
                .map(|(field, value)| format!("{field} {value}"))
                .collect();
            eprintln!(
                "edited {} → {} (key {}); default ids: {}",
                saved.name,
                saved.base_url,
                key_shown(&saved),
                if ids.is_empty() {
                    "none".to_owned()
                } else {
                    ids.join(", ")
                }
            );
        }
        ProfilesCommand::Remove { name } => {
            change(Change::Remove(name.clone()))?;
            eprintln!("removed {name}");
        }
        ProfilesCommand::Default { name } => {
            change(Change::SetDefault(name.clone()))?;
            eprintln!("{name} is now the default profile");
        }
        ProfilesCommand::Show { name, reveal } => show(&all, name.as_deref(), *reveal)?,
    }
    Ok(exit::OK)
}

fn list(all: &profiles::Profiles, json: bool) {
    let default = all.default_name().to_owned();
    if json {
        let list: Vec<_> = all
            .list()
            .iter()
            .map(|p| summary_json(p, p.name == default))
            .collect();
        println!("{}", serde_json::Value::Array(list));
        return;
    }
    let width = all.list().iter().map(|p| p.name.len()).max().unwrap_or(5);
    for p in all.list() {
        let mark = if p.name == default { "*" } else { " " };
        let base = if p.is_local() {
            format!("{} (started in-process if nothing answers)", p.base_url)
        } else {
            p.base_url.clone()
        };
        println!(
            "{mark} {:<width$}  {:<13}  {:<21}  {base}",
            p.name,
            key_shown(&p),
            p.key.describe()
        );
    }
}

/// The key as lists show it: masked with its fingerprint, or where it is read from (a listing
/// runs no key command).
fn key_shown(p: &Profile) -> String {
    if p.key_from.is_file() {
        p.key.labelled()
    } else {
        bucket_console::sanitize::sanitize(&p.key_from.describe())
    }
}

/// The profile `add` describes.
#[derive(Debug, Args)]
struct EditArgs {
    name: String,
    /// A new base URL (not for the built-in profiles).
    #[arg(long, value_name = "URL")]
    base: Option<String>,
    /// Read a new tracking key from standard input (not for the built-in profiles).
    #[arg(long)]
    key_stdin: bool,
    /// Default userId; '' clears it.
    #[arg(long, value_name = "ID")]
    user_id: Option<String>,
    /// Default companyId; '' clears it.
    #[arg(long, value_name = "ID")]
    company_id: Option<String>,
    /// Default featureId; '' clears it.
    #[arg(long, value_name = "ID")]
    feature_id: Option<String>,
}

/// The profile `edit` makes of `was`.
fn edited(was: Profile, a: &EditArgs) -> Result<Profile, CliError> {
    if was.is_builtin() && (a.base.is_some() || a.key_stdin) {
        return Err(CliError::usage(
            ProfileError::BuiltinFixed(was.name.clone()).to_string(),
        ));
    }
    let change = |given: &Option<String>, current: Option<String>| match given {
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(v.trim().to_owned()),
        None => current,
    };
    let base_url = match &a.base {
        Some(base) => {
            profiles::normalize_base_url(base).map_err(|e| CliError::usage(e.to_string()))?
        }
        None => was.base_url.clone(),
    };
    let (key, key_from) = if a.key_stdin {
        (read_key_from_stdin(was.api())?, profiles::KeyFrom::File)
    } else {
        (was.key.clone(), was.key_from.clone())
    };
    Ok(Profile {
        base_url,
        key,
        key_from,
        user_id: change(&a.user_id, was.user_id.clone()),
        company_id: change(&a.company_id, was.company_id.clone()),
        feature_id: change(&a.feature_id, was.feature_id.clone()),
        name: was.name,
    })
}

fn new_profile(a: &AddArgs) -> Result<Profile, CliError> {
    profiles::check_name(&a.name).map_err(|e| CliError::usage(e.to_string()))?;
    Ok(Profile {
        name: a.name.clone(),
        base_url: if a.runtime {
            profiles::runtime_base_url(&a.base)
        } else {
            profiles::normalize_base_url(&a.base)
        }
        .map_err(|e| CliError::usage(e.to_string()))?,
        key: if a.key_env.is_some() || a.key_command.is_some() {
            AnyKey::unread(api_of(a))
        } else {
            read_key(a)?
        },
        key_from: match (&a.key_env, &a.key_command) {
            (Some(name), _) => profiles::KeyFrom::Env(name.trim().to_owned()),
            (_, Some(command)) => profiles::KeyFrom::Command(
                profiles::key_source::split_command(command)
                    .map_err(|e| CliError::usage(e.to_string()))?,
            ),
            _ => profiles::KeyFrom::File,
        },
        user_id: a.user_id.clone(),
        company_id: a.company_id.clone(),
        feature_id: a.feature_id.clone(),
    })
}

fn show(all: &profiles::Profiles, name: Option<&str>, reveal: bool) -> Result<(), CliError> {
    let selected = profiles::select(all, name, &Env::from_process())
        .map_err(|e| CliError::usage(e.to_string()))?;
    let p = &selected.profile;
    let key = if reveal {
        p.key.expose().to_owned()
    } else {
        p.key.masked()
    };
    let from = |overridden: bool, var: &str| {
        if overridden {
            format!(" (from {var})")
        } else {
            String::new()
        }
    };
    println!("name:        {}", p.name);
    println!(
        "base URL:    {}{}",
        p.base_url,
        from(selected.base_overridden, "BUCKET_BASE_URL")
    );
    let read = if selected.key_overridden || p.key_from.is_file() {
        String::new()
    } else {
        format!(
            " (read {}, kept in memory only)",
            bucket_console::sanitize::sanitize(&p.key_from.describe())
        )
    };
    println!(
        "key:         {key}{}{read}",
        from(selected.key_overridden, "BUCKET_TRACKING_KEY")
    );
    println!("fingerprint: {}", p.key.fingerprint());
    println!("api:         {}", p.key.describe());
    for (label, value) in [
        ("user id:", &p.user_id),
        ("company id:", &p.company_id),
        ("feature id:", &p.feature_id),
    ] {
        if let Some(v) = value {
            println!("{label:<12} {}", bucket_console::sanitize::sanitize(v));
        }
    }
    let why = match selected.source {
        Source::Flag => "named",
        Source::Environment => "from BUCKET_PROFILE",
        Source::Default => "the default",
        Source::BuiltIn => "built in, the default",
    };
    println!("selected:    {why}");
    Ok(())
}

fn api_of(a: &AddArgs) -> Api {
    if a.runtime {
        Api::Runtime
    } else {
        Api::Tracking
    }
}

fn read_key(a: &AddArgs) -> Result<AnyKey, CliError> {
    let api = api_of(a);
    match &a.key {
        Some(k) => AnyKey::parse(api, k).map_err(|e| CliError::usage(e.to_string())),
        None => read_key_from_stdin(api),
    }
}

fn read_key_from_stdin(api: Api) -> Result<AnyKey, CliError> {
    if std::io::stdin().is_terminal() {
        eprint!("{} key (not echoed to history): ", api.as_str());
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CliError::usage(format!("cannot read the key: {e}")))?;
    AnyKey::parse(api, text.trim()).map_err(|e| CliError::usage(e.to_string()))
}

fn summary_json(p: &Profile, default: bool) -> serde_json::Value {
    serde_json::json!({
        "name": p.name,
        "baseUrl": p.base_url,
        "api": p.api().as_str(),
        "kind": p.key.describe(),
        "key": p.key_from.is_file().then(|| p.key.masked()),
        "keyFrom": match &p.key_from {
            profiles::KeyFrom::File => serde_json::json!("stored"),
            profiles::KeyFrom::Env(name) => serde_json::json!({"env": name}),
            profiles::KeyFrom::Command(argv) => serde_json::json!({"command": argv}),
        },
        "fingerprint": p.key_from.is_file().then(|| p.key.fingerprint()),
        "userId": p.user_id,
        "companyId": p.company_id,
        "featureId": p.feature_id,
        "default": default,
    })
}

//! No subcommand: the console. The profile is resolved, and for `local` the server started,
//! before the first frame, so a newcomer can send at once.

use super::context::{self, CliError, exit};
use super::send::MethodArg;
use bucket_console::api::Method;
use bucket_console::tui::{self, state::State};
use std::io::IsTerminal;

pub fn run(
    profile: Option<&str>,
    method: Option<MethodArg>,
    allow_env: &[String],
) -> Result<u8, CliError> {
    if !std::io::stdout().is_terminal() {
        return Err(CliError::usage(
            "the console needs a terminal; for scripts use `bucket-console send` (see --help)",
        ));
    }
    // A bad config stops here, before the terminal is touched: it never half-applies.
    let config_path = tui::config::path().map_err(|e| CliError::usage(e.to_string()))?;
    let config = tui::config::load(&config_path).map_err(|e| CliError::usage(e.to_string()))?;
    let (selected, mut profiles) = context::selected_profile(profile)?;
    // Every key_env/key_command is read now, before the terminal is taken, so that a password
    // manager's prompt never fights the console and switching profiles later needs none.
    for failed in bucket_console::profiles::read_keys(&mut profiles) {
        eprintln!(
            "warning: {}; nothing is sent with it",
            bucket_console::sanitize::sanitize(&failed.to_string())
        );
    }
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let method = method.map_or(Method::User, Method::from);
    let rt = context::runtime(1)?;
    rt.block_on(async {
        let resolved = bucket_console::target::resolve_deferred(&selected)
            .await
            .map_err(|e| CliError::failed(e.to_string()))?;
        let mut state = State::new(
            profiles,
            selected.profile.clone(),
            resolved.target.base_url.clone(),
            method,
            color,
            bucket_console::api::timestamp::now_ms(),
        );
        state.palette = config.theme.palette();
        state.keymap = tui::keys::Keymap::new(config.bindings);
        state.collection.env = bucket_console::collection::template::Env::read(allow_env);
        state.collection.new_file = std::env::var_os("BUCKET_COLLECTION").map_or_else(
            || {
                std::env::current_dir()
                    .unwrap_or_default()
                    .join(bucket_console::collection::FILE_NAME)
            },
            std::path::PathBuf::from,
        );
        tui::run(state, resolved.starting, config.mouse)
            .await
            .map_err(|e| CliError::failed(e.to_string()))
    })?;
    Ok(exit::OK)
}

//! `bucket-console kiosk`: the feedback form for demos and booths.

use super::context::{self, CliError, exit};
use bucket_console::kiosk::{self, state::KioskState};
use clap::Args;
use std::io::IsTerminal;

/// A full-screen feedback form for a demo or a booth: people walk up, pick a score (sent at once),
/// may add a comment, and the form is ready for the next person. Answers that cannot be delivered
/// wait in the outbox. Ctrl+C shows the session's results, then leaves.
#[derive(Debug, Args)]
#[command(
    after_help = "Keys: 1–5 (or ←/→ and Enter, or a click) pick a score; C comments without one;
in the comment box Enter sends, Alt+Enter makes a new line, Esc skips. An unfinished form resets
after 20 seconds without a key. Ctrl+C: the results, then any key leaves.

Examples:
  bucket-console kiosk --feature export
  bucket-console kiosk --feature onboarding --question \"How was setting up?\" --ask-name
  bucket-console kiosk --feature export --profile booth --company-id acme"
)]
pub struct KioskArgs {
    /// The feature the feedback is about (its featureId).
    #[arg(long, value_name = "FEATURE_ID")]
    feature: String,
    /// The question shown [default: How satisfied are you with this feature?]
    #[arg(long, value_name = "TEXT")]
    question: Option<String>,
    /// The profile to send with.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Every respondent's company.
    #[arg(long, value_name = "ID")]
    company_id: Option<String>,
    /// Ask for a name or email first (stored as the user's `name` attribute).
    #[arg(long)]
    ask_name: bool,
    /// Seconds without a key before an unfinished form resets.
    #[arg(long, default_value_t = kiosk::state::IDLE_SECONDS, hide = true)]
    idle_seconds: u32,
}

pub fn run(args: &KioskArgs) -> Result<u8, CliError> {
    if !std::io::stdout().is_terminal() {
        return Err(CliError::usage("the kiosk needs a terminal"));
    }
    if args.feature.trim().is_empty() {
        return Err(CliError::usage("--feature needs a feature id"));
    }
    let (selected, _) = context::selected_profile(args.profile.as_deref())?;
    let session = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let mut state = KioskState::new(
        args.feature.clone(),
        args.question.clone(),
        args.company_id.clone(),
        args.ask_name,
        session,
    );
    state.idle_limit = args.idle_seconds.max(1);
    state.api = selected.profile.api();
    state.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    // The kiosk takes the theme, not the keys: a problem only the console would trip on is said,
    // and the booth still opens.
    let config_path =
        bucket_console::tui::config::path().map_err(|e| CliError::usage(e.to_string()))?;
    let (theme, unused) = bucket_console::tui::config::load_theme(&config_path)
        .map_err(|e| CliError::usage(e.to_string()))?;
    if let Some(problems) = unused {
        eprintln!(
            "warning: the kiosk uses only [theme]; the console would refuse this config:\n{problems}"
        );
    }
    state.palette = theme.palette();
    context::runtime(1)?.block_on(async {
        let resolved = bucket_console::target::resolve(&selected)
            .await
            .map_err(|e| CliError::failed(e.to_string()))?;
        kiosk::run(state, resolved.target, resolved.embedded)
            .await
            .map_err(|e| CliError::failed(e.to_string()))
    })?;
    Ok(exit::OK)
}

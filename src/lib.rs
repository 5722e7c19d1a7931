//! bucket-console: a terminal console, a local tracking server and a scriptable CLI for the
//! Bucket Tracking HTTP API. The binary is a thin shell over these modules.
//!
//! One name per concept inside the code; what users read (the F2 "Data" and F6 "Features"
//! screens, the config's view and key-context names, the `data` and `stars` commands) stays as it
//! is, and only those user-facing names (`Screen::Data`, `Context::Features`, …) keep them:
//! - `stars`: the STARS funnel, its request, report and step rule ([`api::stars`]), its route
//!   (`server::stars`), its SQL (`server::store`), its bars ([`term::stars`]), the `stars`
//!   command and the console's F6 screen state, keys and drawing (`tui::stars`, `StarsView`),
//!   which shows `stars` funnels and computes none.
//! - `inspect`: what the local server stored, as records ([`api::inspect`]), the `/_local` routes
//!   that answer them (`server::inspect`), their one client ([`inspect`]: paged reads, entities,
//!   the traffic stream, `Inspector`) and the console's F2 screen that browses them
//!   (`tui::inspect`, `InspectView`); the `data` command is its CLI.
//! - The console's log of exchanges is `tui::log_view::LogView`; a read in progress is
//!   [`term::Load`]; a question before acting is `tui::confirm::Confirm`; the command palette is
//!   `tui::palette`.

pub mod api;
pub mod client;
pub mod collection;
pub mod delivery;
pub mod files;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod flags;
pub mod highlight;
pub mod history;
pub mod inspect;
pub mod kiosk;
pub mod net;
pub mod outbox;
pub mod paths;
pub mod profiles;
pub mod results;
pub mod sanitize;
pub mod server;
pub mod target;
pub mod term;
pub mod tui;

//! bucket-console: a terminal console, a local tracking server and a scriptable CLI for the
//! Bucket Tracking HTTP API. The binary is a thin shell over these modules.
//!
//! One name per concept inside the code (what users read, the views' and commands' names, stays
//! as it is):
//! - `stars`: the STARS funnel, its request, report and step rule ([`api::stars`]), its route
//!   (`server::stars`), its SQL (`server::store`), its bars ([`term::stars`]) and the `stars`
//!   command. The console's F6 is named after its screen, the Features view (`tui::features`),
//!   as every view module is; it shows `stars` funnels and computes none.
//! - `inspect`: what the local server stored, as records ([`api::inspect`]) and the `/_local`
//!   routes that answer them (`server::inspect`). [`explore`] is the one client of those routes
//!   (paged reads, entities, the traffic stream), used by the Data view (`tui::data`, F2) and the
//!   `data` command, which keep their user-facing name.
//! - The console's log of exchanges is `tui::log_view::LogView`; a read in progress is
//!   [`term::Load`]; a question before acting is `tui::confirm::Confirm`; the command palette is
//!   `tui::palette`.

pub mod api;
pub mod client;
pub mod collection;
pub mod delivery;
pub mod explore;
pub mod files;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod flags;
pub mod highlight;
pub mod history;
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

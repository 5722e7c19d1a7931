//! All integration tests in one binary: servers started on 127.0.0.1:0 by each test, the real
//! binary with temporary XDG directories, never a real Bucket host.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers, like tests, should stop at the first failure"
)]

mod cli_bounds;
mod cli_ci;
mod cli_demo_data;
pub mod cli_flags;
mod cli_key_source;
mod cli_profiles_log;
mod cli_replay;
mod cli_replay_bulk;
mod cli_report_html;
mod cli_run;
mod cli_run_bulk;
mod cli_runtime;
mod cli_secrets;
mod cli_send;
mod cli_trust;
pub mod client_transports;
mod completions;
mod console_batch_e2e;
mod console_e2e;
mod console_flags_e2e;
mod console_key_source;
mod durability;
mod export_hostile;
mod flags_serve;
mod flags_vectors;
mod inspect_data;
mod inspect_paging;
mod kiosk_e2e;
mod layering;
mod outbox;
mod outbox_runtime;
mod runtime_bulk;
mod runtime_env_views;
mod runtime_flag_checks;
mod runtime_serve_cli;
mod runtime_server;
mod runtime_support;
mod sdk_browser;
mod sdk_node;
mod sdk_node_push;
mod sdk_support;
mod serve_cli;
mod server_http;
mod server_props;
mod server_rules;
mod server_store;
mod server_traffic;
mod stars;
mod stars_reuse;
mod support;
mod terminal_hostile;
mod tmux;
mod trust_client;
mod trust_connections;
mod trust_heavy;
mod trust_requests;
pub mod trust_server;
mod trust_stars;
mod trust_store;

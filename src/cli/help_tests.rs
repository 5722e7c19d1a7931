//! What a user who installed with `cargo install` reads has no README beside it: every help page,
//! and the config file `config default` writes, must stand on its own.

use super::Args;
use clap::CommandFactory;

fn every_help(command: &mut clap::Command, path: &str, out: &mut Vec<(String, String)>) {
    let name = format!("{path} {}", command.get_name()).trim().to_owned();
    out.push((name.clone(), command.render_long_help().to_string()));
    for sub in command.get_subcommands_mut() {
        every_help(sub, &name, out);
    }
}

#[test]
fn no_help_page_sends_the_reader_to_the_readme() {
    let mut pages = Vec::new();
    every_help(&mut Args::command(), "", &mut pages);
    assert!(
        pages.len() > 20,
        "every subcommand is walked: {}",
        pages.len()
    );
    for (name, text) in pages {
        assert!(
            !text.contains("README"),
            "`{name} --help` mentions README:\n{text}"
        );
    }
}

#[test]
fn the_default_config_file_does_not_point_at_the_readme() {
    let text = bucket_console::tui::config::default_file();
    assert!(!text.contains("README"), "{text}");
}

#[test]
fn bare_matches_an_empty_parse() {
    use clap::Parser;
    let parsed = Args::try_parse_from(["bucket-console"]).unwrap();
    let bare = Args::bare_if_no_arguments(1).unwrap();
    assert_eq!(format!("{bare:?}"), format!("{parsed:?}"));
    assert!(Args::bare_if_no_arguments(2).is_none());
}

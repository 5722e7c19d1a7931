//! F7 as a user drives it in a pseudo-terminal: the flags of a runtime profile's environment,
//! the context edited, each rule's tree with the rollout bucket, the company's stored attributes
//! filled in and the ones no `company` call sent named.

use crate::cli_flags::{SECRET, definitions, fake_service, runtime_profile};
use crate::support::Cli;
use crate::tmux::Tmux;

#[test]
fn f7_explains_each_flag_for_the_context_typed() {
    let rt = crate::support::runtime();
    let (base, _) = rt.block_on(fake_service(definitions()));
    let cli = Cli::new();
    runtime_profile(&cli, "live", &base, SECRET);
    let tmux = Tmux::start(&cli, "--profile live", 110, 34);
    tmux.wait_for("* required");
    tmux.keys(&["F7"]);
    let screen = tmux.wait_for("2 flags");
    assert!(screen.contains("huddle off"), "{screen}");
    tmux.keys(&["e"]);
    tmux.wait_for("Enter evaluate");
    tmux.text("u1");
    tmux.keys(&["Tab"]);
    tmux.text("acme");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("\"acme\" → bucket 30 148 of");
    assert!(screen.contains("company.name=Acme"), "{screen}");
    assert!(
        screen.contains("no company call has sent it for acme"),
        "{screen}"
    );
    assert!(screen.contains("huddle on · rule 2 of 2"), "{screen}");
    tmux.keys(&["Escape"]);
    tmux.wait_for("* required");
    tmux.quit_and_check_restored();
}

/// On the console's own server, F7 follows the collection's `[flags]`: an edit saved in an
/// editor shows without `r`.
#[test]
fn f7_follows_an_edit_of_the_collections_flags() {
    let cli = Cli::new();
    let file = cli.home.path().join("bucket-console.toml");
    let first = "[flags.huddle]\ndescription = \"Group calls\"\ncompanies = [\"acme\"]\n";
    std::fs::write(&file, first).unwrap();
    let cli = cli.env("BUCKET_COLLECTION", file.to_str().unwrap());
    let tmux = Tmux::start(&cli, "--profile local-runtime", 110, 34);
    tmux.wait_for("* required");
    tmux.keys(&["F7"]);
    tmux.wait_for("1 flag");
    // Written whole and renamed in, as editors save.
    let edited = cli.home.path().join("bucket-console.toml.new");
    std::fs::write(
        &edited,
        format!("{first}\n[flags.export]\ndescription = \"Export\"\nenabled = true\n"),
    )
    .unwrap();
    std::fs::rename(&edited, &file).unwrap();
    let screen = tmux.wait_for("2 flags");
    assert!(screen.contains("export"), "{screen}");
    tmux.quit_and_check_restored();
}

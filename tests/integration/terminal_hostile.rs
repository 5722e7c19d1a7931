//! Control sequences in a collection file, a config file, a profile or a paste reach the terminal
//! only through the sanitizer: each command's stdout and stderr, read as bytes, hold none of them.

use crate::support::{Cli, KEY};
use std::process::Stdio;

/// OSC 52 (clipboard write), a window title, clear screen, a C1 CSI and a bidi override.
const HOSTILE: &str =
    "\u{1b}]52;c;aGFja2Vk\u{7}\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{9d}0;t\u{9c}\u{202e}";

/// The same, as a TOML basic string's escapes.
const HOSTILE_TOML: &str =
    r"\u001b]52;c;aGFja2Vk\u0007\u001b]0;pwned\u0007\u001b[2J\u009b31m\u009d0;t\u009c\u202e";

/// Runs the binary in `dir` with `stdin` and returns everything it wrote, stdout then stderr.
fn output(cli: &Cli, dir: &std::path::Path, args: &[&str], stdin: &str) -> (i32, String) {
    use std::io::Write;
    let mut child = cli
        .command()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    let mut bytes = out.stdout;
    bytes.extend(out.stderr);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(bytes).expect("the output is UTF-8"),
    )
}

fn assert_inert(what: &str, text: &str) {
    let raw: Vec<char> = text
        .chars()
        .filter(|&c| {
            c == '\u{1b}'
                || c == '\u{7}'
                || ('\u{80}'..='\u{9f}').contains(&c)
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    assert!(raw.is_empty(), "{what} wrote {raw:?} raw: {text:?}");
}

#[test]
fn file_and_paste_text_reaches_the_terminal_sanitized() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().unwrap();
    let name = format!("x{HOSTILE_TOML}y");
    std::fs::write(
        dir.path().join("bucket-console.toml"),
        format!(
            "[requests.\"{name}\"]\nmethod = \"event\"\nbody = {{ event = \"e\", userId = \"u\" }}\n\n\
             [[scenarios.\"s{HOSTILE_TOML}\"]]\nrequest = \"{name}\"\n\n\
             [features.\"export{HOSTILE_TOML}\"]\nevents = [\"Exported\"]\n"
        ),
    )
    .unwrap();
    let (code, text) = output(&cli, dir.path(), &["run", "--list"], "");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("scenario"), "{text}");
    assert_inert("run --list", &text);
    let (code, text) = output(&cli, dir.path(), &["run", "--check"], "");
    assert_eq!(code, 0, "{text}");
    assert_inert("run --check", &text);
    let (code, text) = output(&cli, dir.path(), &["stars", "exprt"], "");
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("no feature `exprt`"), "{text}");
    assert_inert("stars with an unknown feature", &text);

    let elsewhere = tempfile::tempdir().unwrap();
    for paste in [
        format!("curl -X GET{HOSTILE} http://x/{KEY}/event -d '{{}}'"),
        format!("curl http://x/{KEY}/event{HOSTILE} -d '{{}}'"),
        format!("curl http://x/{KEY}/event http://y{HOSTILE} -d '{{}}'"),
        format!("curl http://x/{KEY}/event -d '{{{HOSTILE}'"),
    ] {
        let (code, text) = output(&cli, elsewhere.path(), &["import", "curl", "-"], &paste);
        assert_eq!(code, 2, "{text}");
        assert_inert("import curl", &text);
    }

    let config = cli.config_dir().join("bucket-console");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), format!("{HOSTILE} = 1\n")).unwrap();
    let (code, text) = output(&cli, elsewhere.path(), &["config", "check"], "");
    assert_eq!(code, 2, "{text}");
    assert_inert("config check", &text);
    std::fs::write(
        config.join("profiles.toml"),
        format!(
            "[profiles.a]\nbase_url = \"http://127.0.0.1:9\"\nkey = \"{KEY}\"\n\
             user_id = \"u{HOSTILE_TOML}\"\n"
        ),
    )
    .unwrap();
    let (code, text) = output(&cli, elsewhere.path(), &["profiles", "show", "a"], "");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("user id:"), "{text}");
    assert_inert("profiles show", &text);
}

//! Handing a text to the user's editor (`$VISUAL`, then `$EDITOR`, then `vi`) while the terminal
//! is theirs: the alternate screen, raw mode, the mouse and bracketed paste are turned off for
//! the editor and back on after, whatever it did.

use super::Failure;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use std::io::Write as _;
use std::path::PathBuf;

/// The editor command, as the user set it.
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_owned())
}

/// Edits `text` in the user's editor, in a private file named `*.{extension}` so the editor
/// picks its highlighting; the text as saved, without the final newline editors add.
/// The caller must not read terminal events meanwhile: the editor reads them.
pub async fn edit_externally(text: &str, extension: &str, mouse: bool) -> Result<String, Failure> {
    let path = write_private(text, extension)?;
    let editor = editor_command();
    suspend();
    let status = run(&editor, &path).await;
    resume(mouse);
    let saved = std::fs::read_to_string(&path);
    let _ = std::fs::remove_file(&path);
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            return Err(Failure::message(format!(
                "`{editor}` ended with {s}; nothing was changed"
            )));
        }
        Err(e) => {
            return Err(Failure::message(format!(
                "cannot start `{editor}` ({e}); set $VISUAL or $EDITOR"
            )));
        }
    }
    let mut saved =
        saved.map_err(|e| Failure::message(format!("cannot read the edited text back: {e}")))?;
    if saved.ends_with('\n') {
        saved.pop();
        if saved.ends_with('\r') {
            saved.pop();
        }
    }
    Ok(saved)
}

fn write_private(text: &str, extension: &str) -> Result<PathBuf, Failure> {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "bucket-console-{}-{n}.{extension}",
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .map_err(|e| Failure::message(format!("cannot write {}: {e}", path.display())))?;
    file.write_all(text.as_bytes())
        .map_err(|e| Failure::message(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

/// `$EDITOR` may carry arguments (`code --wait`), so the shell splits it, as git does.
async fn run(editor: &str, path: &std::path::Path) -> std::io::Result<std::process::ExitStatus> {
    #[cfg(unix)]
    let mut command = {
        let mut c = tokio::process::Command::new("sh");
        c.arg("-c")
            .arg(format!("{editor} \"$1\""))
            .arg("bucket-console")
            .arg(path);
        c
    };
    #[cfg(not(unix))]
    let mut command = {
        let mut c = tokio::process::Command::new(editor);
        c.arg(path);
        c
    };
    command.status().await
}

fn suspend() {
    let _ = crossterm::execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = crossterm::terminal::disable_raw_mode();
}

fn resume(mouse: bool) {
    let _ = crossterm::terminal::enable_raw_mode();
    let _ = crossterm::execute!(
        std::io::stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste
    );
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), EnableMouseCapture);
    }
}

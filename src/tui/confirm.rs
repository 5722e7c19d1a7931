//! A question before doing something (send anyway, delete, drop, replace, import): what each
//! asks, as data. [`Confirm::prompt`] says it; one drawer (`view/overlay.rs`'s `confirm`) draws
//! every prompt, and `update` runs the confirmation's action on yes.

use super::form::Form;
use crate::api::Method;
use crate::sanitize::sanitize;

/// What a confirmation does on yes: one overlay for every question, each carrying its action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    /// The form breaks `problems` of the server's rules: send anyway?
    SendAnyway { problems: usize },
    /// The form has problems only the console has (a value its type cannot hold, a template the
    /// profile cannot fill): nothing can be sent until they are fixed, so there is no "anyway".
    CannotSend,
    /// Delete this profile? (No goes back to the list.)
    DeleteProfile { name: String },
    /// Drop this outbox item? (Any other key keeps it.)
    DropOutboxItem { id: i64 },
    /// The collection has a request of this name: replace its method and body?
    ReplaceRequest { name: String },
    /// Drop the batch being collected, and its pending items (never sent)?
    DropBatch { items: usize },
    /// A pasted curl command: import it into its form? (No pastes `text` as text.)
    ImportCurl {
        method: Method,
        body: String,
        text: String,
    },
}

/// How a line of a prompt is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Dim,
    Problem,
}

/// What a confirmation says: a title, lines, and its answers (keys, what they do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub title: &'static str,
    pub lines: Vec<(Tone, String)>,
    pub answers: Vec<(&'static str, &'static str)>,
}

/// How many of the form's problems a prompt names (the form shows them all).
const NAMED: usize = 4;

impl Confirm {
    /// What it asks, of the form it is about (sending) or of what it carries. `batch_key` is the
    /// key that sends the batch, while one is being collected: a send then adds to it.
    pub fn prompt(&self, form: &Form, batch_key: Option<&str>) -> Prompt {
        let plain = |text: String| (Tone::Plain, text);
        match self {
            Confirm::SendAnyway { problems } => {
                let mut lines = vec![plain(format!(
                    "This body has {problems} problem(s) by the server's rules:"
                ))];
                named(&mut lines, &form.problems());
                lines.push(plain(if batch_key.is_some() {
                    "Add it to the batch anyway, to see what the server answers?".into()
                } else {
                    "Send it anyway, to see what the server answers?".into()
                }));
                Prompt {
                    title: "send anyway?",
                    lines,
                    answers: vec![("Enter/y", "send anyway"), ("Esc/n", "keep editing")],
                }
            }
            Confirm::CannotSend => {
                let console = form.console_problems();
                let server: Vec<String> = form
                    .problems()
                    .into_iter()
                    .filter(|p| !console.contains(p))
                    .collect();
                let mut lines = Vec::new();
                for (title, listed) in [
                    (
                        "The console cannot send this body as the form shows it:",
                        &console,
                    ),
                    ("The server's rules would refuse it too:", &server),
                ] {
                    if !listed.is_empty() {
                        lines.push(plain(title.into()));
                        named(&mut lines, listed);
                    }
                }
                lines.push(plain(
                    "Nothing was sent. Fix the console's problems first (a value can be made a \
                     string); what only the server refuses can then be sent anyway."
                        .into(),
                ));
                Prompt {
                    title: "cannot send",
                    lines,
                    answers: vec![("Enter/Esc", "back to the form")],
                }
            }
            Confirm::DeleteProfile { name } => Prompt {
                title: "delete profile?",
                lines: vec![plain(format!(
                    "Delete the profile `{}` and its stored key?",
                    sanitize(name)
                ))],
                answers: vec![("Enter/y", "delete"), ("Esc/n", "keep it")],
            },
            Confirm::DropOutboxItem { id } => Prompt {
                title: "drop?",
                lines: vec![plain(format!(
                    "Drop item #{id}? It will never be delivered."
                ))],
                answers: vec![("Enter/y", "drop"), ("any other key", "keeps it")],
            },
            Confirm::ReplaceRequest { name } => Prompt {
                title: "replace?",
                lines: vec![plain(format!(
                    "requests.{} exists. Replace its method and body with the form's?",
                    sanitize(name)
                ))],
                answers: vec![
                    ("Enter/y", "replace (its comments stay)"),
                    ("Esc/n", "keep it"),
                ],
            },
            Confirm::DropBatch { items } => drop_batch(*items, batch_key),
            Confirm::ImportCurl { method, .. } => Prompt {
                title: "import curl?",
                lines: vec![
                    plain(format!(
                        "That is a curl command for `{method}`. Import it into the form?"
                    )),
                    (
                        Tone::Dim,
                        "Its key and base URL are dropped: profiles hold them.".into(),
                    ),
                ],
                answers: vec![("Enter/y", "import"), ("Esc/n", "paste it as text")],
            },
        }
    }
}

/// Drop the batch? Its items were never sent; the batch's key sends them instead.
fn drop_batch(items: usize, batch_key: Option<&str>) -> Prompt {
    Prompt {
        title: "drop the batch?",
        lines: vec![
            (
                Tone::Plain,
                format!(
                    "Drop the batch? Its {} were never sent and are in no log.",
                    super::batch::items(items)
                ),
            ),
            (
                Tone::Dim,
                format!(
                    "To send them instead: {} (one /bulk).",
                    batch_key.unwrap_or("Alt+B")
                ),
            ),
        ],
        answers: vec![("Enter/y", "drop them"), ("Esc/n", "keep collecting")],
    }
}

/// The first few problems, each marked, and how many more the form shows.
fn named(lines: &mut Vec<(Tone, String)>, problems: &[String]) {
    for p in problems.iter().take(NAMED) {
        lines.push((Tone::Problem, format!("✗ {}", sanitize(p))));
    }
    if problems.len() > NAMED {
        lines.push((
            Tone::Dim,
            format!("… and {} more on the form", problems.len() - NAMED),
        ));
    }
}

//! "Loading, failed or ready": the state of a view's read, named once for both faces (the
//! console's Results, Features, Outbox and Data views, the kiosk's results), and [`unready`],
//! the one drawer of a read that is not ready yet.

use super::{Failure, Theme, wrap};
use crate::sanitize::sanitize;
use ratatui::text::{Line, Span};

/// A read: on its way, failed, or its value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Load<T> {
    #[default]
    Loading,
    Failed(Failure),
    Ready(T),
}

impl<T> From<Result<T, Failure>> for Load<T> {
    fn from(result: Result<T, Failure>) -> Self {
        match result {
            Ok(value) => Load::Ready(value),
            Err(e) => Load::Failed(e),
        }
    }
}

impl<T> Load<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Load::Ready(value) => Some(value),
            _ => None,
        }
    }

    pub fn ready_mut(&mut self) -> Option<&mut T> {
        match self {
            Load::Ready(value) => Some(value),
            _ => None,
        }
    }

    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Load::Failed(e) => Some(e),
            _ => None,
        }
    }

    pub fn is_loading(&self) -> bool {
        matches!(self, Load::Loading)
    }
}

/// What a view says of its read while it is not ready: `loading` while it runs; `failed`, the
/// error and `after` (what to press) when it failed.
#[derive(Debug, Clone, Copy)]
pub struct Unready<'a> {
    pub loading: &'a str,
    pub failed: &'a str,
    pub after: &'a str,
}

/// The lines of a read not ready yet, wrapped to `width`; `None` once it is ready.
pub fn unready<T>(
    load: &Load<T>,
    words: Unready<'_>,
    width: u16,
    theme: Theme,
) -> Option<Vec<Line<'static>>> {
    let (text, style) = match load {
        Load::Ready(_) => return None,
        Load::Loading => (words.loading.to_owned(), theme.dim()),
        Load::Failed(e) => (
            format!(
                "✗ {}: {}{}",
                words.failed,
                sanitize(&e.to_string()),
                words.after
            ),
            theme.error(),
        ),
    };
    Some(
        wrap(&text, usize::from(width.max(10)))
            .into_iter()
            .map(|l| Line::from(Span::styled(l, style)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_is_loading_then_failed_or_ready() {
        let theme = Theme {
            color: false,
            palette: crate::term::ThemeName::Dark.palette(),
        };
        let words = Unready {
            loading: "loading…",
            failed: "the results could not be read",
            after: " · r retries",
        };
        let mut load: Load<u8> = Load::default();
        assert!(load.is_loading());
        let said = |lines: Vec<Line<'static>>| -> String {
            lines
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(said(unready(&load, words, 80, theme).unwrap()), "loading…");
        load = Err(Failure::message("refused \x1b[31m")).into();
        let failed = said(unready(&load, words, 80, theme).unwrap());
        assert!(failed.starts_with("✗ the results could not be read: refused"));
        assert!(
            failed.ends_with(" · r retries") && !failed.contains('\x1b'),
            "{failed}"
        );
        load = Ok(7).into();
        assert_eq!(load.ready(), Some(&7));
        assert!(unready(&load, words, 80, theme).is_none());
    }
}

//! `tags = [...]` on a request or a scenario's first step, read for `run --tags`.

use super::load::Reader;
use super::template;
use toml::Spanned;
use toml::de::DeValue;

/// `tags = ["smoke", "slow"]`: names, as `run --tags` takes them.
pub(super) fn read(
    r: &mut Reader,
    value: Option<&Spanned<DeValue<'_>>>,
    what: &str,
) -> Vec<String> {
    let Some(value) = value else {
        return Vec::new();
    };
    let words = match value.get_ref() {
        DeValue::Array(items) => items
            .iter()
            .map(|i| match i.get_ref() {
                DeValue::String(s) if template::is_name(s) => Some(s.to_string()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>(),
        _ => None,
    };
    words.unwrap_or_else(|| {
        r.problem(
            value.span().start,
            format!(
                "{what}: tags is a list of names (tags = [\"smoke\"]; letters, digits, _ and -)"
            ),
        );
        Vec::new()
    })
}

/// Tags on a later step than the first are refused: they would seem to select a step alone.
pub(super) fn first_step_only(r: &mut Reader, n: usize, tags: &[String], at: usize, what: &str) {
    if n > 0 && !tags.is_empty() {
        r.problem(
            at,
            format!("{what}: tags go on a scenario's first step, for the whole scenario"),
        );
    }
}

//! `run --tags` and `--exclude-tags`: which items of the collection a run takes.

use super::context::CliError;
use bucket_console::collection::Collection;
use bucket_console::sanitize::sanitize;

/// The items to run: those named (or, with none named, every item) that have one of `tags`
/// (any, when none is given) and none of `exclude`. Choosing nothing is a usage error, so that a
/// typo in a tag does not pass a CI job that ran no call.
pub fn select(
    c: &Collection,
    named: Vec<String>,
    tags: &[String],
    exclude: &[String],
) -> Result<Vec<String>, CliError> {
    if tags.is_empty() && exclude.is_empty() {
        return Ok(named);
    }
    let candidates = if named.is_empty() {
        c.names().into_iter().map(str::to_owned).collect()
    } else {
        named
    };
    let chosen: Vec<String> = candidates
        .into_iter()
        .filter(|item| {
            let has = c.tags(item);
            (tags.is_empty() || tags.iter().any(|t| has.contains(t)))
                && !exclude.iter().any(|t| has.contains(t))
        })
        .collect();
    if chosen.is_empty() {
        let mut known: Vec<&str> = c
            .names()
            .into_iter()
            .flat_map(|n| c.tags(n))
            .map(String::as_str)
            .collect();
        known.sort_unstable();
        known.dedup();
        return Err(CliError::usage(sanitize(&format!(
            "no request or scenario is selected by --tags {} --exclude-tags {} (tags in {}: {}); \
             nothing was sent",
            or_none(tags),
            or_none(exclude),
            c.path.display(),
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ))));
    }
    Ok(chosen)
}

fn or_none(tags: &[String]) -> String {
    if tags.is_empty() {
        "(none)".to_owned()
    } else {
        tags.join(",")
    }
}

/// `  [smoke, fast]` for `run --list`, or nothing.
pub fn shown(tags: &[String]) -> String {
    if tags.is_empty() {
        String::new()
    } else {
        format!("  [{}]", tags.join(", "))
    }
}

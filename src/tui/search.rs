//! `/` search in the detail view: which lines match, and how far to scroll to show one.

/// Indices of the lines that contain `query`, ignoring case.
pub fn matches(lines: &[String], query: &str) -> Vec<usize> {
    if query.is_empty() {
        return Vec::new();
    }
    let query = query.to_lowercase();
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.to_lowercase().contains(&query))
        .map(|(i, _)| i)
        .collect()
}

/// The match after (or, going back, before) `current`, wrapping around.
pub fn next(found: &[usize], current: Option<usize>, forward: bool) -> Option<usize> {
    let first = *found.first()?;
    let last = *found.last()?;
    Some(match (current, forward) {
        (None, _) => first,
        (Some(c), true) => found.iter().copied().find(|l| *l > c).unwrap_or(first),
        (Some(c), false) => found.iter().rev().copied().find(|l| *l < c).unwrap_or(last),
    })
}

/// Rows that the lines before `line` take once wrapped to `width` (an estimate by characters).
pub fn rows_before(lines: &[String], line: usize, width: u16) -> u16 {
    let width = usize::from(width.max(1));
    lines
        .iter()
        .take(line)
        .map(|l| l.chars().count().div_ceil(width).max(1) as u16)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_wraps_and_scrolls() {
        let lines: Vec<String> = ["{", "  \"userId\": 1,", "  \"UserID\": 2", "}"]
            .map(str::to_owned)
            .to_vec();
        let found = matches(&lines, "userid");
        assert_eq!(found, [1, 2]);
        assert_eq!(next(&found, None, true), Some(1));
        assert_eq!(next(&found, Some(2), true), Some(1), "wraps around");
        assert_eq!(next(&found, Some(1), false), Some(2));
        assert_eq!(next(&[], None, true), None);
        assert_eq!(rows_before(&lines, 2, 5), 1 + 3);
    }
}

//! "Did you mean …?" for misspelled field and parameter names.

/// The candidate the user most probably meant, if any is close enough to be a typo.
///
/// Case, `_` and `-` are ignored first (`user_id`, `userID` → `userId`); otherwise the nearest
/// name by edit distance (a swap of two neighbours counting as one edit: `plna` → `plan`) wins when it is within a third of the name's length.
pub fn nearest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let folded = fold(name);
    if let Some(exact) = candidates.iter().find(|c| fold(c) == folded) {
        return Some(exact);
    }
    let limit = (folded.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (strsim::osa_distance(&folded, &fold(c)), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::nearest;

    const USER: &[&str] = &["userId", "attributes", "context", "timestamp"];

    #[test]
    fn finds_typos_and_spellings() {
        assert_eq!(nearest("userID", USER), Some("userId"));
        assert_eq!(nearest("user_id", USER), Some("userId"));
        assert_eq!(nearest("usrId", USER), Some("userId"));
        assert_eq!(nearest("attribute", USER), Some("attributes"));
        assert_eq!(nearest("timestmap", USER), Some("timestamp"));
        assert_eq!(nearest("plan", USER), None);
        assert_eq!(nearest("plna", &["plan", "uuid"]), Some("plan"));
        assert_eq!(nearest("", USER), None);
    }
}

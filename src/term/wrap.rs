//! Word wrapping for messages, shared by the layout (which counts the rows) and the drawing
//! (which fills them), so that the two can never disagree and cut a line.

/// Splits `text` into lines of at most `width` characters, at spaces where it can and inside a
/// word only when the word alone is wider. Always at least one line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split(' ') {
        let mut word = word;
        let mut len = word.chars().count();
        let gap = usize::from(used > 0);
        if used + gap + len <= width {
            if gap == 1 {
                line.push(' ');
            }
            line.push_str(word);
            used += gap + len;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while len > width {
            let cut = word
                .char_indices()
                .nth(width)
                .map_or(word.len(), |(i, _)| i);
            lines.push(word[..cut].to_owned());
            word = &word[cut..];
            len -= width;
        }
        line.push_str(word);
        used = len;
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_spaces_and_splits_only_long_words() {
        assert_eq!(
            wrap("give a score from 1 to 5", 10),
            ["give a", "score from", "1 to 5"]
        );
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
        assert_eq!(wrap("a b", 0), ["a", "b"]);
    }

    proptest::proptest! {
        #[test]
        fn nothing_is_lost_and_no_line_is_too_wide(text in "[a-z ]{0,80}", width in 1usize..30) {
            let lines = wrap(&text, width);
            proptest::prop_assert!(lines.iter().all(|l| l.chars().count() <= width));
            let words = |s: &str| s.split(' ').filter(|w| !w.is_empty()).collect::<String>();
            proptest::prop_assert_eq!(words(&lines.concat()), words(&text));
        }
    }
}

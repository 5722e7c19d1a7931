//! Splitting JSON text into tokens for syntax colouring. One tokenizer, so the CLI (ANSI styles)
//! and the console (ratatui styles) colour bodies alike. Invalid JSON is tokenized as far as it
//! goes; nothing is dropped, so the pieces always join back to the input.

/// What a piece of JSON text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Key,
    String,
    Number,
    Literal,
    Punctuation,
    Space,
    Other,
}

/// Splits `text` into `(kind, piece)`; concatenating the pieces gives `text` back.
pub fn tokens(text: &str) -> Vec<(Kind, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let kind = match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                let rest = text[i..].trim_start_matches([' ', '\t']);
                if rest.starts_with(':') {
                    Kind::Key
                } else {
                    Kind::String
                }
            }
            b'{' | b'}' | b'[' | b']' | b':' | b',' => {
                i += 1;
                Kind::Punctuation
            }
            b' ' | b'\n' | b'\t' | b'\r' => {
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\n' | b'\t' | b'\r') {
                    i += 1;
                }
                Kind::Space
            }
            b'-' | b'0'..=b'9' => {
                while i < bytes.len()
                    && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                Kind::Number
            }
            b't' | b'f' | b'n'
                if ["true", "false", "null"]
                    .iter()
                    .any(|w| text[i..].starts_with(w)) =>
            {
                i += ["true", "false", "null"]
                    .iter()
                    .find(|w| text[i..].starts_with(*w))
                    .map_or(1, |w| w.len());
                Kind::Literal
            }
            _ => {
                i += text[i..].chars().next().map_or(1, char::len_utf8);
                Kind::Other
            }
        };
        while !text.is_char_boundary(i) {
            i += 1;
        }
        out.push((kind, &text[start..i]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_a_pretty_body() {
        let text = "{\n  \"score\": 4,\n  \"ok\": true,\n  \"c\": \"a \\\"q\\\"\"\n}";
        let kinds: Vec<_> = tokens(text)
            .into_iter()
            .filter(|(k, _)| *k != Kind::Space)
            .collect();
        assert_eq!(
            kinds,
            vec![
                (Kind::Punctuation, "{"),
                (Kind::Key, "\"score\""),
                (Kind::Punctuation, ":"),
                (Kind::Number, "4"),
                (Kind::Punctuation, ","),
                (Kind::Key, "\"ok\""),
                (Kind::Punctuation, ":"),
                (Kind::Literal, "true"),
                (Kind::Punctuation, ","),
                (Kind::Key, "\"c\""),
                (Kind::Punctuation, ":"),
                (Kind::String, "\"a \\\"q\\\"\""),
                (Kind::Punctuation, "}"),
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn pieces_join_back_to_the_input(text in "\\PC{0,60}") {
            let joined: String = tokens(&text).into_iter().map(|(_, t)| t).collect();
            proptest::prop_assert_eq!(joined, text);
        }
    }
}

//! Text as data of the languages the exports are written in. Each literal here evaluates to the
//! text exactly, whatever it holds, and prints no control or bidi character raw: a pasted export
//! can neither run what a body says nor hide from the reader what it sends.

use crate::sanitize::is_shown_escaped;
use std::fmt::Write as _;

/// A character that must not appear raw in code shown on a terminal: controls (a newline aside),
/// bidi overrides, and the line separators older JavaScript reads as line ends.
pub fn unprintable(c: char) -> bool {
    c != '\n' && (is_shown_escaped(c) || matches!(c, '\u{2028}' | '\u{2029}'))
}

/// POSIX single quotes: nothing inside expands.
pub fn shell(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// A `printf` command that writes the text exactly, NUL and controls included, for a body a shell
/// word cannot carry: its format escapes `%`, `\`, a leading `-` and every unprintable byte.
pub fn shell_printf(text: &str) -> String {
    let mut format = String::with_capacity(text.len() + 8);
    // A digit right after an octal escape would be read as part of it: it is escaped too.
    let mut after_octal = false;
    for (i, c) in text.char_indices() {
        let octal = unprintable(c) || (c == '-' && i == 0) || (after_octal && c.is_ascii_digit());
        match c {
            _ if octal => {
                for byte in c.encode_utf8(&mut [0; 4]).bytes() {
                    let _ = write!(format, "\\{byte:03o}");
                }
            }
            '%' => format.push_str("%%"),
            '\\' => format.push_str("\\\\"),
            c => format.push(c),
        }
        after_octal = octal;
    }
    format!("printf {}", shell(&format))
}

/// A URL part with unprintable characters percent-encoded (a URL cannot hold them raw anyway).
pub fn url_part(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if unprintable(c) {
            for byte in c.encode_utf8(&mut [0; 4]).bytes() {
                let _ = write!(out, "%{byte:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A Python string literal: `'…'`, or `'''…'''` keeping newlines as lines when `lines` is set.
/// Every quote and backslash is escaped, so no run of quotes can close it early.
pub fn python(text: &str, lines: bool) -> String {
    let quotes = if lines { "'''" } else { "'" };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(quotes);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' if lines => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unprintable(c) && u32::from(c) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if unprintable(c) => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push_str(quotes);
    out
}

/// A JavaScript string literal: a JSON string (`"…"`), or a template literal keeping newlines as
/// lines when `lines` is set, with every `$` escaped so that nothing in it is interpolated.
pub fn javascript(text: &str, lines: bool) -> String {
    let quote = if lines { '`' } else { '"' };
    let mut out = String::with_capacity(text.len() + 8);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' if !lines => out.push_str("\\\""),
            '`' | '$' if lines => {
                out.push('\\');
                out.push(c);
            }
            '\n' if lines => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unprintable(c) => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// A template literal's text part (no quotes): `\`, `` ` `` and `$` escaped.
pub fn template_part(text: &str) -> String {
    let quoted = javascript(text, true);
    quoted[1..quoted.len() - 1].to_owned()
}

/// JSON text made safe to show as JavaScript: the separators and bidi characters that JSON lets
/// strings hold raw are escaped (they only occur inside strings, where `\uXXXX` means the same).
pub fn json_for_javascript(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if unprintable(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// The text laid out two spaces a level when it is JSON; only whitespace between tokens changes,
/// so strings and numbers go as they were written.
pub fn pretty_json(text: &str) -> Option<String> {
    serde_json::from_str::<serde::de::IgnoredAny>(text).ok()?;
    let is_space = |c: &char| matches!(c, ' ' | '\t' | '\n' | '\r');
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    };
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push(c);
                while let Some(c) = chars.next() {
                    out.push(c);
                    match c {
                        '\\' => out.extend(chars.next()),
                        '"' => break,
                        _ => {}
                    }
                }
            }
            c if is_space(&c) => {}
            '{' | '[' => {
                out.push(c);
                while chars.next_if(is_space).is_some() {}
                if let Some(close) = chars.next_if(|n| matches!(n, '}' | ']')) {
                    out.push(close);
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_keeps_tokens_and_order() {
        assert_eq!(
            pretty_json(r#"{"b":[1,{},[]],"a":"x,\"y\":{"}"#).unwrap(),
            "{\n  \"b\": [\n    1,\n    {},\n    []\n  ],\n  \"a\": \"x,\\\"y\\\":{\"\n}"
        );
        assert_eq!(
            pretty_json(" 12345678901234567890123e400 ").unwrap(),
            "12345678901234567890123e400"
        );
        assert_eq!(pretty_json("{'a':1}"), None);
    }

    #[test]
    fn literals_escape_what_would_end_or_interpolate_them() {
        assert_eq!(python("a'''b\\", true), r"'''a\'\'\'b\\'''");
        assert_eq!(python("x\ny\0\u{202e}", false), r"'x\ny\x00\u202e'");
        assert_eq!(javascript("`${x}`\\", true), r"`\`\${x}\`\\`");
        assert_eq!(javascript("\"\u{2028}", false), r#""\"\u2028""#);
        assert_eq!(shell("it's"), r"'it'\''s'");
        assert_eq!(shell_printf("-5%\\\0'"), r"printf '\055\065%%\\\000'\'''");
        assert_eq!(url_part("a\u{1b}b"), "a%1Bb");
    }
}

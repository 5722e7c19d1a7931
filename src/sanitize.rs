//! The one sanitizer every server string passes through before it reaches a terminal or stdout
//! (assets/contract.md §8): escape sequences are removed whole, other control and bidi-override
//! characters are shown escaped, tabs are expanded. Newlines are kept.

const ESC: char = '\u{1b}';
const TAB_STOP: usize = 8;

/// Makes untrusted text safe to print.
pub fn sanitize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut column = 0usize;
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                out.push('\n');
                column = 0;
            }
            '\t' => {
                let spaces = TAB_STOP - column % TAB_STOP;
                out.extend(std::iter::repeat_n(' ', spaces));
                column += spaces;
            }
            ESC => skip_escape(&mut chars),
            // C1 introducers of strings and control sequences: CSI, DCS, SOS, OSC, PM, APC.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if is_shown_escaped(c) => {
                let shown = escaped(c);
                column += shown.chars().count();
                out.push_str(&shown);
            }
            c => {
                out.push(c);
                column += 1;
            }
        }
    }
    out
}

/// Characters a terminal must not receive raw: controls and bidi overrides.
pub fn is_shown_escaped(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Characters that reorder text on screen, so shown text can lie about its content.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

fn escaped(c: char) -> String {
    match c {
        '\r' => "\\r".to_owned(),
        '\0' => "\\0".to_owned(),
        c if (c as u32) < 0x80 => format!("\\x{:02x}", c as u32),
        c => format!("\\u{{{:x}}}", c as u32),
    }
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// After ESC: a CSI, a string (OSC, DCS, SOS, PM, APC), or a two-character sequence.
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // nF sequences: intermediates 0x20–0x2F, then one final character.
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            while chars
                .next_if(|c| ('\u{20}'..='\u{2f}').contains(c))
                .is_some()
            {}
            chars.next();
        }
        _ => {}
    }
}

/// Parameters and intermediates, then a final byte in 0x40–0x7E.
fn skip_csi(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            return;
        }
        if !('\u{20}'..='\u{3f}').contains(&c) {
            return;
        }
    }
}

/// Until the string terminator: BEL, ESC \, or C1 ST.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            ESC => {
                chars.next_if_eq(&'\\');
                return;
            }
            _ => {}
        }
    }
}

/// Replaces every occurrence of a secret with its masked form (for text a server may echo).
pub fn redact(text: &str, secret: &str, masked: &str) -> String {
    if secret.is_empty() || !text.contains(secret) {
        return text.to_owned();
    }
    text.replace(secret, masked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_escape_sequences_whole() {
        assert_eq!(sanitize("a\u{1b}[31mred\u{1b}[0m b"), "ared b");
        assert_eq!(sanitize("\u{1b}[2J\u{1b}[H"), "");
        assert_eq!(sanitize("x\u{1b}]0;evil title\u{7}y"), "xy");
        assert_eq!(
            sanitize("x\u{1b}]52;c;aGFja2Vk\u{1b}\\y"),
            "xy",
            "OSC 52 clipboard write"
        );
        assert_eq!(
            sanitize("x\u{1b}]8;;http://evil\u{1b}\\link\u{1b}]8;;\u{1b}\\"),
            "xlink"
        );
        assert_eq!(sanitize("x\u{1b}P1$qm\u{1b}\\y"), "xy", "DCS");
        assert_eq!(sanitize("x\u{1b}_apc\u{1b}\\y\u{1b}^pm\u{7}z"), "xyz");
        assert_eq!(sanitize("x\u{9b}31my"), "xy", "C1 CSI");
        assert_eq!(sanitize("x\u{9d}0;t\u{9c}y"), "xy", "C1 OSC");
        assert_eq!(
            sanitize("x\u{1b}(0y\u{1b}7z"),
            "xyz",
            "nF and two-character sequences"
        );
        assert_eq!(sanitize("unterminated \u{1b}]0;title"), "unterminated ");
        assert_eq!(sanitize("trailing \u{1b}"), "trailing ");
    }

    #[test]
    fn shows_other_controls_escaped() {
        assert_eq!(sanitize("ok\rfake"), "ok\\rfake");
        assert_eq!(sanitize("nul\0byte"), "nul\\0byte");
        assert_eq!(sanitize("bell\u{7}"), "bell\\x07");
        assert_eq!(sanitize("del\u{7f}"), "del\\x7f");
        assert_eq!(sanitize("c1\u{85}"), "c1\\u{85}");
        assert_eq!(
            sanitize("abc\u{202e}fdp.exe"),
            "abc\\u{202e}fdp.exe",
            "bidi override"
        );
        assert_eq!(sanitize("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
        assert_eq!(sanitize("line 1\nline 2 é ✓"), "line 1\nline 2 é ✓");
    }

    #[test]
    fn expands_tabs_to_stops() {
        assert_eq!(sanitize("a\tb"), "a       b");
        assert_eq!(sanitize("abcdefgh\tx"), "abcdefgh        x");
        assert_eq!(sanitize("x\n\ty"), "x\n        y");
    }

    #[test]
    fn redacts_secrets() {
        assert_eq!(
            redact("bad key trCqx4 in url /trCqx4/event", "trCqx4", "t…"),
            "bad key t… in url /t…/event"
        );
        assert_eq!(redact("nothing", "", "…"), "nothing");
    }

    proptest::proptest! {
        #[test]
        fn output_is_always_inert(input in "(\\PC|[\u{0}-\u{1f}\u{7f}-\u{9f}\u{202a}-\u{202e}\u{2066}-\u{2069}\u{1b}\\[\\]P;0-9m])*") {
            let out = sanitize(&input);
            proptest::prop_assert!(out.chars().all(|c| c == '\n' || !(c.is_control() || is_bidi_control(c))), "{:?}", out);
            proptest::prop_assert_eq!(sanitize(&out), out.clone());
        }
    }
}

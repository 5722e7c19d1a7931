//! A curl command, as browsers' "Copy as cURL" and `log curl` write it, read back into a call:
//! the method from the URL's last segment, the JSON body; the base URL and the key are kept
//! apart (a collection never holds them).

use crate::api::Method;
use serde_json::Value;

/// What a curl command sends.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub method: Method,
    pub body: Value,
    pub base_url: String,
    pub key: String,
    /// Options read past, for the user to know.
    pub notes: Vec<String>,
}

/// Why a curl command cannot be read as a tracking call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CurlError {
    LoneBackslash,
    /// The opening quote (`'`, `"` or `$'`) whose end is missing.
    NotClosed(&'static str),
    /// A NUL inside `$'…'`, where bash would cut the text short.
    Nul,
    NotUtf8,
    NotACharacter {
        escape: String,
    },
    NeedsValue {
        option: String,
    },
    SecondUrl {
        word: String,
    },
    NotPost {
        verb: String,
    },
    NoUrl,
    BodyFromFile,
    NoBody,
    NotJson {
        error: String,
    },
    NotAnObject,
    NotATrackingUrl {
        url: String,
    },
    NotAMethod {
        url: String,
        method: String,
    },
}

impl std::fmt::Display for CurlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::LoneBackslash => f.write_str("the command ends with a lone backslash"),
            Self::NotClosed(quote) => write!(f, "a {quote} quote is not closed"),
            Self::Nul => f.write_str(
                "a $'…' quote holds a NUL character (\\0, \\x00, \\c@…), where bash would cut \
                 the text short; a JSON string writes it as the escape \\u0000",
            ),
            Self::NotUtf8 => f.write_str(
                "a $'…' quote makes bytes that are not UTF-8 text (\\x or octal escapes)",
            ),
            Self::NotACharacter { escape } => write!(f, "{escape} is not a character"),
            Self::NeedsValue { option } => write!(f, "{option} needs a value"),
            Self::SecondUrl { word } => write!(f, "`{word}`: a second URL; import takes one call"),
            Self::NotPost { verb } => write!(f, "-X {verb}: tracking calls are POSTs"),
            Self::NoUrl => f.write_str("no URL in the command"),
            Self::BodyFromFile => {
                f.write_str("a body read from a file (-d @file): paste the body itself")
            }
            Self::NoBody => f.write_str("no body: give it with -d, --data-raw or --json"),
            Self::NotJson { error } => write!(f, "the body is not JSON: {error}"),
            Self::NotAnObject => f.write_str("the body is not a JSON object"),
            Self::NotATrackingUrl { url } => {
                write!(f, "{url}: not a tracking URL ({{base}}/{{key}}/{{method}})")
            }
            Self::NotAMethod { url, method } => write!(
                f,
                "{url}: `{method}` is not a method: user, company, event or feedback"
            ),
        }
    }
}

impl std::error::Error for CurlError {}

/// Splits a command line as a POSIX shell would: '…', "…", $'…', backslashes, and `\` at a
/// line's end continuing it.
pub fn split(line: &str) -> Result<Vec<String>, CurlError> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\n') => {}
                // Terminals paste line breaks as CR: `\` + CR, LF or CRLF all continue the line.
                Some('\r') => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                }
                Some(next) => word.get_or_insert_with(String::new).push(next),
                None => return Err(CurlError::LoneBackslash),
            },
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => w.push(ch),
                        None => return Err(CurlError::NotClosed("'")),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch @ ('"' | '\\' | '$' | '`')) => w.push(ch),
                            Some('\n') => {}
                            Some('\r') => {
                                if chars.peek() == Some(&'\n') {
                                    chars.next();
                                }
                            }
                            Some(ch) => {
                                w.push('\\');
                                w.push(ch);
                            }
                            None => return Err(CurlError::NotClosed("\"")),
                        },
                        Some(ch) => w.push(ch),
                        None => return Err(CurlError::NotClosed("\"")),
                    }
                }
            }
            '$' if chars.peek() == Some(&'\'') => {
                chars.next();
                ansi_c(&mut chars, word.get_or_insert_with(String::new))?;
            }
            c if c.is_whitespace() => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

/// The body of `$'…'`, read as bash reads it: the closing quote is found first (a backslash
/// hides any one character from it), then the escapes are decoded to bytes, which must make
/// UTF-8 text. Chrome writes bodies with quotes or non-ASCII this way.
fn ansi_c(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    out: &mut String,
) -> Result<(), CurlError> {
    let mut raw = Vec::new();
    loop {
        match chars.next() {
            Some('\'') => break,
            Some('\\') => {
                raw.push('\\');
                raw.push(chars.next().ok_or(CurlError::NotClosed("$'"))?);
            }
            Some(ch) => raw.push(ch),
            None => return Err(CurlError::NotClosed("$'")),
        }
    }
    let bytes = ansi_c_bytes(&raw)?;
    if bytes.contains(&0) {
        return Err(CurlError::Nul);
    }
    let text = String::from_utf8(bytes).map_err(|_| CurlError::NotUtf8)?;
    out.push_str(&text);
    Ok(())
}

/// Bash's ANSI-C escapes (bash(1), QUOTING): \a \b \e \E \f \n \r \t \v \\ \' \" \?, one to
/// three octal digits, \x with one or two hex digits, \u and \U with up to four and eight, \cX
/// for control-X. An escape bash does not know, or \x, \u, \U and \c with nothing to take, stays
/// as written, backslash included.
fn ansi_c_bytes(raw: &[char]) -> Result<Vec<u8>, CurlError> {
    let mut out = Vec::new();
    let mut rest = raw.iter().copied().peekable();
    while let Some(c) = rest.next() {
        let escaped = match (c, rest.peek()) {
            ('\\', Some(&e)) => {
                rest.next();
                e
            }
            _ => {
                push_char(&mut out, c);
                continue;
            }
        };
        let simple = match escaped {
            'a' => Some(0x07),
            'b' => Some(0x08),
            'e' | 'E' => Some(0x1b),
            'f' => Some(0x0c),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(0x0b),
            '\\' | '\'' | '"' | '?' => Some(escaped as u8),
            _ => None,
        };
        if let Some(byte) = simple {
            out.push(byte);
            continue;
        }
        match escaped {
            '0'..='7' => {
                let mut value = escaped.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match rest.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            value = value * 8 + d;
                            rest.next();
                        }
                        None => break,
                    }
                }
                out.push((value & 0xff) as u8);
            }
            'x' | 'u' | 'U' => {
                let most = match escaped {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut hex = String::new();
                while hex.len() < most && rest.peek().is_some_and(char::is_ascii_hexdigit) {
                    hex.extend(rest.next());
                }
                let Ok(value) = u32::from_str_radix(&hex, 16) else {
                    out.push(b'\\');
                    push_char(&mut out, escaped);
                    continue;
                };
                if escaped == 'x' {
                    out.push((value & 0xff) as u8);
                } else {
                    let ch = char::from_u32(value).ok_or_else(|| CurlError::NotACharacter {
                        escape: format!("\\{escaped}{hex}"),
                    })?;
                    push_char(&mut out, ch);
                }
            }
            'c' => {
                let Some(x) = rest.next() else {
                    out.extend_from_slice(b"\\c");
                    continue;
                };
                // `\c\\` is control-backslash, the pair taken as one.
                if x == '\\' && rest.peek() == Some(&'\\') {
                    rest.next();
                }
                let mut buf = [0; 4];
                let encoded = x.encode_utf8(&mut buf).as_bytes();
                out.push(match encoded[0] {
                    b'?' => 0x7f,
                    first => first.to_ascii_uppercase() & 0x1f,
                });
                out.extend_from_slice(&encoded[1..]);
            }
            other => {
                out.push(b'\\');
                push_char(&mut out, other);
            }
        }
    }
    Ok(out)
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut buf = [0; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

const FLAGS: &[&str] = &[
    "-s",
    "-S",
    "-sS",
    "-Ss",
    "-i",
    "-v",
    "-k",
    "-L",
    "-f",
    "-g",
    "--compressed",
    "--silent",
    "--show-error",
    "--insecure",
    "--location",
    "--fail",
    "--globoff",
    "--include",
    "--verbose",
    "--http1.1",
    "--http2",
    "--fail-with-body",
    "--no-progress-meter",
];
const WITH_VALUE: &[&str] = &[
    "-o",
    "--output",
    "-m",
    "--max-time",
    "--connect-timeout",
    "-A",
    "--user-agent",
    "-e",
    "--referer",
    "-b",
    "--cookie",
    "-u",
    "--user",
    "--retry",
    "-w",
    "--write-out",
];

/// Reads a curl command (a whole line, or words a shell already split).
pub fn parse(words: &[String]) -> Result<Imported, CurlError> {
    let mut words = words.iter().map(String::as_str).peekable();
    if words.peek() == Some(&"curl") {
        words.next();
    }
    let (mut url, mut data, mut verb) = (None, Vec::<String>::new(), None);
    let mut notes = Vec::new();
    while let Some(word) = words.next() {
        let mut value = |name: &str| {
            words
                .next()
                .map(str::to_owned)
                .ok_or_else(|| CurlError::NeedsValue {
                    option: name.to_owned(),
                })
        };
        match word {
            "-X" | "--request" => verb = Some(value(word)?),
            w if w.starts_with("-X") && w.len() > 2 => verb = Some(w[2..].to_owned()),
            "-H" | "--header" => {
                let header = value(word)?;
                if !header.to_ascii_lowercase().starts_with("content-type") {
                    notes.push(format!("header dropped: {header}"));
                }
            }
            "-d" | "--data" | "--data-raw" | "--data-binary" | "--data-ascii" | "--json" => {
                data.push(value(word)?);
            }
            "--url" => url = Some(value(word)?),
            w if FLAGS.contains(&w) => {}
            w if WITH_VALUE.contains(&w) => {
                value(w)?;
                notes.push(format!("option ignored: {w}"));
            }
            w if w.starts_with('-') => notes.push(format!("option ignored: {w}")),
            w if url.is_none() => url = Some(w.to_owned()),
            w => return Err(CurlError::SecondUrl { word: w.to_owned() }),
        }
    }
    if let Some(v) = verb.filter(|v| !v.eq_ignore_ascii_case("POST")) {
        return Err(CurlError::NotPost { verb: v });
    }
    let url = url.ok_or(CurlError::NoUrl)?;
    let (base_url, key, method) = split_url(&url)?;
    if data.iter().any(|d| d.starts_with('@')) {
        return Err(CurlError::BodyFromFile);
    }
    let text = data.join("&");
    if text.trim().is_empty() {
        return Err(CurlError::NoBody);
    }
    let body: Value = serde_json::from_str(&text).map_err(|e| CurlError::NotJson {
        error: e.to_string(),
    })?;
    if !body.is_object() {
        return Err(CurlError::NotAnObject);
    }
    Ok(Imported {
        method,
        body,
        base_url,
        key,
        notes,
    })
}

/// `https://tracking.bucket.co/KEY/event` → base, key, method.
fn split_url(url: &str) -> Result<(String, String, Method), CurlError> {
    let not_tracking = || CurlError::NotATrackingUrl {
        url: url.to_owned(),
    };
    let trimmed = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .trim_end_matches('/');
    let (rest, method) = trimmed.rsplit_once('/').ok_or_else(not_tracking)?;
    let method = Method::parse(method).ok_or_else(|| CurlError::NotAMethod {
        url: url.to_owned(),
        method: method.to_owned(),
    })?;
    let (base, key) = rest.rsplit_once('/').ok_or_else(not_tracking)?;
    if !base.contains("://") {
        return Err(not_tracking());
    }
    Ok((base.to_owned(), key.to_owned(), method))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn import(line: &str) -> Result<Imported, CurlError> {
        parse(&split(line)?)
    }

    #[test]
    fn chrome_and_our_own_commands_are_read() {
        let chrome = "curl 'https://tracking.bucket.co/tk123/event' \\\n  -H 'accept: */*' \\\n  -H 'content-type: application/json' \\\n  --data-raw $'{\"event\":\"Sent \\'hi\\'\",\"userId\":\"u\\u00e9\"}' \\\n  --compressed";
        let got = import(chrome).unwrap();
        assert_eq!(got.method, Method::Event);
        assert_eq!(got.body, json!({"event": "Sent 'hi'", "userId": "ué"}));
        assert_eq!(
            (got.base_url.as_str(), got.key.as_str()),
            ("https://tracking.bucket.co", "tk123")
        );
        assert_eq!(got.notes, ["header dropped: accept: */*"]);
        let ours = "curl -sS -X POST \"http://127.0.0.1:8787/$BUCKET_TRACKING_KEY/feedback\" -H 'Content-Type: application/json' --data-raw '{\"featureId\":\"f\",\"userId\":\"u\",\"score\":4}'";
        let got = import(ours).unwrap();
        assert_eq!(got.method, Method::Feedback);
        assert_eq!(got.key, "$BUCKET_TRACKING_KEY");
        let json = parse(&[
            "curl".into(),
            "--json".into(),
            "{\"userId\":1}".into(),
            "http://h/k/user".into(),
        ])
        .unwrap();
        assert_eq!(json.body, json!({"userId": 1}));
    }

    #[test]
    fn what_cannot_be_a_tracking_call_is_refused_by_name() {
        for (line, says) in [
            ("curl -X GET http://h/k/event -d '{}'", "POSTs"),
            ("curl http://h/k/events -d '{}'", "not a method"),
            ("curl -d '{}'", "no URL"),
            ("curl http://h/k/event", "no body"),
            ("curl http://h/k/event -d 'a=b'", "not JSON"),
            ("curl http://h/k/event -d '[1]'", "not a JSON object"),
            ("curl http://h/k/event -d @body.json", "from a file"),
            ("curl 'http://h/k/event", "not closed"),
            (
                "curl http://h/k/event http://h/k/user -d '{}'",
                "second URL",
            ),
        ] {
            let err = import(line).unwrap_err().to_string();
            assert!(err.contains(says), "{line}: {err}");
        }
    }

    /// Each expectation is what bash 5.2 makes of `printf %s $'…'`.
    #[test]
    fn ansi_c_quotes_decode_as_bash_does() {
        for (quoted, bash) in [
            (r"\e[1m", "\u{1b}[1m"),
            (r"\E", "\u{1b}"),
            (r"\a\b\f\v", "\u{7}\u{8}\u{c}\u{b}"),
            (r"\n\r\t", "\n\r\t"),
            (r#"\\\'\"\?"#, r#"\'"?"#),
            (r"\z", r"\z"),
            (r"\x", r"\x"),
            (r"\xZ", r"\xZ"),
            (r"\x41B", "AB"),
            (r"\x4", "\u{4}"),
            (r"\xc3\xa9", "é"),
            (r"\101", "A"),
            (r"\18", "\u{1}8"),
            (r"\703\251", "é"),
            (r"\cA\ca\c1", "\u{1}\u{1}\u{11}"),
            (r"\c?", "\u{7f}"),
            (r"\c[", "\u{1b}"),
            (r"\c\\x", "\u{1c}x"),
            (r"\c\x41", "\u{1c}x41"),
            (r"\c", r"\c"),
            (r"\u", r"\u"),
            (r"\u00e9", "é"),
            (r"\u12345", "\u{1234}5"),
            (r"\U0001F600", "😀"),
            (r"\'hi\'", "'hi'"),
        ] {
            let line = format!("$'{quoted}'");
            assert_eq!(split(&line), Ok(vec![bash.to_owned()]), "{line}");
        }
        for (quoted, says) in [
            (r"a\0b", "NUL"),
            (r"\x00", "NUL"),
            (r"\c@", "NUL"),
            (r"\u0", "NUL"),
            (r"\xff", "not UTF-8"),
            (r"\ud800", "not a character"),
            (r"\U110000", "not a character"),
            (r"abc\", "not closed"),
        ] {
            let line = format!("$'{quoted}'");
            let err = split(&line).unwrap_err().to_string();
            assert!(err.contains(says), "{line}: {err}");
        }
    }

    proptest::proptest! {
        #[test]
        fn splitting_never_panics(line in "\\PC{0,60}") {
            let _ = split(&line);
        }

        #[test]
        fn single_quotes_keep_anything(text in "[^'\\\\]{0,30}") {
            proptest::prop_assert_eq!(split(&format!("a '{text}' b")).unwrap(), vec!["a".to_owned(), text, "b".to_owned()]);
        }
    }
}

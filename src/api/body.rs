//! From raw request bytes to a JSON value: Content-Type, size, UTF-8, nesting depth and syntax,
//! each refused with its own code and, where it has one, a line and column.

use super::errors::{ErrorCode, FieldCode, Rejection};
use super::{MAX_BODY_BYTES, MAX_JSON_DEPTH};
use serde_json::Value;

/// Accepts `application/json` with any parameters, in any case; anything else (or nothing) is
/// `UNSUPPORTED_CONTENT_TYPE`.
pub fn check_content_type(header: Option<&str>) -> Result<(), Rejection> {
    let essence = header.map(|h| h.split(';').next().unwrap_or("").trim());
    match essence {
        Some(e) if e.eq_ignore_ascii_case("application/json") => Ok(()),
        Some(e) => Err(content_type_rejection(&format!("`Content-Type: {e}`"))),
        None => Err(content_type_rejection("no Content-Type header")),
    }
}

fn content_type_rejection(found: &str) -> Rejection {
    Rejection::whole(
        ErrorCode::UnsupportedContentType,
        FieldCode::UnsupportedContentType,
        format!(
            "the API only accepts JSON: send `Content-Type: application/json` ({found} was sent)"
        ),
    )
}

/// The rejection for a body over 32 KiB, given its size when known.
pub fn too_large(size: Option<usize>) -> Rejection {
    too_large_for(size, MAX_BODY_BYTES)
}

/// The rejection for a body over `limit` bytes (32 KiB for a call, 1 MiB for a `/bulk` batch).
pub fn too_large_for(size: Option<usize>, limit: usize) -> Rejection {
    let size = size.map_or_else(|| "more than that".to_owned(), |s| format!("{s} bytes"));
    let human = if limit.is_multiple_of(1024 * 1024) {
        format!("{} MiB", limit / (1024 * 1024))
    } else {
        format!("{} KiB", limit / 1024)
    };
    Rejection::whole(
        ErrorCode::BodyTooLarge,
        FieldCode::BodyTooLarge,
        format!("the body may be at most {limit} bytes ({human}); this one is {size}"),
    )
}

/// The size of a body as a client sends it (compact JSON), counted without building the text.
pub fn sent_size(body: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, body);
    count.0
}

/// The rejection for a body over the limit of which `read` is what was read (at least the first
/// 32 KiB). Nesting already too deep inside the limit is reported first, as a streaming parser
/// would meet it: fifty thousand `[` are a nesting problem before they are a size problem.
pub fn oversized(read: &[u8], size: Option<usize>) -> Rejection {
    let prefix = &read[..read.len().min(MAX_BODY_BYTES)];
    match too_deep_at(prefix) {
        Some(offset) => too_deep(prefix, offset),
        None => too_large(size),
    }
}

fn too_deep(bytes: &[u8], offset: usize) -> Rejection {
    let (line, column) = line_column(&bytes[..offset]);
    invalid_json(format!(
        "JSON nested deeper than {MAX_JSON_DEPTH} levels at line {line} column {column}"
    ))
}

/// Parses a request body. Nesting is measured before parsing, so no body can exhaust the stack.
pub fn parse(bytes: &[u8]) -> Result<Value, Rejection> {
    if bytes.len() > MAX_BODY_BYTES {
        return Err(oversized(bytes, Some(bytes.len())));
    }
    parse_within(bytes, MAX_BODY_BYTES)
}

/// [`parse`] for a body of up to `limit` bytes (a `/bulk` batch).
pub fn parse_within(bytes: &[u8], limit: usize) -> Result<Value, Rejection> {
    if bytes.len() > limit {
        return Err(too_large_for(Some(bytes.len()), limit));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(&bytes[..e.valid_up_to()]);
        invalid_json(format!(
            "the body is not UTF-8: invalid byte at line {line} column {column}"
        ))
    })?;
    if text.trim().is_empty() {
        return Err(invalid_json("the body is empty; send a JSON object".into()));
    }
    if let Some(offset) = too_deep_at(text.as_bytes()) {
        return Err(too_deep(text.as_bytes(), offset));
    }
    serde_json::from_str(text).map_err(|e| invalid_json(format!("the body is not valid JSON: {e}")))
}

fn invalid_json(message: String) -> Rejection {
    Rejection::whole(ErrorCode::InvalidJson, FieldCode::InvalidJson, message)
}

/// The byte offset of the first bracket that opens level 33, ignoring brackets inside strings.
fn too_deep_at(bytes: &[u8]) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// 1-based line and column (in characters) of the position just after `prefix`.
fn line_column(prefix: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(prefix);
    let line = text.matches('\n').count() + 1;
    let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<Value, Rejection>) -> ErrorCode {
        r.unwrap_err().code
    }

    #[test]
    fn floats_survive_a_round_trip_exactly() {
        let text = r#"{"b": -217925.00564103082}"#;
        let once = parse(text.as_bytes()).unwrap();
        let twice = parse(once.to_string().as_bytes()).unwrap();
        assert_eq!(once, twice);
        assert_eq!(once["b"].as_f64(), Some(-217_925.005_641_030_82));
    }

    #[test]
    fn content_type_rules() {
        assert!(check_content_type(Some("application/json")).is_ok());
        assert!(check_content_type(Some("Application/JSON; charset=utf-8")).is_ok());
        for bad in [
            Some("text/plain"),
            Some("application/jsonx"),
            Some(""),
            None,
        ] {
            assert_eq!(
                check_content_type(bad).unwrap_err().code,
                ErrorCode::UnsupportedContentType
            );
        }
    }

    #[test]
    fn parses_objects_and_reports_positions() {
        assert!(parse(br#"{"userId": 1}"#).is_ok());
        let err = parse(b"{\n  \"a\": 1,\n}").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidJson);
        assert!(err.message.contains("line 3 column 1"), "{}", err.message);
        assert_eq!(err.validation_errors[0].path, "");
    }

    #[test]
    fn refuses_depth_utf8_size_and_emptiness() {
        let deep = "[".repeat(50_000);
        let err = parse(deep.as_bytes()).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidJson);
        assert!(err.message.contains("column 33"), "{}", err.message);
        let ok_depth = format!("{}{}", "[".repeat(32), "]".repeat(32));
        assert!(parse(ok_depth.as_bytes()).is_ok());
        assert!(parse(br#"{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}"#).is_ok());
        assert_eq!(code(parse(b"{\"a\": \"\xff\"}")), ErrorCode::InvalidJson);
        assert_eq!(code(parse(b"  ")), ErrorCode::InvalidJson);
        assert_eq!(
            code(parse(&vec![b' '; MAX_BODY_BYTES + 1])),
            ErrorCode::BodyTooLarge
        );
        let padded = format!("{{\"comment\": \"{}\"}}", "[".repeat(MAX_BODY_BYTES));
        assert_eq!(code(parse(padded.as_bytes())), ErrorCode::BodyTooLarge);
    }
}

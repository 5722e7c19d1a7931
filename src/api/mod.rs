//! The contract of assets/contract.md, pure: payload types, validation with JSON-Pointer paths, and the
//! response, error and warning bodies. Nothing here knows about HTTP servers or terminals, so the
//! server, the CLI and the console's forms all apply exactly the same rules.

pub mod any_key;
pub mod body;
pub mod errors;
mod fields;
pub mod flags;
pub mod inspect;
pub mod key;
pub mod locate;
pub mod method;
pub mod payload;
pub mod pointer;
pub mod runtime;
pub mod stars;
pub mod suggest;
pub mod timestamp;
pub mod validate;

pub use any_key::{AnyKey, Api};
pub use errors::{
    ErrorBody, ErrorCode, FieldCode, Rejection, SuccessBody, ValidationError, Warning, WarningCode,
};
/// How a JSON value reads in a message ("a string", "the number 4.5", …).
pub use fields::type_name as describe_value;
pub use fields::{MAX_ATTRIBUTES, MAX_COMMENT_CHARS, MAX_ID_CHARS, integer_text};
pub use key::{KeyError, TrackingKey};
pub use method::Method;
pub use payload::{Payload, Score};
pub use validate::{Validated, validate, validate_runtime};

/// The largest body any call may carry: the limit Segment documents per call (assets/contract.md §2).
pub const MAX_BODY_BYTES: usize = 32 * 1024;
/// Deepest JSON nesting accepted; deeper bodies are rejected before parsing so they cannot exhaust
/// the stack.
pub const MAX_JSON_DEPTH: usize = 32;

//! The Runtime API (assets/contract.md, "Runtime API"): the routes today's Reflag SDKs call, their
//! keys, environments and bodies. The tracking rules of [`super::validate()`] apply to the calls
//! both APIs share; this module adds only what the Runtime API has of its own.

pub mod bulk;
pub mod env;
pub mod events;
pub mod key;

/// Items one `/bulk` call may carry: what both SDKs put in a batch at most.
pub const MAX_BULK_ITEMS: usize = 100;
/// The largest `/bulk` body.
pub const MAX_BULK_BYTES: usize = 1024 * 1024;

/// First path segments the Runtime API's two-segment routes take, so no tracking key may be
/// one of them (`POST /features/events` would otherwise be the method `events` of key `features`).
pub const RESERVED_PATH_KEYS: [&str; 3] = ["features", "feedback", "sse"];

/// Whether a tracking path key collides with a Runtime API route.
pub fn is_reserved_path_key(key: &str) -> bool {
    RESERVED_PATH_KEYS.contains(&key)
}

/// The SDK's own header (on POSTs) and query parameter (on GETs) naming it and its version.
pub const SDK_VERSION_NAME: &str = "reflag-sdk-version";

//! The traffic routes, read back: the recorded requests of a key, and their live stream.

use super::{InspectError, Inspector};
use crate::api::inspect::RequestRecord;
use eventsource_stream::{EventStreamError, Eventsource};
use futures_util::{Stream, StreamExt};

impl Inspector {
    /// Recorded requests, oldest first: after `after`, or the newest `limit`.
    pub async fn requests(
        &self,
        after: Option<u64>,
        limit: u32,
    ) -> Result<Vec<RequestRecord>, InspectError> {
        let mut pairs = vec![("limit", limit.to_string())];
        if let Some(after) = after {
            pairs.push(("after", after.to_string()));
        }
        let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
        self.get(&format!("requests?{query}")).await
    }

    /// Requests as the server records them, after `after` when given. The stream ends when the
    /// connection does; the caller reconnects with the last id it saw.
    pub async fn request_stream(
        &self,
        after: Option<u64>,
    ) -> Result<impl Stream<Item = Result<RequestRecord, InspectError>> + use<>, InspectError> {
        let query = after.map(|a| format!("?after={a}")).unwrap_or_default();
        let url = format!(
            "{}/_local/{}/requests/stream{query}",
            self.base_url,
            self.key.expose()
        );
        // No overall timeout: a stream stays open for as long as the user watches.
        let response = self
            .http
            .get(url)
            .timeout(std::time::Duration::from_secs(365 * 24 * 3600))
            .send()
            .await
            .map_err(|e| InspectError::NotAnswering(crate::net::describe(e)))?;
        match response.status().as_u16() {
            200 => {}
            404 => return Err(InspectError::NotLocal),
            status => {
                return Err(InspectError::Refused {
                    status,
                    message: "the stream was refused".to_owned(),
                });
            }
        }
        Ok(crate::net::bounded_events(response.bytes_stream())
            .eventsource()
            .filter_map(|item| async move {
                match item {
                    Ok(event) if event.event == "request" => Some(
                        serde_json::from_str::<RequestRecord>(&event.data)
                            .map_err(|e| InspectError::BadAnswer(e.to_string())),
                    ),
                    Ok(_) => None,
                    Err(EventStreamError::Transport(e)) => {
                        Some(Err(InspectError::NotAnswering(e.to_string())))
                    }
                    Err(e) => Some(Err(InspectError::BadAnswer(e.to_string()))),
                }
            }))
    }
}

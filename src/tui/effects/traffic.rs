//! The Traffic view's stream of recorded requests.

use super::Runner;
use crate::inspect::Inspector;
use crate::tui::action::Action;
use std::sync::Arc;
use std::time::Duration;

/// Follows the target's recorded requests, replacing the stream that ran before.
pub(super) fn watch(runner: Arc<Runner>, target: crate::client::Target, generation: u64) {
    let task = tokio::spawn(follow_traffic(Arc::clone(&runner), target, generation));
    if let Ok(mut slot) = runner.traffic.lock()
        && let Some(old) = slot.replace(task)
    {
        old.abort();
    }
}

/// Recorded requests as actions: the newest few, then the live stream, reconnecting after a
/// failure from the last one seen.
async fn follow_traffic(runner: Arc<Runner>, target: crate::client::Target, generation: u64) {
    use crate::tui::traffic::Link;
    use futures_util::StreamExt;
    let inspector =
        Inspector::with_client(runner.http.clone(), &target.base_url, target.key.data_key());
    let link = |link: Link| {
        let _ = runner
            .actions
            .send(Action::TrafficLink { generation, link });
    };
    let record = |record| {
        let _ = runner.actions.send(Action::TrafficRecord {
            generation,
            record: Box::new(record),
        });
    };
    let mut last: Option<u64> = None;
    loop {
        if last.is_none() {
            match inspector.requests(None, 200).await {
                Ok(backlog) => {
                    for r in backlog {
                        last = r.id.parse().ok().or(last);
                        record(r);
                    }
                    last = last.or(Some(0));
                }
                Err(crate::inspect::InspectError::NotLocal) => {
                    link(Link::Lost(
                        crate::inspect::InspectError::NotLocal.to_string(),
                    ));
                    return;
                }
                Err(e) => link(Link::Lost(e.to_string())),
            }
        }
        if last.is_some() {
            match inspector.request_stream(last).await {
                Ok(stream) => {
                    link(Link::Live);
                    let mut stream = std::pin::pin!(stream);
                    while let Some(Ok(r)) = stream.next().await {
                        last = r.id.parse().ok().or(last);
                        record(r);
                    }
                    link(Link::Lost("the stream ended; reconnecting".to_owned()));
                }
                Err(e) => link(Link::Lost(e.to_string())),
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

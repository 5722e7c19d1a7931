//! The Flags view's read (F7), run as an effect: the store's attributes of the company (on a
//! local server), then the definitions (a secret key) or the server's outcomes for the context
//! (a publishable key), reported back as `Action::FlagsLoaded`.

use super::action::{Action, Effect};
use super::flags::{Loaded, Source};
use crate::api::flags::FlatContext;
use crate::api::flags::explain::company_attributes;
use crate::client::Target;
use crate::client::flags::FlagsClient;
use crate::inspect::{Entity, EntityRef, Inspector};
use crate::term::Failure;
use tokio::sync::mpsc::UnboundedSender;

/// The checks read with the flags: the newest of every flag, shown per flag.
const RECENT_CHECKS: u32 = 200;

pub(super) fn run(http: reqwest::Client, actions: UnboundedSender<Action>, effect: Effect) {
    if let Effect::LoadFlags {
        target,
        generation,
        context,
        company,
        local_store,
        prefill,
    } = effect
    {
        tokio::spawn(async move {
            let result = load(http, &target, context, company, local_store, prefill).await;
            let _ = actions.send(Action::FlagsLoaded { generation, result });
        });
    }
}

async fn load(
    http: reqwest::Client,
    target: &Target,
    mut context: FlatContext,
    company: Option<String>,
    local_store: bool,
    prefill: bool,
) -> Result<Loaded, Failure> {
    let client = FlagsClient::new(http.clone(), target).map_err(Failure::from)?;
    let inspector = Inspector::with_client(http, &target.base_url, target.key.data_key());
    let checks = if local_store {
        inspector.flag_checks(None, RECENT_CHECKS).await.ok()
    } else {
        None
    };
    let stored = match company.filter(|_| local_store) {
        Some(id) => {
            match inspector.entity(&EntityRef::Company(id)).await {
                Ok(Some(Entity::Company { company, .. })) => {
                    Some(company_attributes(&company.attributes))
                }
                Ok(_) => Some(Vec::new()),
                // No inspection routes: the store cannot say.
                Err(_) => None,
            }
        }
        None => None,
    };
    if prefill && let Some(stored) = &stored {
        for (k, v) in stored {
            context.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    let source = if client.reads_definitions() {
        Source::Definitions(
            client
                .definitions(&target.profile)
                .await
                .map_err(Failure::from)?
                .flags,
        )
    } else {
        Source::Evaluated(client.evaluated(&context).await.map_err(Failure::from)?)
    };
    Ok(Loaded {
        source,
        stored,
        checks,
    })
}

/// Follows the server's recorded requests from now on and reports each successful
/// `RELOAD /features` (the record a flags reload leaves), reconnecting after a failure; a server
/// without inspection routes has nothing to say, and the watch ends.
pub(super) fn watch(
    http: reqwest::Client,
    actions: UnboundedSender<Action>,
    target: Target,
    watch: u64,
) -> tokio::task::JoinHandle<()> {
    use futures_util::StreamExt;
    tokio::spawn(async move {
        let inspector = Inspector::with_client(http, &target.base_url, target.key.data_key());
        let mut last: Option<u64> = None;
        loop {
            if last.is_none() {
                match inspector.requests(None, 1).await {
                    Ok(newest) => {
                        last = Some(newest.last().and_then(|r| r.id.parse().ok()).unwrap_or(0));
                    }
                    Err(crate::inspect::InspectError::NotLocal) => return,
                    Err(_) => {}
                }
            }
            if let Some(after) = last
                && let Ok(stream) = inspector.request_stream(Some(after)).await
            {
                let mut stream = std::pin::pin!(stream);
                while let Some(Ok(record)) = stream.next().await {
                    last = record.id.parse().ok().or(last);
                    if is_flags_reload(&record)
                        && actions.send(Action::FlagsChanged { watch }).is_err()
                    {
                        return;
                    }
                }
            }
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        }
    })
}

/// What the server records when it took new flag definitions (a refused edit keeps the old
/// ones, and changes nothing to show).
fn is_flags_reload(record: &crate::api::inspect::RequestRecord) -> bool {
    record.method == "RELOAD" && record.path == "/features" && record.local.status == Some(200)
}

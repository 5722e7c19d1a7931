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

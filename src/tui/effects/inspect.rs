//! Reads of what the server stored: the Data view's pages and entities, funnels, results.

use super::Runner;
use crate::inspect::Inspector;
use crate::term::Failure;
use crate::tui::action::{Action, Effect};
use std::sync::Arc;

pub(super) fn effect(runner: Arc<Runner>, effect: Effect) {
    match effect {
        Effect::LoadData { .. } | Effect::LoadEntity { .. } => data_effect(runner, effect),
        Effect::LoadStars { .. } => stars_effect(runner, effect),
        Effect::LoadResults(target) => {
            tokio::spawn(async move {
                let result = crate::results::load(&target, None, &runner.journals.developer)
                    .await
                    .map_err(Failure::from);
                let _ = runner.actions.send(Action::ResultsLoaded(result));
            });
        }
        _ => {}
    }
}

/// Funnels from the local server, for the Features view or a company in the Data view.
fn stars_effect(runner: Arc<Runner>, effect: Effect) {
    if let Effect::LoadStars {
        target,
        request,
        purpose,
    } = effect
    {
        tokio::spawn(async move {
            let inspector = Inspector::with_client(
                runner.http.clone(),
                &target.base_url,
                target.key.data_key(),
            );
            let result = inspector.stars(&request).await.map_err(Failure::from);
            let _ = runner.actions.send(Action::StarsLoaded { purpose, result });
        });
    }
}

/// The Data view's reads.
fn data_effect(runner: Arc<Runner>, effect: Effect) {
    match effect {
        Effect::LoadData {
            target,
            query,
            generation,
        } => {
            tokio::spawn(async move {
                let inspector = Inspector::with_client(
                    runner.http.clone(),
                    &target.base_url,
                    target.key.data_key(),
                );
                let result = inspector.read(&query).await.map_err(Failure::from);
                let _ = runner
                    .actions
                    .send(Action::InspectLoaded { generation, result });
            });
        }
        Effect::LoadEntity { target, which } => {
            tokio::spawn(async move {
                let inspector = Inspector::with_client(
                    runner.http.clone(),
                    &target.base_url,
                    target.key.data_key(),
                );
                let result = inspector.entity(&which).await.map_err(Failure::from);
                let _ = runner.actions.send(Action::EntityLoaded { which, result });
            });
        }
        _ => {}
    }
}

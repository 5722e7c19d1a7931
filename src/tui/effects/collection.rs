//! The collection's effects: saving a request into it, reading it, running a scenario of it.

use super::Runner;
use crate::tui::action::{Action, Effect};
use std::sync::Arc;

/// The collection's effects: reading the file, running a scenario of it.
pub(super) fn collection_effect(runner: Arc<Runner>, effect: Effect) {
    match effect {
        Effect::SaveRequest {
            path,
            name,
            method,
            body,
            replace,
        } => {
            tokio::task::spawn_blocking(move || {
                let written = if replace {
                    crate::collection::write::replace_entry(&path, &name, method, &body)
                } else {
                    let text = crate::collection::write::entry(&name, method, &body);
                    crate::collection::write::append(&path, &name, &text)
                };
                let result = written.map(|()| name);
                let _ = runner.actions.send(Action::RequestSaved(result));
            });
        }
        Effect::RunScenario {
            collection,
            name,
            target,
            profile_ids,
            env,
        } => {
            tokio::spawn(async move {
                let options = crate::collection::run::Options {
                    repeat: 1,
                    concurrency: 1,
                    seed: fastrand::u64(..),
                    vars: std::collections::BTreeMap::new(),
                    profile_ids,
                    env,
                    keep_bodies: false,
                    bulk: None,
                };
                let (journals, actions) = (Arc::clone(&runner.journals), runner.actions.clone());
                let report = move |mut report: crate::collection::run::CallReport| {
                    // Each call is an exchange of this console's, in its log like a send; a
                    // batch's items share one, logged once.
                    if report.batch.is_none_or(|b| b.index == 0)
                        && let Some(exchange) = report.exchange.take()
                    {
                        let mut one = [exchange];
                        journals.developer.append(&mut one);
                        let [logged] = one;
                        report.exchange = Some(logged);
                    }
                    let _ = actions.send(Action::ScenarioCall(Box::new(report)));
                };
                crate::collection::run::run(
                    *collection,
                    vec![name],
                    options,
                    &runner.client,
                    target,
                    report,
                )
                .await;
                let _ = runner.actions.send(Action::ScenarioDone);
            });
        }
        Effect::LoadCollection => {
            tokio::task::spawn_blocking(move || {
                let _ = runner.actions.send(Action::CollectionLoaded(
                    crate::tui::watch::read_collection(),
                ));
            });
        }
        _ => {}
    }
}

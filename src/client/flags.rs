//! Reading an environment's flags for the debugger (`flags list|eval|pull`, the console's F7):
//! `GET /features` (definitions, a secret key in `Authorization: Bearer`) or, for a publishable
//! key, `GET /features/evaluated` (outcomes only, the key as the browser SDK sends it).

use super::Target;
use crate::api::flags::explain::{EvaluatedFlag, evaluated_query, parse_evaluated};
use crate::api::flags::{DefinitionError, FlagDefinition, FlatContext, parse_definitions};
use crate::api::runtime::key::{KeyKind, RuntimeKey};
use crate::sanitize::redact;
use serde_json::Value;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlagsError {
    #[error(
        "profile {0} speaks the tracking API, which has no flags: use a Runtime API profile \
         (the built-in local-runtime, or `profiles add --runtime`)"
    )]
    NotRuntime(String),
    #[error(
        "flag definitions (`GET /features`) need a secret key; profile {0} has a publishable one, \
         which only sees each flag's outcome"
    )]
    NeedsSecret(String),
    #[error("the server is not answering: {0}")]
    NotAnswering(String),
    #[error("the server answered {status}: {message}")]
    Refused { status: u16, message: String },
    #[error("the server's answer could not be read: {0}")]
    BadAnswer(String),
    #[error("the server's flag definitions are not valid: {0}")]
    Definitions(DefinitionError),
}

/// What `GET /features` answered: the flags as sent (what `flags pull` writes) and as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Definitions {
    pub features: Vec<Value>,
    pub flags: Vec<FlagDefinition>,
    pub flag_state_version: Option<i64>,
}

/// One environment's flags, read with one profile's runtime key.
#[derive(Debug, Clone)]
pub struct FlagsClient {
    http: reqwest::Client,
    base_url: String,
    key: RuntimeKey,
}

impl FlagsClient {
    /// Shares `http`'s connections; refuses a tracking profile.
    pub fn new(http: reqwest::Client, target: &Target) -> Result<Self, FlagsError> {
        let key = target
            .key
            .runtime()
            .ok_or_else(|| FlagsError::NotRuntime(target.profile.clone()))?
            .clone();
        Ok(Self {
            http,
            base_url: target.base_url.trim_end_matches('/').to_owned(),
            key,
        })
    }

    /// A client of its own, for one command.
    pub fn for_target(target: &Target) -> Result<Self, FlagsError> {
        let http = crate::net::client_builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| FlagsError::NotAnswering(crate::net::describe(e)))?;
        Self::new(http, target)
    }

    /// Whether this key may read definitions (and so show each rule's tree).
    pub fn reads_definitions(&self) -> bool {
        self.key.kind() == KeyKind::Secret
    }

    pub async fn definitions(&self, profile: &str) -> Result<Definitions, FlagsError> {
        if !self.reads_definitions() {
            return Err(FlagsError::NeedsSecret(profile.to_owned()));
        }
        let doc = self.get("features", &[]).await?;
        let features = match doc.get("features") {
            Some(Value::Array(items)) => items.clone(),
            _ => {
                return Err(FlagsError::BadAnswer(
                    "no \"features\" array in the answer of GET /features".to_owned(),
                ));
            }
        };
        let flags = parse_definitions(&doc).map_err(FlagsError::Definitions)?;
        Ok(Definitions {
            features,
            flags,
            flag_state_version: doc.get("flagStateVersion").and_then(Value::as_i64),
        })
    }

    /// Each flag's outcome for `context`, as the service evaluates it.
    pub async fn evaluated(&self, context: &FlatContext) -> Result<Vec<EvaluatedFlag>, FlagsError> {
        let doc = self
            .get("features/evaluated", &evaluated_query(context))
            .await?;
        parse_evaluated(&doc).map_err(|e| FlagsError::BadAnswer(e.to_string()))
    }

    async fn get(&self, route: &str, query: &[(String, String)]) -> Result<Value, FlagsError> {
        let mut request = self.http.get(format!("{}/{route}", self.base_url));
        // Only a Bearer header carries a secret key; a publishable one goes where the browser
        // SDK puts it, so the same profile works against the live service.
        request = match self.key.kind() {
            KeyKind::Secret => request.bearer_auth(self.key.expose()),
            KeyKind::Publishable => request.query(&[("publishableKey", self.key.expose())]),
        };
        let response = request
            .query(query)
            .send()
            .await
            .map_err(|e| FlagsError::NotAnswering(crate::net::describe(e)))?;
        let status = response.status().as_u16();
        let body = crate::net::read_body(response)
            .await
            .map_err(|e| FlagsError::NotAnswering(e.to_string()))?;
        let value: Option<Value> = serde_json::from_slice(&body).ok();
        if status == 200 {
            return value.ok_or_else(|| FlagsError::BadAnswer("not JSON".to_owned()));
        }
        let message = value
            .as_ref()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(200).collect());
        let masked = crate::api::key::mask(self.key.expose());
        Err(FlagsError::Refused {
            status,
            message: redact(&message, self.key.expose(), &masked),
        })
    }
}

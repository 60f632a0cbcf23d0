//! The PostgreSQL probe kinds and what they share: the `environment`, `connect_timeout`
//! and `query_timeout` parameters, and opening a session whose failure is reported in
//! plain words. Connections are made in-process; a password never leaves its `Secret`.

pub mod connect;
pub mod hba;
pub mod login_rejected;
pub mod roles;
pub mod settings;

use std::time::Duration;

use super::ProbeOutcome;
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::postgres::{self, Session, Target};
use crate::probe::ProbeContext;

/// `environment`: which database, by environment name.
pub const ENVIRONMENT: ParamSpec = ParamSpec {
    name: "environment",
    ty: ParamType::String,
    required: false,
    default: Some("production"),
    doc: "The environment to connect to: a name from preflight.toml (production reads PG_* variables by default).",
};

/// `connect_timeout`.
pub const CONNECT_TIMEOUT: ParamSpec = ParamSpec {
    name: "connect_timeout",
    ty: ParamType::Duration,
    required: false,
    default: Some("3s"),
    doc: "How long connecting (TCP, TLS and authentication) may take.",
};

/// `query_timeout`.
pub const QUERY_TIMEOUT: ParamSpec = ParamSpec {
    name: "query_timeout",
    ty: ParamType::Duration,
    required: false,
    default: Some("3s"),
    doc: "How long each query may take.",
};

/// Where and how a probe connects.
#[derive(Debug, Clone)]
pub struct Connection {
    /// The environment name.
    pub environment: String,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Per-query timeout.
    pub query_timeout: Duration,
}

impl Connection {
    /// Reads the shared parameters.
    pub fn from_params(p: &Params) -> Result<Connection, ParamError> {
        Ok(Connection {
            environment: p.string("environment")?.unwrap_or("production").to_string(),
            connect_timeout: p
                .duration("connect_timeout")?
                .unwrap_or(Duration::from_secs(3)),
            query_timeout: p
                .duration("query_timeout")?
                .unwrap_or(Duration::from_secs(3)),
        })
    }

    /// The environment's target, or an `error` outcome saying what is missing.
    pub async fn target(&self, ctx: &ProbeContext) -> Result<Target, ProbeOutcome> {
        Target::from_environment(&self.environment, ctx)
            .await
            .map_err(ProbeOutcome::error)
    }

    /// Connects to a target; a failure becomes an `error` outcome (the probe could
    /// not check what it was asked to).
    pub async fn open(&self, target: &Target) -> Result<Session, ProbeOutcome> {
        postgres::connect(target, self.connect_timeout, self.query_timeout)
            .await
            .map_err(|e| ProbeOutcome::error(format!("cannot connect: {e}")))
    }

    /// Resolves the environment and connects.
    pub async fn session(&self, ctx: &ProbeContext) -> Result<(Target, Session), ProbeOutcome> {
        let target = self.target(ctx).await?;
        let session = self.open(&target).await?;
        Ok((target, session))
    }
}

/// A query failure as an `error` outcome; permission errors name what is needed.
pub fn query_error(what: &str, needs: &str, e: String) -> ProbeOutcome {
    if e.contains("(42501)") {
        ProbeOutcome::error(format!(
            "cannot read {what}: permission denied; it needs {needs}"
        ))
    } else {
        ProbeOutcome::error(format!("cannot read {what}: {e}"))
    }
}

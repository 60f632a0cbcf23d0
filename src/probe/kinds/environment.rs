//! `environment`: an environment is configured, with a host, a user and a password
//! source: the one place a project without `preflight.toml` (or without `PG_*`
//! variables) learns what to set. The probes that connect to that environment then
//! skip, pointing here, instead of each erroring with the same missing host.

use std::sync::Arc;

use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::context::EnvironmentChoice;
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "environment",
    summary: "An environment is configured: its host, user and password can be read (from preflight.toml or the PG_* variables).",
    params: &[ParamSpec {
        name: "environment",
        ty: ParamType::String,
        required: false,
        default: None,
        doc: "Which environment [default: the run's environment: `--env`, production unless given]",
    }],
    build: |p| Ok(Arc::new(EnvironmentProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct EnvironmentProbe {
    environment: EnvironmentChoice,
}

impl EnvironmentProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        Ok(EnvironmentProbe {
            environment: EnvironmentChoice::from_params(p)?,
        })
    }
}

/// What to write when nothing is configured, on one line.
fn how_to(env: &str) -> String {
    format!(
        "set `host`, `user`, `database` and a `password` source under [environments.{env}] in preflight.toml (the item's fix shows an example), or PG_HOST, PG_USER, PG_DATABASE and PG_PASSWORD"
    )
}

impl Probe for EnvironmentProbe {
    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        Box::pin(async move { self.check(&ctx).await })
    }
}

impl EnvironmentProbe {
    async fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let env = self.environment.name(ctx);
        let resolved = match ctx.environment(env).await {
            Ok(resolved) => resolved,
            Err(e) => {
                return ProbeOutcome::fail(format!("environment `{env}` cannot be read: {e}"));
            }
        };
        let missing: Vec<&str> = [
            ("host", resolved.has_host()),
            ("user", resolved.user.is_some()),
            (
                "password",
                resolved
                    .password
                    .as_ref()
                    .is_some_and(|p| !p.expose().is_empty()),
            ),
        ]
        .into_iter()
        .filter(|(_, present)| !present)
        .map(|(field, _)| field)
        .collect();
        if missing.is_empty() {
            let servers = match resolved.hosts.len() {
                0 => format!("host {}", resolved.host.unwrap_or_default()),
                n => format!(
                    "{n} hosts ({})",
                    resolved
                        .hosts
                        .iter()
                        .map(|h| h.label(
                            resolved
                                .port
                                .unwrap_or(crate::system::postgres::DEFAULT_PORT)
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            ProbeOutcome::pass(format!(
                "environment `{env}` is configured: {servers}, user {}, a password",
                resolved.user.unwrap_or_default()
            ))
        } else {
            ProbeOutcome::fail(format!(
                "environment `{env}` is not configured: no {}",
                missing.join(", no ")
            ))
            .with_evidence([Evidence::note(how_to(env))])
        }
    }
}

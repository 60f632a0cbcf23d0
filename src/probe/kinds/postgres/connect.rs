//! `postgres-connect`: the environment's database accepts its credentials; reports the
//! server version, the authenticated user and the connection's TLS; optionally
//! requires a minimum version (a major, `16`, or a minor, `"16.6"`; with it a beta,
//! release candidate or development build fails) and TLS.

use std::sync::Arc;

use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::postgres::{CONNECT_TIMEOUT, Connection, ENVIRONMENT, QUERY_TIMEOUT};
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "postgres-connect",
    summary: "The environment's database accepts its credentials (SELECT 1); reports version, user and TLS.",
    params: &[
        ENVIRONMENT,
        ParamSpec {
            name: "min_version",
            ty: ParamType::Version,
            required: false,
            default: None,
            doc: "The lowest acceptable version: a major (16) or a minor (\"16.6\"); with it, beta, rc and development builds fail.",
        },
        ParamSpec {
            name: "require_tls",
            ty: ParamType::Bool,
            required: false,
            default: Some("false"),
            doc: "Fail when the connection is not encrypted.",
        },
        CONNECT_TIMEOUT,
        QUERY_TIMEOUT,
    ],
    build: |p| Ok(Arc::new(ConnectProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct ConnectProbe {
    connection: Connection,
    /// As `server_version_num` counts it, and as written.
    min_version: Option<(i64, String)>,
    require_tls: bool,
}

impl ConnectProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let min_version = p.version("min_version")?;
        Ok(ConnectProbe {
            connection: Connection::from_params(p)?,
            min_version,
            require_tls: p.bool_or_default("require_tls")?,
        })
    }

    async fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let target = match self.connection.target(ctx).await {
            Ok(t) => t,
            Err(outcome) => return outcome,
        };
        // Not connecting is the finding here, so it is a failure, not an error. The
        // session is the run's (the other probes of this server and role share it).
        let session = match ctx
            .sessions
            .session(
                &target,
                self.connection.connect_timeout,
                self.connection.query_timeout,
            )
            .await
        {
            Ok(s) => s,
            Err(e) => return ProbeOutcome::fail(format!("cannot connect: {e}")),
        };
        if let Err(e) = session.query("select 1", &[]).await {
            return ProbeOutcome::error(format!("SELECT 1 failed: {e}"));
        }
        let info = match session.describe().await {
            Ok(i) => i,
            Err(e) => return ProbeOutcome::error(format!("cannot read the server's version: {e}")),
        };
        let evidence = vec![
            Evidence::note(format!("server: PostgreSQL {}", info.version)),
            Evidence::note(format!("authenticated as {}", info.user)),
            Evidence::note(format!("connection: {}", info.tls_summary())),
        ];
        let mut problems = Vec::new();
        if let Some((min, written)) = &self.min_version {
            let shown = info.version.split_whitespace().next().unwrap_or_default();
            if i64::from(info.version_num) < *min {
                problems.push(format!(
                    "PostgreSQL {shown} is older than the required {written}"
                ));
            }
            let lower = shown.to_ascii_lowercase();
            if ["beta", "rc", "devel", "alpha"]
                .iter()
                .any(|t| lower.contains(t))
            {
                problems.push(format!(
                    "PostgreSQL {shown} is a pre-release build, not for production"
                ));
            }
        }
        if self.require_tls && !info.tls {
            problems.push("the connection is not encrypted (TLS required)".to_string());
        }
        let summary = format!(
            "{}: PostgreSQL {} as {} over {}",
            target,
            info.major(),
            info.user,
            info.tls_summary()
        );
        if problems.is_empty() {
            ProbeOutcome::pass(format!("connected to {summary}")).with_evidence(evidence)
        } else {
            ProbeOutcome::fail(format!("{}; connected to {summary}", problems.join("; ")))
                .with_evidence(evidence)
        }
    }
}

impl Probe for ConnectProbe {
    fn environment<'a>(&'a self, ctx: &'a ProbeContext) -> Option<&'a str> {
        Some(self.connection.environment.name(ctx))
    }

    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        Box::pin(async move { self.check(&ctx).await })
    }
}

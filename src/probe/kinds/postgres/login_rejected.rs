//! `postgres-login-rejected`: production refuses credentials that must not work there:
//! those of other environments (development by default) and a short built-in list of
//! well-known defaults. A handful of attempts at most, never a brute force; passwords
//! are never shown.

use std::sync::Arc;

use crate::base::secret::Secret;
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::postgres::{
    CONNECT_TIMEOUT, Connection, DEFAULT_CREDENTIALS, ENVIRONMENT, QUERY_TIMEOUT, credentials,
};
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome};
use crate::system::postgres::FailureKind;

/// At most this many login attempts per run.
pub const MAX_ATTEMPTS: usize = 8;

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "postgres-login-rejected",
    summary: "Production rejects development and well-known default credentials (a handful of attempts, never a brute force).",
    params: &[
        ParamSpec {
            name: "try_environments",
            ty: ParamType::StringList,
            required: false,
            default: Some("[\"development\"]"),
            doc: "Environments whose user and password are tried against the target.",
        },
        ParamSpec {
            name: "defaults",
            ty: ParamType::Bool,
            required: false,
            default: Some("true"),
            doc: "Also try the built-in well-known defaults (contextforge/contextforge, postgres/postgres, ...).",
        },
        ENVIRONMENT,
        CONNECT_TIMEOUT,
        QUERY_TIMEOUT,
    ],
    build: |p| Ok(Arc::new(LoginRejectedProbe::from_params(p)?)),
};

/// One credential to try: where it comes from, the user, the password.
#[derive(Debug, Clone)]
struct Attempt {
    origin: String,
    user: String,
    password: Option<Secret>,
}

/// The configured probe.
#[derive(Debug)]
pub struct LoginRejectedProbe {
    connection: Connection,
    try_environments: Vec<String>,
    defaults: bool,
}

impl LoginRejectedProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        Ok(LoginRejectedProbe {
            connection: Connection::from_params(p)?,
            try_environments: p.string_list_or_default("try_environments")?,
            defaults: p.bool_or_default("defaults")?,
        })
    }

    /// The credentials to try, labelled by where they come from; duplicates removed.
    async fn attempts(&self, ctx: &ProbeContext) -> (Vec<Attempt>, Vec<Evidence>) {
        let mut attempts = Vec::new();
        let mut notes = Vec::new();
        for env in &self.try_environments {
            match credentials(env, ctx).await {
                Ok((user, password)) => attempts.push(Attempt {
                    origin: format!("the {env} credentials"),
                    user,
                    password,
                }),
                Err(e) => notes.push(Evidence::note(format!("{env} credentials not tried: {e}"))),
            }
        }
        if self.defaults {
            for (user, password) in DEFAULT_CREDENTIALS {
                attempts.push(Attempt {
                    origin: "a well-known default".to_string(),
                    user: user.to_string(),
                    password: Some(Secret::new(password.to_string())),
                });
            }
        }
        let mut unique: Vec<Attempt> = Vec::new();
        for a in attempts {
            if !unique
                .iter()
                .any(|u| u.user == a.user && u.password == a.password)
            {
                unique.push(a);
            }
        }
        unique.truncate(MAX_ATTEMPTS);
        (unique, notes)
    }

    async fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let target = match self.connection.target(ctx).await {
            Ok(t) => t,
            Err(outcome) => return outcome,
        };
        let (attempts, mut evidence) = self.attempts(ctx).await;
        if attempts.is_empty() {
            return ProbeOutcome::skipped("no credentials to try").with_evidence(evidence);
        }
        let mut accepted = Vec::new();
        let mut inconclusive = Vec::new();
        for Attempt {
            origin,
            user,
            password,
        } in &attempts
        {
            let candidate = target.with_credentials(user, password.clone());
            // Through the run's pool: two probes trying one credential on one server
            // try it once (an accepted one is the same finding for both).
            match ctx
                .sessions
                .session(
                    &candidate,
                    self.connection.connect_timeout,
                    self.connection.query_timeout,
                )
                .await
            {
                Ok(_) => {
                    accepted.push(format!("user `{user}` ({origin})"));
                    evidence.push(Evidence::note(format!(
                        "ACCEPTED: user `{user}` with {origin}"
                    )));
                }
                Err(e)
                    if matches!(
                        e.kind,
                        FailureKind::Authentication | FailureKind::NotAllowed
                    ) =>
                {
                    evidence.push(Evidence::note(format!(
                        "rejected: user `{user}` with {origin}"
                    )));
                }
                Err(e) => {
                    inconclusive.push(format!("user `{user}`"));
                    evidence.push(Evidence::note(format!(
                        "could not test user `{user}` with {origin}: {}",
                        e.message
                    )));
                }
            }
        }
        if !accepted.is_empty() {
            ProbeOutcome::fail(format!("{target} accepts {}", accepted.join(", ")))
                .with_evidence(evidence)
        } else if !inconclusive.is_empty() {
            ProbeOutcome::error(format!(
                "could not test {} against {target}",
                inconclusive.join(", ")
            ))
            .with_evidence(evidence)
        } else {
            ProbeOutcome::pass(format!(
                "{target} rejects {} tried",
                crate::probe::shared::every(attempts.len(), "credential", "credentials")
            ))
            .with_evidence(evidence)
        }
    }
}

impl Probe for LoginRejectedProbe {
    fn environment<'a>(&'a self, ctx: &'a ProbeContext) -> Option<&'a str> {
        Some(self.connection.environment.name(ctx))
    }

    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        Box::pin(async move { self.check(&ctx).await })
    }
}

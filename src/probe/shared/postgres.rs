//! What the PostgreSQL probe kinds share: the `environment`, `connect_timeout` and
//! `query_timeout` parameters, the database target of an environment, and opening a
//! session whose failure is reported in plain words. Connections are made in-process;
//! a password never leaves its `Secret`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::base::secret::Secret;
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::context::{EnvironmentChoice, EnvironmentError};
use crate::probe::{ProbeContext, ProbeOutcome};
use crate::system::postgres::{self, QueryError, Session, Target, TargetError};

/// Well-known default credentials: the guides' development defaults and PostgreSQL's
/// (tried by `postgres-login-rejected`, refused by `password-policy`).
pub const DEFAULT_CREDENTIALS: &[(&str, &str)] = &[
    ("contextforge", "contextforge"),
    ("contextforge_dev", "contextforge"),
    ("postgres", "postgres"),
    ("postgres", "password"),
];

/// `environment`: which database, by environment name.
pub const ENVIRONMENT: ParamSpec = ParamSpec {
    name: "environment",
    ty: ParamType::String,
    required: false,
    default: None,
    doc: "The environment to connect to: a name from preflight.toml (production reads PG_* variables by default) [default: the run's environment: `--env`, production unless given].",
};

/// `connect_timeout`.
pub const CONNECT_TIMEOUT: ParamSpec = ParamSpec {
    name: "connect_timeout",
    ty: ParamType::Duration,
    required: false,
    default: Some("\"3s\""),
    doc: "How long connecting (TCP, TLS and authentication) may take.",
};

/// `query_timeout`.
pub const QUERY_TIMEOUT: ParamSpec = ParamSpec {
    name: "query_timeout",
    ty: ParamType::Duration,
    required: false,
    default: Some("\"3s\""),
    doc: "How long each query may take.",
};

/// Where and how a probe connects.
#[derive(Debug, Clone)]
pub struct Connection {
    /// The environment: the checklist's, or the run's.
    pub environment: EnvironmentChoice,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Per-query timeout.
    pub query_timeout: Duration,
}

impl Connection {
    /// Reads the shared parameters.
    pub fn from_params(p: &Params) -> Result<Connection, ParamError> {
        Ok(Connection {
            environment: EnvironmentChoice::from_params(p)?,
            connect_timeout: p.duration_or_default("connect_timeout")?,
            query_timeout: p.duration_or_default("query_timeout")?,
        })
    }

    /// The environment's target, or an `error` outcome saying what is missing. An
    /// environment with no host at all is not configured: the probe is `skipped` and
    /// points to the `environment` kind, so a fresh project reads one clear next step
    /// instead of the same error from every database probe.
    pub async fn target(&self, ctx: &ProbeContext) -> Result<Target, ProbeOutcome> {
        target(self.environment.name(ctx), ctx).await.map_err(|e| match e {
            LookupError::Target(TargetError::NoHost { env }) => ProbeOutcome::skipped(format!(
                "environment `{env}` is not configured (no host): the `environment` check says what to set"
            )),
            e => ProbeOutcome::error(e.to_string()),
        })
    }

    /// The run's session to a target (shared with the run's other probes that read
    /// the same server with the same credentials); a failure becomes an `error`
    /// outcome (the probe could not check what it was asked to).
    pub async fn open(
        &self,
        ctx: &ProbeContext,
        target: &Target,
    ) -> Result<Arc<Session>, ProbeOutcome> {
        ctx.sessions
            .session(target, self.connect_timeout, self.query_timeout)
            .await
            .map_err(|e| ProbeOutcome::error(format!("cannot connect: {e}")))
    }

    /// Resolves the environment and connects (or shares the run's session).
    pub async fn session(
        &self,
        ctx: &ProbeContext,
    ) -> Result<(Target, Arc<Session>), ProbeOutcome> {
        let target = self.target(ctx).await?;
        let session = self.open(ctx, &target).await?;
        Ok((target, session))
    }
}

/// Why an environment names no database to connect to, or no credentials.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// The environment could not be read.
    #[error(transparent)]
    Environment(#[from] EnvironmentError),
    /// It was read, and lacks what a connection needs.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// It has no user to try.
    #[error("environment `{0}` has no user")]
    NoUser(String),
}

/// The database of environment `name`: its fields from `preflight.toml` or the guides'
/// defaults (`PG_*` variables for `production`), completed as libpq would.
pub async fn target(name: &str, ctx: &ProbeContext) -> Result<Target, LookupError> {
    let env = ctx.environment(name).await?;
    let home = ctx.vars.get("HOME").map(Path::new);
    Ok(Target::from_resolved(name, env, &ctx.project_dir, home)?)
}

/// Only the user and password of environment `name`: what is needed to try them
/// elsewhere.
pub async fn credentials(
    name: &str,
    ctx: &ProbeContext,
) -> Result<(String, Option<Secret>), LookupError> {
    let env = ctx.environment(name).await?;
    let user = env
        .user
        .filter(|u| !u.is_empty())
        .ok_or_else(|| LookupError::NoUser(name.to_string()))?;
    Ok((user, env.password))
}

/// A query failure as an `error` outcome; permission errors name what is needed.
pub fn query_error(what: &str, needs: &str, e: QueryError) -> ProbeOutcome {
    if e.is_permission_denied() {
        ProbeOutcome::error(format!(
            "cannot read {what}: permission denied; it needs {needs}"
        ))
    } else {
        ProbeOutcome::error(format!("cannot read {what}: {e}"))
    }
}

/// The `checks` parameter of a kind whose checks are named in `known`: each named
/// check, in the order given; an unknown name or an empty list is an error.
pub fn checks_param(p: &Params, known: &[&'static str]) -> Result<Vec<&'static str>, ParamError> {
    let mut checks = Vec::new();
    for name in p.string_list_or_default("checks")? {
        let check = known.iter().find(|k| **k == name).ok_or_else(|| {
            ParamError::new(
                "checks",
                format!("unknown check `{name}` (expected {})", known.join(", ")),
            )
        })?;
        checks.push(*check);
    }
    if checks.is_empty() {
        return Err(ParamError::new("checks", "names no check"));
    }
    Ok(checks)
}

/// A query whose rows are findings (one text column each), and what it looks at.
pub struct FindingQuery<'a> {
    /// What it reads, for the summary and errors (`database privileges`).
    pub looks_at: &'static str,
    /// The SQL.
    pub sql: &'static str,
    /// Its parameters.
    pub params: Vec<&'a (dyn postgres::ToSql + Sync)>,
    /// Whether it reads one database's catalogs (schemas, tables, functions), so that
    /// it runs in every database; otherwise it reads shared catalogs once.
    pub per_database: bool,
}

/// How a kind words the outcome of its finding queries.
pub struct FindingWords {
    /// The pass summary's opening (`nothing granted too widely`).
    pub none: &'static str,
    /// One finding, and several (`grant too wide`, `grants too wide`).
    pub one: &'static str,
    /// Several findings.
    pub many: &'static str,
}

/// `every_database`: whether per-database checks run in every database.
pub const EVERY_DATABASE: ParamSpec = ParamSpec {
    name: "every_database",
    ty: ParamType::Bool,
    required: false,
    default: Some("true"),
    doc: "Run the per-database checks in every database that accepts connections (connecting to each), not only the environment's; a database this role may not connect to makes the probe an error, never a pass.",
};

/// Runs the per-database queries of `queries` in `session`, each finding prefixed with
/// the database's name.
async fn findings_in(
    session: &Session,
    database: &str,
    queries: &[FindingQuery<'_>],
    shared_too: bool,
) -> Result<Vec<String>, ProbeOutcome> {
    let mut findings = Vec::new();
    for q in queries.iter().filter(|q| q.per_database || shared_too) {
        let rows = session
            .query(q.sql, &q.params)
            .await
            .map_err(|e| query_error(q.looks_at, "any role (the catalogs are public)", e))?;
        findings.extend(rows.iter().map(|r| {
            let finding: String = r.get(0);
            if q.per_database {
                format!("database {database}: {finding}")
            } else {
                finding
            }
        }));
    }
    Ok(findings)
}

/// Runs finding queries over catalogs every role may read: `pass` naming what was
/// looked at (and in which databases) when none finds anything, else `fail` with
/// each finding. With `every_database`, per-database queries also run in every other
/// database that accepts connections; an unreadable catalog or a database that could
/// not be checked is an `error`, never a pass.
pub async fn run_finding_queries(
    ctx: &ProbeContext,
    connection: &Connection,
    session: &Session,
    target: &Target,
    queries: Vec<FindingQuery<'_>>,
    words: &FindingWords,
    every_database: bool,
) -> ProbeOutcome {
    let mut findings = match findings_in(session, &target.database, &queries, true).await {
        Ok(f) => f,
        Err(outcome) => return outcome,
    };
    let mut checked = vec![target.database.clone()];
    let mut unchecked: Vec<String> = Vec::new();
    if every_database && queries.iter().any(|q| q.per_database) {
        let others = match session
            .query(
                "select datname::text, has_database_privilege(oid, 'CONNECT') from pg_database \
                 where datallowconn and datname <> current_database() order by 1",
                &[],
            )
            .await
        {
            Ok(rows) => rows,
            Err(e) => return query_error("pg_database", "any role (pg_database is public)", e),
        };
        let visits = others.iter().map(|row| {
            let database: String = row.get(0);
            let may_connect: bool = row.get(1);
            let queries = &queries;
            async move {
                if !may_connect {
                    return (
                        database.clone(),
                        Err(format!(
                            "this role may not connect to it (GRANT CONNECT ON DATABASE {database} TO {})",
                            target.user
                        )),
                    );
                }
                let mut there = target.clone();
                there.database.clone_from(&database);
                let result = match connection.open(ctx, &there).await {
                    Ok(session) => findings_in(&session, &database, queries, false)
                        .await
                        .map_err(|o| o.summary),
                    Err(o) => Err(o.summary),
                };
                (database, result)
            }
        });
        for (database, result) in futures_util::future::join_all(visits).await {
            match result {
                Ok(found) => {
                    findings.extend(found);
                    checked.push(database);
                }
                Err(why) => unchecked.push(format!("database {database} not checked: {why}")),
            }
        }
    }
    let looked_at: Vec<&str> = queries.iter().map(|q| q.looks_at).collect();
    let scope = if checked.len() == 1 {
        format!("database {}", checked[0])
    } else {
        format!("{} databases: {}", checked.len(), checked.join(", "))
    };
    if !findings.is_empty() {
        ProbeOutcome::fail(format!(
            "{} {} on {target}",
            findings.len(),
            if findings.len() == 1 {
                words.one
            } else {
                words.many
            }
        ))
        .with_evidence(
            findings
                .into_iter()
                .map(|f| crate::probe::Evidence::note(f).failing())
                .chain(unchecked.into_iter().map(crate::probe::Evidence::note)),
        )
    } else if !unchecked.is_empty() {
        ProbeOutcome::error(format!(
            "{} of {} databases could not be checked on {target}",
            unchecked.len(),
            unchecked.len() + checked.len()
        ))
        .with_evidence(unchecked.into_iter().map(crate::probe::Evidence::note))
    } else {
        ProbeOutcome::pass(format!(
            "{} on {target} (checked: {}; in {scope})",
            words.none,
            looked_at.join(", ")
        ))
    }
}

/// Server settings as this role sees them.
#[derive(Debug, Default)]
pub struct Settings {
    values: BTreeMap<String, String>,
    sees_all: bool,
}

impl Settings {
    /// A setting's value (`pg_settings.setting`), if this role can see it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Whether `name` is missing only because this role may not see it (superuser-only
    /// settings without `pg_read_all_settings`), not because the server lacks it.
    pub fn hidden(&self, name: &str) -> bool {
        !self.sees_all && !self.values.contains_key(name)
    }
}

/// Reads settings by name; says which missing ones are hidden from this role.
pub async fn read_settings(session: &Session, names: &[&str]) -> Result<Settings, QueryError> {
    let names: Vec<String> = names.iter().map(|n| (*n).to_string()).collect();
    let rows = session
        .query(
            "select name, setting from pg_settings where name = any($1)",
            &[&names],
        )
        .await?;
    let values: BTreeMap<String, String> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    // A setting missing from pg_settings may only be hidden from this role.
    let sees_all = names.iter().all(|n| values.contains_key(n)) || {
        let rows = session
            .query(
                "select r.rolsuper or pg_has_role(current_user, 'pg_read_all_settings', 'member') \
                 from pg_roles r where r.rolname = current_user",
                &[],
            )
            .await?;
        rows.first().is_none_or(|r| r.get::<_, bool>(0))
    };
    Ok(Settings { values, sees_all })
}

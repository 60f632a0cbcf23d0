//! `postgres-code`: the code the database runs on the caller's behalf is safe:
//! `SECURITY DEFINER` functions (outside extensions and the system schemas) fix their
//! `search_path` (otherwise a caller's objects can hijack them); no untrusted
//! procedural language is installed (its functions run as the server's operating
//! system user); no risky extension (`dblink`, `file_fdw`, `adminpack`, …) is
//! installed unless allowed. Read from the catalogs, which every role may read, in
//! every database that accepts connections (unless `every_database = false`).
//! `checks` picks which.

use std::sync::Arc;

use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::postgres::{
    CONNECT_TIMEOUT, Connection, ENVIRONMENT, EVERY_DATABASE, FindingQuery, FindingWords,
    QUERY_TIMEOUT, checks_param, run_finding_queries,
};
use crate::probe::{Probe, ProbeContext, ProbeFuture, ProbeOutcome};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "postgres-code",
    summary: "SECURITY DEFINER functions fix search_path; no untrusted languages; no risky extensions unless allowed.",
    params: &[
        ParamSpec {
            name: "checks",
            ty: ParamType::StringList,
            required: false,
            default: Some("[\"security_definer\", \"untrusted_languages\", \"extensions\"]"),
            doc: "Which checks to make: `security_definer` (every SECURITY DEFINER function outside extensions sets search_path), `untrusted_languages` (none installed), `extensions` (none of `risky_extensions` installed unless in `allowed_extensions`).",
        },
        ParamSpec {
            name: "risky_extensions",
            ty: ParamType::StringList,
            required: false,
            default: Some(
                "[\"adminpack\", \"dblink\", \"file_fdw\", \"postgres_fdw\", \"lo\", \"pageinspect\", \"pg_buffercache\", \"pgrowlocks\", \"pgstattuple\", \"plperlu\", \"plpython3u\", \"pltclu\", \"untrusted\"]",
            ),
            doc: "Extensions that reach the server's files, other servers or internals.",
        },
        ParamSpec {
            name: "allowed_extensions",
            ty: ParamType::StringList,
            required: false,
            default: Some("[]"),
            doc: "Risky extensions this database needs on purpose.",
        },
        EVERY_DATABASE,
        ENVIRONMENT,
        CONNECT_TIMEOUT,
        QUERY_TIMEOUT,
    ],
    build: |p| Ok(Arc::new(CodeProbe::from_params(p)?)),
};

/// Each check: its name, what it looks at, and the query listing what is wrong.
const CHECKS: &[(&str, &str, &str)] = &[
    (
        "security_definer",
        "SECURITY DEFINER functions",
        "select format('function %I.%I(%s) is SECURITY DEFINER without a fixed search_path (ALTER FUNCTION … SET search_path = …)', \
           n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) \
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace \
         where p.prosecdef \
         and not exists (select 1 from unnest(coalesce(p.proconfig, '{}'::text[])) c where c like 'search\\_path=%') \
         and n.nspname not in ('pg_catalog', 'information_schema') \
         and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e') \
         order by 1",
    ),
    (
        "untrusted_languages",
        "procedural languages",
        "select format('untrusted language %I is installed (its functions run as the server''s operating system user)', lanname) \
         from pg_language where not lanpltrusted and lanname not in ('c', 'internal') order by 1",
    ),
    (
        "extensions",
        "extensions",
        "select format('extension %I %s is installed', extname, extversion) \
         from pg_extension where extname = any($1) and not (extname = any($2)) order by 1",
    ),
];

/// The configured probe.
#[derive(Debug)]
pub struct CodeProbe {
    connection: Connection,
    checks: Vec<&'static str>,
    risky: Vec<String>,
    allowed: Vec<String>,
    every_database: bool,
}

impl CodeProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let known: Vec<&'static str> = CHECKS.iter().map(|(name, ..)| *name).collect();
        Ok(CodeProbe {
            connection: Connection::from_params(p)?,
            checks: checks_param(p, &known)?,
            risky: p.string_list_or_default("risky_extensions")?,
            allowed: p.string_list_or_default("allowed_extensions")?,
            every_database: p.bool_or_default("every_database")?,
        })
    }

    async fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let (target, session) = match self.connection.session(ctx).await {
            Ok(s) => s,
            Err(outcome) => return outcome,
        };
        let queries = CHECKS
            .iter()
            .filter(|(name, ..)| self.checks.contains(name))
            .map(|&(name, looks_at, sql)| FindingQuery {
                looks_at,
                sql,
                params: if name == "extensions" {
                    vec![&self.risky, &self.allowed]
                } else {
                    Vec::new()
                },
                per_database: true,
            })
            .collect();
        let words = FindingWords {
            none: "no unsafe code",
            one: "finding",
            many: "findings",
        };
        run_finding_queries(
            ctx,
            &self.connection,
            &session,
            &target,
            queries,
            &words,
            self.every_database,
        )
        .await
    }
}

impl Probe for CodeProbe {
    fn environment<'a>(&'a self, ctx: &'a ProbeContext) -> Option<&'a str> {
        Some(self.connection.environment.name(ctx))
    }

    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        Box::pin(async move { self.check(&ctx).await })
    }
}

//! `postgres-privileges`: what PUBLIC (every role, present and future) and grantees
//! may do, read from the catalogs' access lists with `aclexplode` (an empty list is the
//! built-in default, `acldefault`): no CREATE or TEMPORARY for PUBLIC on any database;
//! no CREATE for PUBLIC on schema `public`; no table, view or sequence privilege
//! granted to PUBLIC; no privilege granted WITH GRANT OPTION to another role; no
//! default privileges (`ALTER DEFAULT PRIVILEGES`) that grant to PUBLIC. The
//! per-database checks run in every database that accepts connections (each is
//! connected to), unless `every_database = false`. The catalogs are readable by every
//! role, so an unprivileged connection can run every check. `checks` picks which.

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
    name: "postgres-privileges",
    summary: "Nothing granted to PUBLIC (database CREATE/TEMP, CREATE on schema public, tables, default privileges), no WITH GRANT OPTION.",
    params: &[
        ParamSpec {
            name: "checks",
            ty: ParamType::StringList,
            required: false,
            default: Some(
                "[\"databases\", \"public_schema\", \"tables\", \"grant_option\", \"default_privileges\"]",
            ),
            doc: "Which checks to make: `databases` (PUBLIC has no CREATE or TEMPORARY on any database), `public_schema` (PUBLIC may not CREATE in schema public), `tables` (no table, view or sequence privilege for PUBLIC outside the system schemas), `grant_option` (no privilege on them WITH GRANT OPTION to a role other than the owner), `default_privileges` (no ALTER DEFAULT PRIVILEGES granting to PUBLIC).",
        },
        EVERY_DATABASE,
        ENVIRONMENT,
        CONNECT_TIMEOUT,
        QUERY_TIMEOUT,
    ],
    build: |p| Ok(Arc::new(PrivilegesProbe::from_params(p)?)),
};

/// One check: its name, what it looked at, and the query listing what is wrong
/// (one text column per finding).
struct Check {
    name: &'static str,
    looked_at: &'static str,
    query: &'static str,
    per_database: bool,
}

const CHECKS: &[Check] = &[
    Check {
        name: "databases",
        looked_at: "database privileges",
        query: "select format('database %I: PUBLIC has %s', d.datname, a.privilege_type) \
                from pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a \
                where a.grantee = 0 and a.privilege_type in ('CREATE', 'TEMPORARY') \
                and d.datallowconn order by 1",
        per_database: false,
    },
    Check {
        name: "public_schema",
        looked_at: "schema public",
        query: "select 'schema public: PUBLIC may CREATE in it' \
                from pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a \
                where n.nspname = 'public' and a.grantee = 0 and a.privilege_type = 'CREATE'",
        per_database: true,
    },
    Check {
        name: "tables",
        looked_at: "table privileges",
        query: "select format('%s %I.%I: PUBLIC has %s', \
                  case c.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view' else 'table' end, \
                  n.nspname, c.relname, string_agg(a.privilege_type, ', ' order by a.privilege_type)) \
                from pg_class c join pg_namespace n on n.oid = c.relnamespace, aclexplode(c.relacl) a \
                where a.grantee = 0 and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') \
                and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%' \
                group by c.relkind, n.nspname, c.relname order by 1",
        per_database: true,
    },
    Check {
        name: "grant_option",
        looked_at: "grant options",
        query: "select format('%I.%I: %s may grant %s to others (WITH GRANT OPTION)', \
                  n.nspname, c.relname, pg_get_userbyid(a.grantee), string_agg(a.privilege_type, ', ' order by a.privilege_type)) \
                from pg_class c join pg_namespace n on n.oid = c.relnamespace, aclexplode(c.relacl) a \
                where a.is_grantable and a.grantee <> c.relowner and a.grantee <> 0 \
                and n.nspname not in ('pg_catalog', 'information_schema') \
                group by n.nspname, c.relname, a.grantee order by 1",
        per_database: true,
    },
    Check {
        name: "default_privileges",
        looked_at: "default privileges",
        query: "select format('default privileges of %s%s on new %s: PUBLIC gets %s', \
                  pg_get_userbyid(d.defaclrole), \
                  coalesce(' in schema ' || quote_ident(n.nspname), ''), \
                  case d.defaclobjtype when 'r' then 'tables' when 'S' then 'sequences' when 'f' then 'functions' \
                    when 'T' then 'types' when 'n' then 'schemas' else d.defaclobjtype::text end, \
                  string_agg(a.privilege_type, ', ' order by a.privilege_type)) \
                from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a \
                where a.grantee = 0 and d.defaclobjtype in ('r', 'S', 'n') \
                group by d.defaclrole, n.nspname, d.defaclobjtype order by 1",
        per_database: true,
    },
];

/// The configured probe.
#[derive(Debug)]
pub struct PrivilegesProbe {
    connection: Connection,
    checks: Vec<&'static str>,
    every_database: bool,
}

impl PrivilegesProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let known: Vec<&'static str> = CHECKS.iter().map(|c| c.name).collect();
        Ok(PrivilegesProbe {
            connection: Connection::from_params(p)?,
            checks: checks_param(p, &known)?,
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
            .filter(|c| self.checks.contains(&c.name))
            .map(|c| FindingQuery {
                looks_at: c.looked_at,
                sql: c.query,
                params: Vec::new(),
                per_database: c.per_database,
            })
            .collect();
        let words = FindingWords {
            none: "nothing granted too widely",
            one: "grant too wide",
            many: "grants too wide",
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

impl Probe for PrivilegesProbe {
    fn environment<'a>(&'a self, ctx: &'a ProbeContext) -> Option<&'a str> {
        Some(self.connection.environment.name(ctx))
    }

    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        Box::pin(async move { self.check(&ctx).await })
    }
}

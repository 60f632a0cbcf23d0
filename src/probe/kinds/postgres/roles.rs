//! `postgres-roles`: the application role has only what it needs (not superuser; no
//! CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS; no CREATE on schema `public`),
//! roles that must be gone are gone (or can no longer connect), no login role lacks a
//! password, superusers are few, and stored password hashes are SCRAM; for hardening,
//! every login role (not only the application's): no risky attribute, no membership in
//! the roles that reach the server's files and programs or every table, an expiry
//! date, a connection limit, outside `privileged_roles`. `checks` picks which. All
//! but the password checks read `pg_roles` and `pg_auth_members`, which every role
//! may; the password checks need to read `pg_authid` (a superuser); a role that cannot
//! makes the probe `error` (never a pass that did not look), unless something else
//! already fails.

use std::sync::Arc;

use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::postgres::{
    CONNECT_TIMEOUT, Connection, ENVIRONMENT, QUERY_TIMEOUT, checks_param, query_error,
};
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome};
use crate::system::postgres::{QueryError, Row, Session};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "postgres-roles",
    summary: "Least privilege: the app role's attributes and rights, absent roles, password-less logins, superuser count, SCRAM hashes.",
    params: &[
        ParamSpec {
            name: "app_role",
            ty: ParamType::String,
            required: false,
            default: None,
            doc: "The application's role [default: the environment's user].",
        },
        ParamSpec {
            name: "absent",
            ty: ParamType::StringList,
            required: false,
            default: None,
            doc: "Roles that must not exist, or at least not be able to log in and connect (e.g. the default `contextforge`).",
        },
        ParamSpec {
            name: "absent_users_of",
            ty: ParamType::StringList,
            required: false,
            default: None,
            doc: "Environments whose users must not exist here either (e.g. [\"development\"]: the development user's password is known to every developer).",
        },
        ParamSpec {
            name: "checks",
            ty: ParamType::StringList,
            required: false,
            default: Some("[\"privileges\", \"absent\", \"superusers\", \"passwords\"]"),
            doc: "Which checks to make: `privileges` (the app role's attributes and CREATE on public), `absent` (the roles in `absent`), `superusers` (at most `max_superusers`), `passwords` (no login role without a password, only SCRAM hashes; needs a superuser to read pg_authid); for hardening, outside `privileged_roles`: `login_roles` (no login role with SUPERUSER, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS), `server_roles` (no role in pg_execute_server_program, pg_read_server_files, pg_write_server_files, pg_read_all_data or pg_write_all_data), `expiry` (every login role has VALID UNTIL), `connection_limits` (every login role has a CONNECTION LIMIT); `replication` (every non-superuser REPLICATION role is replication-only: no CREATEROLE, CREATEDB or BYPASSRLS; no streaming replication connection authenticates as a superuser).",
        },
        ParamSpec {
            name: "privileged_roles",
            ty: ParamType::StringList,
            required: false,
            default: Some("[\"postgres\"]"),
            doc: "Roles the hardening checks (`login_roles`, `server_roles`, `expiry`, `connection_limits`) leave alone: the administrators (`postgres`; `azure_pg_admin` members on Azure, `rds_superuser` on RDS) and a replication role.",
        },
        ParamSpec {
            name: "max_superusers",
            ty: ParamType::Integer,
            required: false,
            default: Some("1"),
            doc: "At most this many superuser roles.",
        },
        ENVIRONMENT,
        CONNECT_TIMEOUT,
        QUERY_TIMEOUT,
    ],
    build: |p| Ok(Arc::new(RolesProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct RolesProbe {
    connection: Connection,
    app_role: Option<String>,
    absent: Vec<String>,
    absent_users_of: Vec<String>,
    max_superusers: i64,
    checks: Vec<Check>,
    privileged: Vec<String>,
}

/// One group of checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Privileges,
    Absent,
    Superusers,
    Passwords,
    LoginRoles,
    ServerRoles,
    Expiry,
    ConnectionLimits,
    Replication,
}

impl Check {
    const ALL: [(&'static str, Check); 9] = [
        ("privileges", Check::Privileges),
        ("absent", Check::Absent),
        ("superusers", Check::Superusers),
        ("passwords", Check::Passwords),
        ("login_roles", Check::LoginRoles),
        ("server_roles", Check::ServerRoles),
        ("expiry", Check::Expiry),
        ("connection_limits", Check::ConnectionLimits),
        ("replication", Check::Replication),
    ];
}

/// The predefined roles that reach the server's programs and files, or every table.
const SERVER_ROLES: &[&str] = &[
    "pg_execute_server_program",
    "pg_read_server_files",
    "pg_write_server_files",
    "pg_read_all_data",
    "pg_write_all_data",
];

impl RolesProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let max_superusers = p.integer_or_default("max_superusers")?;
        if max_superusers < 0 {
            return Err(ParamError::new("max_superusers", "cannot be negative"));
        }
        let names: Vec<&'static str> = Check::ALL.iter().map(|(name, _)| *name).collect();
        let checks: Vec<Check> = checks_param(p, &names)?
            .into_iter()
            .filter_map(|name| Check::ALL.iter().find(|(n, _)| *n == name).map(|(_, c)| *c))
            .collect();
        let absent = p.string_list("absent")?.unwrap_or_default();
        let absent_users_of = p.string_list("absent_users_of")?.unwrap_or_default();
        if checks == [Check::Absent] && absent.is_empty() && absent_users_of.is_empty() {
            return Err(ParamError::new(
                "checks",
                "only `absent` is checked, but neither `absent` nor `absent_users_of` names a role",
            ));
        }
        Ok(RolesProbe {
            connection: Connection::from_params(p)?,
            app_role: p.string("app_role")?.map(str::to_string),
            absent,
            absent_users_of,
            max_superusers,
            checks,
            privileged: p.string_list_or_default("privileged_roles")?,
        })
    }

    async fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let (target, session) = match self.connection.session(ctx).await {
            Ok(s) => s,
            Err(outcome) => return outcome,
        };
        let app = self.app_role.clone().unwrap_or_else(|| target.user.clone());
        let mut problems: Vec<String> = Vec::new();
        let mut evidence: Vec<Evidence> = Vec::new();
        let mut note = |problem: bool, text: String, problems: &mut Vec<String>| {
            if problem {
                problems.push(text.clone());
            }
            evidence.push(if problem {
                Evidence::note(text).failing()
            } else {
                Evidence::note(text).passing()
            });
        };

        let wants = |c: Check| self.checks.contains(&c);
        let mut checked: Vec<String> = Vec::new();
        // The roles that must be gone: named ones, and the users of other environments
        // (whose passwords are known to more people).
        let mut absent = self.absent.clone();
        for env in self.absent_users_of.iter().filter(|_| wants(Check::Absent)) {
            match ctx.environment(env).await.ok().and_then(|e| e.user) {
                Some(user) if user == target.user => note(
                    true,
                    format!(
                        "the {env} user `{user}` is also the user here: give this environment its own"
                    ),
                    &mut problems,
                ),
                Some(user) => absent.push(user),
                None => note(
                    false,
                    format!("environment `{env}` names no user to look for"),
                    &mut problems,
                ),
            }
        }
        if self.checks == [Check::Absent] && absent.is_empty() && problems.is_empty() {
            return ProbeOutcome::skipped(
                "no role to look for: `absent` is empty and the environments in `absent_users_of` name no user",
            );
        }
        if wants(Check::Privileges) {
            checked.push(format!("the privileges of `{app}`"));
            match app_role(&session, &app).await {
                Err(e) => return query_error("pg_roles", "a role that can read pg_roles", e),
                Ok(None) => note(
                    true,
                    format!("the application role `{app}` does not exist"),
                    &mut problems,
                ),
                Ok(Some(attrs)) => {
                    if attrs.is_empty() {
                        note(
                            false,
                            format!(
                                "`{app}` has no superuser, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS attribute"
                            ),
                            &mut problems,
                        );
                    } else {
                        note(
                            true,
                            format!(
                                "`{app}` has {}: more than an application needs",
                                attrs.join(", ")
                            ),
                            &mut problems,
                        );
                    }
                }
            }
            match session
                .query(
                    "select has_schema_privilege($1, 'public', 'CREATE')",
                    &[&app],
                )
                .await
            {
                Ok(rows) if rows.first().is_some_and(|r| r.get::<_, bool>(0)) => note(
                    true,
                    format!(
                        "`{app}` may CREATE in schema public (REVOKE CREATE ON SCHEMA public FROM PUBLIC)"
                    ),
                    &mut problems,
                ),
                Ok(_) => note(
                    false,
                    format!("`{app}` may not CREATE in schema public"),
                    &mut problems,
                ),
                // The role does not exist: already reported.
                Err(_) => {}
            }
        }
        if wants(Check::Absent) && !absent.is_empty() {
            checked.push(format!(
                "{} role{} that must be gone",
                absent.len(),
                if absent.len() == 1 { "" } else { "s" }
            ));
        }
        for role in absent.iter().filter(|_| wants(Check::Absent)) {
            let rows = session
                .query(
                    "select rolcanlogin, has_database_privilege(oid, current_database(), 'CONNECT') from pg_roles where rolname = $1",
                    &[role],
                )
                .await;
            match rows {
                Err(e) => return query_error("pg_roles", "a role that can read pg_roles", e),
                Ok(rows) => match rows.first() {
                    None => note(
                        false,
                        format!("role `{role}` does not exist"),
                        &mut problems,
                    ),
                    Some(r) if r.get::<_, bool>(0) && r.get::<_, bool>(1) => note(
                        true,
                        format!(
                            "role `{role}` still exists and can log in to this database (DROP it, or REVOKE CONNECT)"
                        ),
                        &mut problems,
                    ),
                    Some(_) => note(
                        false,
                        format!("role `{role}` exists but can no longer log in to this database"),
                        &mut problems,
                    ),
                },
            }
        }
        if wants(Check::Superusers) {
            checked.push("the superusers".to_string());
            match session
                .query(
                    "select rolname from pg_roles where rolsuper order by rolname",
                    &[],
                )
                .await
            {
                Err(e) => return query_error("pg_roles", "a role that can read pg_roles", e),
                Ok(rows) => {
                    let names: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
                    note(
                        names.len() as i64 > self.max_superusers,
                        format!(
                            "{} superuser role{} ({}); at most {} allowed",
                            names.len(),
                            if names.len() == 1 { "" } else { "s" },
                            names.join(", "),
                            self.max_superusers
                        ),
                        &mut problems,
                    );
                }
            }
        }
        match self.hardening(&session, &mut checked).await {
            Ok(findings) => {
                for text in findings {
                    note(true, text, &mut problems);
                }
            }
            Err(e) => {
                return query_error(
                    "pg_roles",
                    "any role (pg_roles and pg_auth_members are public)",
                    e,
                );
            }
        }
        let mut passwords_unchecked = false;
        if wants(Check::Passwords) {
            const STORED: &str = "select rolname, rolcanlogin, rolpassword is null, coalesce(rolpassword like 'SCRAM-SHA-256$%', false) from pg_authid order by rolname";
            match session.query(STORED, &[]).await {
                Err(_) => {
                    passwords_unchecked = true;
                    let text = "password checks not made: reading pg_authid needs a superuser";
                    note(false, text.to_string(), &mut problems);
                }
                Ok(rows) => {
                    checked.push("the stored passwords".to_string());
                    for r in rows {
                        let name: String = r.get(0);
                        let (login, no_password, scram): (bool, bool, bool) =
                            (r.get(1), r.get(2), r.get(3));
                        if login && no_password {
                            let text = format!("login role `{name}` has no password");
                            note(true, text, &mut problems);
                        } else if !no_password && !scram {
                            let text = format!(
                                "role `{name}` has a password hash that is not SCRAM-SHA-256 (set it again with password_encryption = scram-sha-256)"
                            );
                            note(true, text, &mut problems);
                        }
                    }
                }
            }
        }
        if problems.is_empty() && passwords_unchecked {
            ProbeOutcome::error(format!(
                "the password checks were not made on {target}: reading pg_authid needs a superuser; run this probe with an `environment` that connects as one, or leave `passwords` out of `checks`{}",
                if checked.is_empty() {
                    String::new()
                } else {
                    format!(" (nothing wrong in {})", checked.join(", "))
                }
            ))
            .with_evidence(evidence)
        } else if problems.is_empty() {
            ProbeOutcome::pass(format!(
                "roles on {target} follow least privilege (checked: {})",
                checked.join(", ")
            ))
            .with_evidence(evidence)
        } else {
            ProbeOutcome::fail(format!(
                "{} role problem{} on {target}: {}",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" },
                problems.join("; ")
            ))
            .with_evidence(evidence)
        }
    }
}

impl RolesProbe {
    /// The hardening checks over every login role outside `privileged_roles`: what
    /// is wrong, in words.
    async fn hardening(
        &self,
        session: &Session,
        checked: &mut Vec<String>,
    ) -> Result<Vec<String>, QueryError> {
        let mut found = Vec::new();
        let mut note = |text: String| found.push(text);
        let wants = |c: Check| self.checks.contains(&c);
        if !(wants(Check::LoginRoles)
            || wants(Check::ServerRoles)
            || wants(Check::Expiry)
            || wants(Check::ConnectionLimits)
            || wants(Check::Replication))
        {
            return Ok(Vec::new());
        }
        let rows = session
            .query(
                "select rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, \
                 rolvaliduntil is not null and rolvaliduntil < 'infinity', rolconnlimit \
                 from pg_roles where rolcanlogin and rolname not like 'pg\\_%' order by rolname",
                &[],
            )
            .await?;
        let roles: Vec<(String, Vec<&str>, bool, i32)> = rows
            .iter()
            .map(|r| (r.get(0), risky_attributes(r, 1), r.get(6), r.get(7)))
            .filter(|(name, ..)| !self.privileged.contains(name))
            .collect();
        let scope = format!(
            "{} login role{} outside privileged_roles",
            roles.len(),
            if roles.len() == 1 { "" } else { "s" }
        );
        if wants(Check::LoginRoles) {
            checked.push(format!("the attributes of {scope}"));
            for (name, attributes, ..) in roles.iter().filter(|r| !r.1.is_empty()) {
                note(format!(
                    "login role `{name}` has {} (only privileged_roles may)",
                    attributes.join(", ")
                ));
            }
        }
        if wants(Check::ServerRoles) {
            checked.push("membership in the server-access roles".to_string());
            // Those this server has (pg_read_all_data and pg_write_all_data: 14 and later).
            let present: Vec<String> = session
                .query(
                    "select rolname from pg_roles where rolname = any($1) order by rolname",
                    &[&SERVER_ROLES
                        .iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>()],
                )
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let members = session
                .query(
                    "select r.rolname, s.rolname from pg_roles r cross join pg_roles s \
                     where s.rolname = any($1) and r.rolname <> s.rolname and r.rolname not like 'pg\\_%' \
                     and pg_has_role(r.oid, s.oid, 'member') order by 1, 2",
                    &[&present],
                )
                .await?;
            for row in &members {
                let (role, server): (String, String) = (row.get(0), row.get(1));
                if !self.privileged.contains(&role) {
                    note(format!("role `{role}` is a member of {server}"));
                }
            }
        }
        if wants(Check::Expiry) {
            checked.push(format!("the expiry of {scope}"));
            for (name, ..) in roles.iter().filter(|r| !r.2) {
                note(format!(
                    "login role `{name}` never expires (ALTER ROLE … VALID UNTIL '…')"
                ));
            }
        }
        if wants(Check::ConnectionLimits) {
            checked.push(format!("the connection limits of {scope}"));
            for (name, ..) in roles.iter().filter(|r| r.3 < 0) {
                note(format!(
                    "login role `{name}` has no connection limit (ALTER ROLE … CONNECTION LIMIT n)"
                ));
            }
        }
        if wants(Check::Replication) {
            checked.push("the replication roles and connections".to_string());
            let rows = session
                .query(
                    "select rolname, rolcreaterole, rolcreatedb, rolbypassrls from pg_roles \
                     where rolreplication and not rolsuper and rolname not like 'pg\\_%' order by 1",
                    &[],
                )
                .await?;
            for r in &rows {
                let name: String = r.get(0);
                let extra: Vec<&str> = ["CREATEROLE", "CREATEDB", "BYPASSRLS"]
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| r.get::<_, bool>(i + 1))
                    .map(|(_, a)| *a)
                    .collect();
                if !extra.is_empty() {
                    note(format!(
                        "replication role `{name}` also has {}: keep it replication-only",
                        extra.join(", ")
                    ));
                }
            }
            let senders = session
                .query(
                    "select coalesce(host(s.client_addr), 'a local socket'), s.usename::text \
                     from pg_stat_replication s join pg_roles r on r.rolname = s.usename \
                     where r.rolsuper order by 1",
                    &[],
                )
                .await?;
            for r in &senders {
                let (from, user): (String, String) = (r.get(0), r.get(1));
                note(format!(
                    "streaming replication from {from} authenticates as the superuser `{user}` (use a replication-only role)"
                ));
            }
        }
        Ok(found)
    }
}

/// The attributes an application role should not have; queries select them as
/// `rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls`, in this order.
const RISKY_ATTRIBUTES: [&str; 5] = [
    "SUPERUSER",
    "CREATEROLE",
    "CREATEDB",
    "REPLICATION",
    "BYPASSRLS",
];

/// The risky attributes a row holds, read from its columns `first`.. in the order
/// of [`RISKY_ATTRIBUTES`].
fn risky_attributes(row: &Row, first: usize) -> Vec<&'static str> {
    RISKY_ATTRIBUTES
        .iter()
        .enumerate()
        .filter(|(i, _)| row.get::<_, bool>(first + i))
        .map(|(_, name)| *name)
        .collect()
}

/// The risky attributes of a role, or `None` when it does not exist.
async fn app_role(session: &Session, role: &str) -> Result<Option<Vec<&'static str>>, QueryError> {
    let rows = session
        .query(
            "select rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls from pg_roles where rolname = $1",
            &[&role],
        )
        .await?;
    Ok(rows.first().map(|r| risky_attributes(r, 0)))
}

impl Probe for RolesProbe {
    fn environment<'a>(&'a self, ctx: &'a ProbeContext) -> Option<&'a str> {
        Some(self.connection.environment.name(ctx))
    }

    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        Box::pin(async move { self.check(&ctx).await })
    }
}

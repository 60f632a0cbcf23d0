//! `postgres-hba`: the server's effective host-based authentication rules
//! (`pg_hba_file_rules`) are safe: no `trust` or `password` on network lines, no `md5`
//! (SCRAM required), no `0.0.0.0/0` or `::/0` for every database and user, and, with
//! `require_tls`, no plain `host` lines.

use std::sync::Arc;

use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::postgres::{
    CONNECT_TIMEOUT, Connection, ENVIRONMENT, QUERY_TIMEOUT, query_error,
};
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "postgres-hba",
    summary: "pg_hba.conf rules are safe: no trust/password/md5 on network lines, no open 0.0.0.0/0 all/all, TLS-only when required.",
    params: &[
        ParamSpec {
            name: "require_tls",
            ty: ParamType::Bool,
            required: false,
            default: Some("false"),
            doc: "Fail on plain `host` lines (only `hostssl` may accept network connections).",
        },
        ENVIRONMENT,
        CONNECT_TIMEOUT,
        QUERY_TIMEOUT,
    ],
    build: |p| Ok(Arc::new(HbaProbe::from_params(p)?)),
};

/// One rule as the server parsed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HbaRule {
    /// Line in pg_hba.conf.
    pub line: i32,
    /// `local`, `host`, `hostssl`, `hostnossl`, ...
    pub kind: String,
    /// Databases.
    pub databases: Vec<String>,
    /// Users.
    pub users: Vec<String>,
    /// Address (or `all`, `samehost`, ...).
    pub address: Option<String>,
    /// Netmask.
    pub netmask: Option<String>,
    /// Method.
    pub method: Option<String>,
    /// The server's parse error for the line.
    pub error: Option<String>,
}

impl HbaRule {
    fn text(&self) -> String {
        let address = match (&self.address, &self.netmask) {
            (Some(a), Some(m)) => format!(" {a}/{m}"),
            (Some(a), None) => format!(" {a}"),
            _ => String::new(),
        };
        format!(
            "{} {} {}{address} {}",
            self.kind,
            self.databases.join(","),
            self.users.join(","),
            self.method.as_deref().unwrap_or("?")
        )
    }

    fn open_to_everyone(&self) -> bool {
        let any_address = matches!(
            (self.address.as_deref(), self.netmask.as_deref()),
            (Some("all"), _) | (Some("0.0.0.0"), Some("0.0.0.0")) | (Some("::"), Some("::"))
        );
        any_address
            && self.databases.iter().any(|d| d == "all")
            && self.users.iter().any(|u| u == "all")
    }

    /// What is wrong with the rule, if anything.
    pub fn problems(&self, require_tls: bool) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(e) = &self.error {
            out.push(format!("the server cannot use this line: {e}"));
            return out;
        }
        if self.kind == "local" {
            return out;
        }
        match self.method.as_deref() {
            Some("trust") => out.push("`trust` lets anyone connect without a password".to_string()),
            Some("password") => out.push("`password` sends the password in clear text".to_string()),
            Some("md5") => out.push("`md5`: use scram-sha-256".to_string()),
            _ => {}
        }
        if self.open_to_everyone() && self.method.as_deref() != Some("reject") {
            out.push("open to every address for every database and user".to_string());
        }
        if require_tls && self.kind == "host" && self.method.as_deref() != Some("reject") {
            out.push(
                "a plain `host` line accepts connections without TLS (use `hostssl`)".to_string(),
            );
        }
        out
    }
}

/// The configured probe.
#[derive(Debug)]
pub struct HbaProbe {
    connection: Connection,
    require_tls: bool,
}

impl HbaProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        Ok(HbaProbe {
            connection: Connection::from_params(p)?,
            require_tls: p.bool_or_default("require_tls")?,
        })
    }

    async fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let (target, session) = match self.connection.session(ctx).await {
            Ok(s) => s,
            Err(outcome) => return outcome,
        };
        let rows = match session
            .query(
                "select line_number, type, database, user_name, address, netmask, auth_method, error \
                 from pg_hba_file_rules order by line_number",
                &[],
            )
            .await
        {
            Ok(rows) => rows,
            Err(e) => {
                return query_error(
                    "pg_hba_file_rules",
                    "a superuser, or a role granted SELECT on pg_hba_file_rules and EXECUTE on pg_hba_file_rules()",
                    e,
                );
            }
        };
        let rules: Vec<HbaRule> = rows
            .iter()
            .map(|r| HbaRule {
                line: r.get(0),
                kind: r.get(1),
                databases: r.get::<_, Option<Vec<String>>>(2).unwrap_or_default(),
                users: r.get::<_, Option<Vec<String>>>(3).unwrap_or_default(),
                address: r.get(4),
                netmask: r.get(5),
                method: r.get(6),
                error: r.get(7),
            })
            .collect();
        let mut evidence = Vec::new();
        let mut bad = 0;
        for rule in &rules {
            let problems = rule.problems(self.require_tls);
            if !problems.is_empty() {
                bad += 1;
                evidence.push(Evidence::note(format!(
                    "pg_hba.conf:{}: {}: {}",
                    rule.line,
                    rule.text(),
                    problems.join("; ")
                )));
            }
        }
        if bad == 0 {
            ProbeOutcome::pass(format!(
                "{} pg_hba.conf rules on {target}, none unsafe",
                rules.len()
            ))
            .with_evidence(
                rules
                    .iter()
                    .map(|r| Evidence::note(format!("pg_hba.conf:{}: {}", r.line, r.text()))),
            )
        } else {
            ProbeOutcome::fail(format!(
                "{bad} of {} pg_hba.conf rules on {target} are unsafe",
                rules.len()
            ))
            .with_evidence(evidence)
        }
    }
}

impl Probe for HbaProbe {
    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        Box::pin(async move { self.check(&ctx).await })
    }
}

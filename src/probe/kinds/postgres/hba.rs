//! `postgres-hba`: the server's effective host-based authentication rules
//! (`pg_hba_file_rules`, as the server parsed them, not the file's text) are safe:
//! no `trust` or `password` on any line (local sockets included), no `md5` (SCRAM
//! required), no `ident` over the network, no `0.0.0.0/0` or `::/0` for every database
//! and user, no line the server cannot use; with `require_tls`, no plain `host` or
//! `hostnossl` lines; with `max_prefix`/`max_prefix_v6`, no network broader than that;
//! with `remote_superusers = false`, no network line (other than loopback) that admits
//! a superuser or `all` users; with `all_databases = false`, no network line for `all`
//! databases.

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
            doc: "Fail on `host` and `hostnossl` lines (only `hostssl` may accept network connections).",
        },
        ParamSpec {
            name: "max_prefix",
            ty: ParamType::Integer,
            required: false,
            default: Some("0"),
            doc: "The broadest IPv4 network a line may admit, as a prefix length (16 allows a /16, fails a /8); 0 allows any.",
        },
        ParamSpec {
            name: "max_prefix_v6",
            ty: ParamType::Integer,
            required: false,
            default: Some("0"),
            doc: "The broadest IPv6 network a line may admit, as a prefix length (48 allows a /48, fails a /32); 0 allows any.",
        },
        ParamSpec {
            name: "remote_superusers",
            ty: ParamType::Bool,
            required: false,
            default: Some("true"),
            doc: "Whether a network line other than loopback may admit a superuser role or `all` users.",
        },
        ParamSpec {
            name: "all_databases",
            ty: ParamType::Bool,
            required: false,
            default: Some("true"),
            doc: "Whether a network line may name `all` databases (false: each line names its databases).",
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

/// Whether a netmask is a run of ones then zeros (a prefix length).
fn contiguous(mask: &str) -> bool {
    match mask.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(m)) => {
            u32::from(m).leading_ones() == 32 - u32::from(m).trailing_zeros().min(32)
        }
        Ok(std::net::IpAddr::V6(m)) => {
            u128::from(m).leading_ones() == 128 - u128::from(m).trailing_zeros().min(128)
        }
        Err(_) => false,
    }
}

impl HbaRule {
    fn text(&self) -> String {
        // As the file is usually written: CIDR when the mask is one.
        let address = match (&self.address, &self.netmask, self.network()) {
            (Some(a), Some(m), Some((_, prefix))) if contiguous(m) => format!(" {a}/{prefix}"),
            (Some(a), Some(m), _) => format!(" {a}/{m}"),
            (Some(a), None, _) => format!(" {a}"),
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

    /// The network the line admits, as an address and prefix length, when it names one.
    fn network(&self) -> Option<(std::net::IpAddr, u32)> {
        let address: std::net::IpAddr = self.address.as_deref()?.parse().ok()?;
        let prefix = match self.netmask.as_deref()?.parse::<std::net::IpAddr>().ok()? {
            std::net::IpAddr::V4(m) => u32::from(m).leading_ones(),
            std::net::IpAddr::V6(m) => u128::from(m).leading_ones(),
        };
        Some((address, prefix))
    }

    /// Whether the line only admits loopback connections.
    fn loopback_only(&self) -> bool {
        self.network()
            .is_some_and(|(address, prefix)| address.is_loopback() && prefix >= 8)
    }

    /// What is wrong with the rule, if anything.
    pub fn problems(&self, policy: &Policy) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(e) = &self.error {
            out.push(format!("the server cannot use this line: {e}"));
            return out;
        }
        let method = self.method.as_deref();
        if method == Some("reject") {
            return out;
        }
        let local = self.kind == "local";
        match method {
            Some("trust") if local => out.push(
                "`trust` on the local socket lets any user of the server's machine connect as any role it names".to_string(),
            ),
            Some("trust") => out.push("`trust` lets anyone connect without a password".to_string()),
            Some("password") => out.push("`password` sends the password in clear text".to_string()),
            Some("md5") => out.push("`md5`: use scram-sha-256".to_string()),
            // On a local socket `ident` means `peer`, which is sound.
            Some("ident") if !local => out.push(
                "`ident` over the network believes whatever the client's ident server says".to_string(),
            ),
            _ => {}
        }
        if local {
            return out;
        }
        if self.open_to_everyone() {
            out.push("open to every address for every database and user".to_string());
        }
        if policy.require_tls && matches!(self.kind.as_str(), "host" | "hostnossl") {
            out.push(format!(
                "a `{}` line accepts connections without TLS (use `hostssl`)",
                self.kind
            ));
        }
        if let Some((address, prefix)) = self.network() {
            let limit = if address.is_ipv4() {
                policy.max_prefix
            } else {
                policy.max_prefix_v6
            };
            if limit > 0 && prefix < limit {
                out.push(format!(
                    "admits a /{prefix} network, broader than the /{limit} allowed"
                ));
            }
        }
        if !policy.remote_superusers && !self.loopback_only() {
            if self.users.iter().any(|u| u == "all") {
                out.push("admits `all` users, superusers included, from the network".to_string());
            } else if let Some(su) = self.users.iter().find(|u| policy.superusers.contains(u)) {
                out.push(format!("admits the superuser `{su}` from the network"));
            }
        }
        if !policy.all_databases && self.databases.iter().any(|d| d == "all") {
            out.push("names `all` databases (name the databases each role needs)".to_string());
        }
        out
    }
}

/// What the probe's parameters allow, and the server's superusers.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// `require_tls`.
    pub require_tls: bool,
    /// `max_prefix` (0: any).
    pub max_prefix: u32,
    /// `max_prefix_v6` (0: any).
    pub max_prefix_v6: u32,
    /// `remote_superusers`.
    pub remote_superusers: bool,
    /// `all_databases`.
    pub all_databases: bool,
    /// Roles with SUPERUSER.
    pub superusers: Vec<String>,
}

/// The configured probe.
#[derive(Debug)]
pub struct HbaProbe {
    connection: Connection,
    policy: Policy,
}

impl HbaProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let prefix = |name: &str, most: i64| -> Result<u32, ParamError> {
            let value = p.integer_or_default(name)?;
            u32::try_from(value)
                .ok()
                .filter(|v| i64::from(*v) <= most)
                .ok_or_else(|| ParamError::new(name, format!("must be between 0 and {most}")))
        };
        Ok(HbaProbe {
            connection: Connection::from_params(p)?,
            policy: Policy {
                require_tls: p.bool_or_default("require_tls")?,
                max_prefix: prefix("max_prefix", 32)?,
                max_prefix_v6: prefix("max_prefix_v6", 128)?,
                remote_superusers: p.bool_or_default("remote_superusers")?,
                all_databases: p.bool_or_default("all_databases")?,
                superusers: Vec::new(),
            },
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
        let mut policy = self.policy.clone();
        if !policy.remote_superusers {
            // pg_roles is readable by every role.
            match session
                .query(
                    "select rolname from pg_roles where rolsuper order by rolname",
                    &[],
                )
                .await
            {
                Ok(rows) => policy.superusers = rows.iter().map(|r| r.get(0)).collect(),
                Err(e) => return query_error("pg_roles", "any role (pg_roles is public)", e),
            }
        }
        let mut evidence = Vec::new();
        let mut bad = 0;
        for rule in &rules {
            let problems = rule.problems(&policy);
            if !problems.is_empty() {
                bad += 1;
                evidence.push(
                    Evidence::note(format!(
                        "pg_hba.conf:{}: {}: {}",
                        rule.line,
                        rule.text(),
                        problems.join("; ")
                    ))
                    .failing(),
                );
            }
        }
        if bad == 0 {
            ProbeOutcome::pass(format!(
                "{} pg_hba.conf rules on {target}, none unsafe",
                rules.len()
            ))
            .with_evidence(
                rules.iter().map(|r| {
                    Evidence::note(format!("pg_hba.conf:{}: {}", r.line, r.text())).passing()
                }),
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
    fn environment<'a>(&'a self, ctx: &'a ProbeContext) -> Option<&'a str> {
        Some(self.connection.environment.name(ctx))
    }

    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        Box::pin(async move { self.check(&ctx).await })
    }
}

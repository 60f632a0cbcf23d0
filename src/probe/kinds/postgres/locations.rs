//! `postgres-locations`: where the server keeps what is not its data, read over the
//! connection: no tablespace inside the data directory (`tablespaces`), and the log
//! directory outside it (`log_directory`; a relative `log_directory` is inside by
//! definition). Both need the data directory's path, which only a superuser or a
//! member of `pg_read_all_settings` may see; without it the probe says so.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::postgres::{
    CONNECT_TIMEOUT, Connection, ENVIRONMENT, QUERY_TIMEOUT, checks_param, query_error,
    read_settings,
};
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "postgres-locations",
    summary: "No tablespace and no log directory inside the data directory.",
    params: &[
        ParamSpec {
            name: "checks",
            ty: ParamType::StringList,
            required: false,
            default: Some("[\"tablespaces\", \"log_directory\"]"),
            doc: "Which checks to make: `tablespaces` (no tablespace location inside the data directory), `log_directory` (an absolute log directory outside it).",
        },
        ENVIRONMENT,
        CONNECT_TIMEOUT,
        QUERY_TIMEOUT,
    ],
    build: |p| Ok(Arc::new(LocationsProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct LocationsProbe {
    connection: Connection,
    checks: Vec<&'static str>,
}

/// A path with `.` and `..` resolved lexically (the server's paths are not on this
/// machine, so nothing can be asked of its file system).
fn lexical(path: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for c in Path::new(path).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Whether `path` is `dir` or below it.
fn inside(path: &str, dir: &str) -> bool {
    lexical(path).starts_with(lexical(dir))
}

impl LocationsProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        Ok(LocationsProbe {
            connection: Connection::from_params(p)?,
            checks: checks_param(p, &["tablespaces", "log_directory"])?,
        })
    }

    async fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let (target, session) = match self.connection.session(ctx).await {
            Ok(s) => s,
            Err(outcome) => return outcome,
        };
        let settings = match read_settings(&session, &["data_directory", "log_directory"]).await {
            Ok(s) => s,
            Err(e) => return query_error("pg_settings", "any role", e),
        };
        let Some(data) = settings.get("data_directory") else {
            return ProbeOutcome::error(format!(
                "the data directory is hidden from this role on {target}; it needs a superuser or `GRANT pg_read_all_settings TO <role>`"
            ));
        };
        let mut findings = Vec::new();
        let mut evidence = vec![Evidence::note(format!("data_directory = {data}"))];
        if self.checks.contains(&"tablespaces") {
            let rows = match session
                .query(
                    "select spcname::text, pg_tablespace_location(oid) from pg_tablespace \
                     where spcname not in ('pg_default', 'pg_global') order by 1",
                    &[],
                )
                .await
            {
                Ok(rows) => rows,
                Err(e) => return query_error("pg_tablespace", "any role", e),
            };
            for row in &rows {
                let (name, location): (String, String) = (row.get(0), row.get(1));
                evidence.push(Evidence::note(format!("tablespace {name}: {location}")));
                if !location.is_empty() && inside(&location, data) {
                    findings.push(format!(
                        "tablespace {name} is inside the data directory ({location})"
                    ));
                }
            }
            if rows.is_empty() {
                evidence.push(Evidence::note("no tablespace besides the built-in ones"));
            }
        }
        if self.checks.contains(&"log_directory") {
            match settings.get("log_directory") {
                Some(dir) => {
                    evidence.push(Evidence::note(format!("log_directory = {dir}")));
                    if !dir.starts_with('/') {
                        findings.push(format!(
                            "log_directory = {dir} is relative, so inside the data directory"
                        ));
                    } else if inside(dir, data) {
                        findings.push(format!("log_directory {dir} is inside the data directory"));
                    }
                }
                None => {
                    return ProbeOutcome::error(format!(
                        "log_directory is hidden from this role on {target}; it needs a superuser or `GRANT pg_read_all_settings TO <role>`"
                    ));
                }
            }
        }
        if findings.is_empty() {
            ProbeOutcome::pass(format!(
                "nothing kept inside the data directory on {target} (checked: {})",
                self.checks.join(", ")
            ))
            .with_evidence(evidence)
        } else {
            let summary = format!("{} on {target}", findings.join("; "));
            evidence.extend(findings.into_iter().map(|f| Evidence::note(f).failing()));
            ProbeOutcome::fail(summary).with_evidence(evidence)
        }
    }
}

impl Probe for LocationsProbe {
    fn environment<'a>(&'a self, ctx: &'a ProbeContext) -> Option<&'a str> {
        Some(self.connection.environment.name(ctx))
    }

    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        Box::pin(async move { self.check(&ctx).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_are_found_lexically() {
        assert!(inside("/var/lib/pg/data/ts1", "/var/lib/pg/data"));
        assert!(inside("/var/lib/pg/data/../data/x", "/var/lib/pg/data"));
        assert!(!inside("/var/lib/pg/data2", "/var/lib/pg/data"));
        assert!(!inside("/var/lib/pg/data/../ts", "/var/lib/pg/data"));
        assert!(inside("/var/lib/pg/data", "/var/lib/pg/data/"));
    }
}

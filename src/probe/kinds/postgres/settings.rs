//! `postgres-settings`: server settings hold expected values, e.g.
//! `password_encryption = "scram-sha-256"`, `ssl = true`,
//! `log_statement = { one_of = ["mod", "ddl", "all"] }`,
//! `log_min_duration_statement = { at_least = 0 }`, `authentication_timeout =
//! { at_most = 60 }`, `log_line_prefix = { matches = ["%m", "%u"] }`,
//! `shared_preload_libraries = { contains = ["pgaudit"] }`. A bare value means
//! `equals`; numbers are in the setting's base unit (`pg_settings.unit`). A setting
//! the connection's role cannot see (superuser-only ones without
//! `pg_read_all_settings`) is an `error` naming that grant, not "no such setting".

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::checklist::params::{ParamError, ParamSpec, ParamType, ParamValue, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::postgres::{
    CONNECT_TIMEOUT, Connection, ENVIRONMENT, QUERY_TIMEOUT, query_error, read_settings,
};
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "postgres-settings",
    summary: "Server settings hold expected values (equals, one_of, at_least, at_most, not, matches, contains).",
    params: &[
        ParamSpec {
            name: "settings",
            ty: ParamType::Table,
            required: true,
            default: None,
            doc: "Setting name → expected value, or { equals | one_of | at_least | at_most | not | matches | contains = ... }; booleans mean on/off; numbers in the setting's base unit; `matches` is a regular expression searched in the value (or an array of them, all to be found); `contains` lists members of a comma-separated list setting.",
        },
        ENVIRONMENT,
        CONNECT_TIMEOUT,
        QUERY_TIMEOUT,
    ],
    build: |p| Ok(Arc::new(SettingsProbe::from_params(p)?)),
};

/// What a setting must be.
#[derive(Debug, Clone)]
pub enum Expectation {
    /// Exactly this (case-insensitive; numbers compared as numbers).
    Equals(String),
    /// One of these.
    OneOf(Vec<String>),
    /// A number at least this.
    AtLeast(f64),
    /// A number at most this.
    AtMost(f64),
    /// Anything but this.
    Not(String),
    /// Text each regular expression finds in the value.
    Matches(Vec<regex::Regex>),
    /// Members of a comma-separated list setting (`shared_preload_libraries`).
    Contains(Vec<String>),
}

impl PartialEq for Expectation {
    fn eq(&self, other: &Self) -> bool {
        self.describe() == other.describe()
    }
}

impl Expectation {
    fn describe(&self) -> String {
        match self {
            Expectation::Equals(v) => format!("= {v}"),
            Expectation::OneOf(vs) => format!("one of {}", vs.join(", ")),
            Expectation::AtLeast(n) => format!(">= {n}"),
            Expectation::AtMost(n) => format!("<= {n}"),
            Expectation::Not(v) => format!("not {v}"),
            Expectation::Matches(res) => format!(
                "matching {}",
                res.iter()
                    .map(|re| format!("/{}/", re.as_str()))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            Expectation::Contains(items) => format!("containing {}", items.join(", ")),
        }
    }

    fn holds(&self, actual: &str) -> bool {
        let same = |expected: &str| {
            let (a, e) = (actual.trim(), expected.trim());
            match (a.parse::<f64>(), e.parse::<f64>()) {
                (Ok(x), Ok(y)) => x == y,
                _ => a.eq_ignore_ascii_case(e),
            }
        };
        match self {
            Expectation::Equals(v) => same(v),
            Expectation::OneOf(vs) => vs.iter().any(|v| same(v)),
            Expectation::AtLeast(n) => actual.trim().parse::<f64>().is_ok_and(|x| x >= *n),
            Expectation::AtMost(n) => actual.trim().parse::<f64>().is_ok_and(|x| x <= *n),
            Expectation::Not(v) => !same(v),
            Expectation::Matches(res) => res.iter().all(|re| re.is_match(actual)),
            Expectation::Contains(items) => {
                let members: Vec<String> = actual
                    .split(',')
                    .map(|m| m.trim().trim_matches('"').to_ascii_lowercase())
                    .collect();
                items
                    .iter()
                    .all(|i| members.contains(&i.trim().to_ascii_lowercase()))
            }
        }
    }
}

/// A scalar parameter value as the text PostgreSQL shows (`true` is `on`).
fn scalar(v: &ParamValue) -> Option<String> {
    match v {
        ParamValue::String(s) => Some(s.clone()),
        ParamValue::Integer(i) => Some(i.to_string()),
        ParamValue::Float(f) => Some(f.to_string()),
        ParamValue::Bool(true) => Some("on".into()),
        ParamValue::Bool(false) => Some("off".into()),
        _ => None,
    }
}

fn expectation(name: &str, v: &ParamValue) -> Result<Expectation, ParamError> {
    let err = |m: String| ParamError::new("settings", format!("`{name}`: {m}"));
    if let Some(text) = scalar(v) {
        return Ok(Expectation::Equals(text));
    }
    let ParamValue::Table(t) = v else {
        return Err(err(
            "must be a value or a table such as { one_of = [...] }".into()
        ));
    };
    let mut entries = t.iter();
    let (Some((op, value)), None) = (entries.next(), entries.next()) else {
        return Err(err(
            "give exactly one of equals, one_of, at_least, at_most, not, matches, contains".into(),
        ));
    };
    match op.as_str() {
        "equals" => scalar(value)
            .map(Expectation::Equals)
            .ok_or_else(|| err("`equals` must be a value".into())),
        "not" => scalar(value)
            .map(Expectation::Not)
            .ok_or_else(|| err("`not` must be a value".into())),
        "at_least" | "at_most" => {
            let n = match value {
                ParamValue::Integer(i) => *i as f64,
                ParamValue::Float(f) => *f,
                _ => return Err(err(format!("`{op}` must be a number"))),
            };
            Ok(if op == "at_least" {
                Expectation::AtLeast(n)
            } else {
                Expectation::AtMost(n)
            })
        }
        "matches" => {
            let compile = |pattern: &str| {
                regex::RegexBuilder::new(pattern)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| err(format!("`matches`: {e}")))
            };
            let patterns = match value {
                ParamValue::String(pattern) => vec![compile(pattern)?],
                ParamValue::Array(items) if !items.is_empty() => items
                    .iter()
                    .map(|i| match i {
                        ParamValue::String(p) => compile(p),
                        _ => Err(err("`matches` lists regular expressions (strings)".into())),
                    })
                    .collect::<Result<_, _>>()?,
                _ => {
                    return Err(err(
                        "`matches` must be a regular expression or a non-empty array of them"
                            .into(),
                    ));
                }
            };
            Ok(Expectation::Matches(patterns))
        }
        "contains" => match value {
            ParamValue::Array(items) => items
                .iter()
                .map(scalar)
                .collect::<Option<Vec<_>>>()
                .filter(|v| !v.is_empty())
                .map(Expectation::Contains)
                .ok_or_else(|| err("`contains` must be a non-empty array of values".into())),
            _ => Err(err("`contains` must be an array".into())),
        },
        "one_of" => match value {
            ParamValue::Array(items) => items
                .iter()
                .map(scalar)
                .collect::<Option<Vec<_>>>()
                .filter(|v| !v.is_empty())
                .map(Expectation::OneOf)
                .ok_or_else(|| err("`one_of` must be a non-empty array of values".into())),
            _ => Err(err("`one_of` must be an array".into())),
        },
        other => Err(err(format!(
            "unknown expectation `{other}` (expected equals, one_of, at_least, at_most, not, matches or contains)"
        ))),
    }
}

/// The configured probe.
#[derive(Debug)]
pub struct SettingsProbe {
    connection: Connection,
    settings: BTreeMap<String, Expectation>,
}

impl SettingsProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let table = p.table("settings")?.cloned().unwrap_or_default();
        if table.is_empty() {
            return Err(ParamError::new("settings", "names no setting"));
        }
        let settings = table
            .iter()
            .map(|(k, v)| Ok((k.clone(), expectation(k, v)?)))
            .collect::<Result<_, ParamError>>()?;
        Ok(SettingsProbe {
            connection: Connection::from_params(p)?,
            settings,
        })
    }

    async fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let (target, session) = match self.connection.session(ctx).await {
            Ok(s) => s,
            Err(outcome) => return outcome,
        };
        let names: Vec<&str> = self.settings.keys().map(String::as_str).collect();
        let actual = match read_settings(&session, &names).await {
            Ok(s) => s,
            Err(e) => return query_error("pg_settings", "a role that can read settings", e),
        };
        let hidden: Vec<&str> = names.iter().copied().filter(|n| actual.hidden(n)).collect();
        let mut bad = Vec::new();
        let mut evidence = Vec::new();
        for (name, expected) in &self.settings {
            match actual.get(name) {
                None if actual.hidden(name) => evidence.push(Evidence::note(format!(
                    "{name}: not visible to this role (superuser-only without pg_read_all_settings)"
                ))),
                None => {
                    bad.push(name.clone());
                    evidence.push(
                        Evidence::note(format!("{name}: no such setting on this server")).failing(),
                    );
                }
                Some(value) if expected.holds(value) => evidence.push(
                    Evidence::note(format!(
                        "{name} = {value} (expected {})",
                        expected.describe()
                    ))
                    .passing(),
                ),
                Some(value) => {
                    bad.push(name.clone());
                    evidence.push(
                        Evidence::note(format!(
                            "{name} = {value}, expected {}",
                            expected.describe()
                        ))
                        .failing(),
                    );
                }
            }
        }
        if bad.is_empty() && !hidden.is_empty() {
            return ProbeOutcome::error(format!(
                "{} hidden from this role on {target}: {}; it needs a superuser or `GRANT pg_read_all_settings TO <role>`",
                plural(hidden.len()),
                hidden.join(", ")
            ))
            .with_evidence(evidence);
        }
        if bad.is_empty() {
            ProbeOutcome::pass(format!(
                "{} settings as expected on {target}",
                self.settings.len()
            ))
            .with_evidence(evidence)
        } else {
            ProbeOutcome::fail(format!(
                "{} not as expected on {target}: {}",
                plural(bad.len()),
                bad.join(", ")
            ))
            .with_evidence(evidence)
        }
    }
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 setting".into()
    } else {
        format!("{n} settings")
    }
}

impl Probe for SettingsProbe {
    fn environment<'a>(&'a self, ctx: &'a ProbeContext) -> Option<&'a str> {
        Some(self.connection.environment.name(ctx))
    }

    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        Box::pin(async move { self.check(&ctx).await })
    }
}

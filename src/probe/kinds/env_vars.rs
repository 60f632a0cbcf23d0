//! `env-vars`: named environment variables are set (and optionally hold given values).
//!
//! The guides load production settings through `PG_HOST`, `PG_PORT`, `PG_DATABASE`,
//! `PG_USER`, `PG_PASSWORD` and `ENVIRONMENT=production`. Values of secret-like
//! variables are never shown, only whether they are set or match.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::base::secret::{Secret, is_secret};
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::{BlockingProbe, Evidence, ProbeContext, ProbeOutcome};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "env-vars",
    summary: "Environment variables are set, and optionally equal given values.",
    params: &[
        ParamSpec {
            name: "vars",
            ty: ParamType::StringList,
            required: false,
            default: None,
            doc: "Variables that must be set to a non-empty value.",
        },
        ParamSpec {
            name: "equals",
            ty: ParamType::StringMap,
            required: false,
            default: None,
            doc: "Variables that must hold exactly these values, e.g. { ENVIRONMENT = \"production\" }.",
        },
    ],
    build: |p| Ok(Arc::new(EnvVarsProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct EnvVarsProbe {
    vars: Vec<String>,
    equals: BTreeMap<String, String>,
}

impl EnvVarsProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let vars = p.string_list("vars")?.unwrap_or_default();
        let equals = p.string_map("equals")?.unwrap_or_default();
        if vars.is_empty() && equals.is_empty() {
            return Err(ParamError::new(
                "vars",
                "is empty and no `equals` is given: name at least one variable",
            ));
        }
        Ok(EnvVarsProbe { vars, equals })
    }
}

impl BlockingProbe for EnvVarsProbe {
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let mut problems = Vec::new();
        let mut good = Vec::new();
        for name in &self.vars {
            match ctx.vars.get(name) {
                None => problems.push(Evidence::note(format!("{name} is not set"))),
                Some("") => problems.push(Evidence::note(format!("{name} is set but empty"))),
                Some(value) if is_secret(name, value) => {
                    good.push(Evidence::note(format!("{name} is set (value hidden)")))
                }
                Some(value) => good.push(Evidence::note(format!("{name} = {value}"))),
            }
        }
        for (name, expected) in &self.equals {
            let actual = ctx.vars.get(name).unwrap_or_default();
            let secret = is_secret(name, expected) || is_secret(name, actual);
            match ctx.vars.get(name) {
                None => problems.push(Evidence::note(format!(
                    "{name} is not set (expected {})",
                    shown(secret, expected)
                ))),
                Some(actual) if secret => {
                    if Secret::new(actual) == Secret::new(expected.as_str()) {
                        good.push(Evidence::note(format!(
                            "{name} has the expected value (hidden)"
                        )));
                    } else {
                        problems.push(Evidence::note(format!(
                            "{name} does not have the expected value (hidden)"
                        )));
                    }
                }
                Some(actual) if actual == expected => {
                    good.push(Evidence::note(format!("{name} = {actual}")))
                }
                Some(actual) => problems.push(Evidence::note(format!(
                    "{name} is \"{actual}\", expected \"{expected}\""
                ))),
            }
        }
        let checked = self.vars.len() + self.equals.len();
        if problems.is_empty() {
            ProbeOutcome::pass(format!("all {checked} variables are set as required"))
                .with_evidence(good)
        } else {
            let n = problems.len();
            ProbeOutcome::fail(format!(
                "{n} of {checked} variables {} not set as required",
                if n == 1 { "is" } else { "are" }
            ))
            .with_evidence(problems)
            .with_evidence(good)
        }
    }
}

fn shown(secret: bool, value: &str) -> String {
    if secret {
        "a hidden value".to_string()
    } else {
        format!("\"{value}\"")
    }
}

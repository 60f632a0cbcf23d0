//! `password-policy`: an environment's password meets the guide's policy (at least 16
//! characters with upper case, lower case, a digit and a special character) and is
//! actually strong: not a well-known default, not containing the user name, and scored
//! at or above a minimum by zxcvbn. Evidence names the rules, never the password.

use std::sync::Arc;

use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::postgres::DEFAULT_CREDENTIALS;
use crate::probe::{BlockingProbe, Evidence, ProbeContext, ProbeOutcome};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "password-policy",
    summary: "An environment's password meets the policy (length, character classes) and is strong (not a default, not the user name, zxcvbn score).",
    params: &[
        ParamSpec {
            name: "environment",
            ty: ParamType::String,
            required: false,
            default: Some("\"production\""),
            doc: "Whose password: an environment name.",
        },
        ParamSpec {
            name: "min_length",
            ty: ParamType::Integer,
            required: false,
            default: Some("16"),
            doc: "The shortest acceptable password, in characters.",
        },
        ParamSpec {
            name: "min_score",
            ty: ParamType::Integer,
            required: false,
            default: Some("3"),
            doc: "The lowest acceptable zxcvbn score, 0 (guessable) to 4 (very unguessable).",
        },
    ],
    build: |p| Ok(Arc::new(PasswordPolicyProbe::from_params(p)?)),
};

/// Passwords that are never acceptable, whatever their score.
const KNOWN_WEAK: &[&str] = &[
    "postgres",
    "password",
    "admin",
    "changeme",
    "secret",
    "contextforge",
];

/// The configured probe.
#[derive(Debug)]
pub struct PasswordPolicyProbe {
    environment: String,
    min_length: usize,
    min_score: u8,
}

impl PasswordPolicyProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let min_length = p.integer_or_default("min_length")?;
        let min_length = usize::try_from(min_length)
            .ok()
            .filter(|n| (1..=1024).contains(n))
            .ok_or_else(|| ParamError::new("min_length", "must be between 1 and 1024"))?;
        let min_score = p.integer_or_default("min_score")?;
        let min_score = u8::try_from(min_score)
            .ok()
            .filter(|s| *s <= 4)
            .ok_or_else(|| ParamError::new("min_score", "is a zxcvbn score, 0 to 4"))?;
        Ok(PasswordPolicyProbe {
            environment: p.string_or_default("environment")?.to_string(),
            min_length,
            min_score,
        })
    }

    /// The rules a password breaks, in words (empty when it meets them all).
    pub fn problems(&self, password: &str, user: Option<&str>) -> Vec<String> {
        let mut out = Vec::new();
        let length = password.chars().count();
        if length < self.min_length {
            out.push(format!(
                "{length} characters, fewer than {}",
                self.min_length
            ));
        }
        let classes = [
            (
                "upper-case letter",
                password.chars().any(char::is_uppercase),
            ),
            (
                "lower-case letter",
                password.chars().any(char::is_lowercase),
            ),
            ("digit", password.chars().any(|c| c.is_ascii_digit())),
            (
                "special character",
                password.chars().any(|c| !c.is_alphanumeric()),
            ),
        ];
        for (what, present) in classes {
            if !present {
                out.push(format!("no {what}"));
            }
        }
        let lower = password.to_lowercase();
        let weak = KNOWN_WEAK
            .iter()
            .copied()
            .chain(DEFAULT_CREDENTIALS.iter().map(|(_, p)| *p))
            .any(|w| lower == w);
        if weak {
            out.push("a well-known default password".to_string());
        }
        if let Some(user) = user.filter(|u| u.len() >= 3)
            && lower.contains(&user.to_lowercase())
        {
            out.push("contains the user name".to_string());
        }
        let inputs: Vec<&str> = user.into_iter().collect();
        let score = u8::from(zxcvbn::zxcvbn(password, &inputs).score());
        if score < self.min_score {
            out.push(format!(
                "strength score {score} of 4, below the required {}",
                self.min_score
            ));
        }
        out
    }
}

impl BlockingProbe for PasswordPolicyProbe {
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let env = match ctx.environment_blocking(&self.environment) {
            Ok(env) => env,
            Err(e) => return ProbeOutcome::error(e.to_string()),
        };
        let Some(password) = env.password.filter(|p| !p.expose().is_empty()) else {
            return ProbeOutcome::error(format!(
                "environment `{}` has no password to check (set its `password` source)",
                self.environment
            ));
        };
        let problems = self.problems(password.expose(), env.user.as_deref());
        let whose = format!("the {} password", self.environment);
        if problems.is_empty() {
            ProbeOutcome::pass(format!(
                "{whose} meets the policy (at least {} characters, four character classes, zxcvbn score >= {})",
                self.min_length, self.min_score
            ))
        } else {
            ProbeOutcome::fail(format!(
                "{whose} breaks {} rule{}",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            ))
            .with_evidence(problems.into_iter().map(Evidence::note))
        }
    }
}

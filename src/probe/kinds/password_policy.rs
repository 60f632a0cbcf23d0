//! `password-policy`: an environment's password meets the guide's policy (at least 16
//! characters with upper case, lower case, a digit and a special character, "no
//! dictionary words") and is actually strong: not a well-known default or a common
//! password (zxcvbn's bundled list of 30,000), not containing the user, database, host
//! or project name, not made mostly of predictable parts, and scored at or above a
//! minimum by zxcvbn.
//!
//! "Mostly predictable" reads zxcvbn's match sequence, not only its score: dictionary
//! words (common passwords, English, names, and the names above), keyboard patterns,
//! repetitions, sequences and dates of at least four characters that together cover
//! half the password fail it, each named by kind and length. `Password123456789!`
//! scores 3 and still fails. Evidence names the rules, never the password or its parts.

use std::sync::Arc;

use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::context::EnvironmentChoice;
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
            default: None,
            doc: "Whose password: an environment name [default: the run's environment: `--env`, production unless given]",
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
    environment: EnvironmentChoice,
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
            environment: EnvironmentChoice::from_params(p)?,
            min_length,
            min_score,
        })
    }

    /// The rules a password breaks, in words (empty when it meets them all). `names`
    /// are what the password must not contain: `("user", "app")`, `("database", …)`.
    pub fn problems(&self, password: &str, names: &[(&str, &str)]) -> Vec<String> {
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
        for (what, name) in names {
            if name.chars().count() >= 3 && lower.contains(&name.to_lowercase()) {
                out.push(format!("contains the {what} name"));
            }
        }
        let inputs: Vec<&str> = names.iter().map(|(_, n)| *n).collect();
        let entropy = zxcvbn::zxcvbn(password, &inputs);
        if let Some(reason) = predictable(&entropy, length) {
            out.push(reason);
        }
        let score = u8::from(entropy.score());
        if score < self.min_score {
            out.push(format!(
                "strength score {score} of 4, below the required {}",
                self.min_score
            ));
        }
        out
    }
}

/// The shortest match that counts as a predictable part.
const MIN_PART: usize = 4;

/// A dictionary word this long fails on its own: the guide says "no dictionary words".
const MAX_WORD: usize = 6;

/// Why a password is predictable: zxcvbn's match sequence holds a dictionary word (or
/// name) of [`MAX_WORD`] characters or more, or covers at least half of it with
/// dictionary words, keyboard patterns, repetitions, sequences, dates and years of
/// [`MIN_PART`] characters or more.
fn predictable(entropy: &zxcvbn::Entropy, length: usize) -> Option<String> {
    use zxcvbn::matching::patterns::MatchPattern;
    let mut covered = 0;
    let mut longest_word = 0;
    let mut parts = Vec::new();
    for m in entropy.sequence() {
        let len = m.j + 1 - m.i;
        if len < MIN_PART {
            continue;
        }
        let what = match &m.pattern {
            MatchPattern::Dictionary(d) => {
                longest_word = longest_word.max(len);
                let list = match format!("{:?}", d.dictionary_name).as_str() {
                    "Passwords" => "a common password",
                    "UserInputs" => "a name of this environment or project",
                    "English" | "UsTvAndFilm" => "a dictionary word",
                    _ => "a first name or surname",
                };
                match (d.reversed, d.l33t) {
                    (true, _) => format!("{list}, reversed"),
                    (_, true) => format!("{list}, in l33t"),
                    _ => list.to_string(),
                }
            }
            MatchPattern::Spatial(_) => "a keyboard pattern".to_string(),
            MatchPattern::Repeat(_) => "a repetition".to_string(),
            MatchPattern::Sequence(_) => "a sequence".to_string(),
            MatchPattern::Date(_) => "a date".to_string(),
            MatchPattern::Regex(_) => "a year".to_string(),
            _ => continue,
        };
        covered += len;
        parts.push(format!("{what} ({len} characters)"));
    }
    (length > 0 && (covered * 2 >= length || longest_word >= MAX_WORD)).then(|| {
        format!(
            "predictable: {covered} of its {length} characters are {}",
            parts.join(", ")
        )
    })
}

impl BlockingProbe for PasswordPolicyProbe {
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let env = match ctx.environment_blocking(self.environment.name(ctx)) {
            Ok(env) => env,
            Err(e) => return ProbeOutcome::error(e.to_string()),
        };
        if !env.has_host() && env.password.is_none() {
            return ProbeOutcome::skipped(format!(
                "environment `{}` is not configured: the `environment` check says what to set",
                self.environment.name(ctx)
            ));
        }
        let Some(password) = env.password.clone().filter(|p| !p.expose().is_empty()) else {
            return ProbeOutcome::error(format!(
                "environment `{}` has no password to check (set its `password` source)",
                self.environment.name(ctx)
            ));
        };
        let project = ctx
            .project_dir
            .canonicalize()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()));
        // Each host's first label (`db` of `db.internal`); an address says nothing.
        let hosts: Vec<&str> = env
            .host_names()
            .into_iter()
            .filter_map(|h| h.split('.').next())
            .filter(|h| h.parse::<u8>().is_err() && !h.starts_with('/'))
            .collect();
        let names: Vec<(&str, &str)> = [
            ("user", env.user.as_deref()),
            ("database", env.database.as_deref()),
            ("project", project.as_deref()),
        ]
        .into_iter()
        .filter_map(|(what, name)| Some((what, name?)))
        .chain(hosts.into_iter().map(|h| ("host", h)))
        .collect();
        let problems = self.problems(password.expose(), &names);
        let whose = format!("the {} password", self.environment.name(ctx));
        if problems.is_empty() {
            ProbeOutcome::pass(format!(
                "{whose} meets the policy (at least {} characters, four character classes, no common password or name, under half predictable parts, zxcvbn score >= {})",
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

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[(&str, &str)] = &[
        ("user", "payments"),
        ("database", "orders"),
        ("host", "pgprimary"),
        ("project", "acmeshop"),
    ];

    fn probe() -> PasswordPolicyProbe {
        PasswordPolicyProbe {
            environment: EnvironmentChoice::default(),
            min_length: 16,
            min_score: 3,
        }
    }

    fn corpus(name: &str) -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/corpus/passwords")
            .join(name);
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn fifty_weak_long_passwords_fail_with_a_reason() {
        let weak = corpus("weak.txt");
        assert_eq!(weak.len(), 50);
        for p in &weak {
            assert!(p.chars().count() >= 16, "{p} is shorter than 16");
            let problems = probe().problems(p, NAMES);
            assert!(!problems.is_empty(), "`{p}` passes");
            for reason in &problems {
                assert!(!reason.contains(p.as_str()), "{reason}");
            }
        }
        // zxcvbn names `123456789` a common password or a sequence (its tie-break is
        // not stable); either way 17 of 18 characters are predictable.
        let problems = probe().problems("Password123456789!", NAMES);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with(
                "predictable: 17 of its 18 characters are a common password (8 characters), a "
            ),
            "{problems:?}"
        );
    }

    #[test]
    fn fifty_generated_passwords_pass() {
        let generated = corpus("generated.txt");
        assert_eq!(generated.len(), 50);
        for p in &generated {
            assert_eq!(probe().problems(p, NAMES), Vec::<String>::new(), "{p}");
        }
    }
}

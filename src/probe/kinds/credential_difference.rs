//! `credential-difference`: two environments (production and development by default)
//! use different users, passwords and hosts, and the first environment's password
//! appears in no file of the project (tracked or not, git-ignored or not; vendored
//! folders unless asked, and files over the walker's size limit, are not searched, and
//! the evidence names them). Evidence names fields and files, never a value.

use std::sync::Arc;

use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::{BlockingProbe, Evidence, ProbeContext, ProbeOutcome};
use crate::system::walk::{Content, Listing, Skipped, Walk};

/// Passwords shorter than this are not searched for (they would match by accident).
const MIN_SEARCHED: usize = 6;

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "credential-difference",
    summary: "Two environments differ in user, password and host, and the first one's password is in no project file.",
    params: &[
        ParamSpec {
            name: "environments",
            ty: ParamType::StringList,
            required: false,
            default: Some("[\"production\", \"development\"]"),
            doc: "Two environment names; the first one's password must appear in no file.",
        },
        ParamSpec {
            name: "vendored",
            ty: ParamType::Bool,
            required: false,
            default: Some("false"),
            doc: "Also search vendored and generated folders (node_modules, vendor, target, virtualenvs).",
        },
    ],
    build: |p| Ok(Arc::new(CredentialDifferenceProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct CredentialDifferenceProbe {
    first: String,
    second: String,
    vendored: bool,
}

impl CredentialDifferenceProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let names = p.string_list_or_default("environments")?;
        let vendored = p.bool_or_default("vendored")?;
        match names.as_slice() {
            [a, b] if a != b => Ok(CredentialDifferenceProbe {
                first: a.clone(),
                second: b.clone(),
                vendored,
            }),
            _ => Err(ParamError::new(
                "environments",
                "must name two different environments",
            )),
        }
    }
}

/// The files of `listing` containing `needle`, relative to the root (binary ones too,
/// since a value can sit in any), and what was not searched.
fn files_containing(listing: &Listing, needle: &[u8]) -> (Vec<String>, Vec<Skipped>) {
    let (hits, mut unread) = listing.read_each(Content::Any, |file, bytes| {
        memchr::memmem::find(bytes, needle).map(|_| file.rel.clone())
    });
    unread.extend(listing.skipped.iter().cloned());
    (hits.into_iter().flatten().collect(), unread)
}

impl BlockingProbe for CredentialDifferenceProbe {
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let resolve = |name: &str| ctx.environment_blocking(name);
        let (a, b) = match (resolve(&self.first), resolve(&self.second)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => return ProbeOutcome::error(e.to_string()),
        };
        let (first, second) = (&self.first, &self.second);
        let mut same = Vec::new();
        let mut differ = Vec::new();
        let mut evidence = Vec::new();
        let mut compare = |field: &str, x: Option<bool>| match x {
            Some(true) => {
                same.push(field.to_string());
                evidence.push(Evidence::note(format!(
                    "{field}: the same in {first} and {second}"
                )));
            }
            Some(false) => {
                differ.push(field.to_string());
                evidence.push(Evidence::note(format!("{field}: differs")));
            }
            None => evidence.push(Evidence::note(format!(
                "{field}: not set in both, not compared"
            ))),
        };
        let both = |x: &Option<String>, y: &Option<String>| match (x, y) {
            (Some(x), Some(y)) if !x.is_empty() && !y.is_empty() => Some(x.eq_ignore_ascii_case(y)),
            _ => None,
        };
        compare("user", both(&a.user, &b.user));
        compare(
            "password",
            match (&a.password, &b.password) {
                // Constant-time comparison of the secrets.
                (Some(x), Some(y)) if !x.expose().is_empty() && !y.expose().is_empty() => {
                    Some(x == y)
                }
                _ => None,
            },
        );
        compare("host", both(&a.host, &b.host));
        let mut leaked = Vec::new();
        match &a.password {
            Some(p) if p.expose().len() >= MIN_SEARCHED => {
                // Ignored files are searched too: they are still on disk.
                let vendored_too;
                let listing = if self.vendored {
                    vendored_too = Walk::new(&ctx.project_dir)
                        .include_ignored(true)
                        .include_vendored(true)
                        .list();
                    &vendored_too
                } else {
                    ctx.project_files_with_ignored()
                };
                let unread;
                (leaked, unread) = files_containing(listing, p.expose().as_bytes());
                for f in &leaked {
                    evidence.push(Evidence::file(
                        f.clone(),
                        format!("contains the {first} password"),
                    ));
                }
                for s in &unread {
                    evidence.push(Evidence::file(
                        s.rel.clone(),
                        format!("not searched for the {first} password: {}", s.reason),
                    ));
                }
            }
            Some(_) => evidence.push(Evidence::note(format!(
                "the {first} password is too short to search the files for"
            ))),
            None => {}
        }
        let mut problems = Vec::new();
        if !same.is_empty() {
            problems.push(format!(
                "{first} and {second} share their {}",
                same.join(", ")
            ));
        }
        if !leaked.is_empty() {
            problems.push(format!(
                "the {first} password is written in {} project file{}",
                leaked.len(),
                if leaked.len() == 1 { "" } else { "s" }
            ));
        }
        if problems.is_empty() && !differ.iter().any(|f| f == "password") {
            // The passwords are the point: without both, nothing was shown to differ.
            ProbeOutcome::skipped(format!(
                "the passwords of {first} and {second} were not compared: set a `password` source for both (compared: {})",
                if differ.is_empty() {
                    "nothing".to_string()
                } else {
                    differ.join(", ")
                }
            ))
            .with_evidence(evidence)
        } else if problems.is_empty() {
            ProbeOutcome::pass(format!(
                "{first} and {second} differ in {}",
                differ.join(", ")
            ))
            .with_evidence(evidence)
        } else {
            ProbeOutcome::fail(problems.join("; ")).with_evidence(evidence)
        }
    }
}

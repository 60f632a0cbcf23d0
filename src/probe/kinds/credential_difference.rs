//! `credential-difference`: two environments (production and development by default)
//! use different users, passwords and hosts, and the first environment's password
//! appears in no file of the project (tracked or not, git-ignored or not; vendored
//! folders unless asked, and files over the walker's size limit, are not searched, and
//! the evidence names them). Evidence names fields and files, never a value.

use std::sync::{Arc, OnceLock};

use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::config::ResolvedEnvironment;
use crate::probe::catalog::KindInfo;
use crate::probe::pass::Share;
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome, on_blocking_pool};
use crate::system::walk::{Collect, Content, Listing, Skipped, Visitor, Walk};

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
    /// Its share of the run's pass over the project's files: those holding the first
    /// environment's password.
    share: Share<Option<String>>,
    /// The two environments as the pass was prepared with them, and what the walk
    /// left out.
    prepared: OnceLock<(ResolvedEnvironment, ResolvedEnvironment, Vec<Skipped>)>,
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
                share: Share::default(),
                prepared: OnceLock::new(),
            }),
            _ => Err(ParamError::new(
                "environments",
                "must name two different environments",
            )),
        }
    }
}

impl CredentialDifferenceProbe {
    /// Its visitor: with a password long enough to search for, every file (git-ignored
    /// ones too: they are still on disk; binary ones too: a value can sit in any),
    /// searched for it as it is read.
    fn prepare(
        &self,
        ctx: &ProbeContext,
    ) -> Result<Collect<'static, Option<String>>, ProbeOutcome> {
        let resolve = |name: &str| ctx.environment_blocking(name);
        let (a, b) = match (resolve(&self.first), resolve(&self.second)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => return Err(ProbeOutcome::error(e.to_string())),
        };
        let needle = a
            .password
            .as_ref()
            .filter(|p| p.expose().len() >= MIN_SEARCHED)
            .map(|p| zeroize::Zeroizing::new(p.expose().as_bytes().to_vec()));
        // The run's listing is shared with the visitor, not copied.
        let listing = match &needle {
            None => Arc::new(Listing::default()),
            Some(_) if self.vendored => Arc::new(
                Walk::new(&ctx.project_dir)
                    .include_ignored(true)
                    .include_vendored(true)
                    .list(),
            ),
            Some(_) => Arc::clone(ctx.project_files_with_ignored_shared()),
        };
        let _ = self.prepared.set((a, b, listing.skipped.clone()));
        Ok(Collect::of(
            listing,
            |_| true,
            Content::Any,
            move |file, bytes| {
                let needle: &[u8] = needle.as_ref().map_or(&[], |n| n.as_slice());
                memchr::memmem::find(bytes, needle).map(|_| file.rel.clone())
            },
        ))
    }
}

impl Probe for CredentialDifferenceProbe {
    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        on_blocking_pool(self, ctx, Self::check)
    }

    fn reads_files(&self) -> bool {
        true
    }

    fn visitor(&self, ctx: &ProbeContext) -> Option<Arc<dyn Visitor>> {
        self.share.visitor(|| self.prepare(ctx))
    }
}

impl CredentialDifferenceProbe {
    /// The check, on the blocking pool (see [`Probe::run`]).
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let (hits, mut unread, _read) = match self.share.results(ctx, || self.prepare(ctx)) {
            Ok(found) => found,
            Err(outcome) => return outcome,
        };
        let Some((a, b, skipped)) = self.prepared.get() else {
            return ProbeOutcome::error("the search was not prepared (this is a bug in preflight)");
        };
        unread.extend(skipped.iter().cloned());
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
        // Several hosts: sharing any one is sharing the server.
        compare("host", {
            let (x, y) = (a.host_names(), b.host_names());
            (!x.is_empty() && !y.is_empty()).then(|| {
                x.iter()
                    .any(|h| y.iter().any(|g| h.eq_ignore_ascii_case(g)))
            })
        });
        let mut leaked = Vec::new();
        match &a.password {
            Some(p) if p.expose().len() >= MIN_SEARCHED => {
                leaked = hits.into_iter().flatten().collect();
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

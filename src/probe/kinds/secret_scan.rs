//! `secret-scan`: no hardcoded credential in the project's files (tracked and untracked,
//! not ignored): connection URLs with inline passwords, literal values assigned to
//! secret-like names (weak ones too), and the production password itself when it can
//! be read. See [`crate::system::secretscan`] for the detectors. Findings can be allowed one by
//! one, by fingerprint, each with a justification.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

use crate::base::pathglob::PathGlobs;
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::pass::Share;
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome, on_blocking_pool};
use crate::system::secretscan::key::{KEY_FILE, KeyOrigin, ephemeral_key, project_key};
use crate::system::secretscan::{self, Finding, Scanner, Stats};
use crate::system::walk::{Collect, ProjectFile, Visitor};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "secret-scan",
    summary: "No hardcoded credential in the project's files: URLs with passwords, literal secret assignments (weak ones too), the production password.",
    params: &[
        ParamSpec {
            name: "exclude",
            ty: ParamType::StringList,
            required: false,
            default: Some("[\"*.md\"]"),
            doc: "Files not to scan (the guide excludes documentation).",
        },
        ParamSpec {
            name: "allow",
            ty: ParamType::StringMap,
            required: false,
            default: None,
            doc: "Findings to accept, by fingerprint, each with its justification: { \"3f2a9c1e0b7d\" = \"test fixture\" }.",
        },
    ],
    build: |p| Ok(Arc::new(SecretScanProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct SecretScanProbe {
    exclude: PathGlobs,
    allow: BTreeMap<String, String>,
    /// Its share of the run's pass over the project's files.
    share: Share<Vec<Finding>>,
    /// What its visitor was prepared with.
    prepared: OnceLock<Prepared>,
}

/// What the scan of a run was prepared with, for its evidence.
#[derive(Debug)]
struct Prepared {
    origin: KeyOrigin,
    searched_known: bool,
    stats: Arc<Stats>,
}

impl SecretScanProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let allow = p.string_map("allow")?.unwrap_or_default();
        if let Some((fingerprint, _)) = allow.iter().find(|(_, why)| why.trim().is_empty()) {
            return Err(ParamError::new(
                "allow",
                format!("`{fingerprint}` needs a justification"),
            ));
        }
        Ok(SecretScanProbe {
            exclude: p.globs_or_default("exclude")?,
            allow,
            share: Share::default(),
            prepared: OnceLock::new(),
        })
    }
}

fn describe(f: &Finding) -> String {
    format!(
        "{}: {} (fingerprint {})",
        f.rule.describe(),
        f.redacted,
        f.fingerprint
    )
}

impl SecretScanProbe {
    /// Its visitor: the project's files (but the excluded and the fingerprint key),
    /// scanned for the detectors and the production password as they are read.
    fn prepare(&self, ctx: &ProbeContext) -> Result<Collect<'static, Vec<Finding>>, ProbeOutcome> {
        // The production password, when it can be read, is searched for verbatim.
        let known: Vec<_> = ctx
            .environment_blocking("production")
            .ok()
            .and_then(|env| env.password)
            .into_iter()
            .collect();
        let searched_known = !known.is_empty();
        // A key file the project broke (a folder, a FIFO, junk) must not stop the scan:
        // the run uses its own key and says so.
        let (key, origin) = match project_key(&ctx.project_dir) {
            Ok(key) => key,
            Err(e) => match ephemeral_key() {
                Ok(key) => (key, KeyOrigin::Ephemeral(e.to_string())),
                Err(io) => {
                    return Err(ProbeOutcome::error(format!(
                        "no fingerprint key can be made: {io}"
                    )));
                }
            },
        };
        // The walk counts tracked files even when an ignore rule matches them (a
        // committed `.env`); preflight's own key is not the project's content.
        let exclude = self.exclude.clone();
        let keep = move |f: &ProjectFile| f.rel != KEY_FILE && !exclude.is_match(&f.rel);
        let stats = Arc::new(Stats::default());
        let scanner = Arc::new(Scanner::new(known).with_fingerprint_key(key));
        let visitor = scanner.visitor(
            Arc::clone(ctx.project_files_shared()),
            keep,
            Arc::clone(&stats),
        );
        let _ = self.prepared.set(Prepared {
            origin,
            searched_known,
            stats,
        });
        Ok(visitor)
    }
}

impl Probe for SecretScanProbe {
    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        on_blocking_pool(self, ctx, Self::check)
    }

    fn concludes_from_files(&self) -> bool {
        true
    }

    fn reads_files(&self) -> bool {
        true
    }

    fn visitor(&self, ctx: &ProbeContext) -> Option<Arc<dyn Visitor>> {
        self.share.visitor(|| self.prepare(ctx))
    }
}

impl SecretScanProbe {
    /// The check, on the blocking pool (see [`Probe::run`]).
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let collect = match self.share.collected(ctx, || self.prepare(ctx)) {
            Ok(collect) => collect,
            Err(outcome) => return outcome,
        };
        let Some(Prepared {
            origin,
            searched_known,
            stats,
        }) = self.prepared.get()
        else {
            return ProbeOutcome::error("the scan was not prepared (this is a bug in preflight)");
        };
        let searched_known = *searched_known;
        let findings = secretscan::findings(&collect, stats);
        let (allowed, found): (Vec<&Finding>, Vec<&Finding>) = findings
            .iter()
            .partition(|f| self.allow.contains_key(&f.fingerprint));
        let files = stats.files.load(Ordering::Relaxed);
        let bytes = stats.bytes.load(Ordering::Relaxed);
        let scope = format!(
            "{files} file{} ({:.1} MB{}) scanned, {} skipped as binary or large{}",
            if files == 1 { "" } else { "s" },
            bytes as f64 / 1e6,
            if self.exclude.describe().is_empty() {
                String::new()
            } else {
                format!(", excluding {}", self.exclude.describe())
            },
            stats.skipped.load(Ordering::Relaxed),
            if searched_known {
                ", the production password searched for"
            } else {
                ""
            }
        );
        let at = |f: &Finding, message: String| Evidence::at(&f.file, f.line, f.column, message);
        let mut evidence: Vec<Evidence> =
            found.iter().map(|f| at(f, describe(f)).failing()).collect();
        evidence.extend(allowed.iter().map(|f| {
            at(
                f,
                format!("allowed: {} ({})", describe(f), self.allow[&f.fingerprint]),
            )
        }));
        for fingerprint in self.allow.keys() {
            if !findings.iter().any(|f| &f.fingerprint == fingerprint) {
                evidence.push(Evidence::note(format!(
                    "allowed fingerprint {fingerprint} matches nothing any more: remove it from `allow`"
                )));
            }
        }
        evidence.push(Evidence::note(scope));
        match origin {
            KeyOrigin::Read => {}
            KeyOrigin::Created => evidence.push(Evidence::note(format!(
                "created {KEY_FILE}, the key of the fingerprints: commit it so every clone computes the same ones"
            ))),
            KeyOrigin::Ephemeral(why) => evidence.push(Evidence::note(format!(
                "{KEY_FILE} cannot be used ({why}): fingerprints are valid for this run only"
            ))),
        }
        if files == 0 && found.is_empty() {
            ProbeOutcome::skipped("no file to scan").with_evidence(evidence)
        } else if found.is_empty() {
            ProbeOutcome::pass(format!(
                "no hardcoded credential in {files} file{}{}",
                if files == 1 { "" } else { "s" },
                if allowed.is_empty() {
                    String::new()
                } else {
                    format!(" ({} allowed)", allowed.len())
                }
            ))
            .with_evidence(evidence)
        } else {
            let mut files: Vec<&str> = found.iter().map(|f| f.file.as_str()).collect();
            files.dedup();
            ProbeOutcome::fail(format!(
                "{} hardcoded credential{} in {}",
                found.len(),
                if found.len() == 1 { "" } else { "s" },
                files.join(", ")
            ))
            .with_evidence(evidence)
        }
    }
}

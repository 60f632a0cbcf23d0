//! The report model: one description of a run that every output format renders.
//!
//! A [`Report`] is built from a checklist, the runner's results and, when sign-off is
//! asked for, the ledger; renderers ([`text`], [`json`], [`markdown`], [`html`],
//! [`junit`], [`sarif`]) only format it and never run anything or read a clock.

pub mod html;
pub mod intoto;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;

use serde::Serialize;

use crate::base::secret::scrub;
use crate::base::text::{safe_line, safe_lines};
use crate::base::timestamp::Timestamp;
use crate::checklist::{Checklist, Part, Provenance, Tier};
use crate::probe::{Evidence, HostOutcome, ProbeStatus};
use crate::probe::{ItemResult, ItemStatus};
use crate::signoff::{self, Action, Contents, Identity, ItemSignoff, Standing, State};

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// For tickets: GitHub, GitLab and Jira render it
    Markdown,
    /// The report model as JSON
    Json,
    /// One self-contained page, for screens and print
    Html,
    /// JUnit XML, for CI test dashboards
    Junit,
    /// SARIF 2.1.0, for code-scanning upload
    Sarif,
    /// An in-toto attestation in a DSSE envelope signed with your SSH key, for deployment gates
    #[value(name = "in-toto")]
    InToto,
}

impl ReportFormat {
    /// The file extension of a default output file.
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "md",
            ReportFormat::Json => "json",
            ReportFormat::Html => "html",
            ReportFormat::Junit => "junit.xml",
            ReportFormat::Sarif => "sarif",
            ReportFormat::InToto => "intoto.json",
        }
    }
}

/// Renders a report in a format.
pub fn render(report: &Report, format: ReportFormat) -> String {
    let text = match format {
        ReportFormat::Markdown => markdown::render(report),
        ReportFormat::Json => json::render(report) + "\n",
        ReportFormat::Html => html::render(report),
        ReportFormat::Junit => junit::render(report),
        ReportFormat::Sarif => sarif::render(report) + "\n",
        // The statement alone; `preflight report` signs it into an envelope.
        ReportFormat::InToto => {
            serde_json::to_string_pretty(&intoto::statement(report)).unwrap_or_default() + "\n"
        }
    };
    // The last boundary before a file or a pipe: nothing registered as secret leaves.
    scrub(&text).into_owned()
}

/// Writes a rendered report to a new file in `dir` named after the environment and
/// the report's time (`preflight-production-20261122T101500Z.md`), or `-2`, `-3`, ...
/// when that exists: checked and created in one step, so no run overwrites another's.
pub fn write_new_file(
    dir: &std::path::Path,
    report: &Report,
    format: ReportFormat,
    text: &str,
) -> std::io::Result<std::path::PathBuf> {
    use std::io::Write;
    let env = report.environment.as_deref().unwrap_or("all");
    let stem = format!("preflight-{env}-{}", report.generated_at.compact());
    let ext = format.extension();
    for n in 1u32..=1000 {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(text.as_bytes())?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("no free file name for {stem}.{ext} in {}", dir.display()),
    ))
}

/// What a checklist read from a file is, in a few words for a report's reader.
pub fn provenance_text(provenance: Provenance, id: &str) -> String {
    match provenance {
        Provenance::Shipped => "a copy of the shipped checklist".to_string(),
        Provenance::Custom => "a custom checklist".to_string(),
        Provenance::Lookalike => {
            format!("NOT the shipped checklist, though it reuses the shipped id `{id}`")
        }
    }
}

/// Whether the run allows going to production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// No critical item fails or errors (and, with sign-off, nothing blocks).
    Go,
    /// At least one item blocks the release.
    NoGo,
}

/// The checklist a report is about.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistMeta {
    /// Identifier.
    pub id: String,
    /// Title.
    pub title: String,
    /// The checklist's version.
    pub version: String,
    /// SHA-256 of its source.
    pub digest: String,
    /// Shipped with preflight, a custom file, or a file reusing a shipped id.
    pub provenance: Provenance,
    /// The file it was read from, unless it is shipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Where it came from, in one line for people; `None` for a shipped checklist.
    #[serde(skip)]
    pub source_line: Option<String>,
}

impl ChecklistMeta {
    /// What a report says of one of the checklists it covers.
    pub fn of_part(part: &Part) -> ChecklistMeta {
        ChecklistMeta {
            id: part.id.clone(),
            title: part.title.clone(),
            version: part.version.clone(),
            digest: part.digest.clone(),
            provenance: part.provenance,
            file: part.source_file().map(|(path, _)| safe_line(path)),
            source_line: part.source_line(),
        }
    }

    /// Whether it poses as a shipped checklist without being one.
    pub fn is_lookalike(&self) -> bool {
        self.provenance == Provenance::Lookalike
    }
}

/// One probe's result.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeReport {
    /// Probe kind.
    pub kind: String,
    /// Its status.
    pub status: ProbeStatus,
    /// One line.
    pub summary: String,
    /// Details.
    pub evidence: Vec<Evidence>,
    /// Each server's verdict, when the probe checked an environment's `hosts`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<HostOutcome>,
}

/// One item's result.
#[derive(Debug, Clone, Serialize)]
pub struct ItemReport {
    /// Item id.
    pub id: String,
    /// The id of the checklist it belongs to, when the report covers several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checklist: Option<String>,
    /// Tier.
    pub tier: Tier,
    /// Title.
    pub title: String,
    /// Derived status.
    pub status: ItemStatus,
    /// Why it matters (not part of the JSON output).
    #[serde(skip)]
    pub rationale: String,
    /// What to do about a failure (not part of the JSON output).
    #[serde(skip)]
    pub remediation: String,
    /// Probe results.
    pub probes: Vec<ProbeReport>,
    /// Its sign-off, when the report covers sign-off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signoff: Option<ItemSignoffReport>,
    /// Why it keeps the release from production, if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocking: Option<String>,
}

impl ItemReport {
    /// The item's name as people type it: `checklist/id` in a report of several
    /// checklists (two may share an id), else its id.
    pub fn name(&self) -> String {
        match &self.checklist {
            Some(checklist) => format!("{checklist}/{}", self.id),
            None => self.id.clone(),
        }
    }
}

/// Items of one tier of one checklist, as reports list them.
#[derive(Debug)]
pub struct Group<'a> {
    /// The checklist, in a report of several; `None` in a report of one.
    pub checklist: Option<&'a ChecklistMeta>,
    /// The tier.
    pub tier: Tier,
    /// Its items, in checklist order.
    pub items: Vec<&'a ItemReport>,
}

/// One record of an item's sign-off chain, as a report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SignoffEvent {
    /// Position in the ledger.
    pub seq: u64,
    /// What happened.
    pub action: Action,
    /// Who.
    pub by: Identity,
    /// When.
    pub at: Timestamp,
    /// Their note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A waiver's justification (kept in the history after the waiver is revoked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A waiver's expiry; absent for other records and permanent waivers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<Timestamp>,
    /// The record's hash.
    pub hash: String,
    /// The fingerprint of the allowed signer's key that signed it, if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
    /// Why it counts for nothing, if it does not (see `preflight verify`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
}

/// The waiver in force (or expired), as a report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct WaiverReport {
    /// The justification.
    pub reason: String,
    /// Who waived.
    pub by: Identity,
    /// When.
    pub at: Timestamp,
    /// When it stops holding; absent for a permanent waiver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<Timestamp>,
    /// Whether it never expires.
    pub permanent: bool,
    /// Reviewers who approved it.
    pub approved_by: Vec<Identity>,
}

impl WaiverReport {
    /// `expires 2027-04-01T00:00:00Z` or `permanent`.
    pub fn expiry(&self) -> String {
        match self.expires {
            Some(e) => format!("expires {e}"),
            None => "permanent".to_string(),
        }
    }

    /// `approved by Raj <raj@example.com>` or `not approved`.
    pub fn approval(&self) -> String {
        if self.approved_by.is_empty() {
            return "not approved".to_string();
        }
        let names: Vec<String> = self.approved_by.iter().map(|i| i.to_string()).collect();
        format!("approved by {}", names.join(", "))
    }
}

/// An item's sign-off, as a report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ItemSignoffReport {
    /// Derived state.
    pub state: State,
    /// Why it is stale.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// When it must be signed off again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<Timestamp>,
    /// The waiver, when the item is waived or its waiver expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverReport>,
    /// Every record of the item in this environment, oldest first.
    pub chain: Vec<SignoffEvent>,
}

impl ItemSignoffReport {
    fn new(s: &ItemSignoff) -> Self {
        let waiver = s.current.as_ref().and_then(|d| {
            let w = d.record.waiver.as_ref()?;
            Some(WaiverReport {
                reason: safe_line(&w.reason),
                by: d.record.by.clone(),
                at: d.record.at,
                expires: w.expires,
                permanent: w.expires.is_none(),
                approved_by: d.approvals.iter().map(|a| a.by.clone()).collect(),
            })
        });
        ItemSignoffReport {
            state: s.state,
            reasons: s.stale_reasons.iter().map(|r| safe_line(r)).collect(),
            due: s.due,
            waiver,
            chain: s
                .history
                .iter()
                .map(|r| SignoffEvent {
                    seq: r.pos,
                    action: r.action,
                    by: r.by.clone(),
                    at: r.at,
                    note: r.note.as_deref().map(safe_lines),
                    reason: r.waiver.as_ref().map(|w| safe_line(&w.reason)),
                    expires: r.waiver.as_ref().and_then(|w| w.expires),
                    hash: r.hash.clone(),
                    signed_by: match &r.standing {
                        Standing::Signed { key, .. } => Some(key.clone()),
                        _ => None,
                    },
                    ignored: match &r.standing {
                        Standing::Refused(why) => Some(safe_line(why)),
                        _ => None,
                    },
                })
                .collect(),
        }
    }
}

/// Items counted by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Which tier these counts are for (absent for the total).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    /// Items that pass.
    pub pass: usize,
    /// Items that fail.
    pub fail: usize,
    /// Items whose probes could not run.
    pub error: usize,
    /// Items whose probes did not apply.
    pub skipped: usize,
    /// Items that need a person.
    pub manual: usize,
}

impl Summary {
    fn count(&mut self, status: ItemStatus) {
        match status {
            ItemStatus::Pass => self.pass += 1,
            ItemStatus::Fail => self.fail += 1,
            ItemStatus::Error => self.error += 1,
            ItemStatus::Skipped => self.skipped += 1,
            ItemStatus::Manual => self.manual += 1,
        }
    }
}

/// The ledger a report's sign-offs come from.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerMeta {
    /// Its path, as given.
    pub path: String,
    /// Verified records.
    pub records: usize,
    /// Hash of the last verified record: check a report against the ledger with
    /// `preflight history` or `preflight verify`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// The first problem of a damaged ledger.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Records that count for nothing (a signature that does not verify, a key not
    /// allowed, unsigned where signatures are required).
    #[serde(skip_serializing_if = "is_zero")]
    pub ignored: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What a report needs to cover sign-off.
#[derive(Debug, Clone, Copy)]
pub struct SignoffInput<'a> {
    /// The environment.
    pub env: &'a str,
    /// The ledger's verified contents.
    pub ledger: &'a Contents,
    /// Where the ledger is, for people.
    pub ledger_path: &'a str,
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The preflight version that made it.
    pub preflight_version: String,
    /// When the probes ran.
    pub generated_at: Timestamp,
    /// The environment the probes checked and sign-offs are about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The checklist; for a run of several, their combination (whose `id` joins
    /// theirs with `+`), each of them in `checklists`.
    pub checklist: ChecklistMeta,
    /// Every checklist the report covers (in JSON only when there are several).
    #[serde(skip_serializing_if = "one_or_none")]
    pub checklists: Vec<ChecklistMeta>,
    /// Items, in checklist order.
    pub items: Vec<ItemReport>,
    /// Counts.
    pub summary: Summary,
    /// Counts per tier, most important first.
    pub tiers: Vec<Summary>,
    /// The ledger, when the report covers sign-off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger: Option<LedgerMeta>,
    /// Which revision of the project was checked, on which machine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<CheckedRevision>,
    /// Go / no-go.
    pub verdict: Verdict,
}

fn one_or_none(parts: &[ChecklistMeta]) -> bool {
    parts.len() <= 1
}

/// Which revision of the project a report is about, and where it was made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CheckedRevision {
    /// The commit checked out, if the project is a git repository with one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The branch, unless the head is detached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Whether tracked files differed from the commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dirty: Option<bool>,
    /// The `origin` remote, without credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// The machine that ran the probes.
    pub host: String,
}

impl CheckedRevision {
    /// The revision of the project at `dir`, asked of git (nothing is written).
    pub fn of(dir: &std::path::Path) -> CheckedRevision {
        let revision = crate::system::git::Repo::open(dir)
            .map(|repo| repo.revision())
            .unwrap_or_default();
        CheckedRevision {
            commit: revision.commit,
            branch: revision.branch.map(|b| safe_line(&b)),
            dirty: revision.dirty,
            remote: revision.remote.map(|r| safe_line(&r)),
            host: safe_line(&rustix::system::uname().nodename().to_string_lossy()),
        }
    }

    /// One line for people: `commit 1a2b3c4d5e6f (main, uncommitted changes) of
    /// https://… on host`.
    pub fn describe(&self) -> String {
        let mut text = match &self.commit {
            Some(commit) => format!("commit {}", commit.get(..12).unwrap_or(commit)),
            None => "no commit".to_string(),
        };
        let mut notes = Vec::new();
        if let Some(branch) = &self.branch {
            notes.push(safe_line(branch));
        }
        if self.dirty == Some(true) {
            notes.push("uncommitted changes".to_string());
        }
        if !notes.is_empty() {
            text.push_str(&format!(" ({})", notes.join(", ")));
        }
        if let Some(remote) = &self.remote {
            text.push_str(&format!(" of {remote}"));
        }
        text.push_str(&format!(" on {}", self.host));
        text
    }
}

impl Report {
    /// Builds the report of a run at time `now`. Without sign-off, the verdict is
    /// no-go when a critical item fails or errors. With sign-off, it is no-go when any
    /// item blocks (see [`signoff::blocking_reason`]) or the ledger is damaged.
    pub fn new(
        checklist: &Checklist,
        results: &[ItemResult],
        now: Timestamp,
        signoff: Option<SignoffInput<'_>>,
    ) -> Report {
        let mut summary = Summary::default();
        let mut tiers: Vec<Summary> = Tier::ALL
            .iter()
            .map(|t| Summary {
                tier: Some(*t),
                ..Summary::default()
            })
            .collect();
        let items: Vec<ItemReport> = results
            .iter()
            .filter_map(|r| {
                let item = checklist.items.get(r.item)?;
                summary.count(r.status);
                if let Some(t) = tiers.iter_mut().find(|t| t.tier == Some(item.tier)) {
                    t.count(r.status);
                }
                let derived = signoff.map(|s| {
                    ItemSignoff::derive(
                        checklist.part_of(item),
                        item,
                        s.env,
                        &s.ledger.records,
                        &item.digest(),
                        &signoff::evidence_digest(&r.probes),
                        now,
                    )
                });
                let blocking = match &derived {
                    Some(d) => signoff::blocking_reason(item.tier, r.status, d),
                    None => (item.tier == Tier::Critical
                        && matches!(r.status, ItemStatus::Fail | ItemStatus::Error))
                    .then(|| format!("its probes {}", r.status.as_str())),
                };
                Some(ItemReport {
                    id: item.id.clone(),
                    checklist: checklist
                        .is_combined()
                        .then(|| checklist.part_of(item).id.clone()),
                    tier: item.tier,
                    title: item.title.clone(),
                    status: r.status,
                    rationale: item.rationale.clone(),
                    remediation: item.remediation.clone(),
                    probes: r
                        .probes
                        .iter()
                        .map(|p| {
                            // Again here: a secret registered after this probe ended
                            // (by another one) is masked too.
                            let outcome = p.outcome.clone().sanitized();
                            ProbeReport {
                                kind: p.kind.clone(),
                                status: outcome.status,
                                summary: outcome.summary,
                                evidence: outcome.evidence,
                                hosts: outcome.hosts,
                            }
                        })
                        .collect(),
                    signoff: derived.as_ref().map(ItemSignoffReport::new),
                    blocking,
                })
            })
            .collect();
        let ledger = signoff.map(|s| LedgerMeta {
            path: s.ledger_path.to_string(),
            records: s.ledger.records.len(),
            head: s.ledger.head(),
            problem: s.ledger.problem.as_ref().map(|p| p.to_string()),
            ignored: s
                .ledger
                .records
                .iter()
                .filter(|r| !r.standing.counts())
                .count(),
        });
        let damaged = ledger.as_ref().is_some_and(|l| l.problem.is_some());
        let blocked = damaged || items.iter().any(|i| i.blocking.is_some());
        Report {
            provenance: None,
            preflight_version: env!("CARGO_PKG_VERSION").to_string(),
            generated_at: now,
            environment: signoff.map(|s| s.env.to_string()),
            checklist: match checklist.parts.as_slice() {
                [one] => ChecklistMeta::of_part(one),
                _ => ChecklistMeta {
                    id: checklist.id.clone(),
                    title: checklist.title.clone(),
                    version: checklist.version.clone(),
                    digest: checklist.digest.clone(),
                    provenance: checklist.provenance,
                    file: None,
                    source_line: None,
                },
            },
            checklists: checklist.parts.iter().map(ChecklistMeta::of_part).collect(),
            items,
            summary,
            tiers: tiers.into_iter().filter(|t| t.total() > 0).collect(),
            ledger,
            verdict: if blocked { Verdict::NoGo } else { Verdict::Go },
        }
    }

    /// Every checklist the report covers, one or several.
    pub fn parts(&self) -> &[ChecklistMeta] {
        if self.checklists.is_empty() {
            std::slice::from_ref(&self.checklist)
        } else {
            &self.checklists
        }
    }

    /// The checklists that pose as shipped ones without being them.
    pub fn lookalikes(&self) -> impl Iterator<Item = &ChecklistMeta> {
        self.parts().iter().filter(|c| c.is_lookalike())
    }

    /// The items by checklist (in a report of several), then by tier, most important
    /// first; empty groups left out.
    pub fn groups(&self) -> Vec<Group<'_>> {
        let combined = self.checklists.len() > 1;
        let parts: Vec<Option<&ChecklistMeta>> = if combined {
            self.checklists.iter().map(Some).collect()
        } else {
            vec![None]
        };
        let mut groups = Vec::new();
        for part in parts {
            for tier in Tier::ALL {
                let items: Vec<&ItemReport> = self
                    .items
                    .iter()
                    .filter(|i| i.tier == tier)
                    .filter(|i| part.is_none_or(|p| i.checklist.as_deref() == Some(&p.id)))
                    .collect();
                if !items.is_empty() {
                    groups.push(Group {
                        checklist: part,
                        tier,
                        items,
                    });
                }
            }
        }
        groups
    }

    /// Items that keep the release from production.
    pub fn blocking_items(&self) -> impl Iterator<Item = &ItemReport> {
        self.items.iter().filter(|i| i.blocking.is_some())
    }

    /// The rows of a summary table: each tier with items, then `total`.
    pub fn summary_rows(&self) -> impl Iterator<Item = (&'static str, &Summary)> {
        self.tiers
            .iter()
            .map(|t| (t.tier.map_or("", Tier::as_str), t))
            .chain(std::iter::once(("total", &self.summary)))
    }

    /// `GO` or `NO-GO`.
    pub fn verdict_label(&self) -> &'static str {
        match self.verdict {
            Verdict::Go => "GO",
            Verdict::NoGo => "NO-GO",
        }
    }

    /// Whether sign-off is part of the verdict.
    pub fn covers_signoff(&self) -> bool {
        self.ledger.is_some()
    }
}

impl Summary {
    /// The counts in the order reports print them: pass, fail, error, skipped, manual.
    pub fn counts(&self) -> [usize; 5] {
        [self.pass, self.fail, self.error, self.skipped, self.manual]
    }

    /// Items counted.
    pub fn total(&self) -> usize {
        self.pass + self.fail + self.error + self.skipped + self.manual
    }
}

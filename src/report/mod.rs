//! The report model: one description of a run that every output format renders.
//!
//! A [`Report`] is built from a checklist and the runner's results; renderers
//! ([`text`], [`json`]) only format it and never run anything.

pub mod json;
pub mod text;

use serde::Serialize;

use crate::checklist::{Checklist, Tier};
use crate::probe::runner::{ItemResult, ItemStatus};
use crate::probe::{Evidence, ProbeStatus};

/// Whether the run allows going to production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// No critical item fails or errors.
    Go,
    /// At least one critical item fails or errors.
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
}

/// One item's result.
#[derive(Debug, Clone, Serialize)]
pub struct ItemReport {
    /// Item id.
    pub id: String,
    /// Tier.
    pub tier: Tier,
    /// Title.
    pub title: String,
    /// Derived status.
    pub status: ItemStatus,
    /// What to do about a failure (not part of the JSON output).
    #[serde(skip)]
    pub remediation: String,
    /// Probe results.
    pub probes: Vec<ProbeReport>,
}

/// Items counted by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
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

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The checklist.
    pub checklist: ChecklistMeta,
    /// Items, in checklist order.
    pub items: Vec<ItemReport>,
    /// Counts.
    pub summary: Summary,
    /// Go / no-go.
    pub verdict: Verdict,
}

impl Report {
    /// Builds the report of a run.
    pub fn new(checklist: &Checklist, results: &[ItemResult]) -> Report {
        let mut summary = Summary::default();
        let items: Vec<ItemReport> = results
            .iter()
            .filter_map(|r| {
                let item = checklist.items.get(r.item)?;
                match r.status {
                    ItemStatus::Pass => summary.pass += 1,
                    ItemStatus::Fail => summary.fail += 1,
                    ItemStatus::Error => summary.error += 1,
                    ItemStatus::Skipped => summary.skipped += 1,
                    ItemStatus::Manual => summary.manual += 1,
                }
                Some(ItemReport {
                    id: item.id.clone(),
                    tier: item.tier,
                    title: item.title.clone(),
                    status: r.status,
                    remediation: item.remediation.clone(),
                    probes: r
                        .probes
                        .iter()
                        .map(|p| ProbeReport {
                            kind: p.kind.clone(),
                            status: p.outcome.status,
                            summary: p.outcome.summary.clone(),
                            evidence: p.outcome.evidence.clone(),
                        })
                        .collect(),
                })
            })
            .collect();
        let blocked = items.iter().any(|i| {
            i.tier == Tier::Critical && matches!(i.status, ItemStatus::Fail | ItemStatus::Error)
        });
        Report {
            checklist: ChecklistMeta {
                id: checklist.id.clone(),
                title: checklist.title.clone(),
                version: checklist.version.clone(),
                digest: checklist.digest.clone(),
            },
            items,
            summary,
            verdict: if blocked { Verdict::NoGo } else { Verdict::Go },
        }
    }

    /// Critical items that fail or error, which make the verdict no-go.
    pub fn blocking_items(&self) -> impl Iterator<Item = &ItemReport> {
        self.items.iter().filter(|i| {
            i.tier == Tier::Critical && matches!(i.status, ItemStatus::Fail | ItemStatus::Error)
        })
    }
}

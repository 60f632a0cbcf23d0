//! The checklist model: items in three tiers, each with rationale, remediation and probes.
//!
//! This module is pure data plus loading and validation. It never builds or runs a
//! probe, touches the network or prints anything: the probe kinds it validates against
//! are handed in ([`kinds::ProbeKinds`]), and the runner and the printers consume what
//! it builds.

pub mod kinds;
mod load;
pub mod params;
pub mod schema;
pub mod shipped;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::base::digest::sha256_hex;
use crate::base::duration::HumanDuration;
use crate::base::text::safe_line;
pub use load::{LoadError, load_file, load_source};
use params::Params;

/// The checklist format version this build reads.
pub const FORMAT_VERSION: i64 = 1;

/// How much an item matters for the go / no-go decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Must be done before production: a failure blocks the release.
    Critical,
    /// Should be done, or its omission documented.
    Recommended,
    /// Nice to have.
    Optional,
}

impl Tier {
    /// All tiers, most important first.
    pub const ALL: [Tier; 3] = [Tier::Critical, Tier::Recommended, Tier::Optional];

    /// The name used in TOML and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Critical => "critical",
            Tier::Recommended => "recommended",
            Tier::Optional => "optional",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Tier {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Tier::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                format!("unknown tier `{s}` (expected critical, recommended or optional)")
            })
    }
}

/// A loaded, validated checklist.
#[derive(Debug, Clone)]
pub struct Checklist {
    /// Stable identifier, e.g. `postgres-production`.
    pub id: String,
    /// Human title.
    pub title: String,
    /// The checklist's own version string.
    pub version: String,
    /// What the checklist is for.
    pub description: String,
    /// Items in file order.
    pub items: Vec<Item>,
    /// Where it came from: a path, or `shipped:NAME`.
    pub origin: String,
    /// SHA-256 of the source text, hex.
    pub digest: String,
    /// Whether it is a shipped checklist, a file of its own, or a file posing as a
    /// shipped one.
    pub provenance: Provenance,
}

/// Where a checklist came from, as far as trusting it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provenance {
    /// Compiled into preflight, or a byte-identical copy of a checklist that is.
    Shipped,
    /// A file with an id of its own.
    Custom,
    /// A file that reuses a shipped checklist's id but differs from it: whatever its
    /// title and version say, it is not the shipped checklist.
    Lookalike,
}

impl Provenance {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Shipped => "shipped",
            Provenance::Custom => "custom",
            Provenance::Lookalike => "lookalike",
        }
    }
}

impl Checklist {
    /// The file it was read from, unless it is shipped: `(path, sha256)`.
    pub fn source_file(&self) -> Option<(&str, &str)> {
        (self.provenance != Provenance::Shipped).then_some((&self.origin, &self.digest))
    }

    /// What tells it apart from other checklists: its id, and for a file that reuses a
    /// shipped id, its digest too.
    pub fn key(&self) -> String {
        match self.provenance {
            Provenance::Lookalike => format!("{}@sha256:{}", self.id, self.digest),
            _ => self.id.clone(),
        }
    }

    /// Where it came from, in one line for people: `None` for a shipped checklist.
    pub fn source_line(&self) -> Option<String> {
        let (path, digest) = self.source_file()?;
        let path = safe_line(path);
        let short = &digest[..digest.len().min(12)];
        Some(match self.provenance {
            Provenance::Lookalike => format!(
                "NOT the shipped checklist `{}`: read from {path} (sha256 {short}), which reuses the shipped id",
                self.id
            ),
            _ => format!("checklist file {path} (sha256 {short})"),
        })
    }

    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }
}

/// One thing to verify before production.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// Unique kebab-case identifier.
    pub id: String,
    /// Importance.
    pub tier: Tier,
    /// One-line title.
    pub title: String,
    /// Where in the guide it belongs (e.g. "Pre-deployment"), for grouping.
    pub section: Option<String>,
    /// Why it matters.
    pub rationale: String,
    /// What to do about a failure (Markdown).
    pub remediation: String,
    /// Links or document references.
    pub references: Vec<String>,
    /// How often a sign-off must be renewed, e.g. every 90 days.
    pub recurs: Option<HumanDuration>,
    /// Machine checks; none means a person must attest.
    pub probes: Vec<ProbeSpec>,
}

impl Item {
    /// SHA-256 of the item's definition (every field, as canonical JSON): a sign-off
    /// records it, so that a later edit of the item makes the sign-off stale.
    pub fn digest(&self) -> String {
        // Plain data always serialises.
        sha256_hex(serde_json::to_string(self).unwrap_or_default().as_bytes())
    }

    /// An item with no probe can only be attested by a person.
    pub fn is_manual(&self) -> bool {
        self.probes.is_empty()
    }
}

/// One machine check of an item: a probe kind and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeSpec {
    /// The probe kind, e.g. `compose-ports`.
    pub kind: String,
    /// Overrides the runner's default timeout.
    pub timeout: Option<HumanDuration>,
    /// The kind's own parameters, already validated against its spec.
    pub params: Params,
}

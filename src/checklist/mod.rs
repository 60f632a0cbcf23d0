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
    /// The checklists it is made of, each item naming its own ([`Item::part`]): one
    /// for a checklist read from one source, several for a [`Checklist::combine`]d
    /// run. Sign-offs are made under a part, never under a combination.
    pub parts: Vec<Part>,
}

/// One checklist, as far as telling it apart from others goes: what a sign-off is
/// made under and what a report names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Stable identifier, e.g. `postgres-production`.
    pub id: String,
    /// Human title.
    pub title: String,
    /// The checklist's own version string.
    pub version: String,
    /// Where it came from: a path, or `shipped:NAME`.
    pub origin: String,
    /// SHA-256 of the source text, hex.
    pub digest: String,
    /// Shipped, custom, or a lookalike.
    pub provenance: Provenance,
}

impl Part {
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
}

/// Why an item named on the command line is not one item of a checklist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItemLookupError {
    /// No item has that id.
    #[error("{owner} no item `{id}`{hint}")]
    Missing {
        /// `checklist `x` has` or `checklists `a` and `b` have`.
        owner: String,
        /// The id asked for.
        id: String,
        /// ` (did you mean …?)`, or nothing.
        hint: String,
    },
    /// Several of the run's checklists have an item with that id.
    #[error("`{id}` is an item of several checklists: name one as {}", .choices.join(" or "))]
    Ambiguous {
        /// The id asked for.
        id: String,
        /// The qualified names to choose from.
        choices: Vec<String>,
    },
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
    /// The file it was read from, unless it is shipped: `(path, sha256)`. For a
    /// combination, the first part read from a file.
    pub fn source_file(&self) -> Option<(&str, &str)> {
        self.parts.iter().find_map(Part::source_file)
    }

    /// What tells it apart from other checklists (and combinations): its parts' keys.
    pub fn key(&self) -> String {
        let keys: Vec<String> = self.parts.iter().map(Part::key).collect();
        keys.join("+")
    }

    /// The checklist `item` belongs to.
    pub fn part_of(&self, item: &Item) -> &Part {
        // Every item's part indexes `parts` (see `combine` and the loader).
        &self.parts[item.part.min(self.parts.len().saturating_sub(1))]
    }

    /// Says where a checklist read from one source came from (a path as people
    /// should see it).
    pub fn set_origin(&mut self, origin: String) {
        for part in &mut self.parts {
            part.origin.clone_from(&origin);
        }
        self.origin = origin;
    }

    /// Whether it is made of several checklists.
    pub fn is_combined(&self) -> bool {
        self.parts.len() > 1
    }

    /// The item's name as people type it: its id, or `checklist/id` in a combination
    /// where another checklist has an item with the same id.
    pub fn item_label(&self, index: usize) -> String {
        let Some(item) = self.items.get(index) else {
            return String::new();
        };
        let shared = self
            .items
            .iter()
            .filter(|other| other.id == item.id)
            .count()
            > 1;
        if shared {
            format!("{}/{}", self.part_of(item).id, item.id)
        } else {
            item.id.clone()
        }
    }

    /// The index of the item named `name`: an id, or `checklist/id` (which a
    /// combination needs when several of its checklists share the id).
    pub fn find_item(&self, name: &str) -> Result<usize, ItemLookupError> {
        let (part, id) = match name.split_once('/') {
            Some((part, id)) => (Some(part), id),
            None => (None, name),
        };
        let found: Vec<usize> = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.id == id && part.is_none_or(|p| self.part_of(i).id == p))
            .map(|(n, _)| n)
            .collect();
        match found.as_slice() {
            [one] => Ok(*one),
            [] => {
                let names: Vec<String> =
                    (0..self.items.len()).map(|n| self.item_label(n)).collect();
                let hint =
                    crate::base::diagnostic::did_you_mean(name, names.iter().map(String::as_str))
                        .map(|near| format!(" (did you mean `{near}`?)"))
                        .unwrap_or_default();
                let verb = if self.is_combined() { "have" } else { "has" };
                Err(ItemLookupError::Missing {
                    owner: format!("{} {verb}", self.described()),
                    id: name.to_string(),
                    hint,
                })
            }
            several => Err(ItemLookupError::Ambiguous {
                id: name.to_string(),
                choices: several
                    .iter()
                    .map(|&n| format!("`{}/{id}`", self.part_of(&self.items[n]).id))
                    .collect(),
            }),
        }
    }

    /// `checklist `ID`` or `checklists `A` and `B``, for messages.
    pub fn described(&self) -> String {
        let ids: Vec<String> = self.parts.iter().map(|p| format!("`{}`", p.id)).collect();
        match ids.as_slice() {
            [one] => format!("checklist {one}"),
            _ => format!("checklists {}", crate::base::text::and_list(&ids)),
        }
    }

    /// One checklist made of `checklists`, their items in the order given, each item
    /// still naming the checklist it came from. A checklist given twice counts once.
    /// One checklist is returned as it is.
    pub fn combine(checklists: Vec<Checklist>) -> Checklist {
        let mut unique: Vec<Checklist> = Vec::new();
        for c in checklists {
            if !unique.iter().any(|u| u.key() == c.key()) {
                unique.push(c);
            }
        }
        if unique.len() == 1 {
            return unique.remove(0);
        }
        let join = |f: &dyn Fn(&Checklist) -> String, sep: &str| -> String {
            unique.iter().map(f).collect::<Vec<_>>().join(sep)
        };
        let mut combined = Checklist {
            id: join(&|c| c.id.clone(), "+"),
            title: join(&|c| c.title.clone(), " + "),
            version: join(&|c| c.version.clone(), "+"),
            description: join(&|c| c.description.clone(), "\n\n"),
            items: Vec::new(),
            origin: join(&|c| c.origin.clone(), ", "),
            digest: sha256_hex(join(&|c| c.digest.clone(), "\n").as_bytes()),
            // The least trusted part says what the whole is.
            provenance: unique
                .iter()
                .map(|c| c.provenance)
                .max_by_key(|p| match p {
                    Provenance::Shipped => 0,
                    Provenance::Custom => 1,
                    Provenance::Lookalike => 2,
                })
                .unwrap_or(Provenance::Custom),
            parts: Vec::new(),
        };
        for c in unique {
            let offset = combined.parts.len();
            combined.items.extend(c.items.into_iter().map(|mut i| {
                i.part += offset;
                i
            }));
            combined.parts.extend(c.parts);
        }
        combined
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
    /// Which of its checklist's [`Checklist::parts`] it comes from. Not part of the
    /// item's definition (nor of its digest).
    #[serde(skip)]
    pub part: usize,
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

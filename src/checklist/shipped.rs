//! The checklists compiled into the binary.

use super::kinds::ProbeKinds;
use super::{Checklist, Provenance, load_source};
use crate::base::diagnostic::{Diagnostics, SourceFile};
use crate::base::digest::sha256_hex;

/// A checklist shipped with preflight.
#[derive(Debug, Clone, Copy)]
pub struct Shipped {
    /// Its name (also its `[checklist] id`).
    pub name: &'static str,
    /// Its TOML source.
    pub source: &'static str,
}

/// Every shipped checklist; the first is the default.
pub const SHIPPED: &[Shipped] = &[
    Shipped {
        name: "postgres-production",
        source: include_str!("../../checklists/postgres-production.toml"),
    },
    Shipped {
        name: "postgres-security",
        source: include_str!("../../checklists/postgres-security.toml"),
    },
    Shipped {
        name: "postgres-hardening",
        source: include_str!("../../checklists/postgres-hardening.toml"),
    },
];

/// The default checklist's name.
pub const DEFAULT: &str = "postgres-production";

/// The shipped checklist with this name.
pub fn find(name: &str) -> Option<Shipped> {
    SHIPPED.iter().copied().find(|s| s.name == name)
}

/// What a checklist with this id and source digest is: a shipped one (or a
/// byte-identical copy), a file posing as a shipped one, or a checklist of its own.
pub fn provenance(id: &str, digest: &str) -> Provenance {
    match find(id) {
        Some(s) if sha256_hex(s.source.as_bytes()) == digest => Provenance::Shipped,
        Some(_) => Provenance::Lookalike,
        None => Provenance::Custom,
    }
}

impl Shipped {
    /// Loads and validates it against the probe kinds `kinds`.
    pub fn load(&self, kinds: &dyn ProbeKinds) -> Result<Checklist, Diagnostics> {
        let path = format!("checklists/{}.toml", self.name);
        load_source(
            &SourceFile::new(path, self.source),
            &format!("shipped:{}", self.name),
            kinds,
        )
    }
}

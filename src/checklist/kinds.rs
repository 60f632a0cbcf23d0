//! What the checklist loader knows of probe kinds: their names, summaries and declared
//! parameters ([`KindSpec`]), and a way to ask whether a set of parameters is usable
//! ([`ProbeKinds::check`]). The probe layer's catalog implements [`ProbeKinds`] and is
//! handed to the loader, so this layer never builds or runs a probe.

use super::params::{ParamError, ParamSpec, Params};

/// One probe kind as a checklist sees it.
#[derive(Debug, Clone, Copy)]
pub struct KindSpec {
    /// The name used in `kind = "..."`.
    pub name: &'static str,
    /// One sentence on what it checks.
    pub summary: &'static str,
    /// Its parameters.
    pub params: &'static [ParamSpec],
}

/// The probe kinds a checklist may use.
pub trait ProbeKinds {
    /// Every kind, in the order the schema and the docs list them.
    fn all(&self) -> Vec<KindSpec>;

    /// The kind with this name.
    fn find(&self, name: &str) -> Option<KindSpec> {
        self.all().into_iter().find(|k| k.name == name)
    }

    /// Checks what types alone cannot (a valid glob, a sane range): whether the kind
    /// can be configured with `params` (missing ones at their declared defaults).
    fn check(&self, kind: &str, params: &Params) -> Result<(), ParamError>;
}

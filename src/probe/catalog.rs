//! Every probe kind preflight knows, with its parameters and how to build it.
//!
//! The catalog is the single list that checklist validation (through
//! [`ProbeKinds`]), `preflight schema` and the runner consult, so adding a kind means
//! adding its module under [`super::kinds`] and one line here.

use std::sync::Arc;

use super::Probe;
use super::kinds::{
    command, compose_images, compose_ports, compose_secrets, connection_string,
    credential_difference, dockerfile_secrets, env_vars, file_fresh, file_mode, git_history,
    git_hook, git_tracked, gitignore_covers, keyvault_secrets, listening, password_policy,
    postgres, reachable, secret_scan, sql_injection,
};
use crate::checklist::kinds::{KindSpec, ProbeKinds};
use crate::checklist::params::{ParamError, ParamSpec, Params};

/// Builds a probe from validated parameters, every declared default filled in.
pub type BuildFn = fn(&Params) -> Result<Arc<dyn Probe>, ParamError>;

/// One probe kind.
#[derive(Debug)]
pub struct KindInfo {
    /// The name used in `kind = "..."`.
    pub name: &'static str,
    /// One sentence on what it checks.
    pub summary: &'static str,
    /// Its parameters.
    pub params: &'static [ParamSpec],
    /// Its constructor; call [`KindInfo::probe`], which fills in the declared defaults.
    pub build: BuildFn,
}

impl KindInfo {
    /// The probe `params` configure, with every parameter they leave out at its
    /// declared default.
    pub fn probe(&self, params: &Params) -> Result<Arc<dyn Probe>, ParamError> {
        (self.build)(&params.with_defaults(self.params))
    }

    /// What a checklist sees of the kind.
    pub fn spec(&self) -> KindSpec {
        KindSpec {
            name: self.name,
            summary: self.summary,
            params: self.params,
        }
    }
}

/// All probe kinds.
pub const KINDS: &[KindInfo] = &[
    compose_ports::KIND,
    git_tracked::KIND,
    gitignore_covers::KIND,
    env_vars::KIND,
    file_mode::KIND,
    listening::KIND,
    reachable::KIND,
    postgres::connect::KIND,
    postgres::settings::KIND,
    postgres::hba::KIND,
    postgres::roles::KIND,
    postgres::login_rejected::KIND,
    password_policy::KIND,
    credential_difference::KIND,
    connection_string::KIND,
    keyvault_secrets::KIND,
    compose_secrets::KIND,
    compose_images::KIND,
    git_history::KIND,
    dockerfile_secrets::KIND,
    file_fresh::KIND,
    secret_scan::KIND,
    sql_injection::KIND,
    command::KIND,
    git_hook::KIND,
];

/// The kind with this name.
pub fn find(name: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.name == name)
}

/// The catalog as the checklist loader asks it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Catalog;

impl ProbeKinds for Catalog {
    fn all(&self) -> Vec<KindSpec> {
        KINDS.iter().map(KindInfo::spec).collect()
    }

    fn check(&self, kind: &str, params: &Params) -> Result<(), ParamError> {
        match find(kind) {
            Some(info) => info.probe(params).map(|_| ()),
            None => Err(ParamError::new(
                "kind",
                format!("unknown probe kind `{kind}`"),
            )),
        }
    }
}

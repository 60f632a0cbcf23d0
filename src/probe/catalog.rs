//! Every probe kind preflight knows, with its parameters and how to build it.
//!
//! The catalog is the single list that checklist validation (through
//! [`ProbeKinds`]), `preflight schema` and the runner consult, so adding a kind means
//! adding its module under [`super::kinds`] and one line here.

use std::sync::Arc;

use super::Probe;
use super::kinds::{
    command, compose_images, compose_ports, compose_secrets, connection_string,
    credential_difference, dockerfile_secrets, env_vars, environment, file_fresh, file_mode,
    git_history, git_hook, git_tracked, gitignore_covers, keyvault_secrets, listening,
    password_policy, postgres, reachable, secret_scan, sql_injection,
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
    environment::KIND,
    file_mode::KIND,
    listening::KIND,
    reachable::KIND,
    postgres::connect::KIND,
    postgres::settings::KIND,
    postgres::tls::KIND,
    postgres::hba::KIND,
    postgres::roles::KIND,
    postgres::privileges::KIND,
    postgres::code::KIND,
    postgres::locations::KIND,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::params::ParamValue;

    /// Parameters a kind cannot do without (required ones, or a choice between two),
    /// as an inline TOML table.
    fn essentials(kind: &str) -> Params {
        let text = match kind {
            "file-mode" => r#"{ path = "secrets/key.pem" }"#,
            "command" => r#"{ argv = ["true"] }"#,
            "reachable" => "{ port = 5432 }",
            "postgres-settings" => r#"{ settings = { ssl = { equals = "on" } } }"#,
            "file-fresh" => r#"{ path = "backups/*.dump", max_age = "7d" }"#,
            "env-vars" => r#"{ vars = ["PG_HOST"] }"#,
            _ => "{}",
        };
        let value = toml::de::DeValue::parse(text).unwrap();
        match ParamValue::from_toml(value.get_ref()) {
            ParamValue::Table(t) => Params(t),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_declared_default_is_a_valid_value_of_its_type() {
        for kind in KINDS {
            for spec in kind.params.iter().filter(|p| p.default.is_some()) {
                let text = spec.default.unwrap_or_default();
                let value = toml::de::DeValue::parse(text).unwrap_or_else(|e| {
                    panic!("{}: default of `{}` is not TOML: {e}", kind.name, spec.name)
                });
                spec.ty
                    .check(spec.name, value.get_ref())
                    .unwrap_or_else(|e| panic!("{}: default of `{}`: {e}", kind.name, spec.name));
                assert!(
                    !spec.required,
                    "{}: `{}` is required and has a default",
                    kind.name, spec.name
                );
            }
        }
    }

    /// As ripgrep compares each flag's declared default with a parse of nothing: a kind
    /// built from nothing equals the kind built from its declared defaults written out,
    /// and leaving out any one defaulted parameter (with no declaration to fall back on)
    /// is an error naming it, so no default hides in the code.
    #[test]
    fn each_kind_reads_its_defaults_from_the_declaration_and_nowhere_else() {
        for kind in KINDS {
            let given = essentials(kind.name);
            let from_nothing = kind
                .probe(&given)
                .unwrap_or_else(|e| panic!("{} from its defaults: {e}", kind.name));
            let mut written_out = given.clone();
            for spec in kind.params {
                if let Some(value) = spec.default_value() {
                    written_out.0.insert(spec.name.to_string(), value);
                }
            }
            let explicit = (kind.build)(&written_out)
                .unwrap_or_else(|e| panic!("{} from explicit defaults: {e}", kind.name));
            assert_eq!(
                format!("{from_nothing:?}"),
                format!("{explicit:?}"),
                "{}",
                kind.name
            );
            for spec in kind.params.iter().filter(|p| p.default.is_some()) {
                let mut without = written_out.clone();
                without.0.remove(spec.name);
                match (kind.build)(&without) {
                    Err(e) => assert_eq!(e.param, spec.name, "{}: {e}", kind.name),
                    Ok(probe) => panic!(
                        "{}: built without `{}` ({probe:?}): its default is written in the code too",
                        kind.name, spec.name
                    ),
                }
            }
        }
    }
}

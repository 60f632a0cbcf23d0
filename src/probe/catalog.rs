//! Every probe kind preflight knows, with its parameters and how to build it.
//!
//! The catalog is the single list that checklist validation, `preflight schema` and
//! the runner consult, so adding a kind means adding one line here.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::{
    Probe, command, compose_images, compose_ports, compose_secrets, connection_string,
    credential_difference, dockerfile_secrets, env_vars, file_fresh, file_mode, git_history,
    git_hook, git_tracked, gitignore_covers, keyvault_secrets, listening, password_policy,
    postgres, reachable, secret_scan, sql_injection,
};
use crate::checklist::params::{ParamError, ParamSpec, Params};

/// Builds a probe from validated parameters.
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
    /// Its constructor.
    pub build: BuildFn,
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

const DURATION_PATTERN: &str = "^[0-9]+(ms|s|m|h|d|w)$";

/// A JSON Schema (draft 2020-12) of the checklist format, for editors.
pub fn checklist_schema() -> Value {
    let probe_variants: Vec<Value> = KINDS
        .iter()
        .map(|kind| {
            let mut properties = Map::new();
            properties.insert("kind".into(), json!({ "const": kind.name, "description": kind.summary }));
            properties.insert("timeout".into(), json!({ "type": "string", "pattern": DURATION_PATTERN, "description": "Overrides the default probe timeout, e.g. \"10s\"." }));
            let mut required = vec![json!("kind")];
            for p in kind.params {
                let mut schema = p.ty.json_schema();
                if let Some(obj) = schema.as_object_mut() {
                    obj.insert("description".into(), json!(p.doc));
                }
                properties.insert(p.name.into(), schema);
                if p.required {
                    required.push(json!(p.name));
                }
            }
            json!({
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": false,
            })
        })
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://preflight.invalid/schema/checklist-v1.json",
        "title": "preflight checklist (format 1)",
        "type": "object",
        "required": ["checklist", "item"],
        "additionalProperties": false,
        "properties": {
            "checklist": {
                "type": "object",
                "required": ["id", "title"],
                "additionalProperties": false,
                "properties": {
                    "id": { "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$" },
                    "title": { "type": "string" },
                    "version": { "type": "string" },
                    "description": { "type": "string" },
                    "format": { "const": 1 }
                }
            },
            "item": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["id", "tier", "title"],
                    "additionalProperties": false,
                    "properties": {
                        "id": { "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$" },
                        "tier": { "enum": ["critical", "recommended", "optional"] },
                        "title": { "type": "string" },
                        "section": { "type": "string" },
                        "rationale": { "type": "string" },
                        "remediation": { "type": "string", "description": "Markdown; may hold code blocks." },
                        "references": { "type": "array", "items": { "type": "string" } },
                        "recurs": { "type": "string", "pattern": DURATION_PATTERN, "description": "Sign-off cadence, e.g. \"90d\"." },
                        "probe": { "type": "array", "items": { "oneOf": probe_variants } }
                    }
                }
            }
        }
    })
}

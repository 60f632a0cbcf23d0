//! The JSON Schema of the checklist format, for editors (`preflight schema`): the
//! file's shape, and one variant per probe kind with its declared parameters, types and
//! defaults.

use serde_json::{Map, Value, json};

use super::kinds::ProbeKinds;

const DURATION_PATTERN: &str = "^[0-9]+(ms|s|m|h|d|w)$";

/// A JSON Schema (draft 2020-12) of the checklist format with these probe kinds, for
/// editors.
pub fn checklist_schema(kinds: &dyn ProbeKinds) -> Value {
    let probe_variants: Vec<Value> = kinds
        .all()
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
                    if let Some(default) = p.default_value() {
                        obj.insert("default".into(), default.to_json());
                    }
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

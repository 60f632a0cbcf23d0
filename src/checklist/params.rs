//! Probe parameters: their declared shape ([`ParamSpec`]) and their values ([`Params`]).
//!
//! Each probe kind declares its parameters once, as a slice of [`ParamSpec`]. That one
//! declaration drives checklist validation (unknown keys, types, allowed values), the
//! JSON Schema printed by `preflight schema`, and the reference in the README. A
//! declared default is the only place the default is written: the probe is built from
//! [`Params::with_defaults`], and reads it back with the `*_or_default` getters.

use std::collections::BTreeMap;

use toml::de::DeValue;

use crate::base::duration::HumanDuration;
use crate::base::pathglob::PathGlobs;
use crate::base::toml_reader::{integer_value, type_name};

/// The type a parameter accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// A string.
    String,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Bool,
    /// An array of strings.
    StringList,
    /// An array of whole numbers.
    IntegerList,
    /// A table whose values are strings, e.g. `{ ENVIRONMENT = "production" }`.
    StringMap,
    /// A duration such as `"90d"` (see [`HumanDuration`]).
    Duration,
    /// A Unix file mode written in octal: `0o600` or `"0600"`.
    FileMode,
    /// One of a fixed set of strings.
    Choice(&'static [&'static str]),
    /// A table whose shape the probe kind checks itself.
    Table,
    /// A PostgreSQL version: a major as an integer (`16`) or a string (`"16"`,
    /// `"16.6"`, `"9.6"`, `"9.6.24"`).
    Version,
}

/// A PostgreSQL version as `server_version_num` counts it (`16.6` is 160006, `9.6.24`
/// is 90624), from `16`, `"16.6"`, `"9.6"` or `"9.6.24"`.
pub fn version_num(text: &str) -> Option<i64> {
    let parts: Vec<i64> = text
        .trim()
        .split('.')
        .map(|p| p.parse::<i64>().ok().filter(|n| (0..100).contains(n)))
        .collect::<Option<Vec<_>>>()?;
    match parts.as_slice() {
        [major] if *major >= 10 => Some(major * 10_000),
        [major, minor] if *major >= 10 => Some(major * 10_000 + minor),
        [9, minor] => Some(90_000 + minor * 100),
        [9, minor, patch] => Some(90_000 + minor * 100 + patch),
        [9] => Some(90_000),
        _ => None,
    }
}

/// One parameter of a probe kind.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// The key in `[[item.probe]]`.
    pub name: &'static str,
    /// What it accepts.
    pub ty: ParamType,
    /// Whether it must be given.
    pub required: bool,
    /// The default, written as a TOML value (`"3s"`, `["a", "b"]`, `true`): the one
    /// place it is written, read by the probe, the schema and the docs.
    pub default: Option<&'static str>,
    /// One sentence on what it does.
    pub doc: &'static str,
}

impl ParamSpec {
    /// The declared default as a value (`None` without one, or if it is not valid
    /// TOML, which a test rules out for every kind).
    pub fn default_value(&self) -> Option<ParamValue> {
        let text = self.default?;
        let value = DeValue::parse(text).ok()?;
        Some(ParamValue::from_toml(value.get_ref()))
    }
}

impl ParamType {
    /// Checks a raw TOML value against the type; `Err` holds the message.
    pub fn check(&self, name: &str, value: &DeValue<'_>) -> Result<(), String> {
        let found = type_name(value);
        let wrong = |expected: &str| Err(format!("`{name}` must be {expected}, found {found}"));
        match (self, value) {
            (ParamType::String, DeValue::String(_)) => Ok(()),
            (ParamType::Integer, DeValue::Integer(_)) => Ok(()),
            (ParamType::Bool, DeValue::Boolean(_)) => Ok(()),
            (ParamType::StringList, DeValue::Array(items)) => {
                every_item(name, items, "strings", |v| matches!(v, DeValue::String(_)))
            }
            (ParamType::IntegerList, DeValue::Array(items)) => {
                every_item(name, items, "integers", |v| {
                    matches!(v, DeValue::Integer(_))
                })
            }
            (ParamType::StringMap, DeValue::Table(table)) => {
                match table
                    .iter()
                    .find(|(_, v)| !matches!(v.get_ref(), DeValue::String(_)))
                {
                    Some((key, bad)) => Err(format!(
                        "`{name}.{}` must be a string, found {}",
                        key.get_ref(),
                        type_name(bad.get_ref())
                    )),
                    None => Ok(()),
                }
            }
            (ParamType::Duration, DeValue::String(s)) => s
                .parse::<HumanDuration>()
                .map(|_| ())
                .map_err(|e| e.to_string()),
            (ParamType::FileMode, DeValue::String(s)) => parse_mode(s).map(|_| ()),
            (ParamType::FileMode, DeValue::Integer(i)) if i.radix() == 8 => {
                match integer_value(value) {
                    Some(mode) if (0..=0o7777).contains(&mode) => Ok(()),
                    _ => Err(format!("`{name}` is not a file mode (0o0 to 0o7777)")),
                }
            }
            (ParamType::FileMode, DeValue::Integer(_)) => Err(format!(
                "`{name}` must be written in octal, e.g. `0o600` or \"0600\""
            )),
            (ParamType::Choice(options), DeValue::String(s)) => {
                if options.contains(&s.as_ref()) {
                    Ok(())
                } else {
                    Err(format!(
                        "`{name}` must be one of {}, found \"{s}\"",
                        quoted_list(options)
                    ))
                }
            }
            (ParamType::Table, DeValue::Table(_)) => Ok(()),
            (ParamType::Table, _) => wrong("a table"),
            (ParamType::Version, DeValue::Integer(_) | DeValue::String(_)) => {
                let text = match value {
                    DeValue::String(s) => s.to_string(),
                    other => crate::base::toml_reader::integer_value(other)
                        .map(|n| n.to_string())
                        .unwrap_or_default(),
                };
                version_num(&text).map(|_| ()).ok_or_else(|| {
                    format!("`{name}` must be a PostgreSQL version such as 16 or \"16.6\", found `{text}`")
                })
            }
            (ParamType::Version, _) => wrong("a version such as 16 or \"16.6\""),
            (ParamType::String | ParamType::Duration | ParamType::Choice(_), _) => {
                wrong("a string")
            }
            (ParamType::Integer, _) => wrong("an integer"),
            (ParamType::Bool, _) => wrong("a boolean"),
            (ParamType::StringList, _) => wrong("an array of strings"),
            (ParamType::IntegerList, _) => wrong("an array of integers"),
            (ParamType::StringMap, _) => wrong("a table of strings"),
            (ParamType::FileMode, _) => wrong("an octal file mode"),
        }
    }

    /// The JSON Schema fragment for this type.
    pub fn json_schema(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            ParamType::String => json!({ "type": "string" }),
            ParamType::Integer => json!({ "type": "integer" }),
            ParamType::Bool => json!({ "type": "boolean" }),
            ParamType::StringList => json!({ "type": "array", "items": { "type": "string" } }),
            ParamType::IntegerList => json!({ "type": "array", "items": { "type": "integer" } }),
            ParamType::StringMap => {
                json!({ "type": "object", "additionalProperties": { "type": "string" } })
            }
            ParamType::Duration => json!({ "type": "string", "pattern": "^[0-9]+(ms|s|m|h|d|w)$" }),
            ParamType::FileMode => json!({
                "anyOf": [
                    { "type": "string", "pattern": "^(0o|0)?[0-7]{1,4}$" },
                    { "type": "integer", "minimum": 0, "maximum": 4095 }
                ]
            }),
            ParamType::Choice(options) => json!({ "type": "string", "enum": options }),
            ParamType::Table => json!({ "type": "object" }),
            ParamType::Version => json!({ "oneOf": [
                { "type": "integer", "minimum": 9, "maximum": 99 },
                { "type": "string", "pattern": "^[0-9]{1,2}(\\.[0-9]{1,2}){0,2}$" },
            ] }),
        }
    }
}

/// Checks that every element of an array is of one type.
fn every_item(
    name: &str,
    items: &toml::de::DeArray<'_>,
    plural: &str,
    ok: impl Fn(&DeValue<'_>) -> bool,
) -> Result<(), String> {
    match items.iter().find(|v| !ok(v.get_ref())) {
        Some(bad) => Err(format!(
            "`{name}` must be an array of {plural}, found {} in it",
            type_name(bad.get_ref())
        )),
        None => Ok(()),
    }
}

fn quoted_list(options: &[&str]) -> String {
    options
        .iter()
        .map(|o| format!("\"{o}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses a mode written as a string: `"0600"`, `"600"` or `"0o600"`.
fn parse_mode(s: &str) -> Result<u32, String> {
    let digits = s.strip_prefix("0o").unwrap_or(s);
    match u32::from_str_radix(digits, 8) {
        Ok(mode) if mode <= 0o7777 && !digits.is_empty() => Ok(mode),
        _ => Err(format!(
            "\"{s}\" is not an octal file mode such as \"0600\""
        )),
    }
}

/// A parameter value, without positions (the loader has already checked it).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A string.
    String(String),
    /// An integer (octal literals already converted).
    Integer(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// An array.
    Array(Vec<ParamValue>),
    /// A table.
    Table(BTreeMap<String, ParamValue>),
}

impl ParamValue {
    /// The value as JSON (for the schema's `default`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Converts a spanned TOML value, dropping positions.
    pub fn from_toml(value: &DeValue<'_>) -> ParamValue {
        match value {
            DeValue::String(s) => ParamValue::String(s.to_string()),
            DeValue::Integer(_) => ParamValue::Integer(integer_value(value).unwrap_or_default()),
            DeValue::Float(f) => ParamValue::Float(f.as_str().parse().unwrap_or_default()),
            DeValue::Boolean(b) => ParamValue::Bool(*b),
            DeValue::Datetime(d) => ParamValue::String(d.to_string()),
            DeValue::Array(items) => {
                ParamValue::Array(items.iter().map(|v| Self::from_toml(v.get_ref())).collect())
            }
            DeValue::Table(t) => ParamValue::Table(
                t.iter()
                    .map(|(k, v)| (k.get_ref().to_string(), Self::from_toml(v.get_ref())))
                    .collect(),
            ),
        }
    }
}

/// A probe parameter that could not be used, named so the loader can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{param}`: {message}")]
pub struct ParamError {
    /// The parameter's key.
    pub param: String,
    /// What is wrong with it.
    pub message: String,
}

impl ParamError {
    /// A problem with one parameter.
    pub fn new(param: &str, message: impl Into<String>) -> Self {
        ParamError {
            param: param.to_string(),
            message: message.into(),
        }
    }
}

/// The parameters of one probe, keyed by name.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Params(pub BTreeMap<String, ParamValue>);

impl Params {
    /// These parameters with every parameter of `specs` they leave out set to its
    /// declared default.
    pub fn with_defaults(&self, specs: &[ParamSpec]) -> Params {
        let mut filled = self.clone();
        for spec in specs {
            if !filled.0.contains_key(spec.name)
                && let Some(default) = spec.default_value()
            {
                filled.0.insert(spec.name.to_string(), default);
            }
        }
        filled
    }

    /// A value that must be there once defaults are filled in (the parameter is
    /// required or declares a default).
    fn or_default<T>(name: &str, value: Option<T>) -> Result<T, ParamError> {
        value.ok_or_else(|| ParamError::new(name, "has no value and no declared default"))
    }

    /// A string parameter that is required or has a declared default.
    pub fn string_or_default(&self, name: &str) -> Result<&str, ParamError> {
        Self::or_default(name, self.string(name)?)
    }

    /// An array-of-strings parameter that is required or has a declared default.
    pub fn string_list_or_default(&self, name: &str) -> Result<Vec<String>, ParamError> {
        Self::or_default(name, self.string_list(name)?)
    }

    /// An integer parameter that is required or has a declared default.
    pub fn integer_or_default(&self, name: &str) -> Result<i64, ParamError> {
        Self::or_default(name, self.integer(name)?)
    }

    /// A boolean parameter that is required or has a declared default.
    pub fn bool_or_default(&self, name: &str) -> Result<bool, ParamError> {
        Self::or_default(name, self.bool(name)?)
    }

    /// A duration parameter that is required or has a declared default.
    pub fn duration_or_default(&self, name: &str) -> Result<std::time::Duration, ParamError> {
        Self::or_default(name, self.duration(name)?)
    }

    /// A duration parameter, spelling kept, that is required or has a declared default.
    pub fn human_duration_or_default(&self, name: &str) -> Result<HumanDuration, ParamError> {
        Self::or_default(name, self.human_duration(name)?)
    }

    /// A port-list parameter that is required or has a declared default.
    pub fn port_list_or_default(&self, name: &str) -> Result<Vec<u16>, ParamError> {
        Self::or_default(name, self.port_list(name)?)
    }

    /// A file-mode parameter that is required or has a declared default.
    pub fn file_mode_or_default(&self, name: &str) -> Result<u32, ParamError> {
        Self::or_default(name, self.file_mode(name)?)
    }

    /// A list of path patterns (see [`PathGlobs`]) that is required or has a declared
    /// default.
    pub fn globs_or_default(&self, name: &str) -> Result<PathGlobs, ParamError> {
        let patterns = self.string_list_or_default(name)?;
        PathGlobs::new(&patterns).map_err(|e| ParamError::new(name, e.to_string()))
    }

    fn typed<'a, T>(
        &'a self,
        name: &str,
        what: &str,
        f: impl FnOnce(&'a ParamValue) -> Option<T>,
    ) -> Result<Option<T>, ParamError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(v) => f(v)
                .map(Some)
                .ok_or_else(|| ParamError::new(name, format!("must be {what}"))),
        }
    }

    /// A string parameter.
    pub fn string(&self, name: &str) -> Result<Option<&str>, ParamError> {
        self.typed(name, "a string", |v| match v {
            ParamValue::String(s) => Some(s.as_str()),
            _ => None,
        })
    }

    /// An array-of-strings parameter.
    pub fn string_list(&self, name: &str) -> Result<Option<Vec<String>>, ParamError> {
        self.typed(name, "an array of strings", |v| match v {
            ParamValue::Array(items) => items
                .iter()
                .map(|i| match i {
                    ParamValue::String(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            _ => None,
        })
    }

    /// An array-of-integers parameter.
    pub fn integer_list(&self, name: &str) -> Result<Option<Vec<i64>>, ParamError> {
        self.typed(name, "an array of integers", |v| match v {
            ParamValue::Array(items) => items
                .iter()
                .map(|i| match i {
                    ParamValue::Integer(n) => Some(*n),
                    _ => None,
                })
                .collect(),
            _ => None,
        })
    }

    /// A table-of-strings parameter.
    pub fn string_map(&self, name: &str) -> Result<Option<BTreeMap<String, String>>, ParamError> {
        self.typed(name, "a table of strings", |v| match v {
            ParamValue::Table(t) => t
                .iter()
                .map(|(k, v)| match v {
                    ParamValue::String(s) => Some((k.clone(), s.clone())),
                    _ => None,
                })
                .collect(),
            _ => None,
        })
    }

    /// An array of TCP/UDP port numbers (1 to 65535).
    pub fn port_list(&self, name: &str) -> Result<Option<Vec<u16>>, ParamError> {
        match self.integer_list(name)? {
            None => Ok(None),
            Some(list) => {
                list.into_iter()
                    .map(|n| {
                        u16::try_from(n).ok().filter(|p| *p > 0).ok_or_else(|| {
                            ParamError::new(name, format!("{n} is not a port number"))
                        })
                    })
                    .collect::<Result<Vec<u16>, _>>()
                    .map(Some)
            }
        }
    }

    /// An integer parameter.
    pub fn integer(&self, name: &str) -> Result<Option<i64>, ParamError> {
        self.typed(name, "an integer", |v| match v {
            ParamValue::Integer(n) => Some(*n),
            _ => None,
        })
    }

    /// A version parameter, as `server_version_num` counts it, with its text.
    pub fn version(&self, name: &str) -> Result<Option<(i64, String)>, ParamError> {
        self.typed(name, "a version such as 16 or \"16.6\"", |v| {
            let text = match v {
                ParamValue::Integer(n) => n.to_string(),
                ParamValue::String(s) => s.clone(),
                _ => return None,
            };
            version_num(&text).map(|n| (n, text))
        })
    }

    /// A boolean parameter.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, ParamError> {
        self.typed(name, "a boolean", |v| match v {
            ParamValue::Bool(b) => Some(*b),
            _ => None,
        })
    }

    /// A duration parameter (`"3s"`).
    pub fn duration(&self, name: &str) -> Result<Option<std::time::Duration>, ParamError> {
        Ok(self.human_duration(name)?.map(|d| d.duration))
    }

    /// A duration parameter with its spelling kept, for evidence (`"90d"`).
    pub fn human_duration(&self, name: &str) -> Result<Option<HumanDuration>, ParamError> {
        match self.string(name)? {
            None => Ok(None),
            Some(text) => text
                .parse::<HumanDuration>()
                .map(Some)
                .map_err(|e| ParamError::new(name, e.to_string())),
        }
    }

    /// A table parameter, as parsed values.
    pub fn table(&self, name: &str) -> Result<Option<&BTreeMap<String, ParamValue>>, ParamError> {
        self.typed(name, "a table", |v| match v {
            ParamValue::Table(t) => Some(t),
            _ => None,
        })
    }

    /// An octal file mode parameter.
    pub fn file_mode(&self, name: &str) -> Result<Option<u32>, ParamError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(ParamValue::String(s)) => parse_mode(s)
                .map(Some)
                .map_err(|m| ParamError::new(name, m)),
            Some(ParamValue::Integer(i)) => u32::try_from(*i)
                .ok()
                .filter(|m| *m <= 0o7777)
                .map(Some)
                .ok_or_else(|| ParamError::new(name, "is not a file mode")),
            Some(_) => Err(ParamError::new(name, "must be an octal file mode")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(src: &str) -> toml::Spanned<DeValue<'_>> {
        DeValue::parse(src).unwrap()
    }

    #[test]
    fn file_modes_must_be_octal() {
        let t = ParamType::FileMode;
        assert!(t.check("m", value("0o600").get_ref()).is_ok());
        assert!(t.check("m", value("\"0600\"").get_ref()).is_ok());
        assert_eq!(
            t.check("m", value("600").get_ref()).unwrap_err(),
            "`m` must be written in octal, e.g. `0o600` or \"0600\""
        );
        assert!(t.check("m", value("\"0999\"").get_ref()).is_err());
    }

    #[test]
    fn choices_and_lists_are_checked() {
        let t = ParamType::Choice(&["fail", "skip"]);
        assert_eq!(
            t.check("missing", value("\"ignore\"").get_ref())
                .unwrap_err(),
            "`missing` must be one of \"fail\", \"skip\", found \"ignore\""
        );
        assert_eq!(
            ParamType::StringList
                .check("files", value("[\"a\", 1]").get_ref())
                .unwrap_err(),
            "`files` must be an array of strings, found an integer in it"
        );
        assert_eq!(
            ParamType::StringList
                .check("files", value("\"a\"").get_ref())
                .unwrap_err(),
            "`files` must be an array of strings, found a string"
        );
    }

    #[test]
    fn typed_getters_read_values() {
        let mut p = Params::default();
        p.0.insert(
            "files".into(),
            ParamValue::Array(vec![ParamValue::String("a".into())]),
        );
        p.0.insert("max_mode".into(), ParamValue::Integer(0o600));
        assert_eq!(p.string_list("files").unwrap(), Some(vec!["a".to_string()]));
        assert_eq!(p.file_mode("max_mode").unwrap(), Some(0o600));
        assert_eq!(p.string("absent").unwrap(), None);
        assert!(p.string("files").is_err());
    }

    #[test]
    fn versions_count_as_server_version_num() {
        assert_eq!(version_num("16"), Some(160_000));
        assert_eq!(version_num("16.6"), Some(160_006));
        assert_eq!(version_num("9.6"), Some(90_600));
        assert_eq!(version_num("9.6.24"), Some(90_624));
        for bad in ["16.x", "", "8", "16.6.1", "100", "-1"] {
            assert_eq!(version_num(bad), None, "{bad}");
        }
        let t = ParamType::Version;
        assert!(
            t.check("v", &DeValue::parse("16").unwrap().into_inner())
                .is_ok()
        );
        assert!(
            t.check("v", &DeValue::parse("\"16.6\"").unwrap().into_inner())
                .is_ok()
        );
        assert!(
            t.check("v", &DeValue::parse("\"latest\"").unwrap().into_inner())
                .is_err()
        );
    }
}

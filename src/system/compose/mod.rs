//! Docker Compose files: parsing them with positions, resolving YAML anchors and merge
//! keys, and interpolating variables as Compose does. Which files exist is the
//! walker's answer ([`super::walk`]).
//!
//! This module only reads; probes decide what the contents mean.

pub mod interpolate;
pub mod ports;

use std::path::Path;

use saphyr::{LoadableYamlNode, MarkedYamlOwned, ScalarOwned, YamlDataOwned};

use super::walk::{self, ProjectFile};
use crate::base::path::display_path;
use crate::config::{EnvVars, dotenv};
pub use interpolate::Variables;

/// A YAML node with its position.
pub type Node = MarkedYamlOwned;

/// Why a Compose file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// The file could not be read.
    #[error("{file}: cannot read: {reason}")]
    Io {
        /// The file, relative to the project.
        file: String,
        /// Why.
        reason: String,
    },
    /// The file is not valid YAML, or not shaped like a Compose file.
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// The file, relative to the project.
        file: String,
        /// One-based line.
        line: usize,
        /// One-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// One parsed Compose file.
#[derive(Debug)]
pub struct ComposeFile {
    /// Path relative to the project root, for evidence.
    pub file: String,
    /// Its services, in file order, with merge keys applied.
    pub services: Vec<Service>,
    /// The top-level `secrets:` mapping, if any.
    pub secrets: Option<Node>,
    /// Variables for interpolation (shell first, then the `.env` beside the file).
    pub variables: Variables,
}

/// One service of a Compose file.
#[derive(Debug)]
pub struct Service {
    /// The service name.
    pub name: String,
    /// The service's mapping.
    pub node: Node,
}

impl Service {
    /// The value of a key of the service.
    pub fn get(&self, key: &str) -> Option<&Node> {
        get(&self.node, key)
    }
}

/// Every Compose file the walk yields, parsed; files that cannot be read come back as
/// errors beside the others.
pub fn load_all(
    root: &Path,
    files: &[ProjectFile],
    shell: &EnvVars,
) -> (Vec<ComposeFile>, Vec<ComposeError>) {
    let mut parsed = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match load(root, &file.path, shell) {
            Ok(file) => parsed.push(file),
            Err(e) => errors.push(e),
        }
    }
    (parsed, errors)
}

/// Reads and parses one Compose file; `shell` supplies the environment.
pub fn load(root: &Path, path: &Path, shell: &EnvVars) -> Result<ComposeFile, ComposeError> {
    let file = display_path(root, path);
    let text = walk::read_text(path).map_err(|e| ComposeError::Io {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    let dotenv_path = path.parent().unwrap_or(root).join(".env");
    let dotenv_vars = match dotenv::read_if_exists(&dotenv_path) {
        Ok(v) => v,
        Err(e) => {
            return Err(ComposeError::Io {
                file: display_path(root, &dotenv_path),
                reason: e.to_string(),
            });
        }
    };
    let variables = Variables::new(shell.clone(), dotenv_vars);
    parse(&file, &text, variables)
}

/// Parses Compose YAML text.
pub fn parse(file: &str, text: &str, variables: Variables) -> Result<ComposeFile, ComposeError> {
    let docs = MarkedYamlOwned::load_from_str(text).map_err(|e| ComposeError::Invalid {
        file: file.to_string(),
        line: e.marker().line(),
        column: e.marker().col() + 1,
        message: format!("invalid YAML: {}", e.info()),
    })?;
    let mut services = Vec::new();
    let Some(root) = docs.into_iter().next() else {
        return Ok(ComposeFile {
            file: file.to_string(),
            services,
            secrets: None,
            variables,
        });
    };
    let root = resolve_merges(root);
    let invalid = |node: &Node, message: String| ComposeError::Invalid {
        file: file.to_string(),
        line: node.span.start.line(),
        column: node.span.start.col() + 1,
        message,
    };
    match &root.data {
        YamlDataOwned::Mapping(_) => {}
        YamlDataOwned::Value(ScalarOwned::Null) => {
            return Ok(ComposeFile {
                file: file.to_string(),
                services,
                secrets: None,
                variables,
            });
        }
        _ => {
            return Err(invalid(
                &root,
                "a Compose file must be a mapping at the top level".into(),
            ));
        }
    }
    if let Some(section) = get(&root, "services") {
        match &section.data {
            YamlDataOwned::Mapping(map) => {
                for (key, value) in map {
                    let name = scalar_text(key).unwrap_or_default();
                    match &value.data {
                        YamlDataOwned::Mapping(_) | YamlDataOwned::Value(ScalarOwned::Null) => {
                            services.push(Service {
                                name,
                                node: value.clone(),
                            });
                        }
                        _ => {
                            return Err(invalid(
                                value,
                                format!("service `{name}` must be a mapping"),
                            ));
                        }
                    }
                }
            }
            YamlDataOwned::Value(ScalarOwned::Null) => {}
            _ => return Err(invalid(section, "`services` must be a mapping".into())),
        }
    }
    Ok(ComposeFile {
        file: file.to_string(),
        services,
        secrets: get(&root, "secrets").cloned(),
        variables,
    })
}

/// The value of a string key in a mapping node.
pub fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match &untagged(node).data {
        YamlDataOwned::Mapping(map) => map
            .iter()
            .find(|(k, _)| scalar_text(k).as_deref() == Some(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// The items of a sequence node (empty for anything else).
pub fn items(node: &Node) -> &[Node] {
    match &untagged(node).data {
        YamlDataOwned::Sequence(seq) => seq,
        _ => &[],
    }
}

/// A scalar's text as written (numbers and booleans as text); `None` for collections and null.
pub fn scalar_text(node: &Node) -> Option<String> {
    match &untagged(node).data {
        YamlDataOwned::Value(ScalarOwned::String(s)) => Some(s.clone()),
        YamlDataOwned::Value(ScalarOwned::Integer(i)) => Some(i.to_string()),
        YamlDataOwned::Value(ScalarOwned::FloatingPoint(f)) => Some(f.to_string()),
        YamlDataOwned::Value(ScalarOwned::Boolean(b)) => Some(b.to_string()),
        YamlDataOwned::Representation(s, _, _) => Some(s.clone()),
        _ => None,
    }
}

/// One-based line and column of a node. A block mapping is placed at its first key,
/// because the parser does not record a start for mappings nested in sequences.
pub fn position(node: &Node) -> (usize, usize) {
    if let YamlDataOwned::Mapping(map) = &untagged(node).data
        && let Some((key, _)) = map.iter().next()
    {
        return (key.span.start.line(), key.span.start.col() + 1);
    }
    (node.span.start.line(), node.span.start.col() + 1)
}

/// Compose's `!reset` / `!override` tags do not change what a value is for our purposes.
fn untagged(node: &Node) -> &Node {
    match &node.data {
        YamlDataOwned::Tagged(_, inner) => untagged(inner),
        _ => node,
    }
}

/// Applies YAML merge keys (`<<: *anchor` or `<<: [*a, *b]`) throughout a tree: keys
/// written in the mapping win, then earlier merged mappings over later ones.
fn resolve_merges(node: Node) -> Node {
    let span = node.span;
    let data = match node.data {
        YamlDataOwned::Mapping(mut own) => {
            // Reuse the map (emptied) so its type need not be named.
            let entries: Vec<(Node, Node)> = std::mem::take(&mut own).into_iter().collect();
            let mut merged: Vec<Node> = Vec::new();
            for (k, v) in entries {
                let v = resolve_merges(v);
                if scalar_text(&k).as_deref() == Some("<<") {
                    match v.data {
                        YamlDataOwned::Sequence(seq) => merged.extend(seq),
                        _ => merged.push(v),
                    }
                } else {
                    own.insert(k, v);
                }
            }
            for source in merged {
                if let YamlDataOwned::Mapping(extra) = source.data {
                    for (k, v) in extra {
                        if !own.contains_key(&k) {
                            own.insert(k, v);
                        }
                    }
                }
            }
            YamlDataOwned::Mapping(own)
        }
        YamlDataOwned::Sequence(seq) => {
            YamlDataOwned::Sequence(seq.into_iter().map(resolve_merges).collect())
        }
        YamlDataOwned::Tagged(tag, inner) => {
            YamlDataOwned::Tagged(tag, Box::new(resolve_merges(*inner)))
        }
        other => other,
    };
    Node { span, data }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> ComposeFile {
        parse("compose.yml", text, Variables::default()).unwrap()
    }

    #[test]
    fn merge_keys_apply_with_own_keys_winning() {
        let f = parse_text(
            "x-db: &db\n  image: postgres:16\n  ports: [\"5432:5432\"]\nservices:\n  a:\n    <<: *db\n    image: postgres:17\n",
        );
        let a = &f.services[0];
        assert_eq!(scalar_text(a.get("image").unwrap()).unwrap(), "postgres:17");
        let ports = items(a.get("ports").unwrap());
        assert_eq!(scalar_text(&ports[0]).unwrap(), "5432:5432");
        assert_eq!(
            position(&ports[0]).0,
            3,
            "merged values keep the line they are written on"
        );
    }

    #[test]
    fn reports_yaml_errors_with_position() {
        let e = parse(
            "c.yml",
            "services:\n  db:\n    ports: [\"1\"\n",
            Variables::default(),
        )
        .unwrap_err();
        match e {
            ComposeError::Invalid { line, .. } => assert!(line >= 3),
            other => panic!("{other:?}"),
        }
    }
}

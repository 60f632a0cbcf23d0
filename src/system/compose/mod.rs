//! Docker Compose files: parsing them with positions into a small tree (see [`yaml`]:
//! anchors, merge keys, a bound on alias expansion), and interpolating variables as
//! Compose does. Which files exist is the
//! walker's answer ([`super::walk`]).
//!
//! This module only reads; probes decide what the contents mean.

pub mod interpolate;
pub mod ports;
pub mod yaml;

use std::path::Path;

use super::walk;
use crate::base::path::display_path;
use crate::config::{EnvVars, dotenv};
pub use interpolate::Variables;

pub use yaml::{Data, Node};

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

/// Reads and parses one Compose file; `shell` supplies the environment.
pub fn load(root: &Path, path: &Path, shell: &EnvVars) -> Result<ComposeFile, ComposeError> {
    let file = display_path(root, path);
    let text = walk::read_text(path).map_err(|e| ComposeError::Io {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    let dotenv_path = path.parent().unwrap_or(root).join(".env");
    let dotenv_vars = match dotenv::read_if_exists(&dotenv_path, root) {
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
    let invalid = |line: usize, column: usize, message: String| ComposeError::Invalid {
        file: file.to_string(),
        line,
        column,
        message,
    };
    let documents = yaml::parse_documents(text).map_err(|e| invalid(e.line, e.col, e.message))?;
    let at = |node: &Node, message: String| invalid(node.line as usize, node.col as usize, message);
    let mut services: Vec<Service> = Vec::new();
    let mut secrets = None;
    // Compose merges every document of a file, in order.
    for root in documents {
        let entries = match root.data {
            Data::Map(entries) => entries,
            Data::Null => continue,
            _ => {
                return Err(at(
                    &root,
                    "a Compose file must be a mapping at the top level".into(),
                ));
            }
        };
        for (key, value) in entries {
            match key.text() {
                Some("services") => match value.data {
                    Data::Map(map) => {
                        for (name, node) in map {
                            let name = name.text().unwrap_or_default().to_string();
                            if !matches!(node.data, Data::Map(_) | Data::Null) {
                                return Err(at(
                                    &node,
                                    format!("service `{name}` must be a mapping"),
                                ));
                            }
                            match services.iter_mut().find(|s| s.name == name) {
                                Some(earlier) => merge_service(&mut earlier.node, node),
                                None => services.push(Service { name, node }),
                            }
                        }
                    }
                    Data::Null => {}
                    _ => return Err(at(&value, "`services` must be a mapping".into())),
                },
                Some("secrets") => secrets = Some(value),
                _ => {}
            }
        }
    }
    resolve_extends(&mut services);
    Ok(ComposeFile {
        file: file.to_string(),
        services,
        secrets,
        variables,
    })
}

/// `extends:` within the file (`extends: base` or `extends: {service: base}`): the
/// service starts as a copy of the base (itself resolved first) and its own keys are
/// merged on top, lists appended. An `extends` naming another file is left as it is
/// (not followed yet); a cycle or a missing base leaves the service as written.
fn resolve_extends(services: &mut [Service]) {
    let base_of = |node: &Node| -> Option<String> {
        let extends = get(node, "extends")?;
        match &extends.data {
            Data::Scalar(name) => Some(name.to_string()),
            Data::Map(_) if get(extends, "file").is_none() => {
                get(extends, "service").and_then(scalar_text)
            }
            _ => None,
        }
    };
    // Resolve in dependency order, at most as many rounds as services (a cycle stops).
    let mut resolved: Vec<bool> = services
        .iter()
        .map(|s| base_of(&s.node).is_none())
        .collect();
    for _ in 0..services.len() {
        let mut progress = false;
        for i in 0..services.len() {
            if resolved[i] {
                continue;
            }
            let Some(base) = base_of(&services[i].node) else {
                continue;
            };
            let Some(b) = services.iter().position(|s| s.name == base) else {
                resolved[i] = true;
                continue;
            };
            if !resolved[b] || b == i {
                continue;
            }
            let mut merged = services[b].node.clone();
            let own = services[i].node.clone();
            merged.line = own.line;
            merged.col = own.col;
            merge_service(&mut merged, own);
            services[i].node = merged;
            resolved[i] = true;
            progress = true;
        }
        if !progress {
            break;
        }
    }
}

/// Merges a later definition of a service into an earlier one, as Compose merges
/// documents and override files: lists (`ports`, `environment` as a list) are
/// appended, anything else is replaced.
pub fn merge_service(earlier: &mut Node, later: Node) {
    let Data::Map(later_entries) = later.data else {
        return;
    };
    if !matches!(earlier.data, Data::Map(_)) {
        earlier.data = Data::Map(Vec::new());
    }
    let Data::Map(entries) = &mut earlier.data else {
        return;
    };
    for (k, v) in later_entries {
        match entries.iter_mut().find(|(known, _)| known.data == k.data) {
            Some((_, existing)) => match (&mut existing.data, v.data) {
                (Data::Seq(items), Data::Seq(more)) => items.extend(more),
                (_, data) => {
                    *existing = Node { data, ..v };
                }
            },
            None => entries.push((k, v)),
        }
    }
}

/// The value of a string key in a mapping node.
pub fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    entries(node)
        .iter()
        .find(|(k, _)| k.text() == Some(key))
        .map(|(_, v)| v)
}

/// The entries of a mapping node (empty for anything else).
pub fn entries(node: &Node) -> &[(Node, Node)] {
    match &node.data {
        Data::Map(entries) => entries,
        _ => &[],
    }
}

/// The items of a sequence node (empty for anything else).
pub fn items(node: &Node) -> &[Node] {
    match &node.data {
        Data::Seq(items) => items,
        _ => &[],
    }
}

/// A scalar's text (numbers and booleans as text); `None` for collections and null.
pub fn scalar_text(node: &Node) -> Option<String> {
    node.text().map(str::to_string)
}

/// One-based line and column of a node. A block mapping is placed at its first key,
/// where people look for it.
pub fn position(node: &Node) -> (usize, usize) {
    if let Some((key, _)) = entries(node).first() {
        return (key.line as usize, key.col as usize);
    }
    (node.line as usize, node.col as usize)
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

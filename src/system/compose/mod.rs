//! Docker Compose files: parsing them with positions into a small tree (see [`yaml`]:
//! anchors, merge keys, a bound on alias expansion), and interpolating variables as
//! Compose does. Which files exist is the
//! walker's answer ([`super::walk`]).
//!
//! This module only reads; probes decide what the contents mean.

pub mod interpolate;
mod load;
pub mod merge;
pub mod ports;
pub mod yaml;

use std::path::Path;

use crate::config::EnvVars;
pub use interpolate::Variables;
pub use merge::merge_service;
use merge::{resolve_extends, strip_resets};

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
    /// Its services, in file order, with merge keys, `extends:` and merge tags applied.
    pub services: Vec<Service>,
    /// The top-level `secrets:` mapping, if any.
    pub secrets: Option<Node>,
    /// Variables for interpolation (shell first, then the `.env` beside the file).
    pub variables: Variables,
    /// The files its nodes were written in: `file` first, then the files its services
    /// extend (a node's [`Node::origin`] indexes this list).
    pub sources: Vec<String>,
    /// The files it includes (`include:`), each loaded as a Compose file of its own
    /// (with its own `.env`), or why it could not be.
    pub included: Vec<Result<std::sync::Arc<ComposeFile>, ComposeError>>,
}

impl ComposeFile {
    /// Where a node was written: file, one-based line and column (a block mapping is
    /// placed at its first key, where people look for it).
    pub fn at(&self, node: &Node) -> (&str, usize, usize) {
        let (line, column) = position(node);
        let origin = entries(node).first().map_or(node.origin, |(k, _)| k.origin);
        let file = self
            .sources
            .get(usize::from(origin))
            .map_or(self.file.as_str(), String::as_str);
        (file, line, column)
    }
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

/// Reads and parses one Compose file with what it extends and includes (see
/// [`load`](self::load)); `shell` supplies the environment.
pub fn load(
    root: &Path,
    path: &Path,
    shell: &EnvVars,
    reads: Option<&crate::base::fs::ReadCache>,
) -> Result<ComposeFile, ComposeError> {
    load::Loader::new(root, shell).reads(reads).load_top(path)
}

/// The parts of a Compose file's top level this module reads, documents merged.
pub(crate) struct Parsed {
    pub services: Vec<Service>,
    pub secrets: Option<Node>,
    pub include: Option<Node>,
}

/// Reads the documents of Compose YAML text: services merged across documents (not
/// yet extended), `secrets:` and `include:`.
pub(crate) fn parse_top(file: &str, text: &str) -> Result<Parsed, ComposeError> {
    let documents =
        yaml::parse_documents(text).map_err(|e| invalid(file, e.line, e.col, e.message))?;
    let at = |node: &Node, message: String| {
        invalid(file, node.line as usize, node.col as usize, message)
    };
    let mut parsed = Parsed {
        services: Vec::new(),
        secrets: None,
        include: None,
    };
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
                            match parsed.services.iter_mut().find(|s| s.name == name) {
                                Some(earlier) => merge_service(&mut earlier.node, node),
                                None => parsed.services.push(Service { name, node }),
                            }
                        }
                    }
                    Data::Null => {}
                    _ => return Err(at(&value, "`services` must be a mapping".into())),
                },
                Some("secrets") => parsed.secrets = Some(value),
                Some("include") => {
                    if !matches!(value.data, Data::Seq(_) | Data::Null) {
                        return Err(at(&value, "`include` must be a list".into()));
                    }
                    match (&mut parsed.include, value.data) {
                        (_, Data::Null) => {}
                        (Some(earlier), Data::Seq(more)) => {
                            if let Data::Seq(items) = &mut earlier.data {
                                items.extend(more);
                            }
                        }
                        (_, data) => parsed.include = Some(Node { data, ..value }),
                    }
                }
                _ => {}
            }
        }
    }
    Ok(parsed)
}

/// Parses Compose YAML text on its own: `extends:` within the file is followed, one
/// naming another file is an error (reading other files is [`load`]'s).
pub fn parse(file: &str, text: &str, variables: Variables) -> Result<ComposeFile, ComposeError> {
    let mut parsed = parse_top(file, text)?;
    let at = |node: &Node, message: String| {
        invalid(file, node.line as usize, node.col as usize, message)
    };
    resolve_extends(&mut parsed.services, &at, &mut |node, other, _| {
        Err(at(
            node,
            format!("`extends` names another file ({other}), not read here"),
        ))
    })?;
    parsed
        .services
        .iter_mut()
        .for_each(|s| strip_resets(&mut s.node));
    Ok(ComposeFile {
        file: file.to_string(),
        services: parsed.services,
        secrets: parsed.secrets,
        variables,
        sources: vec![file.to_string()],
        included: Vec::new(),
    })
}

/// A [`ComposeError::Invalid`].
fn invalid(file: &str, line: usize, column: usize, message: String) -> ComposeError {
    ComposeError::Invalid {
        file: file.to_string(),
        line,
        column,
        message,
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

    /// compose-go's merge rules (override/merge.go, reset.go): mappings merge key by
    /// key, lists append without repeats, `command` is replaced, `!reset` removes a
    /// key in its own file and from what it overrides, `!override` replaces a list.
    #[test]
    fn documents_and_extends_merge_as_compose_merges() {
        let f = parse_text(concat!(
            "services:\n",
            "  base:\n    image: postgres\n    command: [a, b]\n    environment: {A: '1', B: '2'}\n",
            "    ports: [\"8080:8080\", \"5432:5432\"]\n",
            "  child:\n    extends: base\n    command: [c]\n    environment: {B: '3', C: '4'}\n",
            "    ports: [\"8080:8080\", \"9000:9000\"]\n",
            "  reset:\n    extends: base\n    ports: !reset []\n    environment: {A: !reset}\n",
            "  replaced:\n    extends: base\n    ports: !override [\"127.0.0.1:1:1\"]\n",
            "  alone:\n    image: x\n    command: !reset\n",
            "---\n",
            "services:\n  alone:\n    ports: [\"1:1\"]\n",
        ));
        let service = |name: &str| f.services.iter().find(|s| s.name == name).unwrap();
        let texts = |node: Option<&Node>| -> Vec<String> {
            node.map(items)
                .unwrap_or_default()
                .iter()
                .filter_map(scalar_text)
                .collect()
        };
        let child = service("child");
        assert_eq!(texts(child.get("command")), ["c"]);
        assert_eq!(
            texts(child.get("ports")),
            ["8080:8080", "5432:5432", "9000:9000"]
        );
        let env = child.get("environment").unwrap();
        let value = |k: &str| get(env, k).and_then(scalar_text);
        assert_eq!(
            (value("A"), value("B"), value("C")),
            (Some("1".into()), Some("3".into()), Some("4".into()))
        );
        assert!(child.get("extends").is_none());
        let reset = service("reset");
        assert!(reset.get("ports").is_none());
        assert!(get(reset.get("environment").unwrap(), "A").is_none());
        assert_eq!(texts(service("replaced").get("ports")), ["127.0.0.1:1:1"]);
        let alone = service("alone");
        assert!(alone.get("command").is_none());
        assert_eq!(texts(alone.get("ports")), ["1:1"]);
        assert!(f.services.iter().all(|s| s.node.tag == yaml::Tag::None));
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

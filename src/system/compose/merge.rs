//! How Compose puts a service together from several definitions: documents of one
//! file and `extends:` (same file or another). Lists are appended and anything else
//! replaced, except where the later definition says `!override` (replace, lists too) or
//! `!reset` (remove the key, here and from what it extends). The tags are applied
//! when a file is complete ([`strip_resets`]), so nothing after sees a reset key.

use super::yaml::{Data, Node, Tag};
use super::{ComposeError, Service, get, scalar_text};

/// How long a chain of `extends:` may be (service extends service extends …).
pub const MAX_EXTENDS_DEPTH: usize = 32;

/// Merges a later definition of a service into an earlier one, as Compose merges
/// documents, override files and `extends:`: mappings merge key by key, lists
/// (`ports`, `environment` as a list) are appended without repeating an item, except
/// `command` and `entrypoint`, which are replaced like anything else;
/// `!override` replaces a mapping or a list whole and `!reset` removes the key.
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
        let found = entries.iter().position(|(known, _)| known.data == k.data);
        match (found, v.tag) {
            (Some(i), Tag::Reset) => {
                entries.remove(i);
            }
            (None, Tag::Reset) => {}
            (Some(i), Tag::Override) => entries[i].1 = v,
            (Some(i), Tag::None) => {
                let existing = &mut entries[i].1;
                let replace = matches!(k.text(), Some("command" | "entrypoint"));
                match (&mut existing.data, v.data) {
                    (Data::Seq(items), Data::Seq(more)) if !replace => {
                        // As compose-go: an item written twice (`"8080:8080"`) is kept once.
                        for item in more {
                            let twice = item.text().is_some()
                                && items.iter().any(|known| known.data == item.data);
                            if !twice {
                                items.push(item);
                            }
                        }
                    }
                    (Data::Map(_), data @ Data::Map(_)) => {
                        merge_service(existing, Node { data, ..v })
                    }
                    (_, data) => *existing = Node { data, ..v },
                }
            }
            (None, _) => entries.push((k, v)),
        }
    }
}

/// Removes every `!reset` key and item of a finished tree, and forgets the tags:
/// within one file a reset key is simply absent.
pub fn strip_resets(node: &mut Node) {
    node.tag = Tag::None;
    match &mut node.data {
        Data::Seq(items) => {
            items.retain(|n| n.tag != Tag::Reset);
            items.iter_mut().for_each(strip_resets);
        }
        Data::Map(entries) => {
            entries.retain(|(_, v)| v.tag != Tag::Reset);
            entries.iter_mut().for_each(|(_, v)| strip_resets(v));
        }
        _ => {}
    }
}

/// What a service extends.
pub enum Base {
    /// A service of the same file.
    Local(String),
    /// A service of another file, as written (relative to the file's folder).
    External {
        /// The `file:` value.
        file: String,
        /// The `service:` value.
        service: String,
    },
}

/// The base a service's `extends:` names, if any; an `extends` Compose would refuse
/// (no `service`) is an error at its position.
pub fn base_of(
    node: &Node,
    at: &dyn Fn(&Node, String) -> ComposeError,
) -> Result<Option<Base>, ComposeError> {
    let Some(extends) = get(node, "extends") else {
        return Ok(None);
    };
    match &extends.data {
        Data::Scalar(name) => Ok(Some(Base::Local(name.to_string()))),
        Data::Map(_) => {
            let Some(service) = get(extends, "service").and_then(scalar_text) else {
                return Err(at(extends, "`extends` needs `service`".into()));
            };
            Ok(Some(match get(extends, "file").and_then(scalar_text) {
                Some(file) => Base::External { file, service },
                None => Base::Local(service),
            }))
        }
        _ => Err(at(extends, "`extends` must name a service".into())),
    }
}

/// Resolves every `extends:` of `services`: a service starts as a copy of its base
/// (itself resolved first) and its own keys merge on top; `extends` itself is dropped.
/// `external` fetches a service of another file, already resolved. A missing base, a
/// cycle or a chain longer than [`MAX_EXTENDS_DEPTH`] is an error, as in Compose.
pub fn resolve_extends(
    services: &mut [Service],
    at: &dyn Fn(&Node, String) -> ComposeError,
    external: &mut dyn FnMut(&Node, &str, &str) -> Result<Node, ComposeError>,
) -> Result<(), ComposeError> {
    let mut state = vec![State::Pending; services.len()];
    for i in 0..services.len() {
        resolve(i, services, &mut state, 0, at, external)?;
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Pending,
    Resolving,
    Done,
}

fn resolve(
    i: usize,
    services: &mut [Service],
    state: &mut [State],
    depth: usize,
    at: &dyn Fn(&Node, String) -> ComposeError,
    external: &mut dyn FnMut(&Node, &str, &str) -> Result<Node, ComposeError>,
) -> Result<(), ComposeError> {
    match state[i] {
        State::Done => return Ok(()),
        State::Resolving => {
            return Err(at(
                &services[i].node,
                format!(
                    "`extends` of service `{}` leads back to itself",
                    services[i].name
                ),
            ));
        }
        State::Pending => {}
    }
    if depth > MAX_EXTENDS_DEPTH {
        return Err(at(
            &services[i].node,
            format!("`extends` chains longer than {MAX_EXTENDS_DEPTH} services are not followed"),
        ));
    }
    state[i] = State::Resolving;
    let extends_node = get(&services[i].node, "extends").cloned();
    let mut merged = match base_of(&services[i].node, at)? {
        None => {
            state[i] = State::Done;
            return Ok(());
        }
        Some(Base::Local(name)) => {
            let Some(b) = services.iter().position(|s| s.name == name) else {
                let node = extends_node.as_ref().unwrap_or(&services[i].node);
                return Err(at(
                    node,
                    format!("`extends` names service `{name}`, which is not in this file"),
                ));
            };
            resolve(b, services, state, depth + 1, at, external)?;
            services[b].node.clone()
        }
        Some(Base::External { file, service }) => {
            let node = extends_node.as_ref().unwrap_or(&services[i].node);
            external(node, &file, &service)?
        }
    };
    let own = services[i].node.clone();
    merged.line = own.line;
    merged.col = own.col;
    merged.origin = own.origin;
    merge_service(&mut merged, own);
    if let Data::Map(entries) = &mut merged.data {
        entries.retain(|(k, _)| k.text() != Some("extends"));
    }
    services[i].node = merged;
    state[i] = State::Done;
    Ok(())
}

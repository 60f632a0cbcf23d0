//! Compose helpers shared by the Compose probe kinds and `listening`: the `files`
//! parameter, loading the matching files with unreadable ones as evidence, and reading
//! a `ports:` entry in either syntax.

use super::files;
use crate::base::path::display_path;
use crate::base::pathglob::PathGlobs;
use crate::checklist::params::{ParamSpec, ParamType, Params};
use crate::probe::{Evidence, ProbeContext, ProbeOutcome};
use crate::system::compose::interpolate::InterpolationError;
use crate::system::compose::ports::{PortBinding, PortSpecError};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::probe::context::ParsedCompose;
use crate::system::compose::{self, ComposeFile, Node, get, items, scalar_text};

/// `files`: which Compose files to read, shared by the Compose probe kinds.
pub const FILES_PARAM: ParamSpec = ParamSpec {
    name: "files",
    ty: ParamType::StringList,
    required: false,
    default: Some("[\"docker-compose*.y*ml\", \"compose*.y*ml\"]"),
    doc: "Compose files to read, searched recursively (git-ignored folders are skipped).",
};

/// The override files Compose loads beside a Compose file, whether git ignores them
/// or not (they are often kept out of git on purpose, and still published).
const OVERRIDE_FILES: &[&str] = &[
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// Every Compose file of the project matching `globs`, in path order, parsed or with
/// why it could not be; `skipped` when nothing matches. Override files beside a found
/// file (or at the project root) are read even when git ignores them, as Compose reads
/// them.
pub fn compose_files(
    ctx: &ProbeContext,
    globs: &PathGlobs,
) -> Result<Vec<ParsedCompose>, ProbeOutcome> {
    let listed = files::matching(ctx, globs, "Compose files");
    let mut paths: Vec<PathBuf> = match &listed {
        Ok(found) => found
            .iter()
            .map(crate::system::walk::ProjectFile::path)
            .collect(),
        Err(_) => Vec::new(),
    };
    let mut dirs: BTreeSet<PathBuf> = paths
        .iter()
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .collect();
    dirs.insert(ctx.project_dir.clone());
    for dir in dirs {
        for name in OVERRIDE_FILES {
            let path = dir.join(name);
            let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
            let rel = display_path(&ctx.project_dir, &path);
            if regular && globs.is_match(&rel) && !paths.contains(&path) {
                paths.push(path);
            }
        }
    }
    if paths.is_empty() {
        return listed.map(|_| Vec::new());
    }
    // Byte order, as the walker lists.
    paths.sort_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    // Each file, then the files it includes; a file both found and included is read once.
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for path in &paths {
        push_with_included(ctx.compose_file(path), &mut out, &mut seen);
    }
    Ok(out)
}

fn push_with_included(
    loaded: ParsedCompose,
    out: &mut Vec<ParsedCompose>,
    seen: &mut BTreeSet<String>,
) {
    if let Ok(file) = &loaded
        && !seen.insert(file.file.clone())
    {
        return;
    }
    // Pushed after their parent; the depth is bounded by the loader's nesting bound.
    let included: Vec<ParsedCompose> = match &loaded {
        Ok(file) => file.included.clone(),
        Err(_) => Vec::new(),
    };
    out.push(loaded);
    for each in included {
        push_with_included(each, out, seen);
    }
}

/// The Compose files matching `globs`, parsed, with the ones that could not be read as
/// evidence; `skipped` when nothing matches.
pub fn load_compose_files(
    ctx: &ProbeContext,
    globs: &PathGlobs,
) -> Result<(Vec<Arc<ComposeFile>>, Vec<Evidence>), ProbeOutcome> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for loaded in compose_files(ctx, globs)? {
        match loaded {
            Ok(file) => files.push(file),
            Err(e) => errors.push(Evidence::note(e.to_string())),
        }
    }
    Ok((files, errors))
}

/// The host ports published by the project's Compose files (the `files` parameter's
/// default patterns), for probes that look at what is actually listening. Unreadable
/// files are skipped.
pub fn published_host_ports(ctx: &ProbeContext) -> Vec<u16> {
    let Ok(globs) = Params::default()
        .with_defaults(&[FILES_PARAM])
        .globs_or_default(FILES_PARAM.name)
    else {
        return Vec::new();
    };
    let Ok(files) = compose_files(ctx, &globs) else {
        return Vec::new();
    };
    let mut ports = Vec::new();
    for file in files.iter().flatten() {
        for service in &file.services {
            for entry in service.get("ports").map(items).into_iter().flatten() {
                if let Ok((_, binding)) = read_binding(file, entry)
                    && let Some(published) = &binding.published
                {
                    // A range publishes each of its ports; its first one is enough to look at.
                    let first = published.split('-').next().unwrap_or_default();
                    if let Ok(port) = first.trim().parse::<u16>() {
                        ports.push(port);
                    }
                }
            }
        }
    }
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// Evidence at a node of a Compose file, in the file it was written in (a service
/// that extends another file's has nodes from both).
pub fn evidence_at(file: &ComposeFile, node: &Node, message: String) -> Evidence {
    let (source, line, column) = file.at(node);
    Evidence::at(source, line, column, message)
}

/// Why a `ports:` entry could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindingError {
    /// A variable in it could not be interpolated.
    #[error(transparent)]
    Interpolation(#[from] InterpolationError),
    /// It is not a binding Compose accepts.
    #[error(transparent)]
    Spec(#[from] PortSpecError),
    /// A long-syntax entry without its container port.
    #[error("a long-syntax port needs `target`")]
    NoTarget,
}

/// Reads one entry of `ports:`; returns it as written and resolved.
pub fn read_binding(
    file: &ComposeFile,
    entry: &Node,
) -> Result<(String, PortBinding), BindingError> {
    let interpolate = |text: String| file.variables.interpolate(&text);
    if let Some(text) = scalar_text(entry) {
        let resolved = interpolate(text.clone())?;
        let binding = PortBinding::parse_short(&resolved)?;
        return Ok((format!("\"{text}\""), binding));
    }
    if compose::get(entry, "target").is_none() {
        return Err(BindingError::NoTarget);
    }
    let field = |key: &str| -> Result<Option<(String, String)>, BindingError> {
        match get(entry, key).and_then(scalar_text) {
            None => Ok(None),
            Some(text) => Ok(Some((text.clone(), interpolate(text)?))),
        }
    };
    let target = field("target")?.unwrap_or_default();
    let published = field("published")?;
    let host_ip = field("host_ip")?;
    let protocol = field("protocol")?;
    let mode = field("mode")?;
    let mut written = vec![format!("target: {}", target.0)];
    for (name, value) in [
        ("published", &published),
        ("host_ip", &host_ip),
        ("protocol", &protocol),
        ("mode", &mode),
    ] {
        if let Some((text, _)) = value {
            written.push(format!("{name}: {text}"));
        }
    }
    let binding = PortBinding {
        host_ip: host_ip.map(|v| v.1).filter(|s| !s.is_empty()),
        published: published.map(|v| v.1).filter(|s| !s.is_empty()),
        target: target.1,
        protocol: protocol.map_or_else(|| "tcp".to_string(), |v| v.1.to_ascii_lowercase()),
        mode: mode.map(|v| v.1),
    };
    binding.validate()?;
    Ok((format!("{{ {} }}", written.join(", ")), binding))
}

//! Reading a Compose file from the project with the files it names: `extends: {file}`
//! (the service is taken from the other file) and `include:` (each included file is a
//! Compose file of its own, interpolated with its own `.env` under the including
//! file's, as compose-go does).
//!
//! The project is untrusted: a named file is read only when it is inside the project
//! (links resolved), never a remote one (`oci://`, git URLs), at most [`MAX_FILES`]
//! files per top-level file and [`MAX_NESTING`] levels deep; a cycle is an error, as in
//! Compose. Anything not followed is an error at the line that names it, so a probe
//! says it could not read everything instead of passing.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::merge::{resolve_extends, strip_resets};
use super::yaml::{Data, Node};
use super::{ComposeError, ComposeFile, Variables, get, invalid, items, parse_top, scalar_text};
use crate::base::fs::{self, Links};
use crate::base::path::display_path;
use crate::config::{EnvVars, dotenv};
use crate::system::walk::MAX_FILE;

/// How many files one top-level Compose file may pull in (extends and includes).
pub const MAX_FILES: usize = 64;

/// How deep files may name files (a file extends one that includes one …).
pub const MAX_NESTING: usize = 8;

/// Loads a Compose file and what it names, within one project.
pub struct Loader<'a> {
    root: &'a Path,
    /// The project root with links resolved, for confinement.
    canonical_root: Option<PathBuf>,
    shell: &'a EnvVars,
    /// Files being loaded, outermost first (a file reached again is a cycle).
    stack: Vec<PathBuf>,
    /// Files read so far.
    read: usize,
    /// Files read for their services (extends), by canonical path.
    bases: HashMap<PathBuf, Arc<ComposeFile>>,
    /// The run's cache of configuration files, when loading for a run.
    reads: Option<&'a fs::ReadCache>,
}

impl<'a> Loader<'a> {
    /// A loader for the project at `root`.
    pub fn new(root: &'a Path, shell: &'a EnvVars) -> Loader<'a> {
        Loader {
            root,
            canonical_root: std::fs::canonicalize(root).ok(),
            shell,
            stack: Vec::new(),
            read: 0,
            bases: HashMap::new(),
            reads: None,
        }
    }

    /// Reads through a run's cache of configuration files (the run's other readers
    /// of the same files get the same read).
    pub fn reads(mut self, cache: Option<&'a fs::ReadCache>) -> Loader<'a> {
        self.reads = cache;
        self
    }

    /// The file at `path` (one of the project's files, as the walker lists it), its
    /// variables from the shell and the `.env` beside it.
    pub fn load_top(&mut self, path: &Path) -> Result<ComposeFile, ComposeError> {
        let file = display_path(self.root, path);
        let dotenv_path = path.parent().unwrap_or(self.root).join(".env");
        let dotenv =
            dotenv::read_if_exists_via(self.reads, &dotenv_path, self.root).map_err(|e| {
                ComposeError::Io {
                    file: display_path(self.root, &dotenv_path),
                    reason: e.to_string(),
                }
            })?;
        let text = fs::read_text_via(self.reads, path, MAX_FILE, Links::Refuse).map_err(|e| {
            ComposeError::Io {
                file: file.clone(),
                reason: e.to_string(),
            }
        })?;
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let variables = Variables::new(self.shell.clone(), dotenv.clone());
        let dir = canonical.parent().unwrap_or(self.root).to_path_buf();
        self.load_text(&canonical, &dir, file, &text, variables, &dotenv)
    }

    /// Parses `text` (the file at `canonical`, shown as `file`), follows its
    /// `extends:` and `include:`; relative paths start at `dir`, its project folder
    /// (its own folder, or an include's `project_directory`).
    fn load_text(
        &mut self,
        canonical: &Path,
        dir: &Path,
        file: String,
        text: &str,
        variables: Variables,
        dotenv: &BTreeMap<String, String>,
    ) -> Result<ComposeFile, ComposeError> {
        self.stack.push(canonical.to_path_buf());
        let result = self.load_inner(dir, file, text, variables, dotenv);
        self.stack.pop();
        result
    }

    fn load_inner(
        &mut self,
        dir: &Path,
        file: String,
        text: &str,
        variables: Variables,
        dotenv: &BTreeMap<String, String>,
    ) -> Result<ComposeFile, ComposeError> {
        let mut parsed = parse_top(&file, text)?;
        let at = |node: &Node, message: String| {
            invalid(&file, node.line as usize, node.col as usize, message)
        };
        let sources = self.extend(&mut parsed.services, &file, dir, &variables)?;
        parsed
            .services
            .iter_mut()
            .for_each(|s| strip_resets(&mut s.node));
        let included = match &parsed.include {
            Some(list) => self.includes(list, dir, &at, &variables, dotenv),
            None => Vec::new(),
        };
        Ok(ComposeFile {
            file,
            services: parsed.services,
            secrets: parsed.secrets,
            variables,
            sources,
            included,
        })
    }

    /// A file named by `written` from folder `dir`: inside the project, a regular
    /// file, not one being loaded, within the bounds. Returns its canonical path and
    /// how it is shown.
    fn locate(&mut self, dir: &Path, written: &str) -> Result<(PathBuf, String), String> {
        if written.contains("://") || written.starts_with("git@") {
            return Err("a remote file; preflight reads only the project's own files".into());
        }
        let Some(root) = self.canonical_root.clone() else {
            return Err("the project folder cannot be resolved".into());
        };
        let canonical = std::fs::canonicalize(dir.join(written)).map_err(|e| e.to_string())?;
        if !canonical.starts_with(&root) {
            return Err("outside the project; not read".into());
        }
        if self.stack.contains(&canonical) {
            return Err("it leads back to a file being read (a cycle)".into());
        }
        if self.stack.len() > MAX_NESTING {
            return Err(format!(
                "files naming files more than {MAX_NESTING} deep are not followed"
            ));
        }
        if self.read >= MAX_FILES {
            return Err(format!("more than {MAX_FILES} files named; not followed"));
        }
        self.read += 1;
        let shown = display_path(&root, &canonical);
        Ok((canonical, shown))
    }

    /// Reads a project file named from `dir`.
    fn read(&mut self, dir: &Path, written: &str) -> Result<(PathBuf, String, String), String> {
        let (canonical, shown) = self.locate(dir, written)?;
        let root = self.canonical_root.clone().unwrap_or_default();
        let text = fs::read_text_via(self.reads, &canonical, MAX_FILE, Links::Within(&root))
            .map_err(|e| e.to_string())?;
        Ok((canonical, shown, text))
    }

    /// The file an `extends:` names, loaded with the extending file's variables (as
    /// compose-go does), its own `extends:` resolved, its `include:` not followed.
    fn base_file(
        &mut self,
        dir: &Path,
        written: &str,
        variables: &Variables,
    ) -> Result<Arc<ComposeFile>, String> {
        if let Ok(canonical) = std::fs::canonicalize(dir.join(written))
            && let Some(done) = self.bases.get(&canonical)
        {
            return Ok(Arc::clone(done));
        }
        let (canonical, shown, text) = self.read(dir, written)?;
        self.stack.push(canonical.clone());
        let loaded = parse_top(&shown, &text).and_then(|mut parsed| {
            let base_dir = canonical.parent().unwrap_or(self.root).to_path_buf();
            let sources = self.extend(&mut parsed.services, &shown, &base_dir, variables)?;
            parsed
                .services
                .iter_mut()
                .for_each(|s| strip_resets(&mut s.node));
            Ok(ComposeFile {
                file: shown.clone(),
                services: parsed.services,
                secrets: None,
                variables: variables.clone(),
                sources,
                included: Vec::new(),
            })
        });
        self.stack.pop();
        let loaded = Arc::new(loaded.map_err(|e| e.to_string())?);
        self.bases.insert(canonical, Arc::clone(&loaded));
        Ok(loaded)
    }

    /// Resolves the `extends:` of `services` (written in `file`, in folder `dir`),
    /// reading the other files they name; returns the files the services' nodes now
    /// come from, `file` first.
    fn extend(
        &mut self,
        services: &mut [super::Service],
        file: &str,
        dir: &Path,
        variables: &Variables,
    ) -> Result<Vec<String>, ComposeError> {
        let at = |node: &Node, message: String| {
            invalid(file, node.line as usize, node.col as usize, message)
        };
        let mut sources = vec![file.to_string()];
        resolve_extends(services, &at, &mut |node, other, service| {
            let written = variables
                .interpolate(other)
                .map_err(|e| at(node, e.to_string()))?;
            let base = self
                .base_file(dir, &written, variables)
                .map_err(|why| at(node, format!("`extends` file {other}: {why}")))?;
            let Some(found) = base.services.iter().find(|s| s.name == service) else {
                return Err(at(
                    node,
                    format!(
                        "`extends` names service `{service}`, which is not in {}",
                        base.file
                    ),
                ));
            };
            // Its nodes name files in the base's list; renumber them into this one's.
            let renumber: Vec<u16> = base
                .sources
                .iter()
                .map(|source| {
                    let index = sources.iter().position(|s| s == source).unwrap_or_else(|| {
                        sources.push(source.clone());
                        sources.len() - 1
                    });
                    u16::try_from(index).unwrap_or(u16::MAX)
                })
                .collect();
            let mut node = found.node.clone();
            renumber_origins(&mut node, &renumber);
            Ok(node)
        })?;
        Ok(sources)
    }

    /// The files `include:` names (strings, or mappings with `path`, `env_file` and
    /// `project_directory`), each loaded with its own variables.
    fn includes(
        &mut self,
        list: &Node,
        dir: &Path,
        at: &dyn Fn(&Node, String) -> ComposeError,
        variables: &Variables,
        dotenv: &BTreeMap<String, String>,
    ) -> Vec<Result<Arc<ComposeFile>, ComposeError>> {
        let mut out = Vec::new();
        for entry in items(list) {
            let strings = |node: Option<&Node>| -> Vec<(Node, String)> {
                match node {
                    Some(n) if matches!(n.data, Data::Seq(_)) => items(n)
                        .iter()
                        .filter_map(|i| Some((i.clone(), scalar_text(i)?)))
                        .collect(),
                    Some(n) => scalar_text(n).map(|t| (n.clone(), t)).into_iter().collect(),
                    None => Vec::new(),
                }
            };
            let (paths, env_files, project_dir) = match &entry.data {
                Data::Scalar(_) => (strings(Some(entry)), Vec::new(), None),
                Data::Map(_) => (
                    strings(get(entry, "path")),
                    strings(get(entry, "env_file")),
                    get(entry, "project_directory").and_then(scalar_text),
                ),
                _ => {
                    out.push(Err(at(
                        entry,
                        "an `include` entry must be a path or a mapping".into(),
                    )));
                    continue;
                }
            };
            if paths.is_empty() {
                out.push(Err(at(entry, "an `include` entry needs `path`".into())));
                continue;
            }
            let interpolate = |node: &Node, text: &str| {
                variables
                    .interpolate(text)
                    .map_err(|e| at(node, e.to_string()))
            };
            // The included project's folder: `project_directory`, else the first file's.
            let first_dir = match interpolate(&paths[0].0, &paths[0].1) {
                Ok(p) => dir
                    .join(p)
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| dir.to_path_buf()),
                Err(e) => {
                    out.push(Err(e));
                    continue;
                }
            };
            let project = match project_dir.as_deref().map(|p| variables.interpolate(p)) {
                Some(Ok(p)) => dir.join(p),
                Some(Err(e)) => {
                    out.push(Err(at(entry, e.to_string())));
                    continue;
                }
                None => first_dir,
            };
            // Its variables: the shell, then the including file's `.env`, then its own.
            let mut own = BTreeMap::new();
            let env_paths: Vec<(Node, String)> = if env_files.is_empty() {
                vec![(
                    entry.clone(),
                    project.join(".env").to_string_lossy().into_owned(),
                )]
            } else {
                env_files
            };
            let mut failed = false;
            for (node, written) in &env_paths {
                if written == "/dev/null" {
                    continue;
                }
                let path = dir.join(written);
                match dotenv::read_if_exists_via(
                    self.reads,
                    &path,
                    self.canonical_root.as_deref().unwrap_or(self.root),
                ) {
                    Ok(vars) => own.extend(vars),
                    Err(e) => {
                        out.push(Err(at(node, e.to_string())));
                        failed = true;
                    }
                }
            }
            if failed {
                continue;
            }
            own.extend(dotenv.iter().map(|(k, v)| (k.clone(), v.clone())));
            for (node, written) in &paths {
                let loaded = interpolate(node, written).and_then(|written| {
                    let (canonical, shown, text) = self
                        .read(dir, &written)
                        .map_err(|why| at(node, format!("`include` {written}: {why}")))?;
                    let vars = Variables::new(self.shell.clone(), own.clone());
                    self.load_text(&canonical, &project, shown, &text, vars, &own)
                });
                out.push(loaded.map(Arc::new));
            }
        }
        out
    }
}

/// Renumbers the origins of a subtree: origin `i` becomes `map[i]`.
fn renumber_origins(node: &mut Node, map: &[u16]) {
    node.origin = map.get(usize::from(node.origin)).copied().unwrap_or(0);
    match &mut node.data {
        Data::Seq(items) => items.iter_mut().for_each(|n| renumber_origins(n, map)),
        Data::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            renumber_origins(k, map);
            renumber_origins(v, map);
        }),
        _ => {}
    }
}

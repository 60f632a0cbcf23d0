//! The one project-file walker: which files of a project exist for preflight, which are
//! skipped and why, and reading them within bounds.
//!
//! Every probe that looks at the project's files asks here, so they all agree (as
//! ripgrep's `haystack.rs` decides what is searched for every printer):
//!
//! - **`.git`** is never walked.
//! - **Vendored and generated folders** ([`VENDORED`]: `node_modules`, `vendor`,
//!   `target`, virtualenvs, ...) are skipped unless a walk includes them; each skipped
//!   folder is listed.
//! - **git-ignored files** are skipped unless a walk includes them, with git's own rules
//!   (`.gitignore` in every folder, `.git/info/exclude`, `core.excludesFile`), inside a
//!   git work tree only. A file git tracks is never ignored, as in git: the walk asks
//!   git for the tracked files and yields those an ignore rule matches too.
//!   Other tools' ignore files (`.ignore`, `.rgignore`) do not count: a project cannot
//!   hide a file from preflight with a rule git does not honour.
//! - **Only regular files** are yielded: symbolic links are not followed and devices,
//!   FIFOs and sockets are skipped, so a committed `.env -> /dev/zero` cannot stall a
//!   walk.
//! - **Reading** takes at most [`MAX_FILE`] bytes: a larger file is skipped as too large,
//!   and a file with a NUL byte in its first [`BINARY_PREFIX`] bytes is binary, which a
//!   text read skips.
//!
//! Paths come back relative to the walk's root with `/` separators, sorted. This module
//! knows nothing of what the files mean.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::base::fs::{self, Links, ReadError};

use super::git::Repo;
use crate::base::path::display_path;
use crate::base::pathglob::PathGlobs;

/// Files larger than this are not read (generated or data files, not configuration).
pub const MAX_FILE: u64 = 4 * 1024 * 1024;

/// A file with a NUL byte in this many first bytes is binary.
pub const BINARY_PREFIX: usize = 8192;

/// Folders of third-party or generated files, skipped unless a walk includes them.
pub const VENDORED: &[&str] = &[
    "node_modules",
    "bower_components",
    "jspm_packages",
    "vendor",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    "target",
];

/// One file of the project: the walk's root (shared by every file of a listing) and
/// the path below it, so that a listing of 100,000 files holds each path once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFile {
    /// The walk's root.
    pub root: Arc<Path>,
    /// Relative to the walk's root, `/`-separated, for evidence.
    pub rel: String,
}

impl ProjectFile {
    /// Where it is.
    pub fn path(&self) -> PathBuf {
        self.root.join(&self.rel)
    }
}

/// Why a file or folder was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A vendored or generated folder ([`VENDORED`]).
    Vendored,
    /// Not a regular file: a symbolic link, a device, a FIFO or a socket (which, in
    /// words).
    NotRegular(&'static str),
    /// A NUL byte near its start (only text reads skip it).
    Binary,
    /// Larger than [`MAX_FILE`].
    TooLarge {
        /// Its size in bytes.
        size: u64,
    },
    /// The operating system refused (permissions, a file that vanished).
    Unreadable(String),
    /// An ignore file that could not be read (its rules were not applied, so more was
    /// read, never less).
    IgnoreFile(ReadError),
    /// An ignore rule of this many bytes, longer than any path: not applied.
    LongIgnoreRule(usize),
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Vendored => f.write_str("a vendored or generated folder"),
            SkipReason::NotRegular(kind) => write!(f, "{kind}, not a regular file"),
            SkipReason::Binary => f.write_str("binary"),
            SkipReason::TooLarge { size } => write!(
                f,
                "{size} bytes, over the {} MiB limit",
                MAX_FILE / (1024 * 1024)
            ),
            SkipReason::Unreadable(why) => write!(f, "unreadable: {why}"),
            SkipReason::IgnoreFile(why) => write!(f, "ignore file not read ({why})"),
            SkipReason::LongIgnoreRule(bytes) => write!(
                f,
                "an ignore rule of {bytes} bytes, longer than any path, not applied"
            ),
        }
    }
}

/// A file or folder left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Relative to the walk's root.
    pub rel: String,
    /// Why.
    pub reason: SkipReason,
}

/// What a walk found: the files, sorted by path, and what it left out on the way.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// The files.
    pub files: Vec<ProjectFile>,
    /// Folders and files left out (git-ignored ones are not listed: git decides those
    /// without naming them).
    pub skipped: Vec<Skipped>,
}

/// Whether a read keeps binary files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// Text only: binary files are skipped.
    Text,
    /// Any bytes (looking for a known value, which may sit in a binary file too).
    Any,
}

/// Where a walk learns which files git tracks (paths relative to its root): by
/// default it asks git itself; a caller that needs the list too hands in its own, so
/// that git is asked once.
#[derive(Clone)]
pub struct IndexSource(Arc<dyn Fn() -> Arc<Vec<String>> + Send + Sync>);

impl IndexSource {
    /// The tracked files, from `list`.
    pub fn new(list: impl Fn() -> Arc<Vec<String>> + Send + Sync + 'static) -> IndexSource {
        IndexSource(Arc::new(list))
    }
}

impl std::fmt::Debug for IndexSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IndexSource")
    }
}

/// A walk of a folder: which files it yields (see the module documentation).
#[derive(Debug, Clone)]
pub struct Walk {
    root: PathBuf,
    include_ignored: bool,
    include_vendored: bool,
    max_depth: Option<usize>,
    matching: Option<PathGlobs>,
    excluding: Option<PathGlobs>,
    index: Option<IndexSource>,
    reads: Option<Arc<fs::ReadCache>>,
}

impl Walk {
    /// A walk of `root` that skips git-ignored files and vendored folders.
    pub fn new(root: &Path) -> Walk {
        Walk {
            root: root.to_path_buf(),
            include_ignored: false,
            include_vendored: false,
            max_depth: None,
            matching: None,
            excluding: None,
            index: None,
            reads: None,
        }
    }

    /// Read ignore files through a run's cache (the run's pass reads them too).
    pub fn reads(mut self, cache: Arc<fs::ReadCache>) -> Walk {
        self.reads = Some(cache);
        self
    }

    /// Learn which files git tracks from `source` instead of asking git.
    pub fn index(mut self, source: IndexSource) -> Walk {
        self.index = Some(source);
        self
    }

    /// Also yield git-ignored files (local secrets such as `.env.production` live
    /// there).
    pub fn include_ignored(mut self, yes: bool) -> Walk {
        self.include_ignored = yes;
        self
    }

    /// Also walk vendored and generated folders.
    pub fn include_vendored(mut self, yes: bool) -> Walk {
        self.include_vendored = yes;
        self
    }

    /// Go at most this many folders deep (1: the root's own files).
    pub fn max_depth(mut self, depth: usize) -> Walk {
        self.max_depth = Some(depth);
        self
    }

    /// Only files whose relative path matches.
    pub fn matching(mut self, globs: &PathGlobs) -> Walk {
        self.matching = Some(globs.clone());
        self
    }

    /// No file whose relative path matches.
    pub fn excluding(mut self, globs: &PathGlobs) -> Walk {
        self.excluding = Some(globs.clone());
        self
    }

    fn wanted(&self, rel: &str) -> bool {
        self.matching.as_ref().is_none_or(|g| g.is_match(rel))
            && !self.excluding.as_ref().is_some_and(|g| g.is_match(rel))
    }

    fn is_vendored_path(&self, rel: &str) -> bool {
        !self.include_vendored
            && rel
                .split('/')
                .rev()
                .skip(1)
                .any(|folder| VENDORED.contains(&folder))
    }

    /// Lists the files (see the module documentation).
    pub fn list(&self) -> Listing {
        self.traverse(false).0
    }

    /// This walk's listing and, from the same traversal, what it lists with
    /// git-ignored files included (as [`Walk::include_ignored`] would): a run needs
    /// both, and reading the folders once costs half.
    pub fn list_with_ignored(&self) -> (Listing, Listing) {
        let (listing, with_ignored) = self.traverse(true);
        let with_ignored = with_ignored.unwrap_or_else(|| listing.clone());
        (listing, with_ignored)
    }

    /// The traversal behind [`Walk::list`]; with `both`, git-ignored files and folders
    /// are followed too, into a second listing (`None` when no ignore rule applies:
    /// the walk includes ignored files, or the folder is not in a git work tree).
    fn traverse(&self, both: bool) -> (Listing, Option<Listing>) {
        let mut listing = Listing::default();
        // What only the listing with ignored files holds.
        let mut only_ignored = Listing::default();
        let root: Arc<Path> = Arc::from(self.root.as_path());
        // What the ignore rules left out: git may track some of it all the same.
        let mut ignored: Vec<String> = Vec::new();
        let rules = if self.include_ignored {
            None
        } else {
            work_tree(&self.root)
                .map(|top| Rules::above(&self.root, &top, &mut listing, self.reads.as_deref()))
        };
        let any_rules = rules.is_some();
        // Which files git tracks, asked while the folders are read rather than after:
        // a rule nearly always ignores something, and then the answer is on the walk's
        // critical path.
        let index = rules.is_some().then(|| {
            let source = self.index.clone().unwrap_or_else(|| {
                let root = self.root.clone();
                IndexSource::new(move || {
                    let tracked = Repo::open(&root).and_then(|repo| repo.tracked_files());
                    Arc::new(tracked.unwrap_or_default())
                })
            });
            std::thread::spawn(move || (source.0)())
        });
        // Folders still to list, each with the ignore rules that apply in it and
        // whether git ignores it (followed only for `both`). A stack, not recursion:
        // a project can nest folders as deep as it likes.
        let mut pending = vec![Folder {
            path: self.root.clone(),
            rel: String::new(),
            depth: 0,
            rules: rules.map(Arc::new),
            ignored: false,
        }];
        while let Some(Folder {
            path: dir,
            rel: dir_rel,
            depth,
            rules,
            ignored: hidden,
        }) = pending.pop()
        {
            let rules = rules.map(|parent| {
                Rules::inside(
                    &dir,
                    parent,
                    &self.root,
                    &mut listing,
                    self.reads.as_deref(),
                )
            });
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) => {
                    let out = if hidden {
                        &mut only_ignored
                    } else {
                        &mut listing
                    };
                    out.skipped.push(Skipped {
                        rel: dir_rel,
                        reason: SkipReason::Unreadable(e.to_string()),
                    });
                    continue;
                }
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                if name == ".git" {
                    continue;
                }
                let path = entry.path();
                let rel = child_rel(&dir_rel, &name);
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                let is_dir = kind.is_dir();
                let vendored = is_dir
                    && !self.include_vendored
                    && name.to_str().is_some_and(|n| VENDORED.contains(&n));
                let mut hidden = hidden;
                if rules.as_ref().is_some_and(|r| r.ignores(&path, is_dir)) {
                    // Tracked files below a vendored folder are not listed either:
                    // git's list is not waited for on its account.
                    if !vendored {
                        ignored.push(rel.clone());
                    }
                    if !both {
                        continue;
                    }
                    hidden = true;
                }
                let out = if hidden {
                    &mut only_ignored
                } else {
                    &mut listing
                };
                if is_dir {
                    if vendored {
                        out.skipped.push(Skipped {
                            rel,
                            reason: SkipReason::Vendored,
                        });
                    } else if self.max_depth.is_none_or(|max| depth + 1 < max) {
                        let rules = if hidden { None } else { rules.clone() };
                        pending.push(Folder {
                            path,
                            rel,
                            depth: depth + 1,
                            rules,
                            ignored: hidden,
                        });
                    }
                } else if self.wanted(&rel) {
                    if kind.is_file() {
                        out.files.push(ProjectFile {
                            root: Arc::clone(&root),
                            rel,
                        });
                    } else {
                        out.skipped.push(Skipped {
                            rel,
                            reason: SkipReason::NotRegular(fs::file_kind(kind)),
                        });
                    }
                }
            }
        }
        listing
            .files
            .sort_unstable_by(|a, b| by_path(&a.rel, &b.rel));
        if let Some(index) = index.filter(|_| !ignored.is_empty()) {
            let tracked = tracked_below(index.join().unwrap_or_default(), &ignored);
            let seen = |rel: &str| {
                listing
                    .files
                    .binary_search_by(|f| by_path(&f.rel, rel))
                    .is_ok()
            };
            let extra: Vec<ProjectFile> = tracked
                .iter()
                .filter(|rel| {
                    self.wanted(rel)
                        && !seen(rel)
                        && self
                            .max_depth
                            .is_none_or(|depth| rel.split('/').count() <= depth)
                        && !self.is_vendored_path(rel)
                        && !rel.split('/').any(|part| part == ".git")
                })
                .filter(|rel| {
                    std::fs::symlink_metadata(self.root.join(rel)).is_ok_and(|m| m.is_file())
                })
                .map(|rel| ProjectFile {
                    root: Arc::clone(&root),
                    rel: rel.clone(),
                })
                .collect();
            if !extra.is_empty() {
                listing.files.extend(extra);
                listing
                    .files
                    .sort_unstable_by(|a, b| by_path(&a.rel, &b.rel));
            }
        }
        listing.skipped.sort_by(|a, b| by_path(&a.rel, &b.rel));
        let with_ignored = (both && any_rules).then(|| {
            // Everything listed, and what was listed only for being ignored; the
            // rules' own troubles are not this listing's (it applies none).
            only_ignored
                .files
                .sort_unstable_by(|a, b| by_path(&a.rel, &b.rel));
            let files = merge_listed(&listing.files, only_ignored.files);
            let mut skipped: Vec<Skipped> = listing
                .skipped
                .iter()
                .filter(|s| {
                    !matches!(
                        s.reason,
                        SkipReason::IgnoreFile(_) | SkipReason::LongIgnoreRule(_)
                    )
                })
                .cloned()
                .collect();
            skipped.append(&mut only_ignored.skipped);
            skipped.sort_by(|a, b| by_path(&a.rel, &b.rel));
            Listing { files, skipped }
        });
        (listing, with_ignored)
    }
}

/// A folder a walk has still to list.
struct Folder {
    path: PathBuf,
    /// Below the walk's root (`""` for the root).
    rel: String,
    depth: usize,
    /// The ignore rules that apply in it (none inside an ignored folder).
    rules: Option<Arc<Rules>>,
    /// Whether git ignores it: listed only into the listing with ignored files.
    ignored: bool,
}

/// The path below the walk's root of `name` in the folder at `dir_rel` (`""` for the
/// root), as [`display_path`] writes it.
fn child_rel(dir_rel: &str, name: &std::ffi::OsStr) -> String {
    let name = name.to_string_lossy();
    let mut rel = String::with_capacity(dir_rel.len() + 1 + name.len());
    if !dir_rel.is_empty() {
        rel.push_str(dir_rel);
        rel.push('/');
    }
    if name.contains('\\') {
        rel.push_str(&name.replace('\\', "/"));
    } else {
        rel.push_str(&name);
    }
    rel
}

/// Two lists of files in path order as one, each file once (a tracked file below an
/// ignored folder is in both).
fn merge_listed(listed: &[ProjectFile], more: Vec<ProjectFile>) -> Vec<ProjectFile> {
    let mut files = Vec::with_capacity(listed.len() + more.len());
    let mut listed = listed.iter().peekable();
    for file in more {
        while let Some(first) = listed.next_if(|f| by_path(&f.rel, &file.rel).is_le()) {
            if first.rel != file.rel {
                files.push(first.clone());
            }
        }
        files.push(file);
    }
    files.extend(listed.cloned());
    files
}

/// Paths in folder order (`flask/app.py` before `flask-redis/app.py`), as people read
/// a tree.
fn by_path(a: &str, b: &str) -> std::cmp::Ordering {
    // For relative paths as the walker writes them (no `.`, `..`, doubled or trailing
    // `/`), comparing components equals comparing bytes with `/` below every other
    // byte, at a fraction of the cost on 10,000 paths.
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // The common start, eight bytes at a time (paths of one folder share most).
    let shortest = a.len().min(b.len());
    let mut common = 0;
    while common + 8 <= shortest && a[common..common + 8] == b[common..common + 8] {
        common += 8;
    }
    while common < shortest && a[common] == b[common] {
        common += 1;
    }
    let rank = |s: &[u8]| {
        s.get(common)
            .map(|&c| if c == b'/' { 0 } else { u16::from(c) + 1 })
    };
    rank(a).cmp(&rank(b))
}

/// The largest ignore file read; a larger one is skipped (and its rules not applied,
/// so more is read, never less).
const MAX_IGNORE_FILE: u64 = 1024 * 1024;

/// The longest ignore rule applied: the longest path Linux allows (`PATH_MAX`).
const MAX_IGNORE_RULE: usize = 4096;

/// The top of the git work tree that `dir` is in, if any.
fn work_tree(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| std::fs::symlink_metadata(d.join(".git")).is_ok())
        .map(Path::to_path_buf)
}

/// The ignore rules that apply in one folder: its own `.gitignore` and those of every
/// folder above it, then `.git/info/exclude` and the user's `core.excludesFile`, as git
/// weighs them (the nearest decides).
struct Rules {
    matcher: ignore::gitignore::Gitignore,
    parent: Option<Arc<Rules>>,
}

impl Rules {
    /// A matcher for the ignore file at `file`, patterns relative to `base`; `None`
    /// when there is none (a file that is not regular or too large is reported).
    fn read(
        file: &Path,
        base: &Path,
        root: &Path,
        listing: &mut Listing,
        reads: Option<&fs::ReadCache>,
    ) -> Option<ignore::gitignore::Gitignore> {
        let text = match fs::read_text_via(reads, file, MAX_IGNORE_FILE, Links::Refuse) {
            Ok(text) => text,
            Err(ReadError::Missing(_)) => return None,
            Err(e) => {
                listing.skipped.push(Skipped {
                    rel: display_path(root, file),
                    reason: SkipReason::IgnoreFile(e),
                });
                return None;
            }
        };
        let mut builder = ignore::gitignore::GitignoreBuilder::new(base);
        for (n, line) in text.lines().enumerate() {
            if line.len() > MAX_IGNORE_RULE {
                // Compiling it could take gigabytes; not applying it reads more,
                // never less.
                listing.skipped.push(Skipped {
                    rel: format!("{}:{}", display_path(root, file), n + 1),
                    reason: SkipReason::LongIgnoreRule(line.len()),
                });
                continue;
            }
            // A malformed pattern is ignored, as git ignores it.
            let _ = builder.add_line(Some(file.to_path_buf()), line);
        }
        builder.build().ok()
    }

    /// The rules in force at `root`, in the work tree whose top is `top`: the user's
    /// excludes, the repository's, and the `.gitignore` files from `top` down to
    /// `root`'s parent.
    fn above(
        root: &Path,
        top: &Path,
        listing: &mut Listing,
        reads: Option<&fs::ReadCache>,
    ) -> Rules {
        let mut rules = Rules {
            matcher: ignore::gitignore::Gitignore::empty(),
            parent: None,
        };
        let push = |rules: Rules, matcher: Option<ignore::gitignore::Gitignore>| match matcher {
            Some(matcher) => Rules {
                matcher,
                parent: Some(Arc::new(rules)),
            },
            None => rules,
        };
        if let Some(global) = global_excludes() {
            rules = push(rules, Rules::read(&global, top, root, listing, reads));
        }
        let exclude = top.join(".git").join("info").join("exclude");
        rules = push(rules, Rules::read(&exclude, top, root, listing, reads));
        let between: Vec<&Path> = root
            .ancestors()
            .skip(1)
            .take_while(|d| d.starts_with(top))
            .collect();
        for dir in between.into_iter().rev() {
            rules = push(
                rules,
                Rules::read(&dir.join(".gitignore"), dir, root, listing, reads),
            );
        }
        rules
    }

    /// The rules in force in `dir`: its own `.gitignore` over `parent`'s.
    fn inside(
        dir: &Path,
        parent: Arc<Rules>,
        root: &Path,
        listing: &mut Listing,
        reads: Option<&fs::ReadCache>,
    ) -> Arc<Rules> {
        match Rules::read(&dir.join(".gitignore"), dir, root, listing, reads) {
            Some(matcher) => Arc::new(Rules {
                matcher,
                parent: Some(parent),
            }),
            None => parent,
        }
    }

    /// Whether git ignores `path`: the nearest rule that matches decides.
    fn ignores(&self, path: &Path, is_dir: bool) -> bool {
        let mut rules = Some(self);
        while let Some(r) = rules {
            match r.matcher.matched(path, is_dir) {
                ignore::Match::Ignore(_) => return true,
                ignore::Match::Whitelist(_) => return false,
                ignore::Match::None => rules = r.parent.as_deref(),
            }
        }
        false
    }
}

/// The user's `core.excludesFile` (or git's default, `$XDG_CONFIG_HOME/git/ignore`),
/// found once per process in the user's git configuration files, read as text:
/// `$GIT_CONFIG_GLOBAL` if set, else `$XDG_CONFIG_HOME/git/config` then
/// `~/.gitconfig` (the later wins, as in git).
fn global_excludes() -> Option<PathBuf> {
    static GLOBAL: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    GLOBAL
        .get_or_init(|| {
            let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
            let home = var("HOME").map(PathBuf::from);
            let xdg = var("XDG_CONFIG_HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .or_else(|| home.as_ref().map(|h| h.join(".config")));
            let files: Vec<PathBuf> = match var("GIT_CONFIG_GLOBAL") {
                Some(file) => vec![PathBuf::from(file)],
                None => xdg
                    .iter()
                    .map(|x| x.join("git").join("config"))
                    .chain(home.iter().map(|h| h.join(".gitconfig")))
                    .collect(),
            };
            let configured = files
                .iter()
                .filter_map(|f| fs::read_text(f, MAX_IGNORE_FILE, Links::Follow).ok())
                .filter_map(|text| config_value(&text, "core", "excludesfile"))
                .next_back();
            match configured {
                Some(path) => match path.strip_prefix("~/") {
                    Some(rest) => home.map(|h| h.join(rest)),
                    None => Some(PathBuf::from(path)),
                },
                None => xdg.map(|x| x.join("git").join("ignore")),
            }
        })
        .clone()
}

/// The last value of `section.key` in git configuration text (section and key compared
/// without case; `key = value`, a value in double quotes unquoted). Enough for one
/// path-valued key; includes are not followed.
fn config_value(text: &str, section: &str, key: &str) -> Option<String> {
    let mut current = String::new();
    let mut found = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[') {
            let name = header.split([']', ' ', '"']).next().unwrap_or_default();
            current = name.to_ascii_lowercase();
            continue;
        }
        if current != section || line.starts_with(['#', ';']) {
            continue;
        }
        if let Some((k, v)) = line.split_once('=')
            && k.trim().eq_ignore_ascii_case(key)
        {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            found = Some(v.to_string());
        }
    }
    found
}

/// The tracked files (`tracked`, relative to the walk's root) that are `ignored` paths
/// or lie below one: a tracked file is never ignored.
fn tracked_below(tracked: Arc<Vec<String>>, ignored: &[String]) -> Vec<String> {
    let ignored: std::collections::HashSet<&str> = ignored.iter().map(String::as_str).collect();
    tracked
        .iter()
        .filter(|rel| {
            ignored.contains(rel.as_str())
                || rel
                    .match_indices('/')
                    .any(|(i, _)| ignored.contains(&rel[..i]))
        })
        .cloned()
        .collect()
}

/// One reader's client in a [`pass`]: the files it wants, and what it does with each.
pub trait Visitor: Send + Sync {
    /// How many files it wants.
    fn count(&self) -> usize;
    /// The file it wants at `index` (below [`Visitor::count`]); `visit` and `skip`
    /// get that position.
    fn file(&self, index: usize) -> &ProjectFile;
    /// Whether it takes binary files too.
    fn content(&self) -> Content;
    /// The contents of its file at `index`.
    fn visit(&self, index: usize, bytes: &[u8]);
    /// Its file at `index` could not be read, or is binary for a text visitor.
    fn skip(&self, index: usize, reason: SkipReason);
}

/// Whether a project file is one that readers ask for by name, besides the pass over
/// contents (dotenv files, Compose files, Dockerfiles, ignore files, `.mcp.json`): what
/// a run's [`fs::ReadCache`] keeps, so that both get one read.
pub fn read_by_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    lower.starts_with(".env")
        || lower.ends_with(".env")
        || (lower.contains("compose") && (lower.ends_with(".yml") || lower.ends_with(".yaml")))
        || lower.starts_with("dockerfile")
        || lower.ends_with(".dockerfile")
        || lower.starts_with("containerfile")
        || lower == ".gitignore"
        || lower == ".mcp.json"
}

/// What a listing's files looked like at one moment, to tell later whether any changed
/// without reading them: each file's path, size, modification and change times and
/// inode, and the files left out, as one digest. A file modified within the last two
/// seconds makes the stamp unusable ([`FilesStamp::settled`] is false): a change in
/// the same tick of the clock would not show, as git's racily clean entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilesStamp {
    digest: String,
    /// No file was modified too recently to trust its times.
    pub settled: bool,
}

impl FilesStamp {
    /// Stats every file of `listing` (reads none).
    pub fn of(listing: &Listing) -> FilesStamp {
        use std::fmt::Write;
        use std::os::unix::fs::MetadataExt;
        let recent = std::time::SystemTime::now() - std::time::Duration::from_secs(2);
        let mut settled = true;
        let mut text = String::with_capacity(listing.files.len() * 64);
        for f in &listing.files {
            text.push_str(&f.rel);
            match std::fs::symlink_metadata(f.path()) {
                Ok(m) => {
                    settled &= m.modified().is_ok_and(|t| t < recent);
                    let _ = writeln!(
                        text,
                        "\0{}\0{}.{}\0{}.{}\0{}",
                        m.len(),
                        m.mtime(),
                        m.mtime_nsec(),
                        m.ctime(),
                        m.ctime_nsec(),
                        m.ino()
                    );
                }
                Err(_) => text.push_str("\0gone\n"),
            }
        }
        for s in &listing.skipped {
            let _ = writeln!(text, "{}\0{:?}", s.rel, s.reason);
        }
        FilesStamp {
            digest: crate::base::digest::sha256_hex(text.as_bytes()),
            settled,
        }
    }
}

/// The files a pass reads, each once, and who wants each: (visitor, position in its
/// files), the entries `who[range]` for `files[n]`.
struct Work<'a> {
    files: Vec<(&'a ProjectFile, std::ops::Range<usize>)>,
    who: Vec<(usize, usize)>,
}

/// Every file the visitors want, once, with who wants it, in path order: a merge of
/// their lists, each in path order already when it comes from a listing (and put in
/// order otherwise). Files are the same when root and path are; visitors choosing
/// from one listing share the very same entries, which compare at once.
fn union<'a>(visitors: &[&'a dyn Visitor]) -> Work<'a> {
    let same = |a: &ProjectFile, b: &ProjectFile| {
        std::ptr::eq(a, b) || (a.rel == b.rel && a.root == b.root)
    };
    let order = |a: &ProjectFile, b: &ProjectFile| {
        if same(a, b) {
            return std::cmp::Ordering::Equal;
        }
        a.root
            .as_os_str()
            .as_encoded_bytes()
            .cmp(b.root.as_os_str().as_encoded_bytes())
            .then_with(|| by_path(&a.rel, &b.rel))
    };
    // Each visitor's positions in path order.
    let lists: Vec<Vec<usize>> = visitors
        .iter()
        .map(|v| {
            let mut list: Vec<usize> = (0..v.count()).collect();
            if !list.is_sorted_by(|&a, &b| order(v.file(a), v.file(b)).is_le()) {
                list.sort_by(|&a, &b| order(v.file(a), v.file(b)));
            }
            list
        })
        .collect();
    let mut next = vec![0usize; visitors.len()];
    let most = lists.iter().map(Vec::len).max().unwrap_or(0);
    let mut work = Work {
        files: Vec::with_capacity(most),
        who: Vec::with_capacity(lists.iter().map(Vec::len).sum()),
    };
    loop {
        // The first file not yet taken, over every visitor (a handful: a scan).
        let mut first: Option<&'a ProjectFile> = None;
        for (v, list) in lists.iter().enumerate() {
            if let Some(&i) = list.get(next[v]) {
                let file = visitors[v].file(i);
                if first.is_none_or(|f| order(file, f).is_lt()) {
                    first = Some(file);
                }
            }
        }
        let Some(file) = first else {
            return work;
        };
        let from = work.who.len();
        for (v, list) in lists.iter().enumerate() {
            while let Some(&i) = list.get(next[v]) {
                if !same(visitors[v].file(i), file) {
                    break;
                }
                work.who.push((v, i));
                next[v] += 1;
            }
        }
        work.files.push((file, from..work.who.len()));
    }
}

/// One pass over the files of several visitors: each file is read at most once (see
/// [`read`]), on every core, and its contents handed to every visitor that wants it.
/// Memory holds one file per core, whatever the number of files.
pub fn pass(visitors: &[&dyn Visitor]) {
    pass_via(visitors, None);
}

/// [`pass`], taking configuration files from a run's cache (see [`fs::ReadCache`]):
/// a Compose file or a `.env` that another reader of the run asked for by name is
/// read once for both.
pub fn pass_via(visitors: &[&dyn Visitor], reads: Option<&fs::ReadCache>) {
    let work = union(visitors);
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(work.files.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut buf = Vec::new();
                // The folder of the last file read, open: files come in path order,
                // so most are opened by name in it.
                let mut folder: Option<(PathBuf, std::fs::File)> = None;
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some((file, who)) = work.files.get(index) else {
                        break;
                    };
                    let who = &work.who[who.clone()];
                    let path = &file.path();
                    let read = match reads.filter(|cache| cache.keeps(path)) {
                        Some(cache) => cache.read(path, MAX_FILE, Links::Listed).map(|bytes| {
                            buf.clear();
                            buf.extend_from_slice(&bytes);
                        }),
                        None => read_listed(path, &mut folder, &mut buf),
                    };
                    match read.map_err(skip_reason) {
                        Err(reason) => {
                            for &(v, i) in who {
                                visitors[v].skip(i, reason.clone());
                            }
                        }
                        Ok(()) => {
                            let binary = is_binary(&buf);
                            for &(v, i) in who {
                                if binary && visitors[v].content() == Content::Text {
                                    visitors[v].skip(i, SkipReason::Binary);
                                } else {
                                    visitors[v].visit(i, &buf);
                                }
                            }
                        }
                    }
                }
            });
        }
    });
}

/// Reads a listed file (as [`fs::read_into`] with [`Links::Listed`]) by its name in
/// its folder, kept open in `folder` for the next file.
fn read_listed(
    path: &Path,
    folder: &mut Option<(PathBuf, std::fs::File)>,
    buf: &mut Vec<u8>,
) -> Result<(), ReadError> {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return fs::read_into(path, MAX_FILE, Links::Listed, buf);
    };
    if folder
        .as_ref()
        .is_none_or(|(open, _)| open.as_os_str() != parent.as_os_str())
    {
        *folder = fs::open_folder(parent)
            .ok()
            .map(|dir| (parent.to_path_buf(), dir));
    }
    match folder {
        Some((_, dir)) => fs::read_listed_at(dir, name, MAX_FILE, buf),
        // The folder cannot be opened: the path says why.
        None => fs::read_into(path, MAX_FILE, Links::Listed, buf),
    }
}

/// What a [`Collect`] does with each file's contents.
type VisitFn<'a, T> = Box<dyn Fn(&ProjectFile, &[u8]) -> T + Send + Sync + 'a>;

/// What a visit found, which may be nothing worth keeping (no finding in the file):
/// a [`Collect`] keeps only the rest, so its memory grows with findings, not files.
pub trait Found {
    /// Whether it holds nothing.
    fn is_nothing(&self) -> bool;
}

impl<T> Found for Vec<T> {
    fn is_nothing(&self) -> bool {
        self.is_empty()
    }
}

impl<T> Found for Option<T> {
    fn is_nothing(&self) -> bool {
        self.is_none()
    }
}

impl<A, T> Found for (A, Vec<T>) {
    fn is_nothing(&self) -> bool {
        self.1.is_empty()
    }
}

/// The visitor most readers need: `visit` maps each file's contents to what it found,
/// kept (unless nothing) with the file's position; [`Collect::take`] returns them in
/// file order with what was not read, [`Collect::visited`] how many files were read.
pub struct Collect<'a, T> {
    /// The listing its files come from.
    listing: Arc<Listing>,
    /// Which of the listing's files (all when `None`), by position.
    chosen: Option<Vec<u32>>,
    content: Content,
    visit: VisitFn<'a, T>,
    found: Mutex<Vec<(usize, Result<T, SkipReason>)>>,
    visited: AtomicUsize,
}

impl<T> std::fmt::Debug for Collect<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collect")
            .field(
                "files",
                &self
                    .chosen
                    .as_ref()
                    .map_or(self.listing.files.len(), Vec::len),
            )
            .field("content", &self.content)
            .finish_non_exhaustive()
    }
}

impl<'a, T: Send + Found> Collect<'a, T> {
    /// A visitor of `files` (as `content` says) calling `visit` on each.
    pub fn new(
        files: Vec<ProjectFile>,
        content: Content,
        visit: impl Fn(&ProjectFile, &[u8]) -> T + Send + Sync + 'a,
    ) -> Collect<'a, T> {
        let listing = Arc::new(Listing {
            files,
            skipped: Vec::new(),
        });
        Collect::over(listing, None, content, visit)
    }

    /// A visitor of the files of a shared `listing` for which `keep` holds (without
    /// copying them: a run's visitors share the run's listing).
    pub fn of(
        listing: Arc<Listing>,
        keep: impl Fn(&ProjectFile) -> bool,
        content: Content,
        visit: impl Fn(&ProjectFile, &[u8]) -> T + Send + Sync + 'a,
    ) -> Collect<'a, T> {
        let chosen: Vec<u32> = listing
            .files
            .iter()
            .enumerate()
            .filter(|(_, f)| keep(f))
            .filter_map(|(i, _)| u32::try_from(i).ok())
            .collect();
        let chosen = (chosen.len() < listing.files.len()).then_some(chosen);
        Collect::over(listing, chosen, content, visit)
    }

    fn over(
        listing: Arc<Listing>,
        chosen: Option<Vec<u32>>,
        content: Content,
        visit: impl Fn(&ProjectFile, &[u8]) -> T + Send + Sync + 'a,
    ) -> Collect<'a, T> {
        Collect {
            listing,
            chosen,
            content,
            visit: Box::new(visit),
            found: Mutex::new(Vec::new()),
            visited: AtomicUsize::new(0),
        }
    }

    /// How many files were read and visited (binary ones too for [`Content::Any`]).
    pub fn visited(&self) -> usize {
        self.visited.load(Ordering::Relaxed)
    }

    /// What the visits found (those that found something), in file order, and the
    /// files not read, with why.
    /// Taken once: a second call returns nothing.
    pub fn take(&self) -> (Vec<T>, Vec<Skipped>) {
        let mut found = std::mem::take(&mut *self.found.lock().unwrap_or_else(|e| e.into_inner()));
        found.sort_by_key(|(index, _)| *index);
        let mut visited = Vec::with_capacity(found.len());
        let mut skipped = Vec::new();
        for (index, result) in found {
            match result {
                Ok(value) => visited.push(value),
                Err(reason) => skipped.push(Skipped {
                    rel: self.file(index).rel.clone(),
                    reason,
                }),
            }
        }
        (visited, skipped)
    }
}

impl<T: Send + Found> Visitor for Collect<'_, T> {
    fn count(&self) -> usize {
        self.chosen
            .as_ref()
            .map_or(self.listing.files.len(), Vec::len)
    }

    fn file(&self, index: usize) -> &ProjectFile {
        let at = self
            .chosen
            .as_ref()
            .map_or(index, |chosen| chosen[index] as usize);
        &self.listing.files[at]
    }

    fn content(&self) -> Content {
        self.content
    }

    fn visit(&self, index: usize, bytes: &[u8]) {
        let value = (self.visit)(self.file(index), bytes);
        self.visited.fetch_add(1, Ordering::Relaxed);
        if value.is_nothing() {
            return;
        }
        self.found
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((index, Ok(value)));
    }

    fn skip(&self, index: usize, reason: SkipReason) {
        self.found
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((index, Err(reason)));
    }
}

/// Reads a file of the project: a regular file (a symbolic link is not followed), at
/// most [`MAX_FILE`] bytes, and with [`Content::Text`] not binary.
pub fn read(path: &Path, content: Content) -> Result<Vec<u8>, SkipReason> {
    let mut buf = Vec::new();
    read_into(path, content, &mut buf)?;
    Ok(buf)
}

fn read_into(path: &Path, content: Content, buf: &mut Vec<u8>) -> Result<(), SkipReason> {
    fs::read_into(path, MAX_FILE, Links::Refuse, buf).map_err(skip_reason)?;
    if content == Content::Text && is_binary(buf) {
        return Err(SkipReason::Binary);
    }
    Ok(())
}

fn skip_reason(e: ReadError) -> SkipReason {
    match e {
        ReadError::NotRegular(kind) => SkipReason::NotRegular(kind),
        ReadError::TooLarge { size, .. } => SkipReason::TooLarge { size },
        other => SkipReason::Unreadable(other.to_string()),
    }
}

/// Whether contents are binary: a NUL byte in the first [`BINARY_PREFIX`] bytes.
fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(BINARY_PREFIX)]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn rels(listing: &Listing) -> Vec<&str> {
        listing.files.iter().map(|f| f.rel.as_str()).collect()
    }

    #[test]
    fn skips_vendored_folders_and_special_files_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "app/main.py", "x");
        write(root, ".env", "A=1");
        write(root, "node_modules/pkg/index.js", "x");
        write(root, "web/node_modules/pkg/index.js", "x");
        write(root, ".git/config", "x");
        std::os::unix::fs::symlink("/dev/zero", root.join("zero")).unwrap();
        let listing = Walk::new(root).list();
        assert_eq!(rels(&listing), [".env", "app/main.py"]);
        let skipped: Vec<String> = listing
            .skipped
            .iter()
            .map(|s| format!("{}: {}", s.rel, s.reason))
            .collect();
        assert_eq!(
            skipped,
            [
                "node_modules: a vendored or generated folder",
                "web/node_modules: a vendored or generated folder",
                "zero: a symbolic link, not a regular file",
            ]
        );
        let all = Walk::new(root).include_vendored(true).list();
        assert_eq!(
            rels(&all),
            [
                ".env",
                "app/main.py",
                "node_modules/pkg/index.js",
                "web/node_modules/pkg/index.js"
            ]
        );
    }

    #[test]
    fn reads_within_bounds_and_tells_binary_from_text() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "text.txt", "hello");
        std::fs::write(root.join("bin.dat"), b"ab\0cd").unwrap();
        let big = vec![b'a'; MAX_FILE as usize + 1];
        std::fs::write(root.join("big.txt"), big).unwrap();
        std::os::unix::fs::symlink(root.join("text.txt"), root.join("link")).unwrap();
        assert_eq!(
            read(&root.join("text.txt"), Content::Text).unwrap(),
            b"hello"
        );
        assert_eq!(
            read(&root.join("bin.dat"), Content::Text),
            Err(SkipReason::Binary)
        );
        assert_eq!(
            read(&root.join("bin.dat"), Content::Any).unwrap(),
            b"ab\0cd"
        );
        assert_eq!(
            read(&root.join("big.txt"), Content::Any),
            Err(SkipReason::TooLarge { size: MAX_FILE + 1 })
        );
        assert_eq!(
            read(&root.join("link"), Content::Any),
            Err(SkipReason::NotRegular("a symbolic link"))
        );
        let listing = Walk::new(root).list();
        let collect = Collect::new(listing.files.clone(), Content::Text, |_, bytes| {
            vec![bytes.len()]
        });
        pass(&[&collect]);
        assert_eq!(collect.visited(), 1);
        let (lengths, skipped) = collect.take();
        assert_eq!(lengths, [vec![5]]);
        let reasons: Vec<&str> = skipped.iter().map(|s| s.rel.as_str()).collect();
        assert_eq!(reasons, ["big.txt", "bin.dat"]);
    }

    fn git(root: &Path, args: &[&str]) {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn follows_git_ignore_rules_as_git_does() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q"]);
        write(root, ".gitignore", "*.env\nbuild/\n");
        write(root, "local.env", "A=1");
        write(root, "committed.env", "A=1");
        write(root, "build/out.txt", "x");
        write(root, "app.py", "x");
        // Another tool's ignore file hides nothing from git, so nothing from us.
        write(root, ".ignore", "app.py\n");
        git(root, &["add", ".gitignore", ".ignore", "app.py"]);
        git(root, &["add", "-f", "committed.env"]);
        git(root, &["commit", "-qm", "x"]);
        assert_eq!(
            rels(&Walk::new(root).list()),
            [".gitignore", ".ignore", "app.py", "committed.env"],
            "a tracked file is never ignored, an untracked ignored one is"
        );
        // git's own answer to "which files are not ignored", with nested rules,
        // negation and .git/info/exclude.
        write(root, "deploy/.gitignore", "*.yml\n!compose.prod.yml\n");
        write(root, "deploy/compose.yml", "x");
        write(root, "deploy/compose.prod.yml", "x");
        write(root, ".git/info/exclude", "scratch/\n");
        write(root, "scratch/notes.txt", "x");
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args([
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ])
            .output()
            .unwrap();
        let mut by_git: Vec<String> = out
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        by_git.sort();
        assert_eq!(rels(&Walk::new(root).list()), by_git);
        std::fs::remove_dir_all(root.join("deploy")).unwrap();
        std::fs::remove_dir_all(root.join("scratch")).unwrap();
        assert_eq!(
            rels(&Walk::new(root).include_ignored(true).list()),
            [
                ".gitignore",
                ".ignore",
                "app.py",
                "build/out.txt",
                "committed.env",
                "local.env"
            ]
        );
    }

    /// The run's two listings come from one traversal: each must be what its own
    /// walk lists, skipped entries and reasons included.
    #[test]
    fn one_traversal_lists_both_as_two_walks_would() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q"]);
        write(root, ".gitignore", "*.env\nbuild/\nnode_modules/\n");
        write(root, "app.py", "x");
        write(root, "local.env", "A=1");
        write(root, "committed.env", "A=1");
        write(root, "build/out.txt", "x");
        write(root, "build/tracked.txt", "x");
        // Rules inside an ignored folder: the listing with ignored files applies none.
        write(root, "build/deep/.gitignore", "*.txt\n");
        write(root, "build/deep/notes.txt", "x");
        write(root, "build/node_modules/pkg/index.js", "x");
        write(root, "node_modules/pkg/index.js", "x");
        write(root, "vendor/lib.go", "x");
        write(root, "deploy/.gitignore", "*.yml\n!keep.yml\n");
        write(root, "deploy/a.yml", "x");
        write(root, "deploy/keep.yml", "x");
        write(root, "deploy/a.yml.d/inner.txt", "x");
        std::os::unix::fs::symlink("../app.py", root.join("build/link")).unwrap();
        std::os::unix::fs::symlink("app.py", root.join("alias.py")).unwrap();
        git(root, &["add", ".gitignore", "app.py", "deploy/.gitignore"]);
        git(
            root,
            &[
                "add",
                "-f",
                "committed.env",
                "build/tracked.txt",
                "deploy/a.yml",
            ],
        );
        git(root, &["commit", "-qm", "x"]);
        let (standard, with_ignored) = Walk::new(root).list_with_ignored();
        let alone = Walk::new(root).list();
        let alone_with_ignored = Walk::new(root).include_ignored(true).list();
        assert_eq!(rels(&standard), rels(&alone));
        assert_eq!(standard.skipped, alone.skipped);
        assert_eq!(rels(&with_ignored), rels(&alone_with_ignored));
        assert_eq!(with_ignored.skipped, alone_with_ignored.skipped);
        // And they are what the rules say.
        assert_eq!(
            rels(&standard),
            [
                ".gitignore",
                "app.py",
                "build/tracked.txt",
                "committed.env",
                "deploy/.gitignore",
                "deploy/a.yml",
                "deploy/a.yml.d/inner.txt",
                "deploy/keep.yml",
            ]
        );
        assert_eq!(
            rels(&with_ignored),
            [
                ".gitignore",
                "app.py",
                "build/deep/.gitignore",
                "build/deep/notes.txt",
                "build/out.txt",
                "build/tracked.txt",
                "committed.env",
                "deploy/.gitignore",
                "deploy/a.yml",
                "deploy/a.yml.d/inner.txt",
                "deploy/keep.yml",
                "local.env",
            ]
        );
        // Without a work tree there is one listing: both are it.
        let plain = tempfile::tempdir().unwrap();
        write(plain.path(), "a.txt", "x");
        let (a, b) = Walk::new(plain.path()).list_with_ignored();
        assert_eq!((rels(&a), rels(&b)), (vec!["a.txt"], vec!["a.txt"]));
    }

    /// Visitors may list their files in any order, and the same file more than once
    /// or from another listing of the same root: each file is read once and every
    /// visitor gets each of its entries.
    #[test]
    fn a_pass_merges_the_visitors_lists() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in ["a.txt", "b/c.txt", "b-d.txt", "e.txt"] {
            write(root, name, name);
        }
        let listing = Arc::new(Walk::new(root).list());
        assert_eq!(rels(&listing), ["a.txt", "b/c.txt", "b-d.txt", "e.txt"]);
        let mut backwards: Vec<ProjectFile> = Walk::new(root).list().files;
        backwards.reverse();
        backwards.push(backwards[0].clone());
        let record = |file: &ProjectFile, bytes: &[u8]| {
            assert_eq!(bytes, file.rel.as_bytes(), "each visitor gets its own file");
            vec![file.rel.clone()]
        };
        let all = Collect::of(Arc::clone(&listing), |_| true, Content::Text, record);
        let some = Collect::of(listing, |f| f.rel != "a.txt", Content::Text, record);
        let odd = Collect::new(backwards, Content::Text, record);
        pass(&[&all, &some, &odd]);
        let seen = |c: &Collect<'_, Vec<String>>| -> Vec<String> {
            c.take().0.into_iter().flatten().collect()
        };
        assert_eq!(seen(&all), ["a.txt", "b/c.txt", "b-d.txt", "e.txt"]);
        assert_eq!(seen(&some), ["b/c.txt", "b-d.txt", "e.txt"]);
        assert_eq!(
            seen(&odd),
            ["e.txt", "b-d.txt", "b/c.txt", "a.txt", "e.txt"],
            "in its own order, the repeated file twice"
        );
    }

    #[test]
    fn reads_excludes_file_from_git_configuration_text() {
        let text = "[user]\n\tname = x\n[core]\n\teditor = vim\n\texcludesFile = \"~/.gitignore_global\"\n[Core]\n  ExcludesFile=/etc/ignore\n";
        assert_eq!(
            config_value(text, "core", "excludesfile").as_deref(),
            Some("/etc/ignore")
        );
        assert_eq!(
            config_value("[user]\nexcludesfile = x\n", "core", "excludesfile"),
            None
        );
    }

    #[test]
    fn filters_by_pattern_and_depth() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "compose.yml", "x");
        write(root, "deploy/compose.prod.yml", "x");
        write(root, "deploy/notes.md", "x");
        let yml = PathGlobs::new(&["*.yml"]).unwrap();
        assert_eq!(
            rels(&Walk::new(root).matching(&yml).list()),
            ["compose.yml", "deploy/compose.prod.yml"]
        );
        assert_eq!(
            rels(&Walk::new(root).excluding(&yml).list()),
            ["deploy/notes.md"]
        );
        assert_eq!(rels(&Walk::new(root).max_depth(1).list()), ["compose.yml"]);
    }

    #[test]
    fn path_order_is_component_order() {
        // Every relative path of up to four characters from a small alphabet that
        // includes the separator and bytes on both sides of it.
        let alphabet = ["a", "b", "-", ".", "/", "0", "é", " "];
        let mut paths = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = paths
                .iter()
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            paths.extend(longer);
        }
        paths.retain(|p| {
            !p.is_empty()
                && !p.starts_with('/')
                && !p.ends_with('/')
                && !p.contains("//")
                && !p.split('/').any(|c| c == "." || c == "..")
        });
        paths.sort();
        paths.dedup();
        for a in &paths {
            for b in paths.iter().step_by(7) {
                assert_eq!(by_path(a, b), Path::new(a).cmp(Path::new(b)), "{a:?} {b:?}");
            }
        }
    }
}

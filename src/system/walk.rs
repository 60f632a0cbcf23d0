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

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

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

/// One file of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFile {
    /// Where it is.
    pub path: PathBuf,
    /// Relative to the walk's root, `/`-separated, for evidence.
    pub rel: String,
}

/// Why a file or folder was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A vendored or generated folder ([`VENDORED`]).
    Vendored,
    /// Not a regular file: a symbolic link, a device, a FIFO or a socket.
    NotRegular,
    /// A NUL byte near its start (only text reads skip it).
    Binary,
    /// Larger than [`MAX_FILE`].
    TooLarge {
        /// Its size in bytes.
        size: u64,
    },
    /// The operating system refused (permissions, a file that vanished).
    Unreadable(String),
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Vendored => f.write_str("a vendored or generated folder"),
            SkipReason::NotRegular => f.write_str("not a regular file"),
            SkipReason::Binary => f.write_str("binary"),
            SkipReason::TooLarge { size } => write!(
                f,
                "{size} bytes, over the {} MiB limit",
                MAX_FILE / (1024 * 1024)
            ),
            SkipReason::Unreadable(why) => write!(f, "unreadable: {why}"),
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

/// A walk of a folder: which files it yields (see the module documentation).
#[derive(Debug, Clone)]
pub struct Walk {
    root: PathBuf,
    include_ignored: bool,
    include_vendored: bool,
    max_depth: Option<usize>,
    matching: Option<PathGlobs>,
    excluding: Option<PathGlobs>,
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
        }
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

    fn builder(&self) -> ignore::WalkBuilder {
        let mut builder = ignore::WalkBuilder::new(&self.root);
        builder
            .hidden(false)
            .parents(false)
            .ignore(false)
            .follow_links(false)
            .max_depth(self.max_depth);
        if self.include_ignored {
            builder
                .git_ignore(false)
                .git_exclude(false)
                .git_global(false);
        } else {
            builder.require_git(true);
        }
        builder
    }

    /// One entry of the walk: a wanted file, or a wanted path that is not a regular
    /// file (skipped, with why).
    fn visit(&self, entry: ignore::DirEntry, listing: &mut Listing) {
        let Some(kind) = entry.file_type() else {
            return;
        };
        if kind.is_dir() {
            return;
        }
        let rel = display_path(&self.root, entry.path());
        if !self.wanted(&rel) {
            return;
        }
        if kind.is_file() {
            listing.files.push(ProjectFile {
                path: entry.into_path(),
                rel,
            });
        } else {
            listing.skipped.push(Skipped {
                rel,
                reason: SkipReason::NotRegular,
            });
        }
    }

    /// Lists the files.
    pub fn list(&self) -> Listing {
        let mut listing = Listing::default();
        // Pruned folders are recorded where they are pruned (the filter must own what
        // it touches).
        let vendored = Arc::new(Mutex::new(Vec::new()));
        let include_vendored = self.include_vendored;
        let root = self.root.clone();
        let pruned = Arc::clone(&vendored);
        for entry in self
            .builder()
            .filter_entry(move |e| {
                let name = e.file_name();
                if name == ".git" {
                    return false;
                }
                let is_vendored = !include_vendored
                    && e.depth() > 0
                    && e.file_type().is_some_and(|t| t.is_dir())
                    && name.to_str().is_some_and(|n| VENDORED.contains(&n));
                if is_vendored {
                    pruned
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(Skipped {
                            rel: display_path(&root, e.path()),
                            reason: SkipReason::Vendored,
                        });
                }
                !is_vendored
            })
            .build()
        {
            match entry {
                Ok(entry) => self.visit(entry, &mut listing),
                // A folder that cannot be listed is said, not silently left out.
                Err(e) => listing.skipped.push(Skipped {
                    rel: unreadable_path(&e)
                        .map(|p| display_path(&self.root, p))
                        .unwrap_or_default(),
                    reason: SkipReason::Unreadable(e.to_string()),
                }),
            }
        }
        listing
            .skipped
            .append(&mut vendored.lock().unwrap_or_else(|e| e.into_inner()));
        listing.files.sort_by(|a, b| a.rel.cmp(&b.rel));
        if !self.include_ignored {
            let tracked = tracked_files(&self.root);
            let seen = |rel: &str| {
                listing
                    .files
                    .binary_search_by(|f| f.rel.as_str().cmp(rel))
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
                    path: self.root.join(rel),
                    rel: rel.clone(),
                })
                .collect();
            if !extra.is_empty() {
                listing.files.extend(extra);
                listing.files.sort_by(|a, b| a.rel.cmp(&b.rel));
            }
        }
        listing.skipped.sort_by(|a, b| a.rel.cmp(&b.rel));
        listing
    }
}

/// The path a walk error is about, if it names one.
fn unreadable_path(e: &ignore::Error) -> Option<&Path> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            unreadable_path(err)
        }
        _ => None,
    }
}

/// When git's index last changed: its modification time, size and inode.
type IndexStamp = (std::time::SystemTime, u64, u64);

fn index_stamp(root: &Path) -> Option<IndexStamp> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(root.join(".git").join("index")).ok()?;
    Some((meta.modified().ok()?, meta.len(), meta.ino()))
}

/// The files git tracks below `root` (none outside a work tree, where no ignore rule
/// applied either). Several walks of one run ask, so the answer is kept while the
/// index (`root/.git/index`) is unchanged; git rewrites it on every add or remove.
fn tracked_files(root: &Path) -> Arc<Vec<String>> {
    type Cache = HashMap<PathBuf, (IndexStamp, Arc<Vec<String>>)>;
    static CACHE: Mutex<Option<Cache>> = Mutex::new(None);
    let ask_git = || {
        Arc::new(
            Repo::open(root)
                .and_then(|r| r.tracked_files())
                .unwrap_or_default(),
        )
    };
    // Read before git runs, so a change while it runs is seen by the next walk.
    let Some(stamp) = index_stamp(root) else {
        return ask_git();
    };
    // Held while git runs: the walks of one run start together, and one asks.
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    if let Some((cached, files)) = cache.get(root)
        && *cached == stamp
    {
        return Arc::clone(files);
    }
    let files = ask_git();
    // A few projects per process at most; tests make many, so keep it bounded.
    if cache.len() >= 16 {
        cache.clear();
    }
    cache.insert(root.to_path_buf(), (stamp, Arc::clone(&files)));
    files
}

impl Listing {
    /// Reads every file (see [`read_each`]).
    pub fn read_each<T: Send>(
        &self,
        content: Content,
        visit: impl Fn(&ProjectFile, &[u8]) -> T + Sync,
    ) -> (Vec<T>, Vec<Skipped>) {
        read_each(&self.files, content, visit)
    }
}

/// Reads every file (see [`read`]) on every core and calls `visit` with its contents.
/// Returns what the visits returned, in file order, and the files that could not be
/// read, with why.
pub fn read_each<T: Send>(
    files: &[ProjectFile],
    content: Content,
    visit: impl Fn(&ProjectFile, &[u8]) -> T + Sync,
) -> (Vec<T>, Vec<Skipped>) {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<T, SkipReason>)>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut buf = Vec::new();
                let mut mine = Vec::new();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(index) else {
                        break;
                    };
                    let result =
                        read_into(&file.path, content, &mut buf).map(|()| visit(file, &buf));
                    mine.push((index, result));
                }
                results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend(mine);
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(index, _)| *index);
    let mut visited = Vec::with_capacity(results.len());
    let mut skipped = Vec::new();
    for (index, result) in results {
        match result {
            Ok(value) => visited.push(value),
            Err(reason) => skipped.push(Skipped {
                rel: files[index].rel.clone(),
                reason,
            }),
        }
    }
    (visited, skipped)
}

/// Reads a file of the project: a regular file (a symbolic link is not followed), at
/// most [`MAX_FILE`] bytes, and with [`Content::Text`] not binary.
pub fn read(path: &Path, content: Content) -> Result<Vec<u8>, SkipReason> {
    let mut buf = Vec::new();
    read_into(path, content, &mut buf)?;
    Ok(buf)
}

/// [`read`] as text, invalid UTF-8 replaced.
pub fn read_text(path: &Path) -> Result<String, SkipReason> {
    read(path, Content::Text).map(|bytes| match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

fn read_into(path: &Path, content: Content, buf: &mut Vec<u8>) -> Result<(), SkipReason> {
    use std::os::unix::fs::OpenOptionsExt;
    let unreadable = |e: std::io::Error| SkipReason::Unreadable(e.to_string());
    // A symbolic link is refused by the kernel (O_NOFOLLOW), and a FIFO opens at once
    // (O_NONBLOCK) instead of waiting for a writer; both are then turned away below.
    let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits() as i32)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Err(SkipReason::NotRegular);
        }
        Err(e) => return Err(unreadable(e)),
    };
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(SkipReason::NotRegular);
    }
    if meta.len() > MAX_FILE {
        return Err(SkipReason::TooLarge { size: meta.len() });
    }
    buf.clear();
    buf.reserve(meta.len() as usize + 1);
    file.take(MAX_FILE + 1)
        .read_to_end(buf)
        .map_err(unreadable)?;
    if buf.len() as u64 > MAX_FILE {
        return Err(SkipReason::TooLarge {
            size: buf.len() as u64,
        });
    }
    if content == Content::Text && memchr::memchr(0, &buf[..buf.len().min(BINARY_PREFIX)]).is_some()
    {
        return Err(SkipReason::Binary);
    }
    Ok(())
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
                "zero: not a regular file",
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
        assert_eq!(read_text(&root.join("text.txt")).unwrap(), "hello");
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
            Err(SkipReason::NotRegular)
        );
        let listing = Walk::new(root).list();
        let (lengths, skipped) = listing.read_each(Content::Text, |_, bytes| bytes.len());
        assert_eq!(lengths, [5]);
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
}

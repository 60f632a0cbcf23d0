//! The project-file walker against git itself: on a real repository, with untracked
//! files of the kinds projects ignore planted in every folder that has ignore rules,
//! the walker yields exactly what `git ls-files --cached --others --exclude-standard`
//! lists. The repository is this one; `PREFLIGHT_WALK_ORACLE=DIR:DIR` adds others (the
//! figures in the notes came from public projects checked out that way).

use std::path::{Path, PathBuf};
use std::process::Command;

use preflight::system::walk::Walk;

/// Untracked files of the kinds projects ignore (and some they do not).
const PLANTED: &[&str] = &[
    ".env",
    ".env.local",
    "debug.log",
    ".DS_Store",
    "node_modules/pkg/index.js",
    "__pycache__/mod.cpython-311.pyc",
    "dist/app.js",
    "build/out.o",
    "coverage/lcov.info",
    "data/db.sqlite3",
    "tmp/scratch.txt",
    "notes.md",
    "secrets.yml",
];

fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn nul_list(bytes: &[u8]) -> Vec<String> {
    let mut list: Vec<String> = bytes
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    list.sort();
    list
}

/// A copy of the repository at `source` (its tracked files, its history untouched)
/// with the planted files in the root and in every folder that holds a `.gitignore`.
fn planted_copy(source: &Path, into: &Path) -> PathBuf {
    let copy = into.join("repo");
    let out = Command::new("git")
        .args(["clone", "-q", "--no-hardlinks"])
        .arg(source)
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut folders = vec![String::new()];
    for path in nul_list(&git(&copy, &["ls-files", "-z"])) {
        if let Some(folder) = path.strip_suffix(".gitignore") {
            folders.push(folder.to_string());
        }
    }
    for folder in folders {
        for rel in PLANTED {
            let path = copy.join(&folder).join(rel);
            if path.exists() {
                continue;
            }
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "planted\n").unwrap();
        }
    }
    copy
}

fn agrees_with_git(source: &Path) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let repo = planted_copy(source, dir.path());
    let by_git = nul_list(&git(
        &repo,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    ));
    // Vendored folders are the walker's own rule, not git's: compare without it.
    let listing = Walk::new(&repo).include_vendored(true).list();
    let mut by_walker: Vec<String> = listing.files.iter().map(|f| f.rel.clone()).collect();
    // git lists a tracked symbolic link; the walker yields regular files only.
    let links: Vec<String> = listing.skipped.iter().map(|s| s.rel.clone()).collect();
    by_walker.sort();
    let by_git: Vec<String> = by_git.into_iter().filter(|p| !links.contains(p)).collect();
    let only_git: Vec<&String> = by_git.iter().filter(|p| !by_walker.contains(p)).collect();
    let only_walker: Vec<&String> = by_walker.iter().filter(|p| !by_git.contains(p)).collect();
    assert!(
        only_git.is_empty() && only_walker.is_empty(),
        "{}: git lists and the walker does not: {only_git:?}; the walker yields and git does not: {only_walker:?}",
        source.display()
    );
    by_git.len()
}

#[test]
fn the_walker_yields_what_git_does_not_ignore() {
    let own = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(agrees_with_git(own) > 100);
    if let Ok(extra) = std::env::var("PREFLIGHT_WALK_ORACLE") {
        for dir in extra.split(':').filter(|d| !d.is_empty()) {
            let files = agrees_with_git(Path::new(dir));
            eprintln!("{dir}: the walker and git agree on {files} files");
        }
    }
}

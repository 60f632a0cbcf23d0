//! Asking git itself: the `git` command line with NUL-separated output, so results are
//! exactly git's (ignore rules, index contents) and paths survive any character.
//!
//! The repository is not trusted. Its `.git/config` can name programs for git to run
//! (an fsmonitor, hooks, a pager, an external diff, textconv and filter drivers, an
//! askpass or credential helper), so every invocation overrides those settings on the
//! command line ([`HARDENED`]), reads no system-wide configuration, starts with an
//! empty environment plus the few variables git needs (so no secret of ours reaches
//! it), and runs under [`super::process`]'s limits: its own process group, killed with
//! everything it started after [`TIMEOUT`], output capped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::process::{self, Limits, RunError};
use crate::base::fs::{self, Links};

/// Why a git question could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// No `git` executable.
    #[error("the `git` command is not available: {0}")]
    NotInstalled(std::io::Error),
    /// git did not finish in time or printed too much; it was stopped.
    #[error("`git {command}` was stopped: {reason}")]
    Stopped {
        /// The subcommand and arguments.
        command: String,
        /// Why.
        reason: RunError,
    },
    /// The directory is not inside a work tree.
    #[error("{} is not inside a git repository", .0.display())]
    NotARepository(PathBuf),
    /// A file git reads on every run is not a regular file (a FIFO would block git, a
    /// device would feed it forever): git is not run on this repository.
    #[error("git was not run: {} is {what}, not a regular file", .path.display())]
    UnsafeRepository {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        what: &'static str,
    },
    /// git ran and failed.
    #[error("`git {command}` failed: {stderr}")]
    Failed {
        /// The subcommand and arguments.
        command: String,
        /// What git said.
        stderr: String,
    },
}

/// A git work tree, addressed from a directory inside it.
#[derive(Debug, Clone)]
pub struct Repo {
    dir: PathBuf,
}

/// How git's ignore rules apply to one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreStatus {
    /// The path asked about, relative to the project directory.
    pub path: String,
    /// Whether git ignores it.
    pub ignored: bool,
    /// The rule that decided, as `source:line:pattern`, if any rule matched.
    pub rule: Option<String>,
}

/// How long one git invocation may take; then it is killed with everything it started.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The most git may print (a file list, a history) before it is stopped.
pub const MAX_OUTPUT: usize = 64 * 1024 * 1024;

/// Settings given on every git command line, overriding what the repository's own
/// configuration says, so that git runs no program the repository names: no fsmonitor
/// (asked on every index refresh), no hooks, no pager or editor, no external diff, no
/// askpass or credential helper, no transport to another repository, no automatic
/// maintenance.
pub const HARDENED: &[&str] = &[
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.editor=false",
    "core.askPass=",
    "core.sshCommand=false",
    "credential.helper=",
    "diff.external=",
    "sequence.editor=false",
    "protocol.allow=never",
    "gc.auto=0",
    "maintenance.auto=false",
    "gpg.program=false",
    "gpg.ssh.program=false",
];

/// Where `git` is on `PATH`, found once: a full path lets the process be started with
/// `posix_spawn` (not a copy of our whole address space) although its environment is
/// not ours.
fn executable() -> &'static Path {
    static GIT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    GIT.get_or_init(|| {
        std::env::var_os("PATH")
            .and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join("git"))
                    .find(|candidate| {
                        use std::os::unix::fs::PermissionsExt;
                        std::fs::metadata(candidate)
                            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                    })
            })
            .unwrap_or_else(|| PathBuf::from("git"))
    })
}

/// The variables of our own environment that git is given (everything else, secrets
/// included, is left out).
const PASSED_THROUGH: &[&str] = &["PATH", "HOME", "TMPDIR"];

/// `git -C dir`, hardened as the module documentation says: the repository's programs
/// off, no system configuration, no prompts, no optional locks (reading never writes
/// the index), messages in the C locale, and only [`PASSED_THROUGH`] of our
/// environment.
pub fn command(dir: &Path) -> Command {
    let mut cmd = Command::new(executable());
    cmd.env_clear();
    for name in PASSED_THROUGH {
        if let Some(value) = std::env::var_os(name) {
            cmd.env(name, value);
        }
    }
    cmd.env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_PAGER", "cat")
        .env("LC_ALL", "C")
        .arg("--no-pager");
    for setting in HARDENED {
        cmd.arg("-c").arg(setting);
    }
    cmd.arg("-C").arg(dir);
    cmd
}

/// [`command`], except that hooks run from `hooks` (a folder preflight prepared): for
/// trying a hook in a throwaway repository, never in the user's.
pub fn command_with_hooks(dir: &Path, hooks: &Path) -> Command {
    let mut cmd = command(dir);
    // A later `-c` wins over the hardened one.
    cmd.arg("-c")
        .arg(format!("core.hooksPath={}", hooks.display()));
    cmd
}

/// Which revision a working tree is at ([`Repo::revision`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revision {
    /// The commit `HEAD` names.
    pub commit: Option<String>,
    /// The branch checked out.
    pub branch: Option<String>,
    /// Whether tracked files differ from the commit.
    pub dirty: Option<bool>,
    /// The `origin` remote's URL, credentials removed.
    pub remote: Option<String>,
}

/// A remote URL without the user and password a URL may carry
/// (`https://token@host/repo` is `https://host/repo`); `git@host:repo` keeps its
/// user, which is not a credential.
pub fn without_credentials(remote: &str) -> String {
    match url::Url::parse(remote) {
        Ok(mut parsed) if parsed.has_host() => {
            let keep_user =
                matches!(parsed.scheme(), "ssh" | "git+ssh") && parsed.password().is_none();
            if !keep_user {
                let _ = parsed.set_username("");
            }
            let _ = parsed.set_password(None);
            parsed.set_query(None);
            parsed.to_string()
        }
        // scp-like `user@host:path`, or a local path.
        _ => remote.to_string(),
    }
}

/// A path added by a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addition {
    /// The commit's full hash.
    pub commit: String,
    /// The commit date (`YYYY-MM-DD`).
    pub date: String,
    /// The commit's subject line.
    pub subject: String,
    /// The path, relative to the directory.
    pub path: String,
}

impl Repo {
    /// The repository containing `dir`; commands run from `dir`. Found as git finds
    /// it, by the nearest `.git` above, without starting git: git itself confirms on
    /// the first question (and says "not a git repository" then, when it disagrees).
    pub fn open(dir: &Path) -> Result<Repo, GitError> {
        if dir.ancestors().any(|d| d.join(".git").exists()) {
            Ok(Repo {
                dir: dir.to_path_buf(),
            })
        } else {
            Err(GitError::NotARepository(dir.to_path_buf()))
        }
    }

    /// Files in the index below the directory, relative to it (`git ls-files -z`).
    pub fn tracked_files(&self) -> Result<Vec<String>, GitError> {
        Ok(split_nul(&self.run(&["ls-files", "-z"], None)?).collect())
    }

    /// git's verdict on each path (`git check-ignore --verbose --non-matching`).
    /// A tracked path is reported as not ignored, as git treats it.
    pub fn check_ignore(&self, paths: &[String]) -> Result<Vec<IgnoreStatus>, GitError> {
        let mut input = Vec::new();
        for p in paths {
            input.extend_from_slice(p.as_bytes());
            input.push(0);
        }
        let out = self.run(
            &[
                "check-ignore",
                "-z",
                "--stdin",
                "--verbose",
                "--non-matching",
            ],
            Some(&input),
        )?;
        // Records are four NUL-terminated fields, and the first three are empty for a
        // path no rule matches, so empty fields must be kept.
        let mut fields: Vec<String> = out
            .split(|b| *b == 0)
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect();
        fields.pop();
        if fields.len() != paths.len() * 4 {
            return Err(GitError::Failed {
                command: "check-ignore".into(),
                stderr: format!(
                    "expected {} answers, got {} fields",
                    paths.len(),
                    fields.len()
                ),
            });
        }
        Ok(fields
            .chunks(4)
            .map(|c| {
                let (source, line, pattern, path) = (&c[0], &c[1], &c[2], &c[3]);
                let matched = !source.is_empty();
                IgnoreStatus {
                    path: path.clone(),
                    ignored: matched && !pattern.starts_with('!'),
                    rule: matched.then(|| format!("{source}:{line}:{pattern}")),
                }
            })
            .collect())
    }

    /// Every path added by a commit reachable from any ref (`git log --all
    /// --diff-filter=A`), relative to the directory, newest commit first.
    pub fn added_in_history(&self) -> Result<Vec<Addition>, GitError> {
        let out = self.run(
            &[
                "log",
                "--all",
                "--no-renames",
                "--relative",
                "--diff-filter=A",
                "--no-ext-diff",
                "--no-textconv",
                "--format=%x01%H%x02%cs%x02%s",
                "--name-only",
                "-z",
            ],
            None,
        )?;
        let mut added = Vec::new();
        for record in out.split(|b| *b == 1).filter(|r| !r.is_empty()) {
            let mut fields = record.split(|b| *b == 0);
            let header = String::from_utf8_lossy(fields.next().unwrap_or_default()).into_owned();
            let mut parts = header.splitn(3, '\u{2}');
            let commit = parts.next().unwrap_or_default().to_string();
            let date = parts.next().unwrap_or_default().to_string();
            let subject = parts.next().unwrap_or_default().to_string();
            for path in fields {
                let path = String::from_utf8_lossy(path);
                let path = path.trim_start_matches('\n');
                if !path.is_empty() {
                    added.push(Addition {
                        commit: commit.clone(),
                        date: date.clone(),
                        subject: subject.clone(),
                        path: path.to_string(),
                    });
                }
            }
        }
        Ok(added)
    }

    /// Where git looks for hooks in this repository: `core.hooksPath` as the repository
    /// or the user configures it (relative to the top of the work tree, `~/` from
    /// `HOME`), else the `hooks` folder of the git directory. Read from the
    /// configuration, never by asking git to run a hook.
    pub fn hooks_dir(&self) -> Result<PathBuf, GitError> {
        let out = self.run(
            &["config", "--show-scope", "--get-all", "core.hooksPath"],
            None,
        )?;
        let text = String::from_utf8_lossy(&out);
        // Our own `-c core.hooksPath=/dev/null` is the "command" scope; the last
        // other value is the one git would use.
        let configured = text
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .filter(|(scope, _)| *scope != "command")
            .map(|(_, value)| value.to_string())
            .next_back()
            .filter(|v| !v.is_empty());
        let top = |repo: &Repo| -> Result<PathBuf, GitError> {
            let out = repo.run(&["rev-parse", "--show-toplevel"], None)?;
            Ok(PathBuf::from(String::from_utf8_lossy(&out).trim()))
        };
        match configured {
            Some(path) if path.starts_with("~/") => {
                let home = std::env::var_os("HOME").unwrap_or_default();
                Ok(PathBuf::from(home).join(&path[2..]))
            }
            Some(path) if Path::new(&path).is_absolute() => Ok(PathBuf::from(path)),
            Some(path) => Ok(top(self)?.join(path)),
            None => {
                let out = self.run(
                    &["rev-parse", "--path-format=absolute", "--git-common-dir"],
                    None,
                )?;
                Ok(PathBuf::from(String::from_utf8_lossy(&out).trim()).join("hooks"))
            }
        }
    }

    /// Which revision the directory is at: commit, branch, whether tracked files
    /// differ from it, and the `origin` remote's URL without credentials. Each is
    /// `None` when git cannot tell (no commit yet, a detached head, no remote).
    pub fn revision(&self) -> Revision {
        // One `git status` tells all three: headers `# branch.oid <commit>` (or
        // `(initial)`) and `# branch.head <branch>` (or `(detached)`, or `(unknown)`
        // when HEAD names no valid branch), then a record per tracked file that
        // differs.
        // Without git's threads that look at files ahead (preloadIndex): the run's
        // own work has the cores, and they cost more CPU than they save here.
        let status = self.run(
            &[
                "-c",
                "core.preloadIndex=false",
                "status",
                "--porcelain=v2",
                "--branch",
                "--untracked-files=no",
                "--ignored=no",
                "-z",
            ],
            None,
        );
        let remote = self
            .run(&["config", "--get", "remote.origin.url"], None)
            .ok()
            .map(|out| String::from_utf8_lossy(&out).trim().to_string())
            .filter(|s| !s.is_empty())
            .map(|u| without_credentials(&u));
        let mut revision = Revision {
            remote,
            ..Revision::default()
        };
        let Ok(status) = status else {
            return revision;
        };
        let mut changed = false;
        // Headers come first; after the first file's record, a field starting with
        // `#` is a path (a rename's source), never a header.
        for record in status.split(|b| *b == 0).filter(|r| !r.is_empty()) {
            let record = String::from_utf8_lossy(record);
            let Some(header) = record.strip_prefix("# ") else {
                changed = true;
                break;
            };
            let (name, value) = header.split_once(' ').unwrap_or((header, ""));
            match (name, value) {
                (_, "")
                | ("branch.oid", "(initial)")
                | ("branch.head", "(detached)" | "(unknown)") => {}
                ("branch.oid", commit) => revision.commit = Some(commit.to_string()),
                ("branch.head", branch) => revision.branch = Some(branch.to_string()),
                _ => {}
            }
        }
        revision.dirty = revision.commit.as_ref().map(|_| changed);
        revision
    }

    /// The contents of `path` (relative to the repository's top) at revision `rev`,
    /// or `None` when the revision has no such file; an error when the revision does
    /// not exist.
    pub fn file_at(&self, rev: &str, path: &str) -> Result<Option<Vec<u8>>, GitError> {
        let not_a_commit = || GitError::Failed {
            command: format!("rev-parse --verify {rev}"),
            stderr: format!("`{rev}` is not a commit in this repository"),
        };
        if rev.starts_with('-') || rev.contains(':') {
            return Err(not_a_commit());
        }
        // The revision first, so that a typo is an error and not "no such file".
        self.run(
            &["rev-parse", "--verify", "-q", &format!("{rev}^{{commit}}")],
            None,
        )
        .map_err(|_| not_a_commit())?;
        match self.run(&["cat-file", "blob", &format!("{rev}:{path}")], None) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(_) => Ok(None),
        }
    }

    /// A git configuration value as seen from the directory (repository, global or
    /// system configuration), or `None` when it is unset or git is unavailable.
    pub fn config_value(dir: &Path, key: &str) -> Option<String> {
        let repo = Repo {
            dir: dir.to_path_buf(),
        };
        let out = repo.run(&["config", "--get", key], None).ok()?;
        let value = String::from_utf8_lossy(&out).trim().to_string();
        (!value.is_empty()).then_some(value)
    }

    fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>, GitError> {
        check_git_files(&self.dir)?;
        let mut cmd = command(&self.dir);
        cmd.args(args);
        let limits = Limits {
            timeout: TIMEOUT,
            max_output: MAX_OUTPUT,
        };
        let out = match process::run(&mut cmd, stdin, limits) {
            Ok(out) => out,
            Err(RunError::Spawn(e)) => return Err(GitError::NotInstalled(e)),
            Err(reason) => {
                return Err(GitError::Stopped {
                    command: args.join(" "),
                    reason,
                });
            }
        };
        // check-ignore exits 1 when nothing matched, config when the key is unset:
        // answers, not failures.
        let ok = out.status.success()
            || (matches!(args.first(), Some(&"check-ignore" | &"config"))
                && out.status.code() == Some(1));
        if ok {
            return Ok(out.stdout);
        }
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        if stderr.contains("not a git repository") {
            return Err(GitError::NotARepository(self.dir.clone()));
        }
        Err(GitError::Failed {
            command: args.join(" "),
            stderr,
        })
    }
}

/// The files of a repository (in its git folder) that git opens on every run, or on
/// every run preflight makes.
const READ_ON_EVERY_RUN: &[&str] = &[
    "config",
    "HEAD",
    "index",
    "packed-refs",
    "commondir",
    "info/exclude",
    "info/attributes",
];

/// The files at the top of the work tree that git reads for the questions preflight
/// asks (ignore rules).
const READ_AT_TOP: &[&str] = &[".gitignore", ".gitattributes"];

/// Refuses a repository whose `.git` (found from `dir` upwards, through a `gitdir:`
/// file as worktrees and submodules have) or work tree top holds a FIFO, device or
/// socket where git reads a file on every run: git would block on it or read it
/// forever, and only the timeout would stop it. (A `.gitignore` deeper down can still
/// stall git until [`TIMEOUT`] or the probe's timeout.) Missing files are git's
/// business.
fn check_git_files(dir: &Path) -> Result<(), GitError> {
    let Some(top) = dir.ancestors().find(|d| d.join(".git").exists()) else {
        return Ok(());
    };
    let dot_git = top.join(".git");
    // git reads a `.git` that is not a folder as a `gitdir:` file.
    if let Ok(meta) = std::fs::metadata(&dot_git)
        && !meta.is_file()
        && !meta.is_dir()
    {
        return Err(GitError::UnsafeRepository {
            path: dot_git,
            what: fs::file_kind(meta.file_type()),
        });
    }
    let git_dir = if dot_git.is_file() {
        // `gitdir: PATH`, relative to the file's folder.
        let text = fs::read_text(&dot_git, 4096, Links::Follow).unwrap_or_default();
        match text.strip_prefix("gitdir:").map(str::trim) {
            Some(target) if !target.is_empty() => dot_git.parent().unwrap_or(dir).join(target),
            _ => return Ok(()),
        }
    } else {
        dot_git
    };
    let paths = READ_ON_EVERY_RUN
        .iter()
        .map(|name| git_dir.join(name))
        .chain(READ_AT_TOP.iter().map(|name| top.join(name)));
    for path in paths {
        // Follows symbolic links: a link to /dev/zero is a device.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        // A folder git reports itself; what blocks or never ends is refused.
        if !meta.is_file() && !meta.is_dir() {
            return Err(GitError::UnsafeRepository {
                path,
                what: fs::file_kind(meta.file_type()),
            });
        }
    }
    Ok(())
}

fn split_nul(bytes: &[u8]) -> impl Iterator<Item = String> + '_ {
    bytes
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
}

//! Asking git itself: the `git` command line with NUL-separated output, so results are
//! exactly git's (ignore rules, index contents) and paths survive any character.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Why a git question could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// No `git` executable.
    #[error("the `git` command is not available: {0}")]
    NotInstalled(std::io::Error),
    /// The directory is not inside a work tree.
    #[error("{} is not inside a git repository", .0.display())]
    NotARepository(PathBuf),
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

/// `git -C dir` as every question to git runs it: no prompts, no optional locks
/// (reading never writes the index), messages in the C locale.
pub fn command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("LC_ALL", "C");
    cmd
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
    /// The repository containing `dir`; commands run from `dir`.
    pub fn open(dir: &Path) -> Result<Repo, GitError> {
        let repo = Repo {
            dir: dir.to_path_buf(),
        };
        let out = repo.run(&["rev-parse", "--is-inside-work-tree"], None)?;
        if String::from_utf8_lossy(&out).trim() == "true" {
            Ok(repo)
        } else {
            Err(GitError::NotARepository(dir.to_path_buf()))
        }
    }

    /// Files in the index below the directory, relative to it (`git ls-files -z`).
    pub fn tracked_files(&self) -> Result<Vec<String>, GitError> {
        Ok(split_nul(&self.run(&["ls-files", "-z"], None)?).collect())
    }

    /// Which of `paths` are in the index (`git ls-files -z -- paths`).
    pub fn tracked_among(&self, paths: &[String]) -> Result<Vec<String>, GitError> {
        let mut args = vec!["ls-files", "-z", "--"];
        args.extend(paths.iter().map(String::as_str));
        Ok(split_nul(&self.run(&args, None)?).collect())
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
        let mut cmd = command(&self.dir);
        cmd.args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(GitError::NotInstalled)?;
        if let (Some(data), Some(mut pipe)) = (stdin, child.stdin.take()) {
            // git reads all of stdin before answering, so writing first cannot deadlock
            // for the handful of paths a probe asks about.
            let _ = pipe.write_all(data);
        }
        let out = child.wait_with_output().map_err(GitError::NotInstalled)?;
        // check-ignore exits 1 when nothing matched: that is an answer, not a failure.
        let ok = out.status.success()
            || (args.first() == Some(&"check-ignore") && out.status.code() == Some(1));
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

fn split_nul(bytes: &[u8]) -> impl Iterator<Item = String> + '_ {
    bytes
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
}

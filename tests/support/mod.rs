//! Helpers: throwaway projects (optionally git repositories), running the binary, and
//! running one probe in-process.

#![allow(dead_code)]

pub mod keyvault;
pub mod pg;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use preflight::base::diagnostic::SourceFile;
use preflight::checklist::load_source;
use preflight::config::Config;
use preflight::config::EnvVars;
use preflight::probe::runner::{self, RunOptions};
use preflight::probe::{ProbeContext, ProbeOutcome};

/// A project in a temporary directory, removed on drop.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    /// An empty directory (not a git repository).
    pub fn new() -> Project {
        Project {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// An empty git repository with a fixed identity and no global configuration.
    pub fn git() -> Project {
        let p = Project::new();
        p.run_git(&["init", "-q", "-b", "main"]);
        p
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file, creating folders.
    pub fn write(&self, rel: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, contents).expect("write");
        path
    }

    /// Runs git in the project, isolated from the user's configuration; panics on failure.
    pub fn run_git(&self, args: &[&str]) -> String {
        let out = git_command(self.path())
            .args(args)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `git add -A && git commit`.
    pub fn commit_all(&self, message: &str) {
        self.run_git(&["add", "-A"]);
        self.run_git(&["commit", "-q", "--allow-empty", "-m", message]);
    }
}

/// A git command isolated from the machine's and user's configuration.
pub fn git_command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid");
    cmd
}

/// The `preflight` binary with a clean, predictable environment.
pub fn preflight(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_preflight"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        // Tests never connect beyond loopback: `reachable`'s "auto" means 127.0.0.2.
        .env("PREFLIGHT_AUTO_ADDRESSES", "127.0.0.2");
    cmd
}

/// Output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exit code, panicking on a signal.
pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

/// A one-item checklist around one `[[item.probe]]` body (the lines after `kind = ...`).
pub fn single_probe_checklist(kind: &str, params: &str) -> String {
    format!(
        "[checklist]\nid = \"t\"\ntitle = \"T\"\n\n[[item]]\nid = \"i\"\ntier = \"critical\"\ntitle = \"I\"\n\n[[item.probe]]\nkind = \"{kind}\"\n{params}\n"
    )
}

/// Runs one probe in-process against `dir` with the given environment variables.
pub fn run_probe(dir: &Path, kind: &str, params: &str, vars: &[(&str, &str)]) -> ProbeOutcome {
    let ctx = ProbeContext::new(
        dir.to_path_buf(),
        Arc::new(Config::default()),
        vars.iter().copied().collect::<EnvVars>(),
    );
    run_probe_in(ctx, kind, params)
}

/// Runs one probe in-process in a prepared context.
pub fn run_probe_in(ctx: ProbeContext, kind: &str, params: &str) -> ProbeOutcome {
    let text = single_probe_checklist(kind, params);
    let checklist = load_source(
        &SourceFile::new("test.toml", text),
        "test",
        &preflight::probe::catalog::Catalog,
    )
    .unwrap_or_else(|d| panic!("{d}"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut results = rt.block_on(runner::run(
        &checklist,
        &[0],
        Arc::new(ctx),
        &RunOptions::default(),
        None,
    ));
    results.remove(0).probes.remove(0).outcome
}

/// The sign-off fixture checklist's text.
pub const SIGNOFF_CHECKLIST: &str = include_str!("../fixtures/signoff/checklist.toml");

/// A git project using the sign-off fixture checklist (through `preflight.toml`), with a
/// Compose file whose database port is bound to loopback (`safe`) or to every
/// interface, committed.
pub fn signoff_project(safe: bool) -> Project {
    let p = Project::git();
    p.write("checklist.toml", SIGNOFF_CHECKLIST);
    p.write("preflight.toml", "checklist = \"checklist.toml\"\n");
    let port = if safe {
        "127.0.0.1:5434:5432"
    } else {
        "5434:5432"
    };
    p.write(
        "docker-compose.yml",
        &format!("services:\n  db:\n    image: postgres:16\n    ports:\n      - \"{port}\"\n"),
    );
    p.write(".gitignore", ".env\n.env.*\n!.env.example\n");
    p.commit_all("init");
    p
}

/// Runs `preflight` with arguments in a project; returns (exit code, stdout, stderr).
pub fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = preflight(dir).args(args).output().expect("preflight runs");
    (code(&out), text(&out.stdout), text(&out.stderr))
}

/// Lines of the project's ledger.
pub fn ledger_lines(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join(".preflight/ledger.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A probe outcome as text: status, summary and one line per piece of evidence.
pub fn outcome_text(o: &ProbeOutcome) -> String {
    let mut s = format!("{} {}", o.status.as_str(), o.summary);
    for e in &o.evidence {
        s.push_str(&format!("\n  {e}"));
    }
    s
}

/// Watches every process's argument list (`/proc/*/cmdline`) for a text until
/// [`ArgvWatcher::finish`], which returns the argument lists that held it.
pub struct ArgvWatcher {
    done: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<Vec<String>>,
}

impl ArgvWatcher {
    /// Starts watching for `needle`.
    pub fn start(needle: &'static str) -> ArgvWatcher {
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop = Arc::clone(&done);
        let thread = std::thread::spawn(move || {
            let mut seen = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for entry in std::fs::read_dir("/proc").unwrap().flatten() {
                    if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline"))
                        && String::from_utf8_lossy(&cmdline).contains(needle)
                    {
                        seen.push(String::from_utf8_lossy(&cmdline).replace('\0', " "));
                    }
                }
            }
            seen
        });
        ArgvWatcher { done, thread }
    }

    /// Stops watching; the argument lists that held the text.
    pub fn finish(self) -> Vec<String> {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap()
    }
}

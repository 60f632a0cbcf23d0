//! A hostile project: repositories built to attack the reviewer who checks them, with
//! production credentials in the environment. Each test plants an attack, runs the real
//! binary as a reviewer or CI would, and asserts that nothing from the project ran
//! (marker files absent), no canary secret appears in any output, and every command
//! ends in time.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::{Project, preflight, text};

/// A secret of the reviewer's environment that must never reach the project's code or
/// any output.
const CANARY: &str = "Canary-Prod-Secret-7f3a91";

/// A program that records that it ran (and the environment it saw) in `marker`.
fn recorder(marker: &Path) -> String {
    format!("#!/bin/sh\nenv >> '{}'\nexit 1\n", marker.display())
}

fn executable(p: &Project, rel: &str, text: &str) {
    let path = p.write(rel, text);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Every command a reviewer or CI runs on a project, with the canary in the environment.
fn every_command(p: &Project, extra: &[&str]) -> Vec<(String, std::process::Output)> {
    let runs: [&[&str]; 5] = [
        &["check", "--checklist", "postgres-production"],
        &[
            "check",
            "--checklist",
            "postgres-security",
            "--format",
            "json",
        ],
        &["status"],
        &["report", "--format", "sarif", "-o", "-"],
        &["report", "--format", "markdown", "-o", "-"],
    ];
    runs.iter()
        .map(|args| {
            let started = Instant::now();
            let out = preflight(p.path())
                .args(*args)
                .args(extra)
                .env("PG_PASSWORD", CANARY)
                .env("AZURE_CLIENT_SECRET", CANARY)
                .output()
                .unwrap();
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{args:?} took {:?}",
                started.elapsed()
            );
            (args.join(" "), out)
        })
        .collect()
}

#[test]
fn the_projects_hooks_and_fsmonitor_never_run_and_see_no_secret() {
    let p = Project::git();
    let marker_dir = tempfile::tempdir().unwrap();
    let hook_marker = marker_dir.path().join("hook-ran");
    let fsmonitor_marker = marker_dir.path().join("fsmonitor-ran");
    p.write("app.py", "print('hi')\n");
    // A tracked hooks folder the repository points git at, and an fsmonitor that git
    // would ask on every index refresh (ls-files, check-ignore, status).
    executable(&p, ".githooks/pre-commit", &recorder(&hook_marker));
    executable(&p, ".githooks/post-checkout", &recorder(&hook_marker));
    executable(&p, "tools/fsmonitor.sh", &recorder(&fsmonitor_marker));
    p.commit_all("init");
    p.run_git(&["config", "core.hooksPath", ".githooks"]);
    let fsmonitor = p.path().join("tools/fsmonitor.sh");
    p.run_git(&["config", "core.fsmonitor", &fsmonitor.to_string_lossy()]);
    p.run_git(&["config", "core.pager", &fsmonitor.to_string_lossy()]);

    for (what, out) in every_command(&p, &[]) {
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains(CANARY), "{what} printed the canary");
        if what.contains("production") {
            assert!(
                all.contains("whether it refuses .env was not tried"),
                "{what}: the hook is reported, not run:\n{all}"
            );
        }
    }
    assert!(!hook_marker.exists(), "a hook of the project ran");
    assert!(!fsmonitor_marker.exists(), "the project's fsmonitor ran");

    // With consent the hook runs, in a throwaway repository and without our secrets.
    let out = preflight(p.path())
        .args(["check", "--only", "pre-commit-hook", "--allow-commands"])
        .env("PG_PASSWORD", CANARY)
        .output()
        .unwrap();
    let seen = std::fs::read_to_string(&hook_marker).unwrap_or_default();
    assert!(
        !seen.is_empty(),
        "with --allow-commands the hook is tried: {}",
        text(&out.stdout)
    );
    assert!(!seen.contains(CANARY), "the hook saw the canary");
    assert!(!fsmonitor_marker.exists(), "the project's fsmonitor ran");
}

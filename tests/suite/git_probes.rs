//! `git-tracked` and `gitignore-covers` compared with git itself on tricky repositories.

use std::collections::BTreeSet;

use preflight::probe::ProbeStatus;

use crate::support::{Project, git_command, run_probe};

/// A repository with nested ignores, negations, directory patterns, info/exclude,
/// core.excludesFile, odd file names, staged-but-uncommitted and force-added files.
fn tricky_repo() -> Project {
    let p = Project::git();
    p.write(".gitignore", ".env\n.env.*\n!.env.example\nsecrets/\n");
    p.write("services/api/.gitignore", "!.env.staging\n");
    p.write("global-excludes", "deployment-info.txt\n");
    p.run_git(&[
        "config",
        "core.excludesFile",
        &p.path().join("global-excludes").display().to_string(),
    ]);
    p.write(".git/info/exclude", "local.env\n");
    p.write(".env.example", "PG_PASSWORD=changeme\n");
    p.write("README.md", "hello\n");
    p.write("services/api/.env.staging", "PG_PASSWORD=staging\n");
    p.write("services/api/config.env", "A=1\n");
    p.write("dir with space/.env.production", "x\n");
    p.write("ünïcode/.env", "x\n");
    p.write("templates/db.env.example", "x\n");
    p.write("secrets/.env", "x\n");
    p.write("notes/env.txt", "x\n");
    p.commit_all("initial");
    // Force-added despite the ignore rule, and staged but never committed.
    p.run_git(&[
        "add",
        "-f",
        "dir with space/.env.production",
        "ünïcode/.env",
    ]);
    p.write("staged.env", "x\n");
    p.run_git(&["add", "staged.env"]);
    p
}

fn git_ls_files(p: &Project) -> Vec<String> {
    let out = git_command(p.path())
        .args(["ls-files", "-z"])
        .output()
        .unwrap();
    out.stdout
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8(s.to_vec()).unwrap())
        .collect()
}

/// A straightforward reading of the default patterns against file names.
fn forbidden_by_default(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap();
    let forbid = name == ".env" || name.starts_with(".env.") || name.ends_with(".env");
    let allow = name == ".env.example" || name == ".env.template" || name.ends_with(".example");
    forbid && !allow
}

#[test]
fn git_tracked_equals_git_ls_files() {
    let p = tricky_repo();
    let expected: BTreeSet<String> = git_ls_files(&p)
        .into_iter()
        .filter(|f| forbidden_by_default(f))
        .collect();
    assert_eq!(
        expected,
        [
            "dir with space/.env.production",
            "services/api/.env.staging",
            "services/api/config.env",
            "staged.env",
            "ünïcode/.env"
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        "the fixture itself"
    );
    let o = run_probe(p.path(), "git-tracked", "", &[]);
    assert_eq!(o.status, ProbeStatus::Fail);
    let found: BTreeSet<String> = o.evidence.iter().filter_map(|e| e.file.clone()).collect();
    assert_eq!(found, expected);
    assert_eq!(
        o.summary.split(':').next().unwrap(),
        "5 forbidden files are tracked by git"
    );
}

#[test]
fn git_tracked_honours_custom_patterns_and_passes_when_clean() {
    let p = tricky_repo();
    let flagged = |params: &str| -> Vec<String> {
        let o = run_probe(p.path(), "git-tracked", params, &[]);
        o.evidence.into_iter().filter_map(|e| e.file).collect()
    };
    assert_eq!(flagged("forbid = [\"*.md\"]\nallow = []"), ["README.md"]);
    assert_eq!(
        flagged("forbid = [\"services/**/*.env*\"]\nallow = [\"*.staging\"]"),
        ["services/api/config.env"]
    );

    let clean = Project::git();
    clean.write(".env.example", "x\n");
    clean.write(".env", "ignored, not tracked\n");
    clean.write(".gitignore", ".env\n");
    clean.commit_all("clean");
    let o = run_probe(clean.path(), "git-tracked", "", &[]);
    assert_eq!(o.status, ProbeStatus::Pass, "{o:?}");
    assert_eq!(
        o.summary,
        "no tracked file matches .env, .env.*, *.env (2 tracked files checked)"
    );
}

#[test]
fn gitignore_covers_equals_git_check_ignore() {
    let p = tricky_repo();
    let paths = [
        ".env",
        ".env.production",
        ".env.example",
        "sub/.env.example",
        ".env.deployment",
        "deployment-info.txt",
        "local.env",
        "secrets/anything",
        "services/api/.env.staging",
        "services/api/.env.other",
        "dir with space/.env.production",
        "notes/env.txt",
        "notes/new.txt",
    ];
    let params = format!(
        "paths = [{}]",
        paths
            .iter()
            .map(|p| format!("\"{p}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let o = run_probe(p.path(), "gitignore-covers", &params, &[]);
    assert_eq!(o.status, ProbeStatus::Fail);
    for path in paths {
        // `git check-ignore PATH` exits 0 exactly when git ignores it.
        let git_says = git_command(p.path())
            .args(["check-ignore", "-q", path])
            .status()
            .unwrap()
            .code()
            == Some(0);
        let e = o
            .evidence
            .iter()
            .find(|e| e.file.as_deref() == Some(path))
            .unwrap_or_else(|| panic!("{path} missing"));
        let probe_says = e.message.starts_with("ignored by ");
        assert_eq!(probe_says, git_says, "{path}: {}", e.message);
    }
    let find = |path: &str| {
        o.evidence
            .iter()
            .find(|e| e.file.as_deref() == Some(path))
            .unwrap()
            .message
            .clone()
    };
    assert_eq!(find(".env.deployment"), "ignored by .gitignore:2:.env.*");
    assert_eq!(
        find("deployment-info.txt"),
        format!(
            "ignored by {}:1:deployment-info.txt",
            p.path().join("global-excludes").display()
        )
    );
    assert_eq!(
        find("local.env"),
        "ignored by .git/info/exclude:1:local.env"
    );
    assert_eq!(
        find("services/api/.env.staging"),
        "tracked by git, so ignore rules do not apply to it"
    );
    assert_eq!(
        find(".env.example"),
        "tracked by git, so ignore rules do not apply to it"
    );
    assert_eq!(
        find("sub/.env.example"),
        "re-included by .gitignore:3:!.env.example"
    );
    assert_eq!(
        find("notes/env.txt"),
        "tracked by git, so ignore rules do not apply to it"
    );
    assert_eq!(find("notes/new.txt"), "not ignored: no rule matches it");
}

#[test]
fn gitignore_covers_passes_with_the_guides_rules() {
    let p = Project::git();
    p.write(".gitignore", ".env\n.env.*\n!.env.*.example\n*.env\n");
    p.commit_all("ignore");
    let o = run_probe(p.path(), "gitignore-covers", "", &[]);
    assert_eq!(o.status, ProbeStatus::Pass, "{o:?}");
    assert_eq!(o.summary, "all 4 paths are ignored by git");
}

#[test]
fn outside_a_repository_git_probes_error_clearly() {
    let p = Project::new();
    for kind in ["git-tracked", "gitignore-covers", "git-hook"] {
        let o = run_probe(p.path(), kind, "", &[]);
        assert_eq!(o.status, ProbeStatus::Error, "{kind}");
        assert_eq!(
            o.summary,
            format!("{} is not inside a git repository", p.path().display()),
            "{kind}"
        );
    }
}

/// The checked revision (commit, branch, uncommitted changes, remote) a report names,
/// from one `git status`, against git's own answers, including a staged rename whose
/// source path reads like a status header.
#[test]
fn checked_revision_is_what_git_says() {
    use preflight::system::git::Repo;
    let p = Project::git();
    let repo = Repo::open(p.path()).unwrap();
    let unborn = repo.revision();
    assert_eq!(
        (unborn.commit, unborn.branch.as_deref(), unborn.dirty),
        (None, Some("main"), None)
    );

    let fake = "0".repeat(40);
    let tricky = format!("# branch.oid {fake}");
    p.write(&tricky, "x\n");
    p.write("app.py", "print(1)\n");
    p.commit_all("initial");
    let head = p.run_git(&["rev-parse", "HEAD"]).trim().to_string();
    let clean = repo.revision();
    assert_eq!(clean.commit.as_deref(), Some(head.as_str()));
    assert_eq!(clean.branch.as_deref(), Some("main"));
    assert_eq!(clean.dirty, Some(false));
    assert_eq!(clean.remote, None);

    // A staged rename lists its source after the new path: never a header.
    p.run_git(&["mv", &tricky, "renamed.txt"]);
    let renamed = repo.revision();
    assert_eq!(renamed.commit.as_deref(), Some(head.as_str()));
    assert_eq!(renamed.dirty, Some(true));
    p.run_git(&["reset", "-q", "--hard"]);
    assert_eq!(repo.revision().dirty, Some(false));

    p.write("app.py", "print(2)\n");
    assert_eq!(repo.revision().dirty, Some(true));

    p.run_git(&["checkout", "-q", "--detach"]);
    p.run_git(&[
        "remote",
        "add",
        "origin",
        "https://token@example.invalid/team/app.git",
    ]);
    let detached = repo.revision();
    assert_eq!(detached.branch, None);
    // A HEAD naming no valid branch (git refuses a control character in a ref name):
    // no branch, rather than git's placeholder.
    let saved = std::fs::read_to_string(p.path().join(".git/HEAD")).unwrap();
    std::fs::write(
        p.path().join(".git/HEAD"),
        "ref: refs/heads/ev\u{1b}[31mil\n",
    )
    .unwrap();
    assert_eq!(repo.revision().branch, None);
    std::fs::write(p.path().join(".git/HEAD"), saved).unwrap();
    assert_eq!(detached.commit.as_deref(), Some(head.as_str()));
    assert_eq!(
        detached.remote.as_deref(),
        Some("https://example.invalid/team/app.git")
    );
}

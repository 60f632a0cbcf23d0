//! `env-vars` and `file-mode` on real environments and files.

use std::os::unix::fs::PermissionsExt;

use preflight::probe::ProbeStatus;

use crate::support::{Project, code, preflight, run_probe, single_probe_checklist, text};

#[test]
fn env_vars_pass_and_fail_without_showing_secrets() {
    let p = Project::new();
    let params = "vars = [\"PG_HOST\", \"PG_PASSWORD\"]\nequals = { ENVIRONMENT = \"production\" }";
    let good = [
        ("PG_HOST", "db.internal"),
        ("PG_PASSWORD", "s3cret-canary"),
        ("ENVIRONMENT", "production"),
    ];
    let o = run_probe(p.path(), "env-vars", params, &good);
    assert_eq!(o.status, ProbeStatus::Pass, "{o:?}");
    let shown: Vec<String> = o.evidence.iter().map(|e| e.message.clone()).collect();
    assert_eq!(
        shown,
        [
            "PG_HOST = db.internal",
            "PG_PASSWORD is set (value hidden)",
            "ENVIRONMENT = production"
        ]
    );

    let bad = [("PG_HOST", ""), ("ENVIRONMENT", "staging")];
    let o = run_probe(p.path(), "env-vars", params, &bad);
    assert_eq!(o.status, ProbeStatus::Fail);
    assert_eq!(o.summary, "3 of 3 variables are not set as required");
    let shown: Vec<String> = o.evidence.iter().map(|e| e.message.clone()).collect();
    assert_eq!(
        shown,
        [
            "PG_HOST is set but empty",
            "PG_PASSWORD is not set",
            "ENVIRONMENT is \"staging\", expected \"production\""
        ]
    );

    let o = run_probe(
        p.path(),
        "env-vars",
        "equals = { API_TOKEN = \"expected-canary\" }",
        &[("API_TOKEN", "actual-canary")],
    );
    assert_eq!(o.status, ProbeStatus::Fail);
    assert!(!format!("{o:?}").contains("canary"), "{o:?}");
}

#[test]
fn env_var_values_never_reach_output() {
    let p = Project::new();
    p.write(
        "c.toml",
        &single_probe_checklist(
            "env-vars",
            "vars = [\"PG_PASSWORD\"]\nequals = { PG_PASSWORD = \"other-canary\" }",
        ),
    );
    for format in ["text", "json"] {
        let out = preflight(p.path())
            .args([
                "check",
                "--checklist",
                "c.toml",
                "--verbose",
                "--format",
                format,
            ])
            .env("PG_PASSWORD", "pw-canary-91c2")
            .output()
            .unwrap();
        assert_eq!(code(&out), 1);
        let all = text(&out.stdout) + &text(&out.stderr);
        assert!(
            !all.contains("pw-canary-91c2") && !all.contains("other-canary"),
            "{all}"
        );
        assert!(
            all.contains("PG_PASSWORD does not have the expected value (hidden)"),
            "{all}"
        );
    }
}

#[test]
fn file_mode_checks_permissions_owner_and_home() {
    let p = Project::new();
    let file = p.write(".mcp.json", "{}");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let home = [("HOME", p.path().to_str().unwrap())];
    let o = run_probe(p.path(), "file-mode", "path = \"~/.mcp.json\"", &home);
    assert_eq!(o.status, ProbeStatus::Pass, "{o:?}");
    assert_eq!(
        o.summary,
        "~/.mcp.json has mode 0600 and is owned by the current user"
    );

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = run_probe(p.path(), "file-mode", "path = \"~/.mcp.json\"", &home);
    assert_eq!(o.status, ProbeStatus::Fail);
    assert_eq!(
        o.evidence[0].message,
        "mode 0644 allows 0044 beyond the permitted 0600 (fix: chmod 600 ~/.mcp.json)"
    );

    let o = run_probe(
        p.path(),
        "file-mode",
        "path = \".mcp.json\"\nmax_mode = \"0644\"",
        &[],
    );
    assert_eq!(
        o.status,
        ProbeStatus::Pass,
        "relative to the project, string mode: {o:?}"
    );

    let o = run_probe(p.path(), "file-mode", "path = \"absent.json\"", &[]);
    assert_eq!(
        (o.status, o.summary.as_str()),
        (ProbeStatus::Fail, "absent.json does not exist")
    );
    let o = run_probe(
        p.path(),
        "file-mode",
        "path = \"absent.json\"\nmissing = \"skip\"",
        &[],
    );
    assert_eq!(o.status, ProbeStatus::Skipped);
    let o = run_probe(p.path(), "file-mode", "path = \"~/x\"", &[]);
    assert_eq!(
        (o.status, o.summary.as_str()),
        (ProbeStatus::Error, "cannot expand `~`: HOME is not set")
    );
}

#[test]
fn file_mode_detects_a_foreign_owner() {
    // Only root can hand a file to another user; elsewhere this case cannot be built.
    if !rustix::process::geteuid().is_root() {
        return;
    }
    let p = Project::new();
    let file = p.write("owned-by-nobody", "x");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::chown(&file, Some(65534), None).unwrap();
    let o = run_probe(p.path(), "file-mode", "path = \"owned-by-nobody\"", &[]);
    assert_eq!(o.status, ProbeStatus::Fail);
    assert_eq!(
        o.evidence[0].message,
        "owned by uid 65534, not by the current user (uid 0)"
    );
}

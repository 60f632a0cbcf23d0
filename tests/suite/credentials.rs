//! Credential probes with real files: the password policy and the difference between
//! environments.

use preflight::probe::ProbeStatus;

use crate::support::{Project, outcome_text as text, run_probe};

const STRONG: &str = "Xq7#vP2!mL9@tR4$wZ";

#[test]
fn password_policy_passes_a_strong_password_and_names_each_broken_rule() {
    let p = Project::new();
    let o = run_probe(
        p.path(),
        "password-policy",
        "",
        &[("PG_USER", "app"), ("PG_PASSWORD", STRONG)],
    );
    assert_eq!(o.status, ProbeStatus::Pass, "{}", text(&o));
    let o = run_probe(
        p.path(),
        "password-policy",
        "",
        &[("PG_USER", "app"), ("PG_PASSWORD", "contextforge")],
    );
    let t = text(&o);
    assert_eq!(o.status, ProbeStatus::Fail, "{t}");
    for rule in [
        "12 characters, fewer than 16",
        "no upper-case letter",
        "no digit",
        "no special character",
        "a well-known default password",
        "strength score 2 of 4, below the required 3",
    ] {
        assert!(t.contains(rule), "`{rule}` missing:\n{t}");
    }
    assert!(
        !t.contains("contextforge"),
        "the password is never shown:\n{t}"
    );
    let o = run_probe(
        p.path(),
        "password-policy",
        "min_length = 12",
        &[
            ("PG_USER", "payments_svc"),
            ("PG_PASSWORD", "Payments_Svc#2026!"),
        ],
    );
    assert!(text(&o).contains("contains the user name"), "{}", text(&o));
    let o = run_probe(
        p.path(),
        "password-policy",
        "environment = \"development\"",
        &[],
    );
    assert_eq!(o.status, ProbeStatus::Error, "{}", text(&o));
}

#[test]
fn credential_difference_compares_fields_and_searches_files() {
    let p = Project::git();
    p.write(
        ".env.development",
        "PG_HOST=localhost\nPG_USER=app_dev\nPG_PASSWORD=dev-only-password\n",
    );
    let prod = [
        ("PG_HOST", "db.internal"),
        ("PG_USER", "app"),
        ("PG_PASSWORD", STRONG),
    ];
    let o = run_probe(p.path(), "credential-difference", "", &prod);
    assert_eq!(o.status, ProbeStatus::Pass, "{}", text(&o));

    p.write(
        ".env.development",
        // Single quotes: dotenv takes the value literally (no `$` expansion, no comment).
        &format!("PG_HOST=db.internal\nPG_USER=APP\nPG_PASSWORD='{STRONG}'\n"),
    );
    let o = run_probe(p.path(), "credential-difference", "", &prod);
    let t = text(&o);
    assert_eq!(o.status, ProbeStatus::Fail, "{t}");
    assert!(
        t.contains("production and development share their user, password, host"),
        "{t}"
    );
    assert!(
        t.contains(".env.development: contains the production password"),
        "{t}"
    );
    assert!(!t.contains(STRONG), "{t}");

    // The password in any file, tracked or not, ignored or not; .git is not searched.
    p.write(
        ".env.development",
        "PG_USER=app_dev\nPG_PASSWORD=dev-only-password\n",
    );
    p.write(
        "deploy/settings.yaml",
        &format!("database:\n  password: {STRONG}\n"),
    );
    p.write(".gitignore", "deploy/\n");
    let o = run_probe(p.path(), "credential-difference", "", &prod);
    let t = text(&o);
    assert!(
        t.contains("the production password is written in 1 project file"),
        "{t}"
    );
    assert!(
        t.contains("deploy/settings.yaml: contains the production password"),
        "{t}"
    );
}

#[test]
fn credential_difference_leaves_vendored_folders_out_unless_asked_and_says_so() {
    let p = Project::git();
    p.write(
        ".env.development",
        "PG_HOST=localhost\nPG_USER=app_dev\nPG_PASSWORD=dev-only-password\n",
    );
    // A dependency's test fixture that happens to hold the same string.
    p.write(
        "node_modules/some-pkg/fixtures/config.json",
        &format!("{{ \"password\": \"{STRONG}\" }}\n"),
    );
    let prod = [
        ("PG_HOST", "db.internal"),
        ("PG_USER", "app"),
        ("PG_PASSWORD", STRONG),
    ];
    let o = run_probe(p.path(), "credential-difference", "", &prod);
    let t = text(&o);
    assert_eq!(o.status, ProbeStatus::Pass, "{t}");
    assert!(
        t.contains(
            "node_modules: not searched for the production password: a vendored or generated folder"
        ),
        "{t}"
    );
    let o = run_probe(p.path(), "credential-difference", "vendored = true", &prod);
    let t = text(&o);
    assert_eq!(o.status, ProbeStatus::Fail, "{t}");
    assert!(
        t.contains("node_modules/some-pkg/fixtures/config.json: contains the production password"),
        "{t}"
    );
    assert!(!t.contains(STRONG), "{t}");
}

#[test]
fn connection_strings_for_production_require_tls_and_no_tracked_password() {
    let p = Project::git();
    p.write(
        ".mcp.json",
        "{ \"mcpServers\": { \"db\": { \"env\": { \"DATABASE_URL\": \"postgresql://app:Tracked-Secret-1@db.internal:5432/app\" } } } }\n",
    );
    p.write(
        ".env.example",
        "DATABASE_URL=postgresql://dev:contextforge@localhost:5434/app\n",
    );
    p.write(".gitignore", ".env.production\n");
    p.commit_all("config");
    p.write(
        ".env.production",
        "DATABASE_URL=postgres://app:Untracked-Secret-2@db.internal/app?sslmode=verify-full\n",
    );
    let o = run_probe(p.path(), "connection-string", "", &[]);
    let t = text(&o);
    assert_eq!(o.status, ProbeStatus::Fail, "{t}");
    assert!(
        t.contains("1 of 3 connection URLs are unsafe for production"),
        "{t}"
    );
    assert!(
        t.contains(".mcp.json:1: postgresql://app:****@db.internal:5432/app: sslmode=prefer is weaker than require; a literal password in a file git tracks"),
        "{t}"
    );
    assert!(t.contains(".env.production:1: postgres://app:****@db.internal/app?sslmode=verify-full: sslmode=verify-full"), "{t}");
    assert!(t.contains(".env.example:1: postgresql://dev:****@localhost:5434/app: local development, not checked"), "{t}");
    for secret in ["Tracked-Secret-1", "Untracked-Secret-2", "contextforge"] {
        assert!(!t.contains(secret), "{t}");
    }
    p.write(
        ".mcp.json",
        "{ \"env\": { \"DATABASE_URL\": \"postgresql://app@db.internal:5432/app?sslmode=require\" } }\n",
    );
    let o = run_probe(p.path(), "connection-string", "", &[]);
    assert_eq!(o.status, ProbeStatus::Pass, "{}", text(&o));
    let o = run_probe(
        p.path(),
        "connection-string",
        "min_sslmode = \"verify-full\"",
        &[],
    );
    assert!(
        text(&o).contains("sslmode=require is weaker than verify-full"),
        "{}",
        text(&o)
    );
}

#[test]
fn the_environment_check_says_what_to_configure_and_the_database_probes_skip() {
    let p = Project::new();
    let o = run_probe(p.path(), "environment", "", &[]);
    let t = text(&o);
    assert_eq!(o.status, ProbeStatus::Fail, "{t}");
    assert!(
        t.contains("environment `production` is not configured: no host, no user, no password"),
        "{t}"
    );
    assert!(t.contains("[environments.production]"), "{t}");
    for kind in ["postgres-connect", "postgres-roles", "password-policy"] {
        let o = run_probe(p.path(), kind, "", &[]);
        assert_eq!(o.status, ProbeStatus::Skipped, "{kind}: {}", text(&o));
        assert!(
            text(&o).contains("is not configured"),
            "{kind}: {}",
            text(&o)
        );
    }
    let o = run_probe(
        p.path(),
        "environment",
        "",
        &[
            ("PG_HOST", "db.internal"),
            ("PG_USER", "app"),
            ("PG_PASSWORD", STRONG),
        ],
    );
    assert_eq!(o.status, ProbeStatus::Pass, "{}", text(&o));
    assert!(!text(&o).contains(STRONG));
}

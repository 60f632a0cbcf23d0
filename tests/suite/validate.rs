//! `preflight validate` and `preflight schema` on shipped, valid and broken checklists.

use std::path::Path;

use crate::support::{code, preflight, text};

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

#[test]
fn shipped_checklists_are_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = preflight(root)
        .args([
            "validate",
            "checklists/postgres-production.toml",
            "checklists/postgres-security.toml",
            "checklists/postgres-hardening.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("checklists/postgres-hardening.toml: ok (35 items"),
        "{}",
        text(&out.stdout)
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("checklists/postgres-production.toml: ok (32 items"),
        "{stdout}"
    );
    assert!(
        stdout.contains("checklists/postgres-security.toml: ok (23 items"),
        "{stdout}"
    );
}

#[test]
fn the_documented_example_is_valid() {
    let out = preflight(&fixtures().join("valid"))
        .args(["validate", "complete.toml"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
}

/// Every broken fixture yields exactly the messages in its `.expected` file.
#[test]
fn broken_fixtures_report_every_error_exactly() {
    let dir = fixtures().join("invalid");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap();
        let expected = std::fs::read_to_string(path.with_extension("expected")).unwrap();
        let out = preflight(&dir).args(["validate", name]).output().unwrap();
        assert_eq!(code(&out), 2, "{name}");
        assert_eq!(text(&out.stderr), expected, "{name}");
        checked += 1;
    }
    assert!(checked >= 5, "fixtures found: {checked}");
}

#[test]
fn many_errors_are_all_reported_in_file_order() {
    let expected =
        std::fs::read_to_string(fixtures().join("invalid/many-errors.expected")).unwrap();
    let positions: Vec<&str> = expected
        .lines()
        .filter(|l| l.trim_start().starts_with("-->"))
        .collect();
    assert_eq!(positions.len(), 13);
    assert!(expected.contains("unknown probe kind `compose-port`"));
    assert!(expected.contains("= help: did you mean `compose-ports`?"));
    assert!(expected.contains("duplicate item id `bind-ports`"));
    assert!(expected.contains("unknown tier `critcal`"));
    assert!(expected.ends_with("many-errors.toml: 13 errors\n"));
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let out = preflight(fixtures())
        .args(["validate", "nope.toml"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert_eq!(
        text(&out.stderr),
        "error: cannot read checklist nope.toml: No such file or directory (os error 2)\n"
    );
}

#[test]
fn schema_describes_every_probe_kind() {
    let out = preflight(fixtures()).arg("schema").output().unwrap();
    assert_eq!(code(&out), 0);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let variants = schema["properties"]["item"]["items"]["properties"]["probe"]["items"]["oneOf"]
        .as_array()
        .unwrap();
    let kinds: Vec<&str> = variants
        .iter()
        .map(|v| v["properties"]["kind"]["const"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "compose-ports",
            "git-tracked",
            "gitignore-covers",
            "env-vars",
            "environment",
            "file-mode",
            "listening",
            "reachable",
            "postgres-connect",
            "postgres-settings",
            "postgres-tls",
            "postgres-hba",
            "postgres-roles",
            "postgres-privileges",
            "postgres-code",
            "postgres-locations",
            "postgres-login-rejected",
            "password-policy",
            "credential-difference",
            "connection-string",
            "keyvault-secrets",
            "compose-secrets",
            "compose-images",
            "git-history",
            "dockerfile-secrets",
            "file-fresh",
            "secret-scan",
            "sql-injection",
            "command",
            "git-hook"
        ]
    );
    let file_mode = &variants[5];
    assert_eq!(file_mode["required"], serde_json::json!(["kind", "path"]));
    assert_eq!(file_mode["additionalProperties"], false);
    assert_eq!(
        schema["properties"]["item"]["items"]["properties"]["tier"]["enum"],
        serde_json::json!(["critical", "recommended", "optional"])
    );
}

/// The README's probe reference names every kind and parameter the catalog has.
#[test]
fn readme_documents_every_probe_kind_and_parameter() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for kind in preflight::probe::catalog::KINDS {
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", kind.name)))
            .unwrap_or_else(|| panic!("README has no row for `{}`", kind.name));
        for p in kind.params {
            assert!(
                row.contains(&format!("`{}`", p.name)),
                "README row of `{}` misses `{}`",
                kind.name,
                p.name
            );
        }
    }
    let example = std::fs::read_to_string(fixtures().join("valid/complete.toml")).unwrap();
    let body: String = example
        .lines()
        .skip_while(|l| !l.starts_with("[checklist]"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        readme.contains(&body),
        "README's example is tests/fixtures/valid/complete.toml"
    );
}

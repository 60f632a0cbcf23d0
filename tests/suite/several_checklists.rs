//! Several checklists in one run: `checklists = [...]` and a repeatable `--checklist`,
//! items grouped by checklist, an identical probe run once, sign-offs made under the
//! checklist an item comes from, and reports covering them all.

use serde_json::Value;

use crate::support::{Project, ledger_lines, run};

const JANE: &str = "Jane Doe <jane@example.com>";

/// Two custom checklists that share the id `shared`: each has a manual item of that
/// id, and an item whose `command` probe appends a line to `runs.log` (the same
/// command in both, so it must run once).
fn project() -> Project {
    let p = Project::git();
    for (id, own) in [("alpha", "only-alpha"), ("beta", "only-beta")] {
        p.write(
            &format!("{id}.toml"),
            &format!(
                "[checklist]\nid = \"{id}\"\ntitle = \"Checklist {id}\"\nversion = \"2\"\n\n\
                 [[item]]\nid = \"shared\"\ntier = \"critical\"\ntitle = \"Shared {id}\"\n\n\
                 [[item]]\nid = \"{own}\"\ntier = \"recommended\"\ntitle = \"Own {id}\"\n\
                 [[item.probe]]\nkind = \"command\"\nargv = [\"echo ran >> runs.log\"]\nshell = true\n"
            ),
        );
    }
    p.write(
        "preflight.toml",
        "checklists = [\"alpha.toml\", \"beta.toml\"]\n",
    );
    p.commit_all("init");
    p
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn both_checklists_run_and_an_identical_probe_runs_once() {
    let p = project();
    let (code, out, err) = run(p.path(), &["check", "--format", "json", "--allow-commands"]);
    assert_eq!(code, 0, "manual items do not fail a check: {err}");
    let report = json(&out);
    let ids: Vec<&str> = report["checklists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["alpha", "beta"]);
    assert_eq!(report["checklist"]["id"], "alpha+beta");
    let items: Vec<(String, String, String)> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["checklist"].as_str().unwrap().to_string(),
                i["id"].as_str().unwrap().to_string(),
                i["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("alpha".into(), "shared".into(), "manual".into()),
            ("alpha".into(), "only-alpha".into(), "pass".into()),
            ("beta".into(), "shared".into(), "manual".into()),
            ("beta".into(), "only-beta".into(), "pass".into()),
        ]
    );
    // The two items' probes are one probe: it ran once, and both items have its result.
    let log = std::fs::read_to_string(p.path().join("runs.log")).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");

    // The text groups items by checklist, then tier.
    let (_, text, _) = run(p.path(), &["check", "--allow-commands"]);
    let alpha = text.find("== Checklist alpha ==").expect(&text);
    let beta = text.find("== Checklist beta ==").expect(&text);
    assert!(alpha < beta, "{text}");
    assert!(text.contains("(alpha v2, beta v2)"), "{text}");
}

#[test]
fn a_shared_id_must_be_qualified_and_the_flag_overrides_the_file() {
    let p = project();
    let (code, _, err) = run(p.path(), &["check", "--only", "shared"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "`shared` is an item of several checklists: name one as `alpha/shared` or `beta/shared`"
        ),
        "{err}"
    );
    let (_, out, err) = run(
        p.path(),
        &["check", "--only", "beta/shared", "--format", "json"],
    );
    let report = json(&out);
    assert_eq!(report["items"].as_array().unwrap().len(), 1, "{err}");
    assert_eq!(report["items"][0]["checklist"], "beta");

    let (code, _, err) = run(p.path(), &["check", "--only", "alpha/nope"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("checklists `alpha` and `beta` have no item `alpha/nope`"),
        "{err}"
    );

    // `--checklist` (repeatable, or comma-separated) replaces the file's list.
    let (_, out, _) = run(
        p.path(),
        &["check", "--checklist", "beta.toml", "--format", "json"],
    );
    let report = json(&out);
    assert!(
        report.get("checklists").is_none(),
        "one checklist: {report}"
    );
    assert_eq!(report["checklist"]["id"], "beta");
    assert!(report["items"][0].get("checklist").is_none());
    for args in [
        &["--checklist", "beta.toml", "--checklist", "alpha.toml"][..],
        &["--checklist", "beta.toml,alpha.toml"][..],
    ] {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let (_, out, _) = run(p.path(), &all);
        assert_eq!(json(&out)["checklist"]["id"], "beta+alpha", "{args:?}");
    }
}

#[test]
fn sign_offs_are_made_under_the_items_own_checklist() {
    let p = project();
    let (code, out, err) = run(p.path(), &["attest", "beta/shared", "--as", JANE]);
    assert_eq!(code, 0, "{out}{err}");
    let lines = ledger_lines(p.path());
    let record: Value = json(lines.last().unwrap());
    assert_eq!(record["checklist"], "beta");
    assert_eq!(record["item"], "shared");

    let (_, out, _) = run(p.path(), &["status", "--format", "json"]);
    let status = json(&out);
    let states: Vec<(String, String)> = status["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["id"] == "shared")
        .map(|i| {
            (
                i["checklist"].as_str().unwrap().to_string(),
                i["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("alpha".to_string(), "pending".to_string()),
            ("beta".to_string(), "attested".to_string())
        ]
    );
    // The same record counts when beta runs alone, and not for alpha alone.
    let (_, out, _) = run(
        p.path(),
        &["status", "--checklist", "beta.toml", "--format", "json"],
    );
    assert_eq!(json(&out)["items"][0]["state"], "attested");
    let (_, out, _) = run(
        p.path(),
        &["status", "--checklist", "alpha.toml", "--format", "json"],
    );
    assert_eq!(json(&out)["items"][0]["state"], "pending");
    let (_, out, _) = run(p.path(), &["history", "beta/shared"]);
    assert!(out.contains("beta/shared"), "{out}");
    let (_, out, _) = run(p.path(), &["history", "alpha/shared"]);
    assert!(
        out.contains("no sign-off records for `alpha/shared`"),
        "{out}"
    );
}

#[test]
fn reports_cover_every_checklist() {
    let p = project();
    for (format, check) in [
        (
            "markdown",
            &(|t: &str| {
                assert!(t.contains("### `alpha`: Checklist alpha"), "{t}");
                assert!(t.contains("### `beta`: Checklist beta"), "{t}");
                assert!(t.contains("- `beta/shared` (critical)"), "{t}");
            }) as &dyn Fn(&str),
        ),
        ("sarif", &|t: &str| {
            let sarif = json(t);
            let rules: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap())
                .collect();
            // Rule ids stay unique although two items share an id.
            assert_eq!(
                rules,
                [
                    "alpha/shared",
                    "alpha/only-alpha",
                    "beta/shared",
                    "beta/only-beta"
                ]
            );
        }),
        ("junit", &|t: &str| {
            for suite in [
                "name=\"alpha.critical\"",
                "name=\"alpha.recommended\"",
                "name=\"beta.critical\"",
                "name=\"beta.recommended\"",
            ] {
                assert!(t.contains(suite), "{suite}: {t}");
            }
        }),
        ("html", &|t: &str| {
            assert!(t.contains("id=\"item-beta/shared\""), "{t}");
            assert!(t.contains("<h2 class=\"checklist\">Checklist beta <code>beta</code></h2>"));
        }),
    ] {
        let (code, out, err) = run(
            p.path(),
            &["report", "--format", format, "-o", "-", "--allow-commands"],
        );
        assert_eq!(code, 0, "{format}: {err}");
        check(&out);
    }
}

#[test]
fn the_configuration_names_one_list() {
    let p = Project::new();
    p.write(
        "preflight.toml",
        "checklist = \"postgres-production\"\nchecklists = [\"postgres-security\"]\n",
    );
    let (code, _, err) = run(p.path(), &["check"]);
    assert_eq!(code, 2);
    assert!(err.contains("preflight.toml:2:14"), "{err}");
    assert!(
        err.contains("both `checklist` and `checklists` are set"),
        "{err}"
    );
    p.write("preflight.toml", "checklists = []\n");
    let (code, _, err) = run(p.path(), &["check"]);
    assert_eq!(code, 2);
    assert!(err.contains("`checklists` names no checklist"), "{err}");
    // Two different checklists with one id: their sign-offs could not be told apart.
    p.write(
        "one.toml",
        "[checklist]\nid = \"same\"\ntitle = \"One\"\n[[item]]\nid = \"a\"\ntier = \"optional\"\ntitle = \"A\"\n",
    );
    p.write(
        "two.toml",
        "[checklist]\nid = \"same\"\ntitle = \"Two\"\n[[item]]\nid = \"b\"\ntier = \"optional\"\ntitle = \"B\"\n",
    );
    p.write(
        "preflight.toml",
        "checklists = [\"one.toml\", \"two.toml\"]\n",
    );
    let (code, _, err) = run(p.path(), &["check"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("checklists one.toml and two.toml both have the id `same`"),
        "{err}"
    );
    // The same checklist named twice counts once.
    p.write(
        "preflight.toml",
        "checklists = [\"one.toml\", \"one.toml\"]\n",
    );
    let (code, out, err) = run(p.path(), &["check", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["checklist"]["id"], "same", "{out}");
    p.write("preflight.toml", "checklists = [\"postgres-securty\"]\n");
    let (code, _, err) = run(p.path(), &["check"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `postgres-security`?"), "{err}");
}

#[test]
fn the_shipped_deployment_and_security_checklists_run_together() {
    // The combination the issue asked for: only postgres-security looks for secrets
    // in Dockerfiles; shared items (.env files not committed) run their probes once.
    let p = Project::git();
    p.write(
        "Dockerfile",
        "FROM postgres:16\nENV POSTGRES_PASSWORD=Xq7pL2vR9sKd4mWn\n",
    );
    p.commit_all("init");
    let (code, out, _) = run(
        p.path(),
        &[
            "check",
            "--checklist",
            "postgres-production,postgres-security",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1);
    let report = json(&out);
    let item = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "no-secrets-in-dockerfile")
        .expect("the security checklist's item");
    assert_eq!(item["checklist"], "postgres-security");
    assert_eq!(item["status"], "fail");
    assert!(!out.contains("Xq7pL2vR9sKd4mWn"), "the secret never shows");
}

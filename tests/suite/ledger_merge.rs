//! The ledger across versions and git branches: a ledger written by preflight 0.1.0
//! (record format 1) still verifies and counts, and new records follow it; two
//! branches that sign off different items merge with plain `git merge`, no conflict
//! and no per-clone configuration, and both sign-offs count; a branch that rewrites
//! a record is caught.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::support::{Project, run};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ledger-v1");
const JANE: &str = "Jane Engineer <jane@example.com>";
const SAM: &str = "Sam Reviewer <sam@example.com>";

/// A project like the one the fixture was written in, with the fixture's ledger.
fn fixture_project() -> Project {
    let p = Project::git();
    // The checklist as it was when the ledger was written (an item's definition is
    // part of its sign-off: a changed one makes the sign-off stale).
    let checklist = std::fs::read_to_string(Path::new(FIXTURE).join("checklist.toml")).unwrap();
    p.write("checklist.toml", &checklist);
    p.write("preflight.toml", "checklist = \"checklist.toml\"\n");
    p.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    ports:\n      - \"127.0.0.1:5434:5432\"\n",
    );
    let ledger = std::fs::read_to_string(Path::new(FIXTURE).join("ledger.jsonl")).unwrap();
    p.write(".preflight/ledger.jsonl", &ledger);
    p.commit_all("init");
    p
}

fn states(dir: &Path) -> Vec<(String, String)> {
    let (code, out, err) = run(dir, &["status", "--format", "json"]);
    assert!(code == 0 || code == 1, "{err}");
    json_states(&out)
}

fn json_states(text: &str) -> Vec<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_version_1_ledger_verifies_counts_and_is_continued() {
    // Its hashes, computed here from the bytes as written (not through preflight's
    // own record type): SHA-256 of `preflight-ledger-v1\n` and the line without its
    // trailing `"hash"` field.
    let text = std::fs::read_to_string(Path::new(FIXTURE).join("ledger.jsonl")).unwrap();
    for line in text.lines() {
        let at = line.rfind(",\"hash\":\"").unwrap();
        let body = format!("{}}}", &line[..at]);
        let hash = &line[at + 9..line.len() - 2];
        let digest = Sha256::digest(format!("preflight-ledger-v1\n{body}").as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, hash, "{line}");
    }

    let p = fixture_project();
    let (code, out, _) = run(p.path(), &["verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("7 records"), "{out}");

    // The states that binary printed (a waiver past its date is expired now).
    let then =
        json_states(&std::fs::read_to_string(Path::new(FIXTURE).join("status.json")).unwrap());
    let now = states(p.path());
    let expired =
        preflight::base::timestamp::Timestamp::now() >= "2027-06-01T00:00:00Z".parse().unwrap();
    for ((id, was), (id_now, is)) in then.iter().zip(&now) {
        assert_eq!(id, id_now);
        if expired && was == "waived" {
            assert_eq!(is, "waiver-expired");
        } else {
            assert_eq!(was, is, "{id}");
        }
    }

    // A new record follows the chain's last record and the old ones keep counting.
    let last = text.lines().last().unwrap();
    let last_hash = serde_json::from_str::<serde_json::Value>(last).unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_string();
    let (code, _, err) = run(p.path(), &["attest", "audit-log-review", "--as", JANE]);
    assert_eq!(code, 0, "{err}");
    let written = std::fs::read_to_string(p.path().join(".preflight/ledger.jsonl")).unwrap();
    assert!(
        written.starts_with(&text),
        "earlier lines are never rewritten"
    );
    let new: serde_json::Value = serde_json::from_str(written.lines().last().unwrap()).unwrap();
    assert_eq!(new["v"], 2);
    assert_eq!(new["parents"][0].as_str(), Some(last_hash.as_str()));
    let (code, out, _) = run(p.path(), &["verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("8 records"), "{out}");
    let after = states(p.path());
    assert!(after.contains(&("rotate-credentials".into(), "signed-off".into())));
    assert!(after.contains(&("audit-log-review".into(), "attested".into())));
}

#[test]
fn two_branches_merge_without_conflict_and_both_count() {
    let p = fixture_project();
    // The first record this version writes marks the ledger for git's union merge.
    let (code, _, err) = run(p.path(), &["attest", "audit-log-review", "--as", JANE]);
    assert_eq!(code, 0, "{err}");
    let attributes = std::fs::read_to_string(p.path().join(".preflight/.gitattributes")).unwrap();
    assert_eq!(attributes, "/ledger.jsonl merge=union\n");
    p.commit_all("attest audit-log-review");

    p.run_git(&["checkout", "-q", "-b", "engineer"]);
    let (code, _, err) = run(p.path(), &["attest", "ssl-enforced", "--as", JANE]);
    assert_eq!(code, 0, "{err}");
    p.commit_all("attest ssl-enforced");

    p.run_git(&["checkout", "-q", "main"]);
    let (code, _, err) = run(p.path(), &["approve", "audit-log-review", "--as", SAM]);
    assert_eq!(code, 0, "{err}");
    p.commit_all("approve audit-log-review");

    // Plain `git merge`: no driver configured in this clone.
    p.run_git(&["merge", "-q", "--no-edit", "engineer"]);
    let (code, out, _) = run(p.path(), &["verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("10 records"), "{out}");
    // Two heads until the next record joins them; a report quoting both can be checked.
    let heads = out.split("head ").nth(1).unwrap().trim().to_string();
    assert!(heads.contains('+'), "{out}");
    let (code, out, _) = run(p.path(), &["verify", "--head", &heads]);
    assert_eq!(code, 0, "{out}");
    assert!(out.matches("is record").count() == 2, "{out}");
    let now = states(p.path());
    assert!(
        now.contains(&("ssl-enforced".into(), "attested".into())),
        "{now:?}"
    );
    assert!(
        now.contains(&("audit-log-review".into(), "signed-off".into())),
        "{now:?}"
    );
    let (code, _, err) = run(p.path(), &["approve", "ssl-enforced", "--as", SAM]);
    assert_eq!(code, 0, "{err}");
    let last: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(p.path().join(".preflight/ledger.jsonl"))
            .unwrap()
            .lines()
            .last()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(last["parents"].as_array().unwrap().len(), 2, "{last}");
    let (code, out, _) = run(p.path(), &["verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains('+'), "{out}");

    // A third branch rewrites a record (a note) and is merged: caught.
    p.commit_all("approve ssl-enforced");
    p.run_git(&["checkout", "-q", "-b", "rewrite"]);
    let path = p.path().join(".preflight/ledger.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("checked the vault", "checked nothing")).unwrap();
    p.commit_all("rewrite history");
    p.run_git(&["checkout", "-q", "main"]);
    p.run_git(&["merge", "-q", "--no-edit", "rewrite"]);
    let (code, out, _) = run(p.path(), &["verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("was modified"), "{out}");
}

//! Sign-off: the ledger under concurrent and killed writers and tampering, the derived
//! states (staleness, waiver expiry with an injected clock), and the commands.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use preflight::base::diagnostic::SourceFile;
use preflight::base::timestamp::{Timestamp, parse_deadline};
use preflight::checklist::{Checklist, Item, load_source};
use preflight::signoff::ledger::verify;
use preflight::signoff::{
    Action, ChainProblem, Entry, Identity, ItemSignoff, Ledger, Record, State, Waiver,
};

use crate::support::{SIGNOFF_CHECKLIST, ledger_lines, run, signoff_project};

const JANE: &str = "Jane Doe <jane@example.com>";
const RAJ: &str = "Raj Patel <raj@example.com>";

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn entry(item: &str, action: Action, by: &str, when: &str) -> Entry {
    Entry {
        checklist: "signoff-fixture".into(),
        checklist_file: None,
        item: item.into(),
        env: "production".into(),
        action,
        by: Identity::parse(by).unwrap(),
        at: at(when),
        note: Some(format!("{action} {item}")),
        item_digest: "item-digest".into(),
        evidence_digest: "evidence-digest".into(),
        waiver: None,
    }
}

/// A ledger of `n` records in a temporary directory.
fn ledger_with(n: usize) -> (tempfile::TempDir, Ledger) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::new(dir.path().join("ledger.jsonl"));
    std::fs::write(dir.path().join("cfg.toml"), "ledger = \"ledger.jsonl\"\n").unwrap();
    for i in 0..n {
        let by = if i.is_multiple_of(2) { JANE } else { RAJ };
        ledger
            .append(entry(
                &format!("item-{i}"),
                Action::Attest,
                by,
                "2026-11-22T10:00:00Z",
            ))
            .unwrap();
    }
    (dir, ledger)
}

fn write_lines(path: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(path, text).unwrap();
}

#[test]
fn an_intact_chain_verifies_and_links_every_record() {
    let (_dir, ledger) = ledger_with(4);
    let contents = ledger.read().unwrap();
    assert_eq!(contents.problem, None);
    assert_eq!(contents.records.len(), 4);
    for (i, r) in contents.records.iter().enumerate() {
        assert_eq!(r.pos, i as u64 + 1);
        assert_eq!(r.hash, r.compute_hash());
        if i > 0 {
            assert_eq!(r.parents, [contents.records[i - 1].hash.clone()]);
        } else {
            assert!(r.parents.is_empty());
        }
    }
    assert_eq!(contents.head(), Some(contents.records[3].hash.clone()));
}

#[test]
fn editing_or_deleting_any_record_fails_at_that_line_and_order_does_not_matter() {
    let (dir, ledger) = ledger_with(5);
    let path = ledger.path().to_path_buf();
    let original = ledger_lines_of(&path);
    for i in 0..original.len() {
        let line = i + 1;
        // Edit: a different note, the same hash.
        let mut lines = original.clone();
        lines[i] = lines[i].replace("\"note\":\"attest", "\"note\":\"ATTEST");
        assert_ne!(lines[i], original[i]);
        write_lines(&path, &lines);
        assert_eq!(
            ledger.read().unwrap().problem,
            Some(ChainProblem::Modified { line })
        );
        let (code, out, _) = run(dir.path(), &["verify", "--config", "cfg.toml"]);
        assert_eq!(
            (code, out.contains(&format!("BROKEN at line {line}"))),
            (1, true),
            "{out}"
        );

        // Delete (the last record's deletion is caught by `verify --head`, below).
        if line < original.len() {
            let mut lines = original.clone();
            lines.remove(i);
            write_lines(&path, &lines);
            let problem = ledger.read().unwrap().problem.unwrap();
            assert!(
                matches!(problem, ChainProblem::BrokenLink { .. }),
                "{problem}"
            );
            assert_eq!(problem.line(), line, "{problem}");

            // Swapped with the next record (as a union merge may order lines): the
            // same records, in the same order, no problem.
            let mut lines = original.clone();
            lines.swap(i, i + 1);
            write_lines(&path, &lines);
            let contents = ledger.read().unwrap();
            assert_eq!(contents.problem, None);
            let hashes: Vec<String> = contents.records.iter().map(|r| r.hash.clone()).collect();
            let expected: Vec<String> = original.iter().map(|l| ledger_hash_of(l)).collect();
            assert_eq!(hashes, expected);
        }
    }
    // Removing trailing records: the head a report quoted is no longer there.
    let head = ledger_hash_of(&original[4]);
    write_lines(&path, &original[..4]);
    let (code, out, _) = run(
        dir.path(),
        &["verify", "--config", "cfg.toml", "--head", &head[..16]],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("is NOT in the ledger"), "{out}");
    write_lines(&path, &original);
    let (code, out, _) = run(
        dir.path(),
        &[
            "verify",
            "--config",
            "cfg.toml",
            "--head",
            &ledger_hash_of(&original[2]),
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("is record 3; 2 records were added since"),
        "{out}"
    );
}

fn ledger_lines_of(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn ledger_hash_of(line: &str) -> String {
    serde_json::from_str::<Record>(line).unwrap().hash
}

#[test]
fn a_torn_last_line_is_reported_precisely_at_every_cut() {
    let (_dir, ledger) = ledger_with(3);
    let bytes = std::fs::read(ledger.path()).unwrap();
    let last_start = bytes[..bytes.len() - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap()
        + 1;
    for cut in last_start + 1..bytes.len() {
        let contents = verify(&bytes[..cut], Timestamp::now());
        assert_eq!(
            contents.problem,
            Some(ChainProblem::TornTail {
                line: 3,
                offset: last_start as u64,
                len: cut - last_start,
            }),
            "cut at {cut}"
        );
        assert_eq!(contents.records.len(), 2, "earlier records survive");
    }
    assert_eq!(verify(&bytes[..last_start], Timestamp::now()).problem, None);
}

#[test]
fn a_torn_tail_blocks_appends_until_repaired_and_the_torn_bytes_are_kept() {
    let (dir, ledger) = ledger_with(2);
    let mut bytes = std::fs::read(ledger.path()).unwrap();
    bytes.extend_from_slice(b"{\"v\":2,\"parents\":[\"ab");
    std::fs::write(ledger.path(), &bytes).unwrap();
    let err = ledger
        .append(entry("x", Action::Attest, JANE, "2026-11-22T10:00:00Z"))
        .unwrap_err();
    assert!(err.to_string().contains("line 3 is incomplete"), "{err}");
    let (code, out, _) = run(dir.path(), &["verify", "--config", "cfg.toml"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("BROKEN at line 3: line 3 is incomplete: 21 bytes from byte"),
        "{out}"
    );
    let (code, out, _) = run(dir.path(), &["verify", "--config", "cfg.toml", "--repair"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("chain intact"), "{out}");
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".torn-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(
        std::fs::read(aside[0].path()).unwrap(),
        b"{\"v\":2,\"parents\":[\"ab"
    );
    ledger
        .append(entry("x", Action::Attest, JANE, "2026-11-22T10:00:00Z"))
        .unwrap();
    assert_eq!(ledger.read().unwrap().records.len(), 3);
}

#[test]
fn concurrent_writers_lose_no_record() {
    const WRITERS: usize = 6;
    const EACH: usize = 12;
    let p = signoff_project(true);
    let dir = p.path().to_path_buf();
    let threads: Vec<_> = (0..WRITERS)
        .map(|w| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                for n in 0..EACH {
                    let who = format!("Writer {w} <w{w}@example.com>");
                    let note = format!("w{w}-{n}");
                    let (code, _, err) = run(
                        &dir,
                        &["attest", "audit-log-review", "--as", &who, "--note", &note],
                    );
                    assert_eq!(code, 0, "{err}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let contents = Ledger::new(dir.join(".preflight/ledger.jsonl"))
        .read()
        .unwrap();
    assert_eq!(contents.problem, None);
    assert_eq!(contents.records.len(), WRITERS * EACH);
    for w in 0..WRITERS {
        for n in 0..EACH {
            let note = format!("w{w}-{n}");
            assert_eq!(
                contents
                    .records
                    .iter()
                    .filter(|r| r.note.as_deref() == Some(note.as_str()))
                    .count(),
                1,
                "{note}"
            );
        }
    }
    let (code, out, _) = run(&dir, &["verify"]);
    assert_eq!(code, 0, "{out}");
    let n = WRITERS * EACH;
    assert!(
        out.contains(&format!("{n} records ({n} for production), chain intact")),
        "{out}"
    );
}

#[test]
fn writers_killed_at_random_points_never_damage_earlier_records() {
    let p = signoff_project(true);
    let dir = p.path();
    let ledger = Ledger::new(dir.join(".preflight/ledger.jsonl"));
    // A fixed-seed generator: the delays differ per round but every run is the same.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut random = move |bound: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % bound
    };
    let mut committed: Vec<Record> = Vec::new();
    for round in 0..30 {
        let mut child = crate::support::preflight(dir)
            .args(["attest", "audit-log-review", "--as", JANE])
            .args(["--note", &format!("round {round}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(random(20_000)));
        let _ = child.kill();
        let _ = child.wait();
        let contents = ledger.read().unwrap();
        assert!(
            contents.records.starts_with(&committed),
            "round {round}: earlier records changed"
        );
        match &contents.problem {
            None => {}
            Some(ChainProblem::TornTail { line, .. }) => {
                assert_eq!(*line, contents.records.len() + 1);
                let (code, out, _) = run(dir, &["verify"]);
                assert_eq!(code, 1);
                assert!(out.contains(&format!("BROKEN at line {line}: line {line} is incomplete")));
                assert_eq!(run(dir, &["verify", "--repair"]).0, 0);
            }
            Some(other) => panic!("round {round}: {other}"),
        }
        committed = ledger.read().unwrap().records;
    }
    // A line is appended with one write call, so a kill rarely tears it; the
    // cut-by-cut test above covers torn lines exhaustively.
    assert_eq!(run(dir, &["verify"]).0, 0);
}

fn fixture() -> Checklist {
    load_source(
        &SourceFile::new("checklist.toml", SIGNOFF_CHECKLIST),
        "test",
        &preflight::probe::catalog::Catalog,
    )
    .unwrap()
}

fn fixture_item(id: &str) -> Item {
    fixture().item(id).unwrap().clone()
}

/// Seals entries into records as the ledger would.
fn chain(entries: Vec<Entry>) -> Vec<Record> {
    let mut records: Vec<Record> = Vec::new();
    for e in entries {
        let parents = records.last().map(|r| r.hash.clone()).into_iter().collect();
        records.push(Record::seal(e, parents));
    }
    records
}

fn signed_off(item: &Item, attested: &str) -> Vec<Record> {
    let digest = item.digest();
    let with = |e: Entry| Entry {
        item: item.id.clone(),
        item_digest: digest.clone(),
        ..e
    };
    chain(vec![
        with(entry("", Action::Attest, JANE, attested)),
        with(entry("", Action::Approve, RAJ, attested)),
    ])
}

fn state(item: &Item, records: &[Record], evidence: &str, now: &str) -> ItemSignoff {
    ItemSignoff::derive(
        &fixture().parts[0],
        item,
        "production",
        records,
        &item.digest(),
        evidence,
        at(now),
    )
}

#[test]
fn a_changed_definition_makes_a_sign_off_stale() {
    let item = fixture_item("rotate-credentials");
    let records = signed_off(&item, "2026-11-01T09:00:00Z");
    let now = "2026-11-02T09:00:00Z";
    assert_eq!(
        state(&item, &records, "evidence-digest", now).state,
        State::SignedOff
    );
    let edited = Item {
        remediation: "Rotate it and also revoke the old user.".into(),
        ..item
    };
    let s = state(&edited, &records, "evidence-digest", now);
    assert_eq!(s.state, State::Stale);
    assert_eq!(
        s.stale_reasons,
        ["the item's definition changed since it was attested on 2026-11-01"]
    );
}

#[test]
fn changed_evidence_makes_a_sign_off_stale() {
    let item = fixture_item("bind-ports-localhost");
    let records = signed_off(&item, "2026-11-01T09:00:00Z");
    let s = state(&item, &records, "other-evidence", "2026-11-01T10:00:00Z");
    assert_eq!(s.state, State::Stale);
    assert_eq!(
        s.stale_reasons,
        ["the probe evidence changed since it was attested on 2026-11-01"]
    );
}

#[test]
fn an_elapsed_cadence_makes_a_sign_off_stale() {
    let weekly = fixture_item("audit-log-review");
    let records = signed_off(&weekly, "2026-11-01T09:00:00Z");
    let s = state(&weekly, &records, "evidence-digest", "2026-11-08T08:59:59Z");
    assert_eq!(s.state, State::SignedOff);
    assert_eq!(s.due, Some(at("2026-11-08T09:00:00Z")));
    let s = state(&weekly, &records, "evidence-digest", "2026-11-08T09:00:00Z");
    assert_eq!(s.state, State::Stale);
    assert_eq!(
        s.stale_reasons,
        ["it recurs every 7d: last attested on 2026-11-01, due 2026-11-08T09:00:00Z"]
    );
    let quarterly = fixture_item("rotate-credentials");
    let records = signed_off(&quarterly, "2026-11-01T09:00:00Z");
    assert_eq!(
        state(
            &quarterly,
            &records,
            "evidence-digest",
            "2027-01-29T09:00:00Z"
        )
        .state,
        State::SignedOff
    );
    assert_eq!(
        state(
            &quarterly,
            &records,
            "evidence-digest",
            "2027-01-30T09:00:00Z"
        )
        .state,
        State::Stale
    );
}

#[test]
fn attested_awaits_review_and_revoke_returns_to_pending() {
    let item = fixture_item("rotate-credentials");
    let mut entries = vec![Entry {
        item: item.id.clone(),
        item_digest: item.digest(),
        ..entry("", Action::Attest, JANE, "2026-11-01T09:00:00Z")
    }];
    let now = "2026-11-01T10:00:00Z";
    assert_eq!(
        state(&item, &chain(entries.clone()), "evidence-digest", now).state,
        State::Attested
    );
    // An approval by the attester never counts, whatever wrote the ledger.
    entries.push(Entry {
        item: item.id.clone(),
        ..entry("", Action::Approve, "jane doe <other@example.com>", now)
    });
    assert_eq!(
        state(&item, &chain(entries.clone()), "evidence-digest", now).state,
        State::Attested
    );
    entries.push(Entry {
        item: item.id.clone(),
        ..entry("", Action::Revoke, RAJ, now)
    });
    assert_eq!(
        state(&item, &chain(entries), "evidence-digest", now).state,
        State::Pending
    );
}

fn waived_until(item: &Item, until: &str) -> Vec<Record> {
    chain(vec![Entry {
        item: item.id.clone(),
        waiver: Some(Waiver {
            reason: "internal network until the migration".into(),
            expires: Some(parse_deadline(until).unwrap()),
        }),
        ..entry("", Action::Waive, JANE, "2026-11-01T09:00:00Z")
    }])
}

#[test]
fn a_dated_waiver_holds_through_the_end_of_that_day_in_utc() {
    let item = fixture_item("ssl-enforced");
    let records = waived_until(&item, "2026-11-30");
    let check = |now: &str| state(&item, &records, "evidence-digest", now).state;
    assert_eq!(check("2026-11-30T23:59:59Z"), State::Waived);
    assert_eq!(check("2026-12-01T00:00:00Z"), State::WaiverExpired);
    // The same instants written in other zones mean the same thing.
    assert_eq!(check("2026-11-30T15:59:59-08:00"), State::Waived);
    assert_eq!(check("2026-11-30T16:00:00-08:00"), State::WaiverExpired);
    assert_eq!(check("2026-12-01T00:59:59+01:00"), State::Waived);
    assert_eq!(check("2026-12-01T01:00:00+01:00"), State::WaiverExpired);
    assert_eq!(check("2026-12-01T10:29:59+10:30"), State::Waived);
    assert_eq!(check("2026-12-01T10:30:00+10:30"), State::WaiverExpired);
}

#[test]
fn a_waiver_until_a_time_with_an_offset_expires_at_that_instant() {
    let item = fixture_item("ssl-enforced");
    let records = waived_until(&item, "2026-11-30T18:00:00-08:00");
    let check = |now: &str| state(&item, &records, "evidence-digest", now).state;
    assert_eq!(check("2026-12-01T01:59:59Z"), State::Waived);
    assert_eq!(check("2026-12-01T02:00:00Z"), State::WaiverExpired);
    let records = waived_until(&item, "2026-12-01T00:30:00+01:00");
    let check = |now: &str| state(&item, &records, "evidence-digest", now).state;
    assert_eq!(check("2026-11-30T23:29:59Z"), State::Waived);
    assert_eq!(check("2026-11-30T23:30:00Z"), State::WaiverExpired);
}

#[test]
fn the_attester_cannot_approve_their_own_attestation() {
    let p = signoff_project(true);
    let dir = p.path();
    let (code, out, err) = run(dir, &["attest", "rotate-credentials", "--as", JANE]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "attested `rotate-credentials` in production as Jane Doe <jane@example.com>: record 1"
        ),
        "{out}"
    );
    for same in [
        JANE,
        "Jane Doe <jane.doe@home.example>",
        "J. D. <JANE@example.com>",
    ] {
        let (code, _, err) = run(dir, &["approve", "rotate-credentials", "--as", same]);
        assert_eq!(code, 2, "{same}");
        // The refusal names the one approving, and whose record it is.
        assert!(
            err.contains(&format!(
                "{same} cannot approve `rotate-credentials`: they attested it themselves (Jane Doe <jane@example.com>), and approval must come from someone else"
            )),
            "{err}"
        );
    }
    assert_eq!(
        ledger_lines(dir).len(),
        1,
        "a refused approval writes nothing"
    );
    let (code, _, err) = run(dir, &["approve", "rotate-credentials", "--as", RAJ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(dir, &["approve", "rotate-credentials", "--as", RAJ]);
    assert_eq!(code, 2);
    assert!(err.contains("has already approved"), "{err}");
}

#[test]
fn identity_comes_from_git_config() {
    let p = signoff_project(true);
    p.run_git(&["config", "user.name", "Git User"]);
    p.run_git(&["config", "user.email", "git.user@example.com"]);
    let (code, out, err) = run(p.path(), &["attest", "ssl-enforced"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("as Git User <git.user@example.com>"), "{out}");
}

#[test]
fn refusals_and_bad_input_are_clear() {
    let p = signoff_project(false);
    let dir = p.path();
    let cases: &[(&[&str], &str)] = &[
        (
            &["attest", "bind-ports-localhost", "--as", JANE],
            "cannot be attested while its probes fail (compose-ports:",
        ),
        (
            &["attest", "rotate-credentialz", "--as", JANE],
            "has no item `rotate-credentialz` (did you mean `rotate-credentials`?)",
        ),
        (
            &["attest", "ssl-enforced", "--env", "prodution", "--as", JANE],
            "unknown environment `prodution` (did you mean `production`?)",
        ),
        (
            &["approve", "ssl-enforced", "--as", RAJ],
            "has no attestation or waiver in production to approve",
        ),
        (
            &["revoke", "ssl-enforced", "--as", RAJ],
            "has no attestation or waiver in production to revoke",
        ),
        (
            &[
                "waive",
                "ssl-enforced",
                "--reason",
                "x",
                "--until",
                "30/11/2026",
                "--as",
                JANE,
            ],
            "end of that day in UTC",
        ),
        (
            &[
                "waive",
                "ssl-enforced",
                "--reason",
                "x",
                "--until",
                "2020-01-01",
                "--as",
                JANE,
            ],
            "would already have expired",
        ),
        (
            &[
                "waive",
                "ssl-enforced",
                "--reason",
                "  ",
                "--permanent",
                "--as",
                JANE,
            ],
            "a waiver needs a reason: say why the item is skipped",
        ),
        (
            &["attest", "ssl-enforced", "--as", "Jane <nope>"],
            "--as: `nope` in `Jane <nope>` is not an e-mail address",
        ),
    ];
    for (args, expected) in cases {
        let (code, _, err) = run(dir, args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    let (code, _, err) = run(
        dir,
        &["waive", "ssl-enforced", "--reason", "x", "--as", JANE],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("--until"),
        "clap names the missing choice: {err}"
    );
    assert!(ledger_lines(dir).is_empty());
}

#[test]
fn require_signoff_is_the_go_no_go_gate() {
    let p = signoff_project(true);
    let dir = p.path();
    let (code, out, _) = run(dir, &["check", "--require-signoff"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("NO-GO: not ready for production"), "{out}");
    assert!(
        out.contains("rotate-credentials (critical): not signed off"),
        "{out}"
    );
    assert!(
        out.contains("audit-log-review (recommended): manual item not attested"),
        "{out}"
    );
    assert!(
        !out.contains("connection-pooling ("),
        "optional items never block: {out}"
    );

    for item in [
        "bind-ports-localhost",
        "rotate-credentials",
        "env-not-committed",
    ] {
        assert_eq!(run(dir, &["attest", item, "--as", JANE]).0, 0);
    }
    let (code, out, _) = run(dir, &["check", "--require-signoff"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("rotate-credentials (critical): attested but not yet approved by a reviewer"),
        "{out}"
    );
    for item in [
        "bind-ports-localhost",
        "rotate-credentials",
        "env-not-committed",
    ] {
        assert_eq!(run(dir, &["approve", item, "--as", RAJ]).0, 0);
    }
    assert_eq!(run(dir, &["attest", "audit-log-review", "--as", JANE]).0, 0);
    let (code, _, err) = run(
        dir,
        &[
            "waive",
            "ssl-enforced",
            "--reason",
            "internal network only",
            "--until",
            "2099-12-31",
            "--as",
            JANE,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = run(dir, &["check", "--require-signoff"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("GO: every critical item passes and is signed off or waived"),
        "{out}"
    );

    // Breaking the Compose file changes the evidence: the sign-off is stale, no-go.
    p.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    ports:\n      - \"5434:5432\"\n",
    );
    let (code, out, _) = run(dir, &["check", "--require-signoff"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("bind-ports-localhost (critical): its probes fail"),
        "{out}"
    );

    let (code, out, _) = run(dir, &["status", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let item = |id: &str| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(item("bind-ports-localhost")["state"], "stale");
    assert_eq!(item("bind-ports-localhost")["probe_status"], "fail");
    assert_eq!(item("rotate-credentials")["state"], "signed-off");
    assert_eq!(item("rotate-credentials")["tier"], "critical");
    assert_eq!(item("audit-log-review")["state"], "attested");
    assert_eq!(item("ssl-enforced")["state"], "waived");
    assert_eq!(
        item("ssl-enforced")["waiver"]["expires"],
        "2100-01-01T00:00:00Z"
    );
    assert_eq!(item("connection-pooling")["state"], "pending");

    let (code, out, _) = run(dir, &["history", "rotate-credentials"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("attest   rotate-credentials  Jane Doe <jane@example.com>"),
        "{out}"
    );
    assert!(
        out.contains("approve  rotate-credentials  Raj Patel <raj@example.com>"),
        "{out}"
    );
}

#[test]
fn the_user_settings_identity_comes_before_git_and_bad_settings_are_located() {
    let p = signoff_project(true);
    p.run_git(&["config", "user.name", "Git User"]);
    // The test binary runs with HOME set to the project, so the platform's
    // configuration directory is `.config/preflight` inside it.
    p.write(
        ".config/preflight/settings.toml",
        "identity = \"Sam Reviewer <sam@example.com>\"\n",
    );
    let (code, out, err) = run(p.path(), &["attest", "ssl-enforced"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("as Sam Reviewer <sam@example.com>"), "{out}");
    p.write(
        ".config/preflight/settings.toml",
        "identity = \"Sam\"\nidentiy = 1\n",
    );
    let (code, _, err) = run(p.path(), &["attest", "ssl-enforced"]);
    assert_eq!(code, 2);
    assert!(err.contains("settings.toml:2:1"), "{err}");
    assert!(err.contains("did you mean `identity`?"), "{err}");
}

#[test]
fn status_shows_what_changed_since_the_last_run() {
    let p = signoff_project(true);
    let (code, out, _) = run(p.path(), &["status"]);
    assert_eq!(code, 0);
    assert!(
        !out.contains("since the last run"),
        "a first run has nothing to compare: {out}"
    );
    let (_, out, _) = run(p.path(), &["status"]);
    assert!(
        out.contains("no probe status changed since the last run ("),
        "{out}"
    );
    p.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    ports:\n      - \"5434:5432\"\n",
    );
    let (_, out, _) = run(p.path(), &["status"]);
    assert!(out.contains("changed since the last run ("), "{out}");
    assert!(out.contains("  bind-ports-localhost: pass → fail"), "{out}");
}

/// A writer whose clock is behind the ledger's latest record is refused (its record
/// would be dated before the records it follows).
#[test]
fn a_clock_behind_the_ledger_is_refused() {
    let (_dir, ledger) = ledger_with(0);
    ledger
        .append(entry("x", Action::Attest, JANE, "2026-11-22T10:00:00Z"))
        .unwrap();
    // Within the allowed skew (5 minutes): fine.
    ledger
        .append(entry("y", Action::Attest, JANE, "2026-11-22T09:56:00Z"))
        .unwrap();
    let err = ledger
        .append(entry("z", Action::Attest, JANE, "2026-11-22T09:00:00Z"))
        .unwrap_err();
    assert!(
        err.to_string().contains("this machine's clock says 2026-11-22T09:00:00Z, before the ledger's latest record (2026-11-22T10:00:00Z)"),
        "{err}"
    );
    assert_eq!(ledger.read().unwrap().records.len(), 2);
}

/// A branch that makes `.preflight` a link out of the project gets nothing written
/// through it.
#[test]
fn nothing_is_written_through_a_linked_ledger_folder() {
    let p = signoff_project(true);
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), p.path().join(".preflight")).unwrap();
    let (code, _, err) = run(p.path(), &["attest", "rotate-credentials", "--as", JANE]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("is a symbolic link; nothing is written through it"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
}

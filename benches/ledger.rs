//! Ledger throughput: appends (each locked, verified and fsynced), verification of a
//! 10,000-record ledger, and the same ledger signed: signing 10,000 records with an
//! ed25519 key and verifying every signature against an allowed-signers file (target:
//! read, verify and check signatures in ≤ 1 s). Run with `cargo bench --bench ledger`;
//! prints medians of 5 rounds.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use preflight::base::timestamp::Timestamp;
use preflight::signoff::ledger::verify;
use preflight::signoff::{Action, Entry, Identity, Ledger};

fn entry(i: usize) -> Entry {
    Entry {
        checklist: "postgres-production".into(),
        checklist_file: None,
        item: format!("item-{}", i % 30),
        env: "production".into(),
        action: if i.is_multiple_of(2) {
            Action::Attest
        } else {
            Action::Approve
        },
        by: Identity::parse(if i.is_multiple_of(2) {
            "Jane <jane@example.com>"
        } else {
            "Raj <raj@example.com>"
        })
        .unwrap(),
        at: "2026-11-22T10:00:00Z".parse().unwrap(),
        note: Some(format!("note {i}")),
        item_digest: "a".repeat(64),
        evidence_digest: "b".repeat(64),
        waiver: None,
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    // Appends: each one re-verifies the whole chain under the lock, so the cost grows
    // with the ledger; measure at 0 and at 1,000 existing records.
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::new(dir.path().join("ledger.jsonl"));
    let mut first = Vec::new();
    for i in 0..100 {
        let t = Instant::now();
        ledger.append(entry(i)).unwrap();
        first.push(t.elapsed());
    }
    for i in 100..1_000 {
        ledger.append(entry(i)).unwrap();
    }
    let mut later = Vec::new();
    for i in 1_000..1_100 {
        let t = Instant::now();
        ledger.append(entry(i)).unwrap();
        later.push(t.elapsed());
    }
    println!(
        "append (lock, verify, write, fsync), ledger of <100 records: median {:?}",
        median(first)
    );
    println!(
        "append, ledger of ~1,000 records: median {:?}",
        median(later)
    );

    // Verification of a 10,000-record ledger from memory.
    let big = tempfile::tempdir().unwrap();
    let big_ledger = Ledger::new(big.path().join("ledger.jsonl"));
    let mut text = String::new();
    let mut parents: Vec<String> = Vec::new();
    for i in 0..10_000 {
        let r = preflight::signoff::Record::seal(entry(i), parents);
        parents = vec![r.hash.clone()];
        text.push_str(&r.to_line());
        text.push('\n');
    }
    std::fs::write(big_ledger.path(), &text).unwrap();
    let rounds: Vec<Duration> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let contents = big_ledger.read().unwrap();
            assert_eq!(contents.records.len(), 10_000);
            t.elapsed()
        })
        .collect();
    println!(
        "read + verify 10,000 records ({} KiB): median {:?}",
        text.len() / 1024,
        median(rounds)
    );
    let t = Instant::now();
    assert!(verify(text.as_bytes(), Timestamp::now()).problem.is_none());
    println!("verify only (in memory): {:?}", t.elapsed());

    // The same ledger, every record signed with an ed25519 key.
    let key =
        ssh_key::PrivateKey::random(&mut ssh_key::rand_core::OsRng, ssh_key::Algorithm::Ed25519)
            .unwrap();
    let public = key.public_key().to_openssh().unwrap();
    let signer = preflight::system::ssh::Signer::Key(Box::new(key));
    let signed = tempfile::tempdir().unwrap();
    let signed_ledger = Ledger::new(signed.path().join("ledger.jsonl"));
    let mut text = String::new();
    let mut parents: Vec<String> = Vec::new();
    let t = Instant::now();
    for i in 0..10_000 {
        let mut r = preflight::signoff::Record::seal(entry(i), parents);
        r.sig = Some(signer.sign("preflight", r.signed_message()).unwrap());
        parents = vec![r.hash.clone()];
        text.push_str(&r.to_line());
        text.push('\n');
    }
    println!(
        "sign 10,000 records (ed25519, in process): {:?}",
        t.elapsed()
    );
    std::fs::write(signed_ledger.path(), &text).unwrap();
    let signers = preflight::system::ssh::allowed_signers::AllowedSigners::parse(&format!(
        "jane@example.com,raj@example.com {public}\n"
    ))
    .unwrap();
    let trust = preflight::signoff::Trust {
        signers: Some(signers),
        reviewers: Vec::new(),
        require_signatures: true,
    };
    let rounds: Vec<Duration> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let mut contents = signed_ledger.read().unwrap();
            trust.apply(&mut contents);
            assert!(
                contents
                    .records
                    .iter()
                    .all(|r| matches!(r.standing, preflight::signoff::Standing::Signed { .. }))
            );
            t.elapsed()
        })
        .collect();
    println!(
        "read + verify + check 10,000 signatures ({} KiB): median {:?} (target <= 1 s)",
        text.len() / 1024,
        median(rounds)
    );
}

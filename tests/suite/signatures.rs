//! Signed sign-offs with real keys: three keys made by `ssh-keygen` (an engineer's
//! ed25519 key in a file, a reviewer's ECDSA key held only by a running `ssh-agent`,
//! an outsider's RSA key), the project's allowed-signers file and reviewer list.
//! Signed attest and approve give `signed-off`; an approval by the engineer's own key,
//! by the outsider, or unsigned counts for nothing; forged records (appended with a
//! correct hash, edited and re-hashed, dated in the future) are caught by `verify` and
//! count for nothing; `ssh-keygen -Y verify` accepts preflight's signatures and
//! preflight accepts `ssh-keygen -Y sign`'s.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use preflight::signoff::{Action, Entry, Identity, Ledger};
use preflight::system::ssh::{Signer, verify};

use crate::support::{Project, run, signoff_project};

const JANE: &str = "Jane Engineer <jane@example.com>";
const SAM: &str = "Sam Reviewer <sam@example.com>";
const EVE: &str = "Eve Outsider <eve@example.com>";

/// A running `ssh-agent` on a socket of its own, stopped on drop.
struct Agent {
    child: Child,
    socket: PathBuf,
}

impl Agent {
    fn start(dir: &Path) -> Agent {
        let socket = dir.join("agent.sock");
        let child = Command::new("ssh-agent")
            .args(["-D", "-a"])
            .arg(&socket)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ssh-agent runs");
        for _ in 0..200 {
            if socket.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(socket.exists(), "ssh-agent did not start");
        Agent { child, socket }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keygen(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-N", "", "-C", name, "-f"])
        .arg(&path)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

fn public(path: &Path) -> String {
    std::fs::read_to_string(path.with_extension("pub"))
        .unwrap()
        .trim()
        .to_string()
}

/// The keys, the agent holding the reviewer's, and a project whose allowed-signers
/// file names all three and whose reviewer is Sam.
struct Team {
    _keys: tempfile::TempDir,
    agent: Agent,
    engineer: PathBuf,
    reviewer_pub: PathBuf,
    outsider: PathBuf,
    project: Project,
}

impl Team {
    fn new() -> Team {
        let keys = tempfile::tempdir().unwrap();
        let engineer = keygen(keys.path(), "engineer", &["-t", "ed25519"]);
        let reviewer = keygen(keys.path(), "reviewer", &["-t", "ecdsa", "-b", "256"]);
        let outsider = keygen(keys.path(), "outsider", &["-t", "rsa", "-b", "3072"]);
        let agent = Agent::start(keys.path());
        let out = Command::new("ssh-add")
            .arg(&reviewer)
            .env("SSH_AUTH_SOCK", &agent.socket)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // From now on only the agent holds the reviewer's private key.
        std::fs::remove_file(&reviewer).unwrap();
        let project = signoff_project(true);
        project.write(
            ".preflight/allowed_signers",
            &format!(
                "jane@example.com {}\nsam@example.com namespaces=\"preflight,git\" {}\neve@example.com {}\n",
                public(&engineer),
                public(&reviewer),
                public(&outsider)
            ),
        );
        project.write(
            "preflight.toml",
            "checklist = \"checklist.toml\"\n\n[signoff]\nreviewers = [\"sam@example.com\"]\n",
        );
        project.commit_all("signers");
        Team {
            reviewer_pub: reviewer.with_extension("pub"),
            _keys: keys,
            agent,
            engineer,
            outsider,
            project,
        }
    }

    /// Runs preflight in the project with the agent.
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = crate::support::preflight(self.project.path())
            .env("SSH_AUTH_SOCK", &self.agent.socket)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn state(&self, item: &str) -> String {
        let (_, out, err) = self.run(&["status", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{err}"));
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == item)
            .unwrap()["state"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn ledger(&self) -> Ledger {
        Ledger::new(self.project.path().join(".preflight/ledger.jsonl"))
    }

    /// Appends a record as someone writing the ledger by hand would: no rules, signed
    /// with `key` (a private key file) or not at all.
    fn forge(&self, item: &str, action: Action, by: &str, key: Option<&Path>) {
        let signer = key.map(|k| Signer::from_setting(k.to_str().unwrap(), None).unwrap());
        let template = self
            .ledger()
            .read()
            .unwrap()
            .records
            .into_iter()
            .find(|r| r.item == item);
        let (item_digest, evidence_digest) = template
            .map(|r| (r.item_digest, r.evidence_digest))
            .unwrap_or_default();
        self.ledger()
            .append_with::<preflight::signoff::LedgerError>(
                |_| {
                    Ok(Entry {
                        item_digest,
                        evidence_digest,
                        ..fixture_entry(item, action, by, None)
                    })
                },
                |record| {
                    Ok(signer
                        .as_ref()
                        .map(|s| s.sign("preflight", record.signed_message()).unwrap()))
                },
            )
            .unwrap();
    }
}

/// An entry under the fixture checklist, made now, with empty digests.
fn fixture_entry(item: &str, action: Action, by: &str, note: Option<&str>) -> Entry {
    Entry {
        checklist: "signoff-fixture".into(),
        checklist_file: Some(preflight::signoff::ChecklistFile {
            path: "checklist.toml".into(),
            sha256: digest_of_checklist(),
        }),
        item: item.into(),
        env: "production".into(),
        action,
        by: Identity::parse(by).unwrap(),
        at: preflight::base::timestamp::Timestamp::now(),
        note: note.map(str::to_string),
        item_digest: String::new(),
        evidence_digest: String::new(),
        waiver: None,
    }
}

fn digest_of_checklist() -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(crate::support::SIGNOFF_CHECKLIST.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn ssh_keygen_verify(signers: &Path, principal: &str, message: &str, sig: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let sig_path = dir.path().join("msg.sig");
    std::fs::write(&sig_path, sig).unwrap();
    let mut child = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-n", "preflight", "-I", principal, "-f"])
        .arg(signers)
        .arg("-s")
        .arg(&sig_path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(message.as_bytes())
        .unwrap();
    child.wait().unwrap().success()
}

#[test]
fn signed_sign_off_by_allowed_signers_counts_and_nothing_else_does() {
    let t = Team::new();
    let engineer = t.engineer.to_str().unwrap();
    let reviewer = t.reviewer_pub.to_str().unwrap();
    let outsider = t.outsider.to_str().unwrap();

    // Unsigned, where an allowed-signers file exists: refused before anything is written.
    let (code, _, err) = t.run(&["attest", "rotate-credentials", "--as", JANE]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("would not count") && err.contains("--key"),
        "{err}"
    );
    // Jane's key cannot sign as Sam.
    let (code, _, err) = t.run(&[
        "attest",
        "rotate-credentials",
        "--as",
        SAM,
        "--key",
        engineer,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("may sign as jane@example.com, not as sam@example.com"),
        "{err}"
    );

    // Signed attest (key file), signed approve (through the agent): signed off.
    let (code, _, err) = t.run(&[
        "attest",
        "rotate-credentials",
        "--as",
        JANE,
        "--key",
        engineer,
    ]);
    assert_eq!(code, 0, "{err}");
    // The outsider is an allowed signer but not a reviewer: refused.
    let (code, _, err) = t.run(&[
        "approve",
        "rotate-credentials",
        "--as",
        EVE,
        "--key",
        outsider,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not one of the reviewers"), "{err}");
    assert_eq!(t.state("rotate-credentials"), "attested");
    let (code, _, err) = t.run(&[
        "approve",
        "rotate-credentials",
        "--as",
        SAM,
        "--key",
        reviewer,
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(t.state("rotate-credentials"), "signed-off");
    let (code, out, _) = t.run(&["verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("signatures: 2 signed by allowed signers, 0 do not count"),
        "{out}"
    );

    // ssh-keygen agrees with preflight's signatures, both of them.
    let contents = t.ledger().read().unwrap();
    let signers = t.project.path().join(".preflight/allowed_signers");
    for (record, principal) in contents
        .records
        .iter()
        .zip(["jane@example.com", "sam@example.com"])
    {
        let sig = record.sig.as_deref().unwrap();
        assert!(
            ssh_keygen_verify(&signers, principal, &record.hash, sig),
            "{principal}"
        );
        assert!(!ssh_keygen_verify(
            &signers,
            "eve@example.com",
            &record.hash,
            sig
        ));
        assert!(!ssh_keygen_verify(
            &signers,
            principal,
            "another message",
            sig
        ));
    }

    // What does not count: written into the ledger by hand, past the rules.
    // An approval of a second item by the engineer's own key, under Sam's name;
    // by the outsider as herself; unsigned.
    let (code, _, err) = t.run(&[
        "attest",
        "audit-log-review",
        "--as",
        JANE,
        "--key",
        engineer,
    ]);
    assert_eq!(code, 0, "{err}");
    t.forge("audit-log-review", Action::Approve, SAM, Some(&t.engineer));
    t.forge("audit-log-review", Action::Approve, EVE, Some(&t.outsider));
    t.forge("audit-log-review", Action::Approve, SAM, None);
    t.forge(
        "audit-log-review",
        Action::Approve,
        "Jane Engineer <jane@example.com>",
        Some(&t.engineer),
    );
    assert_eq!(t.state("audit-log-review"), "attested");
    // The outsider's and Jane's own approvals are valid records (signed by keys
    // allowed to sign as those people) that the rules do not count as approvals; the
    // other two are records that count for nothing at all, and fail `verify`.
    let (code, out, _) = t.run(&["verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("5 signed by allowed signers, 2 do not count"),
        "{out}"
    );
    assert!(
        out.contains("may sign as jane@example.com, not as sam@example.com"),
        "{out}"
    );
    assert!(
        out.contains("unsigned, and this project requires signatures"),
        "{out}"
    );
    let (_, history, _) = t.run(&["history", "audit-log-review"]);
    assert!(history.contains("does not count"), "{history}");
    let (_, status, _) = t.run(&["status"]);
    assert!(
        status.contains("2 ledger records count for nothing"),
        "{status}"
    );
    // The outsider's RSA signature, made in this process, satisfies ssh-keygen too.
    let contents = t.ledger().read().unwrap();
    let eve = contents
        .records
        .iter()
        .find(|r| r.by.name == "Eve Outsider")
        .unwrap();
    assert!(ssh_keygen_verify(
        &signers,
        "eve@example.com",
        &eve.hash,
        eve.sig.as_deref().unwrap()
    ));
}

#[test]
fn forgeries_are_caught_and_count_for_nothing() {
    let t = Team::new();
    let engineer = t.engineer.to_str().unwrap();
    let (code, _, err) = t.run(&[
        "attest",
        "rotate-credentials",
        "--as",
        JANE,
        "--key",
        engineer,
    ]);
    assert_eq!(code, 0, "{err}");
    let path = t.project.path().join(".preflight/ledger.jsonl");
    let original = std::fs::read_to_string(&path).unwrap();

    // An approval appended with a correctly computed hash, no signature.
    t.forge("rotate-credentials", Action::Approve, SAM, None);
    assert_eq!(t.state("rotate-credentials"), "attested");
    let (code, out, _) = t.run(&["verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("1 do not count"), "{out}");

    // The attestation edited (a waiver made permanent, a note changed) and re-hashed:
    // its signature no longer verifies.
    let mut record: serde_json::Value =
        serde_json::from_str(original.lines().next().unwrap()).unwrap();
    record["note"] = serde_json::Value::String("edited".into());
    record["hash"] = serde_json::Value::String(String::new());
    let mut parsed: preflight::signoff::Record = serde_json::from_value(record).unwrap();
    parsed.hash = parsed.compute_hash();
    std::fs::write(&path, format!("{}\n", parsed.to_line())).unwrap();
    let (code, out, _) = t.run(&["verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("the signature does not verify"), "{out}");
    assert_eq!(t.state("rotate-credentials"), "pending");

    // A record dated in 2099, correctly hashed and signed: refused by `verify`.
    let mut record: serde_json::Value =
        serde_json::from_str(original.lines().next().unwrap()).unwrap();
    record["at"] = serde_json::Value::String("2099-01-01T00:00:00Z".into());
    let mut future: preflight::signoff::Record = serde_json::from_value(record).unwrap();
    future.hash = future.compute_hash();
    let signer = Signer::from_setting(engineer, None).unwrap();
    future.sig = Some(signer.sign("preflight", future.signed_message()).unwrap());
    std::fs::write(&path, format!("{original}{}\n", future.to_line())).unwrap();
    let (code, out, _) = t.run(&["verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("is dated 2099-01-01T00:00:00Z, ahead of this machine's clock"),
        "{out}"
    );
}

#[test]
fn ssh_keygen_signatures_are_accepted() {
    let t = Team::new();
    // ssh-keygen -Y sign makes the signature of a record preflight then counts.
    let signer_path = t.engineer.clone();
    t.ledger()
        .append_with::<preflight::signoff::LedgerError>(
            |_| {
                Ok(fixture_entry(
                    "audit-log-review",
                    Action::Attest,
                    JANE,
                    Some("signed by ssh-keygen"),
                ))
            },
            |record| {
                let dir = tempfile::tempdir().unwrap();
                let msg = dir.path().join("msg");
                std::fs::write(&msg, &record.hash).unwrap();
                let out = Command::new("ssh-keygen")
                    .args(["-Y", "sign", "-n", "preflight", "-f"])
                    .arg(&signer_path)
                    .arg(&msg)
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                Ok(Some(
                    std::fs::read_to_string(msg.with_extension("sig")).unwrap(),
                ))
            },
        )
        .unwrap();
    let contents = t.ledger().read().unwrap();
    let record = &contents.records[0];
    let key = verify(
        record.sig.as_deref().unwrap(),
        "preflight",
        record.signed_message(),
    )
    .unwrap();
    assert_eq!(
        key.to_openssh()
            .unwrap()
            .split(' ')
            .take(2)
            .collect::<Vec<_>>(),
        public(&t.engineer).split(' ').take(2).collect::<Vec<_>>()
    );
    let (code, out, _) = t.run(&["verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("1 signed by allowed signers, 0 do not count"),
        "{out}"
    );
    let (_, history, _) = t.run(&["history"]);
    assert!(history.contains("signed (SHA256:"), "{history}");
}

/// Without an allowed-signers file nothing changes for teams that do not sign.
#[test]
fn projects_without_allowed_signers_work_as_before() {
    let p = signoff_project(true);
    let (code, _, err) = run(p.path(), &["attest", "rotate-credentials", "--as", JANE]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(p.path(), &["approve", "rotate-credentials", "--as", SAM]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = run(p.path(), &["verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("signatures:"), "{out}");
}

/// `report --format in-toto`: a DSSE envelope around an in-toto Statement about the
/// commit, signed with the engineer's key; checked the way the README says, with
/// `base64` arithmetic and `ssh-keygen -Y verify` over DSSE's encoding.
#[test]
fn an_in_toto_attestation_verifies_with_ssh_keygen() {
    let t = Team::new();
    let engineer = t.engineer.to_str().unwrap();
    let reviewer = t.reviewer_pub.to_str().unwrap();
    let (code, _, err) = t.run(&[
        "attest",
        "rotate-credentials",
        "--as",
        JANE,
        "--key",
        engineer,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = t.run(&[
        "approve",
        "rotate-credentials",
        "--as",
        SAM,
        "--key",
        reviewer,
    ]);
    assert_eq!(code, 0, "{err}");
    // Without a key: refused, saying how.
    let (code, _, err) = t.run(&["report", "--format", "in-toto", "-o", "-"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--key"), "{err}");
    let (code, out, err) = t.run(&[
        "report", "--format", "in-toto", "-o", "-", "--key", engineer,
    ]);
    assert_eq!(code, 0, "{err}");
    let envelope: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
    use base64ct::Encoding;
    let payload = base64ct::Base64::decode_vec(envelope["payload"].as_str().unwrap()).unwrap();
    let statement: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    let commit = t.project.run_git(&["rev-parse", "HEAD"]);
    assert_eq!(
        statement["subject"][0]["digest"]["gitCommit"],
        commit.trim()
    );
    let item = statement["predicate"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "rotate-credentials")
        .unwrap();
    assert_eq!(item["state"], "signed-off");
    assert_eq!(item["chain"].as_array().unwrap().len(), 2);
    assert!(
        item["chain"][1]["signed_by"]
            .as_str()
            .unwrap()
            .starts_with("SHA256:")
    );
    // DSSE's encoding, then the signature as an armoured SSHSIG for ssh-keygen.
    let mut pae = format!("DSSEv1 28 application/vnd.in-toto+json {} ", payload.len()).into_bytes();
    pae.extend_from_slice(&payload);
    let body = envelope["signatures"][0]["sig"].as_str().unwrap();
    let mut armoured = String::from("-----BEGIN SSH SIGNATURE-----\n");
    for chunk in body.as_bytes().chunks(70) {
        armoured.push_str(std::str::from_utf8(chunk).unwrap());
        armoured.push('\n');
    }
    armoured.push_str("-----END SSH SIGNATURE-----\n");
    let signers = t.project.path().join(".preflight/allowed_signers");
    let pae_text = String::from_utf8(pae).unwrap();
    assert!(ssh_keygen_verify(
        &signers,
        "jane@example.com",
        &pae_text,
        &armoured
    ));
    assert!(!ssh_keygen_verify(
        &signers,
        "jane@example.com",
        &pae_text.replace("signed-off", "signed-of!"),
        &armoured
    ));
}

/// A branch that adds its author's key for a reviewer's name to the allowed signers
/// makes its forged approval count in its own working tree; checked with
/// `--trust-ref main`, who may sign comes from `main` and the approval counts for
/// nothing.
#[test]
fn trust_ref_reads_who_may_sign_from_a_protected_revision() {
    let t = Team::new();
    let engineer = t.engineer.to_str().unwrap();
    let (code, _, err) = t.run(&[
        "attest",
        "rotate-credentials",
        "--as",
        JANE,
        "--key",
        engineer,
    ]);
    assert_eq!(code, 0, "{err}");
    t.project.commit_all("attest");
    t.project.run_git(&["checkout", "-q", "-b", "contributor"]);
    // The outsider's key, now claimed for sam@example.com on this branch.
    let signers = t.project.path().join(".preflight/allowed_signers");
    let mut text = std::fs::read_to_string(&signers).unwrap();
    text.push_str(&format!("sam@example.com {}\n", public(&t.outsider)));
    std::fs::write(&signers, text).unwrap();
    t.forge(
        "rotate-credentials",
        Action::Approve,
        SAM,
        Some(&t.outsider),
    );
    t.project.commit_all("self-approval");
    assert_eq!(t.state("rotate-credentials"), "signed-off");

    let (_, out, err) = t.run(&["status", "--format", "json", "--trust-ref", "main"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{err}"));
    let item = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "rotate-credentials")
        .unwrap();
    assert_eq!(item["state"], "attested", "{item}");
    let (code, out, _) = t.run(&["verify", "--trust-ref", "main"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("may sign as eve@example.com, not as sam@example.com"),
        "{out}"
    );
    let (code, _, err) = t.run(&["verify", "--trust-ref", "no-such-branch"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a commit"), "{err}");
}

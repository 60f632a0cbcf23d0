//! A hostile project: repositories built to attack the reviewer who checks them, with
//! production credentials in the environment. Each test plants an attack, runs the real
//! binary as a reviewer or CI would, and asserts that nothing from the project ran
//! (marker files absent), no canary secret appears in any output, and every command
//! ends in time.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::{ArgvWatcher, Project, ledger_lines, preflight, run, text};

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
    assert_eq!(stray_processes(p.path()), Vec::<String>::new());
}

/// preflight.toml written wrongly in every way we could think of, each holding a
/// literal password: the errors point at the line and never repeat the value.
#[test]
fn configuration_errors_never_repeat_a_password() {
    let forms = [
        "[environments.production]\npassword = \"CANARY\"\n",
        "[environments.production]\npassword = \"CANARY\n",
        "[environments.production]\npassword = 'CANARY\n",
        "[environments.production]\npassword = \"\"\"CANARY\n",
        "[environments.production]\npassword = CANARY\n",
        "[environments.production]\npassword = [\"CANARY\"]\n",
        "[environments.production]\npassword = { value = \"CANARY\" }\n",
        "[environments.production]\npassword = { env = \"PG_PASSWORD\", value = \"CANARY\" }\n",
        "[environments.production]\npasword = \"CANARY\"\n",
        "[environments.production]\npass_word = \"CANARY\"\n",
        "[environments.production]\npassword = { env = \"X\" }\npassword = \"CANARY\"\n",
        "[environments.production]\nurl = \"postgres://app:CANARY@db/app\"\n",
        "[environments.production]\nurl = \"postgres://app:CANARY@db/app\" extra\n",
        "[environments.production]\nurl = { env = \"X\", value = \"postgres://app:CANARY@db\" }\n",
        "[environments.production]\nhost = \"db\"\nsecret = \"CANARY\"\n",
        "[environments.production]\ntoken = \"CANARY\"\n",
        "[environments]\nproduction = \"postgres://app:CANARY@db/app\"\n",
        "[environments.production]\npassword = \"CANARY\" # no\n[environments.production]\n",
    ];
    for form in forms {
        let p = Project::new();
        p.write("preflight.toml", &form.replace("CANARY", CANARY));
        let out = preflight(p.path()).arg("check").output().unwrap();
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(2), "{form}\n{all}");
        assert!(
            all.contains("preflight.toml:"),
            "{form}: names the file\n{all}"
        );
        assert!(
            !all.contains(CANARY),
            "{form}: the password is echoed\n{all}"
        );
        // Not even a piece of it.
        assert!(!all.contains(&CANARY[..10]), "{form}\n{all}");
    }
}

/// Secrets of the reviewer's environment pulled into the output by the project: a
/// Compose file interpolating them into a port and an image, and a checklist asking
/// `env-vars` to show variables whose names do not say "password".
#[test]
fn the_project_cannot_pull_our_secrets_into_any_output() {
    let p = Project::git();
    p.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: \"postgres:${PG_PASSWORD}\"\n    ports:\n      - \"${APP_SECRET}:5432\"\n      - target: 5432\n        published: \"${APP_SECRET}\"\n",
    );
    p.write(
        "custom.toml",
        "[checklist]\nid = \"custom\"\ntitle = \"Custom\"\n\n[[item]]\nid = \"vars\"\ntier = \"critical\"\ntitle = \"Vars\"\n\n[[item.probe]]\nkind = \"env-vars\"\nvars = [\"DATABASE_URL\", \"PGPASS\", \"DB_PW\", \"REDIS_URL\", \"SESSION_SALT\"]\n\n[[item.probe]]\nkind = \"env-vars\"\nequals = { DATABASE_URL = \"postgres://app@db/app\" }\n\n[[item]]\nid = \"ports\"\ntier = \"critical\"\ntitle = \"Ports\"\n\n[[item.probe]]\nkind = \"compose-ports\"\n\n[[item.probe]]\nkind = \"compose-images\"\n",
    );
    p.commit_all("init");
    let env = [
        ("PG_PASSWORD", format!("{CANARY}-pg")),
        ("APP_SECRET", format!("{CANARY}-app")),
        (
            "DATABASE_URL",
            format!("postgres://app:{CANARY}-url@db/app"),
        ),
        ("PGPASS", format!("{CANARY}-pgpass")),
        ("DB_PW", format!("{CANARY}-pw")),
        ("REDIS_URL", format!("redis://:{CANARY}-redis@cache:6379/0")),
        ("SESSION_SALT", format!("{CANARY}-salt")),
    ];
    let runs: [&[&str]; 6] = [
        &["check", "--checklist", "custom.toml", "-v"],
        &["check", "--checklist", "custom.toml", "--format", "json"],
        &[
            "report",
            "--checklist",
            "custom.toml",
            "--format",
            "html",
            "-o",
            "-",
        ],
        &[
            "report",
            "--checklist",
            "custom.toml",
            "--format",
            "sarif",
            "-o",
            "-",
        ],
        &[
            "report",
            "--checklist",
            "custom.toml",
            "--format",
            "junit",
            "-o",
            "-",
        ],
        &["check", "-v"],
    ];
    let note = format!("rotated; old one was {CANARY}-pg");
    let sign: [&[&str]; 2] = [
        &[
            "attest",
            "security-review-read",
            "--as",
            "Ann <ann@example.com>",
            "--note",
            &note,
        ],
        &[
            "waive",
            "credentials-from-environment",
            "--as",
            "Ann <ann@example.com>",
            "--reason",
            &note,
            "--until",
            "2099-01-01",
        ],
    ];
    let argv = ArgvWatcher::start(CANARY);
    for args in runs
        .iter()
        .chain(sign.iter())
        .chain([&["status"][..]].iter())
    {
        let out = preflight(p.path())
            .args(*args)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .unwrap();
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains(CANARY), "{args:?} printed a secret:\n{all}");
        if args.contains(&"-v") && args.contains(&"custom.toml") {
            assert!(all.contains("DATABASE_URL is set (value hidden)"), "{all}");
            assert!(
                all.contains("\"${APP_SECRET}:5432\""),
                "the port as written:\n{all}"
            );
        }
    }
    // No child was handed a secret on its command line, and nothing preflight wrote
    // (the ledger, the user cache: HOME is the project here) holds one.
    // (The note typed on preflight's own command line is the user's doing.)
    let children: Vec<String> = argv
        .finish()
        .into_iter()
        .filter(|c| !c.starts_with(env!("CARGO_BIN_EXE_preflight")))
        .collect();
    assert_eq!(children, Vec::<String>::new());
    let ledger = ledger_lines(p.path());
    assert_eq!(ledger.len(), 2, "the sign-offs were recorded");
    assert!(
        ledger[0].contains("\"note\":\"rotated; old one was ********\""),
        "{}",
        ledger[0]
    );
    for file in files_below(p.path()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(CANARY),
            "{} holds a secret",
            file.display()
        );
    }
    assert_eq!(stray_processes(p.path()), Vec::<String>::new());
}

/// Every file below `dir` (`.git` included).
fn files_below(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() {
                out.push(entry.path());
            }
        }
    }
    out
}

/// Processes still running whose command line names `dir` (what preflight started for
/// the project and left behind).
fn stray_processes(dir: &Path) -> Vec<String> {
    let needle = dir.to_string_lossy().into_owned();
    let mut stray = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if entry.file_name().to_string_lossy().parse::<u32>().is_err() {
            continue;
        }
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if cmdline.contains(&needle) {
                stray.push(cmdline);
            }
        }
    }
    stray
}

/// A server on loopback that declines TLS and asks for the password in the clear,
/// recording every byte it is sent.
fn cleartext_password_server() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&received);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let log = std::sync::Arc::clone(&log);
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut buf = [0u8; 4096];
                let mut answered_ssl = false;
                let mut asked_password = false;
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    log.lock().unwrap().extend_from_slice(&buf[..n]);
                    if !answered_ssl && n >= 8 && buf[4..8] == [0x04, 0xd2, 0x16, 0x2f] {
                        // SSLRequest: no TLS here.
                        answered_ssl = true;
                        let _ = stream.write_all(b"N");
                    } else if !asked_password {
                        // The startup message: ask for the password in clear text.
                        asked_password = true;
                        let _ = stream.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3]);
                    }
                }
            });
        }
    });
    (port, received)
}

#[test]
fn no_password_crosses_the_network_unencrypted_unless_the_environment_says_so() {
    let (port, received) = cleartext_password_server();
    let p = Project::new();
    let run = |sslmode: Option<&str>| {
        let mut cmd = preflight(p.path());
        cmd.args([
            "check",
            "--only",
            "database-connectivity,rotate-production-credentials",
        ])
        .env("PG_HOST", "127.0.0.1")
        .env("PG_PORT", port.to_string())
        .env("PG_USER", "app")
        .env("PG_PASSWORD", CANARY);
        if let Some(mode) = sslmode {
            cmd.env("PG_SSLMODE", mode);
        }
        cmd.output().unwrap()
    };
    let out = run(None);
    let all = text(&out.stdout);
    assert!(
        all.contains("the password is not sent unencrypted"),
        "{all}"
    );
    let seen = String::from_utf8_lossy(&received.lock().unwrap()).into_owned();
    assert!(!seen.contains(CANARY), "the password went over plaintext");
    // Written explicitly, `prefer` behaves as libpq's: the server gets the password
    // (the fake server above would see it), which is the user's choice.
    let _ = run(Some("prefer"));
    let seen = String::from_utf8_lossy(&received.lock().unwrap()).into_owned();
    assert!(
        seen.contains(CANARY),
        "the control: with prefer written, libpq's behaviour"
    );
}

fn mkfifo(path: &Path) {
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
        0,
    )
    .unwrap();
}

/// Files that never end or never answer, where preflight reads: every command ends in
/// time, with a clear word about what it could not read.
#[test]
fn fifos_devices_and_endless_files_never_stall_a_command() {
    let p = Project::git();
    p.write("app.py", "print('hi')\n");
    p.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    ports: [\"127.0.0.1:5432:5432\"]\n",
    );
    std::os::unix::fs::symlink("/dev/zero", p.path().join(".gitignore")).unwrap();
    std::fs::create_dir_all(p.path().join("deploy")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", p.path().join("deploy/compose.yml")).unwrap();
    p.commit_all("init");
    // What git cannot hold, but a shared folder or an unpacked archive can.
    mkfifo(&p.path().join(".env"));
    std::fs::create_dir_all(p.path().join("sub")).unwrap();
    mkfifo(&p.path().join("sub/.gitignore"));
    mkfifo(&p.path().join("docker-compose.override.yml"));
    mkfifo(&p.path().join(".env.development"));
    mkfifo(&p.path().join("ledger.jsonl"));
    std::os::unix::fs::symlink("/dev/stdin", p.path().join(".env.staging")).unwrap();
    p.write(
        "preflight.toml",
        "ledger = \"ledger.jsonl\"\n\n[environments.production]\nhost = \"127.0.0.1\"\nuser = \"app\"\npassword = { dotenv = \".env\", key = \"PG_PASSWORD\" }\nsslrootcert = \"/dev/zero\"\nsslmode = \"verify-full\"\n\n[environments.staging]\npassword = { dotenv = \".env.staging\", key = \"PG_PASSWORD\" }\n",
    );
    p.write(
        "fresh.toml",
        "[checklist]\nid = \"fresh\"\ntitle = \"Fresh\"\n\n[[item]]\nid = \"log\"\ntier = \"critical\"\ntitle = \"Log\"\n\n[[item.probe]]\nkind = \"file-fresh\"\npath = \".env\"\nmax_age = \"1d\"\ncontent = \"jsonl\"\n\n[[item.probe]]\nkind = \"file-mode\"\npath = \".env\"\n",
    );
    let runs: [&[&str]; 6] = [
        &["check", "--checklist", "postgres-production"],
        &[
            "check",
            "--checklist",
            "postgres-security",
            "--format",
            "json",
        ],
        &["check", "--checklist", "fresh.toml"],
        &["status"],
        &["report", "--format", "markdown", "-o", "-"],
        &["verify"],
    ];
    for args in runs {
        let started = Instant::now();
        let out = preflight(p.path())
            .args(args)
            .stdin(std::process::Stdio::piped())
            .output()
            .unwrap();
        let took = started.elapsed();
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(
            took < Duration::from_secs(30),
            "{args:?} took {took:?}:\n{all}"
        );
        assert!(
            out.status.code().is_some(),
            "{args:?} died of a signal:\n{all}"
        );
    }
    let out = preflight(p.path())
        .args(["check", "--checklist", "postgres-production", "-v"])
        .output()
        .unwrap();
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        all.contains("not a regular file"),
        "says why it did not read:\n{all}"
    );
    assert_eq!(stray_processes(p.path()), Vec::<String>::new());
}

/// Escape sequences hidden in what a project writes (file names, service names, commit
/// subjects, notes) reach no terminal: every output shows them escaped.
#[test]
fn text_from_the_project_cannot_drive_the_terminal() {
    let esc = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31m";
    let p = Project::git();
    p.write(
        "docker-compose.yml",
        &format!("services:\n  \"db{esc}\":\n    image: postgres:16\n    ports: [\"5432:5432\"]\n"),
    );
    p.write(&format!(".env.{esc}RED"), "PG_PASSWORD=x\n");
    p.write("app.py", "print('hi')\n");
    p.run_git(&["add", "-A"]);
    p.run_git(&["commit", "-q", "-m", &format!("add env {esc}")]);
    let note = format!("looked at it {esc}");
    let out = preflight(p.path())
        .args([
            "attest",
            "security-review-read",
            "--as",
            "Ann <ann@example.com>",
            "--note",
            &note,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let runs: [&[&str]; 6] = [
        &["check", "-v"],
        &["check", "--format", "json"],
        &["history"],
        &["status"],
        &["report", "--format", "markdown", "-o", "-"],
        &["report", "--format", "html", "-o", "-"],
    ];
    for args in runs {
        let out = preflight(p.path()).args(args).output().unwrap();
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(
            !all.contains('\u{1b}'),
            "{args:?} printed a raw escape:\n{all:?}"
        );
        assert!(!all.contains('\u{7}'), "{args:?} printed a raw bell");
    }
    let out = preflight(p.path()).args(["check", "-v"]).output().unwrap();
    let shown = text(&out.stdout);
    assert!(
        shown.contains(".env.\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mRED"),
        "{shown}"
    );
    let history = text(&preflight(p.path()).arg("history").output().unwrap().stdout);
    assert!(
        history.contains("note: looked at it \\x1b]0;pwned"),
        "{history}"
    );
}

/// The shipped default checklist's text.
const SHIPPED: &str = include_str!("../../checklists/postgres-production.toml");

/// The shipped checklist's header and its item `security-review-read` (a critical,
/// manual one), verbatim.
fn shipped_header_and_first_item() -> String {
    let first = SHIPPED.find("[[item]]").unwrap();
    let item = SHIPPED
        .find("[[item]]\nid = \"security-review-read\"")
        .unwrap();
    let next = item + 1 + SHIPPED[item + 1..].find("[[item]]").unwrap();
    format!("{}{}", &SHIPPED[..first], &SHIPPED[item..next])
}

#[test]
fn a_lookalike_checklist_never_passes_for_the_shipped_one() {
    let p = Project::git();
    p.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    ports: [\"0.0.0.0:5432:5432\"]\n",
    );
    p.commit_all("init");
    let sign = |who: &str, verb: &str| {
        let (code, out, err) = run(
            p.path(),
            &[
                verb,
                "security-review-read",
                "--as",
                who,
                "--note",
                "read it",
            ],
        );
        assert_eq!(code, 0, "{verb}: {out}{err}");
        out
    };
    let state = |p: &Project| -> serde_json::Value {
        let (_, out, err) = run(p.path(), &["status", "--format", "json"]);
        let v: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "security-review-read")
            .unwrap()["state"]
            .clone()
    };
    // Signed off under the shipped checklist.
    sign("Ann <ann@example.com>", "attest");
    sign("Raj <raj@example.com>", "approve");
    assert_eq!(state(&p), "signed-off");

    // The lookalike: the same header (id, title, version) and the same first item,
    // with everything that would fail on this project left out.
    p.write("ops/checklist.toml", &shipped_header_and_first_item());
    p.write("preflight.toml", "checklist = \"ops/checklist.toml\"\n");
    assert_eq!(
        state(&p),
        "pending",
        "sign-offs made under the shipped checklist count for a lookalike"
    );
    let (code, out, _) = run(p.path(), &["check", "--require-signoff"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("warning: NOT the shipped checklist `postgres-production`: read from ops/checklist.toml (sha256 "),
        "{out}"
    );

    // Signed off under the lookalike: it may say GO, but never as the shipped checklist.
    let attested = sign("Ann <ann@example.com>", "attest");
    assert!(attested.contains("NOT the shipped checklist"), "{attested}");
    sign("Raj <raj@example.com>", "approve");
    let (code, out, _) = run(p.path(), &["check", "--require-signoff"]);
    assert_eq!(code, 0, "{out}");
    let verdict = out
        .lines()
        .skip_while(|l| !l.starts_with("GO"))
        .collect::<Vec<_>>();
    assert!(
        verdict
            .get(1)
            .is_some_and(|l| l.contains("NOT the shipped checklist")),
        "the verdict does not say what it stands on:\n{out}"
    );
    let (_, json, _) = run(p.path(), &["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["checklist"]["provenance"], "lookalike");
    assert_eq!(json["checklist"]["file"], "ops/checklist.toml");
    for (format, says) in [
        ("markdown", "NOT the shipped checklist"),
        ("html", "NOT the shipped checklist"),
        ("json", "\"provenance\": \"lookalike\""),
        ("junit", "name=\"checklist-provenance\" value=\"lookalike\""),
        ("sarif", "\"checklistProvenance\": \"lookalike\""),
    ] {
        let (_, out, err) = run(p.path(), &["report", "--format", format, "-o", "-"]);
        assert!(
            out.contains(says),
            "{format} report does not say it: {err}\n{out}"
        );
    }
    let ledger = ledger_lines(p.path());
    assert_eq!(ledger.len(), 4);
    for line in &ledger[2..] {
        assert!(
            line.contains("\"checklist_file\":{\"path\":\"ops/checklist.toml\",\"sha256\":\""),
            "{line}"
        );
    }
    assert!(!ledger[0].contains("checklist_file"), "{}", ledger[0]);
    let (_, history, _) = run(p.path(), &["history"]);
    assert_eq!(
        history.matches("NOT the shipped checklist").count(),
        2,
        "{history}"
    );
    assert_eq!(
        history
            .matches("does not count for the checklist loaded now")
            .count(),
        2,
        "{history}"
    );

    // Each version of a lookalike is a checklist of its own.
    p.write(
        "ops/checklist.toml",
        &format!("{}\n# edited\n", shipped_header_and_first_item()),
    );
    assert_eq!(state(&p), "pending");

    // Back on the shipped checklist, only its own sign-offs count; a byte-identical
    // copy is the shipped checklist, and says nothing more.
    p.write("preflight.toml", "");
    assert_eq!(state(&p), "signed-off");
    p.write("ops/checklist.toml", SHIPPED);
    p.write("preflight.toml", "checklist = \"ops/checklist.toml\"\n");
    assert_eq!(state(&p), "signed-off");
    let (_, out, _) = run(p.path(), &["check"]);
    assert!(!out.contains("NOT the shipped"), "{out}");
}

/// Whether a process is still alive (a zombie waiting for its parent is not).
fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or_default()
            .trim_start()
            .starts_with('Z')
    })
}

/// A command probe and a pre-commit hook that start a background process and outlive
/// their timeout: with consent they run, and when their time is up everything they
/// started ends with them.
#[test]
fn what_a_timed_out_program_started_ends_with_it() {
    let p = Project::git();
    let pids = tempfile::tempdir().unwrap();
    let spawn = |name: &str| {
        format!(
            "sleep 300 & echo $! > '{}'; sleep 300",
            pids.path().join(name).display()
        )
    };
    executable(
        &p,
        ".git/hooks/pre-commit",
        &format!("#!/bin/sh\n{}\n", spawn("hook")),
    );
    p.write(
        "slow.toml",
        &format!(
            "[checklist]\nid = \"slow\"\ntitle = \"Slow\"\n\n[[item]]\nid = \"slow\"\ntier = \"critical\"\ntitle = \"Slow\"\n\n[[item.probe]]\nkind = \"command\"\nshell = true\ntimeout = \"1s\"\nargv = [\"{}\"]\n\n[[item.probe]]\nkind = \"git-hook\"\ntimeout = \"1s\"\n",
            spawn("command")
        ),
    );
    let started = Instant::now();
    let out = preflight(p.path())
        .args([
            "check",
            "--checklist",
            "slow.toml",
            "--allow-commands",
            "-v",
        ])
        .output()
        .unwrap();
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(started.elapsed() < Duration::from_secs(30), "{all}");
    assert!(all.contains("timed out after 1s"), "{all}");
    for name in ["command", "hook"] {
        let pid = std::fs::read_to_string(pids.path().join(name))
            .unwrap_or_else(|_| panic!("the {name} did not start:\n{all}"));
        // The kill is asynchronous: give the system a moment to deliver it.
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive(&pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(
            !alive(&pid),
            "the {name}'s background process {pid} outlived it"
        );
    }
}

//! Reports: snapshots of every format (times and hashes redacted), JUnit and SARIF
//! validated against their published schemas, the HTML page rendered by headless
//! Chromium and read back from a screenshot, file naming, and no secret in any format.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser;
use preflight::base::timestamp::Timestamp;
use preflight::commands;
use preflight::commands::cli::{Cli, Command as Sub};

use crate::support::{Project, preflight, run, signoff_project, text};

const JANE: &str = "Jane Doe <jane@example.com>";
const RAJ: &str = "Raj Patel <raj@example.com>";
const FORMATS: [&str; 5] = ["markdown", "json", "html", "junit", "sarif"];

/// A project whose Compose port is exposed (a failing critical item with a location),
/// with one item signed off, one attested, one waived and one pending.
fn reviewed_project() -> Project {
    let p = signoff_project(false);
    let dir = p.path();
    let steps: &[&[&str]] = &[
        &[
            "attest",
            "rotate-credentials",
            "--as",
            JANE,
            "--note",
            "rotated | see OPS-142 <now>",
        ],
        &[
            "approve",
            "rotate-credentials",
            "--as",
            RAJ,
            "--note",
            "checked the vault",
        ],
        &["attest", "env-not-committed", "--as", JANE],
        &[
            "waive",
            "ssl-enforced",
            "--as",
            JANE,
            "--reason",
            "internal network only until *Q1*",
            "--until",
            "2099-12-31",
        ],
        &["approve", "ssl-enforced", "--as", RAJ],
    ];
    for args in steps {
        let (code, _, err) = run(dir, args);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    p
}

/// Renders a report in-process at a fixed time.
fn render(dir: &Path, format: &str) -> String {
    let dir = dir.to_str().unwrap();
    let cli = Cli::try_parse_from([
        "preflight",
        "report",
        "--dir",
        dir,
        "--format",
        format,
        "-o",
        "-",
    ])
    .unwrap();
    let Some(Sub::Report(args)) = cli.command else {
        unreachable!()
    };
    let mut out = Vec::new();
    let now: Timestamp = "2026-11-22T12:00:00Z".parse().unwrap();
    assert_eq!(commands::report(&args, now, &mut out).unwrap(), 0);
    String::from_utf8(out).unwrap()
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

fn redacted() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", "[time]");
    s.add_filter(r"[0-9a-f]{64}", "[sha256]");
    s.add_filter(r"\b[0-9a-f]{40}\b", "[commit]");
    s.add_filter(r"\b[0-9a-f]{12}\b", "[hash]");
    let host = rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned();
    s.add_filter(&regex_escape(&host), "[host]");
    s.add_filter(env!("CARGO_PKG_VERSION"), "[version]");
    s.set_prepend_module_to_snapshot(false);
    s
}

#[test]
fn every_format_matches_its_snapshot() {
    let p = reviewed_project();
    for format in FORMATS {
        let out = render(p.path(), format);
        redacted().bind(|| insta::assert_snapshot!(format!("report_{format}"), out));
    }
}

/// Where `scripts/test` puts the schemas it fetches.
fn asset(name: &str) -> PathBuf {
    let dir = std::env::var_os("PREFLIGHT_TEST_ASSETS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-assets"));
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing: run the tests with `scripts/test`, which fetches it",
        path.display()
    );
    path
}

fn tool(name: &str) -> Command {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(name).is_file()));
    assert!(
        found,
        "`{name}` is not installed: run the tests with `scripts/test`, which installs it"
    );
    Command::new(name)
}

#[test]
fn junit_validates_against_the_junit_schema() {
    let p = reviewed_project();
    let xml = render(p.path(), "junit");
    let file = p.write("report.xml", &xml);
    let out = tool("xmllint")
        .args(["--noout", "--schema"])
        .arg(asset("junit-10.xsd"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        xml.contains(
            "<testcase name=\"bind-ports-localhost\" classname=\"signoff-fixture.critical\">"
        ),
        "{xml}"
    );
    assert!(
        xml.contains("<failure message=\"its probes fail\" type=\"fail\">"),
        "{xml}"
    );
    assert!(
        xml.contains("<skipped message=\"waived: internal network only until *Q1*\"/>"),
        "{xml}"
    );
}

#[test]
fn sarif_validates_against_the_sarif_schema_and_locates_findings() {
    let p = reviewed_project();
    // A remote whose URL carries a token: the reports name the repository, never the token.
    p.run_git(&[
        "remote",
        "add",
        "origin",
        "https://x-access-token:ghp_0123456789abcdefghijklmnopqrstuvwxyzAB@github.com/acme/app.git",
    ]);
    p.write("docker-compose.yml", "services: {}\n");
    for format in FORMATS {
        let out = render(p.path(), format);
        assert!(
            !out.contains("ghp_0123") && !out.contains("x-access-token"),
            "{format}: {out}"
        );
    }
    let sarif: serde_json::Value = serde_json::from_str(&render(p.path(), "sarif")).unwrap();
    let vcs = &sarif["runs"][0]["versionControlProvenance"][0];
    assert_eq!(vcs["repositoryUri"], "https://github.com/acme/app.git");
    assert_eq!(vcs["branch"], "main");
    assert_eq!(vcs["revisionId"].as_str().unwrap().len(), 40);
    assert_eq!(sarif["runs"][0]["properties"]["uncommittedChanges"], true);
    p.run_git(&["checkout", "-q", "--", "docker-compose.yml"]);
    let sarif: serde_json::Value = serde_json::from_str(&render(p.path(), "sarif")).unwrap();
    // The published 2.1.0 schema has one malformed regex (`run.language`, a property
    // preflight never writes); it is corrected to its evident meaning so that the
    // schema compiles.
    let schema_text = std::fs::read_to_string(asset("sarif-2.1.0.json"))
        .unwrap()
        .replace(
            "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
            "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$",
        );
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:#?}");
    let r = &results[0];
    assert_eq!(r["ruleId"], "bind-ports-localhost");
    assert_eq!(r["level"], "error");
    let location = &r["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "docker-compose.yml");
    assert_eq!(location["region"]["startLine"], 5);
    assert!(location["region"]["startColumn"].as_u64().unwrap() > 0);
}

/// Headless Chromium with a profile of its own and nothing fetched in the background.
fn chromium(profile: &std::path::Path) -> Command {
    let mut cmd = tool("chromium");
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

#[test]
fn the_html_report_renders_in_a_real_browser() {
    let p = reviewed_project();
    let html = p.write("report.html", &render(p.path(), "html"));
    let shot = p.path().join("report.png");
    let profile = tempfile::tempdir().unwrap();
    let out = chromium(profile.path())
        .args([
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--window-size=1280,3600",
        ])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(shot.is_file(), "no screenshot: {}", text(&out.stderr));
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let ocr = tool("tesseract").arg(&shot).arg("-").output().unwrap();
    assert!(ocr.status.success(), "{}", text(&ocr.stderr));
    // OCR may split words, read a hyphen as a dash, or confuse l, 1 and I, or O and
    // 0: compare letters and digits only, with those folded together.
    let fold = |s: &str| -> String {
        s.to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| match c {
                '1' | 'i' => 'l',
                '0' => 'o',
                c => c,
            })
            .collect()
    };
    let seen = fold(&text(&ocr.stdout));
    // The overview: a bar per tier and one of sign-off progress, drawn inline.
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg class=\"overview\""), "no overview");
    assert!(
        page.contains("<title>1 fail</title>"),
        "the critical tier's failure"
    );
    assert!(
        page.contains("<title>1 signed-off</title>"),
        "sign-off progress"
    );
    assert!(!page.contains("<script"), "nothing active in the page");
    // The remediation's Markdown is rendered: no fence or backtick is left in the text
    // the browser shows.
    let dom = chromium(profile.path())
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    let dom = text(&dom.stdout);
    let remediation = dom
        .split("<div class=\"remediation\">")
        .nth(1)
        .and_then(|rest| rest.split("</div>").next())
        .unwrap_or_else(|| panic!("no remediation in the rendered page:\n{dom}"));
    assert!(remediation.contains("<pre><code"), "{remediation}");
    let shown: String = remediation
        .split('<')
        .map(|part| part.split_once('>').map_or(part, |(_, text)| text))
        .collect();
    assert!(shown.contains("127.0.0.1:5434:5432"), "{shown}");
    assert!(!shown.contains('`'), "a backtick is left: {shown}");
    for expected in [
        "NO-GO",
        "bind-ports-localhost",
        "rotate-credentials",
        "env-not-committed",
        "audit-log-review",
        "ssl-enforced",
        "connection-pooling",
    ] {
        assert!(
            seen.contains(&fold(expected)),
            "`{expected}` not read from the screenshot:\n{}",
            text(&ocr.stdout)
        );
    }
}

#[test]
fn default_report_files_carry_environment_and_time_and_never_overwrite() {
    let p = reviewed_project();
    let out_dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for _ in 0..3 {
        let out = preflight(out_dir.path())
            .args(["report", "--dir"])
            .arg(p.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let said = text(&out.stdout);
        assert!(said.starts_with("wrote ./preflight-production-"), "{said}");
        assert!(said.trim_end().ends_with("(NO-GO)"), "{said}");
        names.push(said);
    }
    let mut files: Vec<String> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "{files:?}");
    for f in &files {
        assert!(
            f.starts_with("preflight-production-2") && f.ends_with(".md"),
            "{f}"
        );
    }
}

#[test]
fn no_output_ever_contains_a_secret() {
    const CANARY: &str = "Xq7!vP2-mL9tR4wZ-7f3a91";
    let p = Project::git();
    for file in [
        ".env",
        ".env.production",
        ".env.example",
        ".env.development",
    ] {
        p.write(
            file,
            &format!("PG_HOST=db.internal\nPG_USER=app\nPG_PASSWORD={CANARY}\nDATABASE_URL=postgresql://app:{CANARY}@db/app\n"),
        );
    }
    p.write(
        "docker-compose.yml",
        &format!("services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: {CANARY}\n    ports:\n      - \"5434:5432\"\n"),
    );
    p.commit_all("secrets everywhere");
    // Nothing listens there: the PostgreSQL probes try, and fail, on loopback.
    let closed_port = crate::support::pg::free_port();
    let with_canary = |args: &[&str]| {
        let out = preflight(p.path())
            .env("PG_PASSWORD", CANARY)
            .env("PG_USER", "app")
            .env("PG_HOST", "127.0.0.1")
            .env("PG_PORT", closed_port.to_string())
            .env("DATABASE_URL", format!("postgresql://app:{CANARY}@db/app"))
            .args(args)
            .output()
            .unwrap();
        format!("{}{}", text(&out.stdout), text(&out.stderr))
    };
    let mut outputs = vec![
        with_canary(&["check", "--verbose"]),
        with_canary(&["check", "--format", "json"]),
        with_canary(&["status", "--format", "json"]),
        with_canary(&["attest", "rotate-production-credentials", "--as", JANE]),
        with_canary(&["history"]),
    ];
    for format in FORMATS {
        outputs.push(with_canary(&["report", "--format", format, "-o", "-"]));
    }
    outputs.push(std::fs::read_to_string(p.path().join(".preflight/ledger.jsonl")).unwrap());
    for (i, out) in outputs.iter().enumerate() {
        assert!(!out.is_empty(), "output {i} is empty");
        assert!(
            !out.contains(CANARY),
            "output {i} leaks the password:\n{out}"
        );
    }
    assert!(
        outputs[5].contains("env-files-not-committed"),
        "the report ran the shipped checklist"
    );
}

//! Malformed and hostile inputs in a loop: every file of `tests/corpus/malformed/`,
//! inputs too large to keep in the repository, deterministic corruptions of real
//! Compose and `.env` files (`tests/corpus/awesome-compose/`), and special files
//! (FIFOs, sockets, devices, folders, links) wherever preflight reads a file. Each is
//! placed in a fresh git repository and the commands that read it run on it, with a
//! secret in the environment. Every run must end with a documented exit code (0, 1 or
//! 2) well within a bound, without a panic, with a bounded peak memory, with no raw
//! control character in its output, and without printing a secret; nothing the input
//! names may run.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{Project, preflight};

/// The secret planted in corpus files, where a project keeps secrets.
const FILE_CANARY: &str = "Canary-Corpus-Secret-93be1f";
/// The reviewer's secret, in the environment of every run.
const ENV_CANARY: &str = "Canary-Env-Secret-4e07aa";
/// What a corpus input that tries to run a program would create.
const PWNED: &str = "/tmp/preflight-corpus-pwned";
/// A run that takes longer than this hangs.
const HANG: Duration = Duration::from_secs(60);
/// A run whose peak memory exceeds this is unbounded.
const MAX_RSS_KIB: u64 = 512 * 1024;

/// Where an input goes and which commands read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Compose,
    Dotenv,
    PreflightToml,
    Checklist,
    GitConfig,
    GitIgnore,
    Ledger,
    /// One of git's own files (`HEAD`, `index`, `info/exclude`), or `.git` itself.
    GitFile(&'static str),
    /// The audit log the shipped checklist's `file-fresh` probe reads.
    AuditLog,
}

impl Kind {
    fn from_folder(name: &str) -> Kind {
        match name {
            "compose" => Kind::Compose,
            "dotenv" => Kind::Dotenv,
            "preflight-toml" => Kind::PreflightToml,
            "checklist" => Kind::Checklist,
            "gitconfig" => Kind::GitConfig,
            "gitignore" => Kind::GitIgnore,
            "ledger" => Kind::Ledger,
            other => panic!("unknown corpus folder {other}"),
        }
    }

    /// Where the input is placed, relative to the project.
    fn paths(self) -> &'static [&'static str] {
        match self {
            Kind::Compose => &["docker-compose.yml"],
            Kind::Dotenv => &[".env", ".env.development", ".env.deployment"],
            Kind::PreflightToml => &["preflight.toml"],
            Kind::Checklist => &["checklist.toml"],
            Kind::GitConfig => &[".git/config"],
            Kind::GitIgnore => &[".gitignore"],
            Kind::Ledger => &[".preflight/ledger.jsonl"],
            Kind::GitFile("HEAD") => &[".git/HEAD"],
            Kind::GitFile("index") => &[".git/index"],
            Kind::GitFile(".git") => &[".git"],
            Kind::GitFile(_) => &[".git/info/exclude"],
            Kind::AuditLog => &["logs/db_credential_access.audit.log"],
        }
    }

    /// The commands that read it.
    fn commands(self) -> Vec<Vec<&'static str>> {
        match self {
            Kind::Compose | Kind::Dotenv => vec![
                vec!["check", "-v"],
                vec![
                    "check",
                    "--checklist",
                    "postgres-security",
                    "--format",
                    "json",
                ],
            ],
            Kind::PreflightToml => vec![vec!["check", "-v"], vec!["status"]],
            Kind::Checklist => vec![
                vec!["validate", "checklist.toml"],
                vec!["check", "--checklist", "checklist.toml", "-v"],
            ],
            Kind::Ledger => vec![vec!["status"], vec!["verify"], vec!["history"]],
            Kind::GitConfig | Kind::GitIgnore | Kind::GitFile(_) | Kind::AuditLog => {
                vec![vec!["check", "-v"]]
            }
        }
    }
}

/// What is placed.
#[derive(Debug, Clone)]
enum Input {
    Bytes(Vec<u8>),
    Fifo,
    Socket,
    Folder,
    Link(&'static str),
    LinkLoop,
}

#[derive(Debug, Clone)]
struct Case {
    name: String,
    kind: Kind,
    input: Input,
    /// Only the first of the kind's commands (for the many variations of one theme).
    first_command_only: bool,
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// Every file of `tests/corpus/malformed/<kind>/`.
fn stored_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for folder in std::fs::read_dir(corpus().join("malformed"))
        .unwrap()
        .flatten()
    {
        if !folder.file_type().unwrap().is_dir() {
            continue;
        }
        let kind = Kind::from_folder(&folder.file_name().to_string_lossy());
        for file in std::fs::read_dir(folder.path()).unwrap().flatten() {
            cases.push(Case {
                name: format!(
                    "malformed/{}/{}",
                    folder.file_name().to_string_lossy(),
                    file.file_name().to_string_lossy()
                ),
                kind,
                input: Input::Bytes(std::fs::read(file.path()).unwrap()),
                first_command_only: false,
            });
        }
    }
    cases
}

/// Inputs too large to keep in the repository.
fn generated_cases() -> Vec<Case> {
    let big = |name: &str, kind: Kind, text: String| Case {
        name: format!("generated/{name}"),
        kind,
        input: Input::Bytes(text.into_bytes()),
        first_command_only: false,
    };
    let repeat = |n: usize, f: &dyn Fn(usize) -> String| (0..n).map(f).collect::<String>();
    vec![
        big(
            "compose-huge-scalar",
            Kind::Compose,
            format!("services:\n  db:\n    image: {}\n", "p".repeat(3_000_000)),
        ),
        big(
            "compose-huge-key",
            Kind::Compose,
            format!(
                "services:\n  {}:\n    image: postgres\n",
                "d".repeat(1_000_000)
            ),
        ),
        big(
            "compose-deep-block-nesting",
            Kind::Compose,
            repeat(3000, &|i| format!("{}k:\n", "  ".repeat(i))),
        ),
        big(
            "compose-many-services",
            Kind::Compose,
            format!(
                "services:\n{}",
                repeat(20_000, &|i| format!(
                    "  s{i}:\n    image: postgres\n    ports: [\"{}:5432\"]\n",
                    10_000 + i % 50_000
                ))
            ),
        ),
        big(
            "compose-many-anchors",
            Kind::Compose,
            format!(
                "list: [{}]\nservices: {{}}\n",
                repeat(100_000, &|i| format!("&n{i} v,"))
            ),
        ),
        big(
            "compose-many-documents",
            Kind::Compose,
            "---\nservices: {}\n".repeat(50_000),
        ),
        big(
            "compose-over-the-read-limit",
            Kind::Compose,
            format!(
                "services:\n  db:\n    image: postgres\n    labels:\n{}",
                repeat(200_000, &|i| format!(
                    "      l{i}: \"{}\"\n",
                    "x".repeat(20)
                ))
            ),
        ),
        big(
            "dotenv-megabyte-line",
            Kind::Dotenv,
            format!(
                "PG_PASSWORD={FILE_CANARY}\nNOISE={}\n",
                "n".repeat(3_000_000)
            ),
        ),
        big(
            "compose-interpolation-nested-deep",
            Kind::Compose,
            format!(
                "services:\n  db:\n    image: \"{}x{}\"\n",
                "${UNSET:-".repeat(200_000),
                "}".repeat(200_000)
            ),
        ),
        big(
            "dotenv-many-secrets",
            Kind::Dotenv,
            repeat(20_000, &|i| {
                format!("SERVICE_{i}_PASSWORD={FILE_CANARY}-{i:05}\n")
            }),
        ),
        big(
            "dotenv-many-keys",
            Kind::Dotenv,
            repeat(100_000, &|i| format!("KEY_{i}=value_{i}\n")),
        ),
        big(
            "preflight-toml-huge-string",
            Kind::PreflightToml,
            format!("checklist = \"{}\"\n", "c".repeat(3_000_000)),
        ),
        big(
            "checklist-many-items",
            Kind::Checklist,
            format!(
                "[checklist]\nid = \"x\"\ntitle = \"X\"\n{}",
                repeat(5_000, &|i| format!(
                    "[[item]]\nid = \"i{i}\"\ntier = \"optional\"\ntitle = \"I\"\n"
                ))
            ),
        ),
        big(
            "gitconfig-huge-value",
            Kind::GitConfig,
            format!(
                "[core]\n\trepositoryformatversion = 0\n[user]\n\tname = {}\n",
                "n".repeat(5_000_000)
            ),
        ),
        big(
            "gitconfig-many-sections",
            Kind::GitConfig,
            format!(
                "[core]\n\trepositoryformatversion = 0\n{}",
                repeat(50_000, &|i| format!("[s{i} \"x\"]\n\tk = v\n"))
            ),
        ),
        big(
            "gitignore-many-rules",
            Kind::GitIgnore,
            repeat(50_000, &|i| format!("rule-{i}/**/*.x{i}\n")),
        ),
        big(
            "gitignore-long-lines",
            Kind::GitIgnore,
            repeat(5, &|_| format!("{}\n", "a*".repeat(100_000))),
        ),
        big(
            "ledger-huge-line",
            Kind::Ledger,
            format!("{{\"v\":1,\"note\":\"{}\"}}\n", "x".repeat(10_000_000)),
        ),
        big(
            "ledger-deep-json",
            Kind::Ledger,
            format!("{}{}\n", "[".repeat(200_000), "]".repeat(200_000)),
        ),
        big("ledger-blank-lines", Kind::Ledger, "\n".repeat(1_000_000)),
        big(
            "audit-log-megabyte-lines",
            Kind::AuditLog,
            repeat(20, &|_| {
                format!("{{\"x\":\"{}\"}}\n", "y".repeat(1_000_000))
            }),
        ),
    ]
}

/// Deterministic corruptions of real files: what an editor, a bad merge or a
/// truncated download leaves behind.
fn corrupted_cases() -> Vec<Case> {
    let seeds = [
        "postgresql-pgadmin/compose.yaml",
        "postgresql-pgadmin/.env",
        "nginx-golang-postgres/compose.yaml",
        "react-rust-postgres/compose.yaml",
        "spring-postgres/compose.yaml",
        "gitea-postgres/compose.yaml",
        "nextcloud-postgres/compose.yaml",
        "django/compose.yaml",
        "wordpress-mysql/compose.yaml",
        "elasticsearch-logstash-kibana/compose.yaml",
        "pihole-cloudflared-DoH/compose.yaml",
        "pihole-cloudflared-DoH/.env",
        "wireguard/.env",
        "plex/.env",
    ];
    let mut cases = Vec::new();
    for seed in seeds {
        let bytes = std::fs::read(corpus().join("awesome-compose").join(seed)).unwrap();
        let kind = if seed.ends_with(".env") {
            Kind::Dotenv
        } else {
            Kind::Compose
        };
        let n = bytes.len();
        let second_line = bytes.iter().position(|b| *b == b'\n').map_or(0, |i| i + 1);
        let separator = if kind == Kind::Compose { b':' } else { b'=' };
        let insert = |at: usize, what: &[u8]| {
            let mut v = bytes.clone();
            v.splice(at..at, what.iter().copied());
            v
        };
        let mutations: Vec<(&str, Vec<u8>)> = vec![
            ("truncated-third", bytes[..n / 3].to_vec()),
            ("truncated-two-thirds", bytes[..2 * n / 3].to_vec()),
            ("tab-on-line-2", insert(second_line, b"\t")),
            (
                "separator-lost",
                match bytes.iter().position(|b| *b == separator) {
                    Some(i) => [&bytes[..i], &bytes[i + 1..]].concat(),
                    None => bytes.clone(),
                },
            ),
            ("unknown-alias", insert(n, b"\n  extra: *undefined\n")),
            ("invalid-byte", {
                let mut v = bytes.clone();
                v[n / 2] = 0xFF;
                v
            }),
            ("stray-bracket", insert(second_line, b"[{")),
            ("doubled", [bytes.as_slice(), bytes.as_slice()].concat()),
            ("nul-byte", insert(n / 4, b"\0")),
            ("conflict-markers", {
                let mut v = b"<<<<<<< HEAD\n".to_vec();
                v.extend_from_slice(&bytes);
                v.extend_from_slice(b"=======\n");
                v.extend_from_slice(&bytes[..n / 2]);
                v.extend_from_slice(b"\n>>>>>>> branch\n");
                v
            }),
        ];
        for (name, data) in mutations {
            cases.push(Case {
                name: format!("awesome-compose/{seed}#{name}"),
                kind,
                input: Input::Bytes(data),
                first_command_only: true,
            });
        }
    }
    cases
}

/// Special files wherever preflight reads a file.
fn special_cases() -> Vec<Case> {
    let kinds = [
        Kind::Compose,
        Kind::Dotenv,
        Kind::PreflightToml,
        Kind::Checklist,
        Kind::GitConfig,
        Kind::GitIgnore,
        Kind::Ledger,
        Kind::GitFile("HEAD"),
        Kind::GitFile("index"),
        Kind::GitFile("info/exclude"),
        Kind::GitFile(".git"),
        Kind::AuditLog,
    ];
    let inputs = [
        ("fifo", Input::Fifo),
        ("socket", Input::Socket),
        ("folder", Input::Folder),
        ("link-to-dev-zero", Input::Link("/dev/zero")),
        ("link-to-dev-urandom", Input::Link("/dev/urandom")),
        ("link-to-dev-stdin", Input::Link("/dev/stdin")),
        ("link-loop", Input::LinkLoop),
        ("link-outside", Input::Link("/etc/passwd")),
        ("link-dangling", Input::Link("/nonexistent/preflight")),
    ];
    let mut cases = Vec::new();
    for kind in kinds {
        for (name, input) in &inputs {
            cases.push(Case {
                name: format!("special/{:?}/{name}", kind),
                kind,
                input: input.clone(),
                first_command_only: true,
            });
        }
    }
    cases
}

/// A fresh repository with the input in place.
fn project_for(case: &Case) -> (Project, Vec<std::os::unix::net::UnixListener>) {
    // A repository without commits: one git run per case, not three.
    let p = Project::git();
    p.write("app.py", "print('hello')\n");
    let mut listeners = Vec::new();
    for rel in case.kind.paths() {
        let path = p.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        if std::fs::symlink_metadata(&path).is_ok() {
            if path.is_dir() {
                std::fs::remove_dir_all(&path).unwrap();
            } else {
                std::fs::remove_file(&path).unwrap();
            }
        }
        match &case.input {
            Input::Bytes(bytes) => std::fs::write(&path, bytes).unwrap(),
            Input::Fifo => {
                rustix::fs::mkfifoat(rustix::fs::CWD, &path, rustix::fs::Mode::from(0o644))
                    .unwrap();
            }
            Input::Socket => {
                listeners.push(std::os::unix::net::UnixListener::bind(&path).unwrap());
            }
            Input::Folder => std::fs::create_dir_all(path.join("inside")).unwrap(),
            Input::Link(target) => std::os::unix::fs::symlink(target, &path).unwrap(),
            Input::LinkLoop => {
                let mut other = path.clone().into_os_string();
                other.push(".loop");
                std::os::unix::fs::symlink(&other, &path).unwrap();
                std::os::unix::fs::symlink(&path, &other).unwrap();
            }
        }
    }
    (p, listeners)
}

/// One run's findings.
struct Finding {
    elapsed: Duration,
    peak_kib: u64,
    problems: Vec<String>,
}

/// The peak resident memory of a running process (`VmHWM`), in KiB.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs one command on a project, watching its memory, killing it at [`HANG`].
fn run_watched(dir: &Path, args: &[&str]) -> Finding {
    let started = Instant::now();
    let mut child = preflight(dir)
        .args(args)
        .env("PG_PASSWORD", ENV_CANARY)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut v).ok();
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut v).ok();
        v
    });
    let mut peak = 0;
    let mut problems = Vec::new();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        peak = peak.max(peak_kib(pid).unwrap_or(0));
        if started.elapsed() > HANG {
            child.kill().ok();
            problems.push(format!("hung: killed after {HANG:?}"));
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
    let all = format!("{stdout}{stderr}");
    match status.code() {
        Some(0..=2) => {}
        Some(code) => problems.push(format!("exit code {code}")),
        None => problems.push(format!("killed by a signal: {status:?}")),
    }
    if stderr.contains("panicked") {
        problems.push("panicked".to_string());
    }
    if all.contains(FILE_CANARY) || all.contains(ENV_CANARY) {
        problems.push("printed a secret".to_string());
    }
    if all.contains('\u{1b}') || all.contains('\u{7}') {
        problems.push("printed a raw control character".to_string());
    }
    if peak > MAX_RSS_KIB {
        problems.push(format!("peak memory {peak} KiB"));
    }
    if status.code() == Some(2) && !stderr.contains("error") {
        problems.push(format!("exit 2 without an error message: {stderr}"));
    }
    if !problems.is_empty() {
        problems.push(format!(
            "output: {}",
            all.chars().take(2000).collect::<String>()
        ));
    }
    Finding {
        elapsed,
        peak_kib: peak,
        problems,
    }
}

#[test]
fn malformed_and_hostile_inputs_never_panic_hang_or_leak() {
    let _ = std::fs::remove_file(PWNED);
    let stored = stored_cases();
    assert!(
        stored.len() >= 150,
        "the corpus holds {} inputs",
        stored.len()
    );
    let cases: Vec<Case> = stored
        .into_iter()
        .chain(generated_cases())
        .chain(corrupted_cases())
        .chain(special_cases())
        .collect();
    let total = cases.len();
    let queue = Arc::new(Mutex::new(cases.into_iter().collect::<VecDeque<_>>()));
    let results = Arc::new(Mutex::new(Vec::new()));
    // Runs wait on processes as much as they compute: twice the cores keeps them busy.
    let workers = std::thread::available_parallelism().map_or(4, |n| (2 * n.get()).clamp(4, 16));
    let threads: Vec<_> = (0..workers)
        .map(|_| {
            let queue = Arc::clone(&queue);
            let results = Arc::clone(&results);
            std::thread::spawn(move || {
                loop {
                    let Some(case) = queue.lock().unwrap().pop_front() else {
                        break;
                    };
                    let (project, _listeners) = project_for(&case);
                    let mut commands = case.kind.commands();
                    if case.first_command_only {
                        commands.truncate(1);
                    }
                    for args in commands {
                        let finding = run_watched(project.path(), &args);
                        results
                            .lock()
                            .unwrap()
                            .push((case.name.clone(), args.join(" "), finding));
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let results = results.lock().unwrap();
    let slowest = results.iter().max_by_key(|r| r.2.elapsed).unwrap();
    let hungriest = results.iter().max_by_key(|r| r.2.peak_kib).unwrap();
    eprintln!(
        "{total} inputs, {} runs; slowest {:?} ({} `{}`); largest peak {} KiB ({} `{}`)",
        results.len(),
        slowest.2.elapsed,
        slowest.0,
        slowest.1,
        hungriest.2.peak_kib,
        hungriest.0,
        hungriest.1
    );
    for (case, args, f) in results.iter() {
        if f.elapsed > Duration::from_secs(2) {
            eprintln!("slow: {case} `{args}` {:?} {} KiB", f.elapsed, f.peak_kib);
        }
    }
    let failures: Vec<String> = results
        .iter()
        .filter(|r| !r.2.problems.is_empty())
        .map(|(case, args, f)| format!("{case} `{args}`: {}", f.problems.join("; ")))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} runs failed:\n{}",
        failures.len(),
        results.len(),
        failures.join("\n\n")
    );
    assert!(
        !Path::new(PWNED).exists(),
        "an input made preflight run a program"
    );
}

//! The real binary in a real terminal: tmux runs `preflight demo`, keys are sent with
//! `send-keys` and the screen read with `capture-pane`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::text;

/// A tmux server of its own (its socket in a temporary directory), killed on drop.
struct Tmux {
    socket: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmux {
    fn start(command: &str, env: &[(&str, &Path)]) -> Tmux {
        let found = std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("tmux").is_file()));
        assert!(
            found,
            "`tmux` is not installed: run the tests with `scripts/test`, which installs it"
        );
        let dir = tempfile::tempdir().unwrap();
        let tmux = Tmux {
            socket: dir.path().join("socket"),
            _dir: dir,
        };
        let mut cmd = tmux.command();
        cmd.args(["new-session", "-d", "-x", "120", "-y", "40", "-s", "e2e"]);
        for (k, v) in env {
            cmd.arg("-e").arg(format!("{k}={}", v.display()));
        }
        // `reachable`'s "auto" stays on loopback in tests.
        cmd.args(["-e", "PREFLIGHT_AUTO_ADDRESSES=127.0.0.2"]);
        cmd.arg(command);
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        tmux
    }

    /// [`Tmux::start`] with a shell script as the pane's command. The script is quoted
    /// for the shell tmux runs it with: `"` and `$` are escaped, so that `$?` is the
    /// script's own (unescaped, that shell expanded it first, and every `EXIT=$?` read 0).
    fn script(script: &str, env: &[(&str, &Path)]) -> Tmux {
        let quoted = script.replace('"', "\\\"").replace('$', "\\$");
        Tmux::start(&format!("sh -c \"{quoted}\""), env)
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.arg("-S").arg(&self.socket).env_remove("TMUX");
        cmd
    }

    fn send(&self, keys: &[&str]) {
        let out = self
            .command()
            .args(["send-keys", "-t", "e2e"])
            .args(keys)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }

    fn screen(&self) -> String {
        text(
            &self
                .command()
                .args(["capture-pane", "-p", "-t", "e2e"])
                .output()
                .unwrap()
                .stdout,
        )
    }

    /// Waits until the screen shows `what` (or fails after 20 s, showing the screen).
    fn wait_for(&self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(what) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "`{what}` never appeared:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The demo's sandbox in a temporary directory (TMPDIR of the demo).
fn sandbox_in(dir: &Path) -> Option<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("preflight-demo-"))
        })
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.command().arg("kill-server").output();
    }
}

/// `stty -a` shows a terminal back in cooked mode: line editing, echo and signals on.
fn assert_cooked(stty: &str) {
    let modes: Vec<&str> = stty.split_whitespace().collect();
    for mode in ["icanon", "echo", "isig"] {
        assert!(
            modes.contains(&mode),
            "terminal not restored ({mode} is off): {stty}"
        );
    }
}

#[test]
fn demo_rerun_attest_quit_in_a_real_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let stty = tmp.path().join("stty.txt");
    let binary = env!("CARGO_BIN_EXE_preflight");
    let script = format!(
        "echo BEFORE-PREFLIGHT; {binary} demo --keep --as 'Jane Doe <jane@example.com>'; echo \"EXIT=$?\"; stty -a > {}; sleep 60",
        stty.display()
    );
    // The sandbox goes into our temporary directory, so the test can find it.
    let tmux = Tmux::script(&script, &[("TMPDIR", tmp.path())]);

    // The verdict replaces "checking…" once every probe has finished.
    let screen = tmux.wait_for("NO-GO: ");
    let counts = screen.lines().nth(1).unwrap_or_default().to_string();
    tmux.send(&["R"]);
    // Too quick to catch the gauge reliably; the counts come back the same.
    std::thread::sleep(Duration::from_millis(300));
    tmux.wait_for(&counts);
    tmux.wait_for("NO-GO: ");
    // Find the manual item with the filter, attest it with a note.
    tmux.send(&["/", "rotated", "Enter"]);
    tmux.wait_for("Items 1 /rotated");
    tmux.send(&["a"]);
    tmux.wait_for("You attest that this item is done");
    tmux.send(&["-l", "rotated in the e2e test"]);
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for(
        "attested `rotate-production-credentials` as Jane Doe <jane@example.com>: record 1",
    );
    assert!(screen.contains("attested"), "{screen}");
    // Esc clears the filter, and does not quit (nor stop the demo's database).
    tmux.send(&["Escape"]);
    let screen = tmux.wait_for("filters cleared");
    assert!(!screen.contains("/rotated"), "{screen}");
    assert!(!screen.contains("EXIT="), "Esc quit:\n{screen}");
    tmux.send(&["Escape"]);
    tmux.wait_for("q quits");
    tmux.send(&["q"]);
    let screen = tmux.wait_for("EXIT=0");
    assert!(
        screen.contains("BEFORE-PREFLIGHT"),
        "the alternate screen was left: {screen}"
    );
    assert!(screen.contains("the demo project is kept at"), "{screen}");

    let start = Instant::now();
    while !stty.is_file() || std::fs::read_to_string(&stty).unwrap().is_empty() {
        assert!(start.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_cooked(&std::fs::read_to_string(&stty).unwrap());

    let sandbox = sandbox_in(tmp.path()).expect("the kept sandbox");
    let ledger = std::fs::read_to_string(sandbox.join(".preflight/ledger.jsonl")).unwrap();
    let lines: Vec<&str> = ledger.lines().collect();
    assert_eq!(lines.len(), 1, "{ledger}");
    let record: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(record["item"], "rotate-production-credentials");
    assert_eq!(record["action"], "attest");
    assert_eq!(record["note"], "rotated in the e2e test");
    assert_eq!(record["by"]["email"], "jane@example.com");
}

#[test]
fn sigterm_restores_the_terminal_and_removes_the_sandbox() {
    let tmp = tempfile::tempdir().unwrap();
    let stty = tmp.path().join("stty.txt");
    let binary = env!("CARGO_BIN_EXE_preflight");
    // A marker in the arguments finds this test's process among parallel tests.
    let marker = format!("sigterm-{}@example.com", std::process::id());
    let script = format!(
        "{binary} demo --as 'Sig <{marker}>'; echo \"EXIT=$?\"; stty -a > {}; sleep 60",
        stty.display()
    );
    let tmux = Tmux::script(&script, &[("TMPDIR", tmp.path())]);
    tmux.wait_for("NO-GO: ");
    let pgrep = Command::new("pgrep")
        .args(["-f", &marker])
        .output()
        .unwrap();
    let pids = text(&pgrep.stdout);
    let pid = pids
        .lines()
        .find(|p| {
            std::fs::read(format!("/proc/{p}/cmdline"))
                .is_ok_and(|c| c.starts_with(binary.as_bytes()))
        })
        .unwrap_or_else(|| panic!("no preflight process among {pids:?}"))
        .to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let screen = tmux.wait_for("EXIT=0");
    assert!(
        !screen.contains("NO-GO"),
        "the alternate screen was left: {screen}"
    );
    let start = Instant::now();
    while !stty.is_file() || std::fs::read_to_string(&stty).unwrap().is_empty() {
        assert!(start.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(50));
    }
    let modes = std::fs::read_to_string(&stty).unwrap();
    assert!(
        modes.contains(" icanon") && !modes.contains("-icanon"),
        "{modes}"
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("preflight-demo-")
        })
        .collect();
    assert!(left.is_empty(), "the sandbox is removed on SIGTERM");
}

#[test]
fn closing_the_terminal_stops_the_demo_database_and_removes_the_sandbox() {
    let tmp = tempfile::tempdir().unwrap();
    let binary = env!("CARGO_BIN_EXE_preflight");
    let tmux = Tmux::start(
        &format!("{binary} demo --as 'Jane <jane@example.com>'"),
        &[("TMPDIR", tmp.path())],
    );
    tmux.wait_for("NO-GO: ");
    let sandbox = sandbox_in(tmp.path()).expect("the sandbox");
    let config = std::fs::read_to_string(sandbox.join("preflight.toml")).unwrap();
    let port: Option<u16> = config
        .lines()
        .find_map(|l| l.strip_prefix("port = "))
        .map(|p| p.trim().parse().unwrap());
    if let Some(port) = port {
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(),
            "the demo database runs"
        );
    }
    // The pane's terminal disappears under the running UI (SIGHUP, writes fail).
    drop(tmux);
    let start = Instant::now();
    loop {
        let db_gone = port.is_none_or(|p| std::net::TcpStream::connect(("127.0.0.1", p)).is_err());
        if db_gone && !sandbox.exists() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "database still up: {}, sandbox left: {}",
            !db_gone,
            sandbox.exists()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_ui_asks_before_running_the_commands_of_a_custom_checklist() {
    for (answer, runs) in [("y", true), ("n", false)] {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path().join("project");
        std::fs::create_dir(&project).unwrap();
        std::fs::write(
            project.join("checklist.toml"),
            crate::support::single_probe_checklist("command", "argv = [\"touch\", \"ran-by-ui\"]"),
        )
        .unwrap();
        let binary = env!("CARGO_BIN_EXE_preflight");
        let script = format!(
            "cd {}; {binary} tui --checklist checklist.toml --as 'Jane <jane@example.com>'; echo \"EXIT=$?\"; sleep 60",
            project.display()
        );
        let tmux = Tmux::script(
            &script,
            &[
                ("XDG_CONFIG_HOME", tmp.path()),
                ("XDG_CACHE_HOME", tmp.path()),
            ],
        );
        let screen = tmux.wait_for("Run this checklist's commands?");
        assert!(screen.contains("$ touch ran-by-ui"), "{screen}");
        // Nothing runs while the question is open.
        std::thread::sleep(Duration::from_millis(500));
        assert!(!project.join("ran-by-ui").exists(), "ran before the answer");
        tmux.send(&[answer]);
        // The counts replace the question once the probe has finished.
        let screen = tmux.wait_for(" skipped · ");
        assert_eq!(
            project.join("ran-by-ui").exists(),
            runs,
            "{answer}: {screen}"
        );
        let expected = if runs { " 1 pass " } else { " 1 skipped " };
        assert!(screen.contains(expected), "{answer}: {screen}");
        tmux.send(&["q"]);
        tmux.wait_for("EXIT=0");
    }
}

/// The UI folds in a record written by another terminal within 2 s, and says who did
/// what.
#[test]
fn the_ui_sees_an_approval_recorded_by_the_cli() {
    let p = crate::support::signoff_project(true);
    let (code, _, err) = crate::support::run(
        p.path(),
        &[
            "attest",
            "rotate-credentials",
            "--as",
            "Jane <jane@example.com>",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let tmp = tempfile::tempdir().unwrap();
    let binary = env!("CARGO_BIN_EXE_preflight");
    let script = format!(
        "cd {}; {binary} tui --as 'Jane <jane@example.com>'; echo \"EXIT=$?\"; sleep 60",
        p.path().display()
    );
    let tmux = Tmux::script(
        &script,
        &[
            ("XDG_CONFIG_HOME", tmp.path()),
            ("XDG_CACHE_HOME", tmp.path()),
            ("HOME", p.path()),
        ],
    );
    tmux.wait_for(" skipped · ");
    let (code, _, err) = crate::support::run(
        p.path(),
        &[
            "approve",
            "rotate-credentials",
            "--as",
            "Sam <sam@example.com>",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let approved = Instant::now();
    let screen = tmux.wait_for("ledger: Sam <sam@example.com> approved `rotate-credentials`");
    assert!(
        approved.elapsed() < Duration::from_secs(2),
        "shown after {:?}:\n{screen}",
        approved.elapsed()
    );
    // Ctrl-C leaves as an interrupt: exit 130, as a shell expects.
    tmux.send(&["C-c"]);
    tmux.wait_for("EXIT=130");
}

/// `preflight init` in a real terminal: it asks about each environment it found (a
/// line answered per question), writes names only, and the file drives the UI.
#[test]
fn init_asks_in_a_real_terminal_and_writes_names_only() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(
        project.join(".env.production"),
        "PG_HOST=db.internal\nPG_USER=app\nPG_PASSWORD=Prod-Secret-9f2\n",
    )
    .unwrap();
    std::fs::write(
        project.join(".env.staging"),
        "PG_HOST=staging.internal\nPG_USER=app\nPG_PASSWORD=Staging-Secret-4k1\n",
    )
    .unwrap();
    std::fs::write(
        project.join(".env.development"),
        "PG_HOST=localhost\nPG_USER=dev\nPG_PASSWORD=dev\n",
    )
    .unwrap();
    let binary = env!("CARGO_BIN_EXE_preflight");
    let script = format!(
        "cd {}; env -u PG_HOST -u PG_USER -u PG_PASSWORD -u DATABASE_URL {binary} init; echo \"EXIT=$?\"; sleep 60",
        project.display()
    );
    let tmux = Tmux::script(&script, &[("XDG_CONFIG_HOME", tmp.path())]);
    let screen = tmux.wait_for("add environment `staging`");
    assert!(screen.contains("[Y/n]"), "{screen}");
    tmux.send(&["y", "Enter"]);
    tmux.wait_for("add environment `development`");
    tmux.send(&["n", "Enter"]);
    let screen = tmux.wait_for("EXIT=0");
    let written = std::fs::read_to_string(project.join("preflight.toml")).unwrap();
    assert!(written.contains("[environments.production]"), "{written}");
    assert!(written.contains("[environments.staging]"), "{written}");
    assert!(!written.contains("[environments.development]"), "{written}");
    assert!(
        written.contains("checklists = [\"postgres-production\", \"postgres-security\"]"),
        "{written}"
    );
    for secret in ["Prod-Secret-9f2", "Staging-Secret-4k1"] {
        assert!(!written.contains(secret), "{written}");
        assert!(!screen.contains(secret), "{screen}");
    }
}

/// Two checklists and two environments in a real terminal: items under each
/// checklist, `E` switches environment, `m` shows the matrix, `q` quits with 0.
#[test]
fn two_checklists_switching_environment_and_the_matrix_in_a_real_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    std::fs::create_dir(&project).unwrap();
    for id in ["alpha", "beta"] {
        std::fs::write(
            project.join(format!("{id}.toml")),
            format!(
                "[checklist]\nid = \"{id}\"\ntitle = \"Checklist {id}\"\n\n[[item]]\nid = \"{id}-ignored\"\ntier = \"critical\"\ntitle = \"{id}: .env is ignored\"\n[[item.probe]]\nkind = \"gitignore-covers\"\npaths = [\".env\"]\n"
            ),
        )
        .unwrap();
    }
    std::fs::write(
        project.join("preflight.toml"),
        "checklists = [\"alpha.toml\", \"beta.toml\"]\n[environments.production]\nhost = \"127.0.0.1\"\n[environments.staging]\nhost = \"127.0.0.1\"\n",
    )
    .unwrap();
    std::fs::write(project.join(".gitignore"), ".env\n").unwrap();
    let git = |args: &[&str]| {
        let out = crate::support::git_command(&project)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "init"]);
    let binary = env!("CARGO_BIN_EXE_preflight");
    let script = format!(
        "cd {}; {binary} --as 'Jane <jane@example.com>'; echo \"EXIT=$?\"; sleep 60",
        project.display()
    );
    let tmux = Tmux::script(
        &script,
        &[
            ("XDG_CONFIG_HOME", tmp.path()),
            ("XDG_CACHE_HOME", tmp.path()),
        ],
    );
    let screen = tmux.wait_for(" 2 pass ");
    assert!(screen.contains("▌Checklist alpha (alpha)"), "{screen}");
    assert!(screen.contains("▌Checklist beta (beta)"), "{screen}");
    assert!(screen.contains("env production"), "{screen}");
    tmux.send(&["E"]);
    tmux.wait_for("env staging");
    tmux.send(&["m"]);
    // A column per environment (the conventional development and deployment ones
    // too), their names cut alike to fit.
    let screen = tmux.wait_for("deploym develop product staging");
    // Both columns filled: no spinner left in the list.
    let start = Instant::now();
    let mut screen = screen;
    while ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
        .iter()
        .any(|s| screen.contains(s))
    {
        assert!(start.elapsed() < Duration::from_secs(20), "{screen}");
        std::thread::sleep(Duration::from_millis(50));
        screen = tmux.screen();
    }
    assert!(screen.contains("✓       ✓       ✓       ✓"), "{screen}");
    tmux.send(&["q"]);
    tmux.wait_for("EXIT=0");
}

/// The welcome of an unconfigured project runs `preflight init` on `i` (its questions
/// on the terminal), then opens again on the configured project.
#[test]
fn the_welcome_runs_init_and_comes_back_configured() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(
        project.join(".env.production"),
        "PG_HOST=127.0.0.1\nPG_USER=app\nPG_PASSWORD=Prod-Secret-9f2\n",
    )
    .unwrap();
    std::fs::write(
        project.join(".env.staging"),
        "PG_HOST=127.0.0.1\nPG_USER=app\nPG_PASSWORD=Staging-Secret-4k1\n",
    )
    .unwrap();
    let binary = env!("CARGO_BIN_EXE_preflight");
    let script = format!(
        "cd {}; env -u PG_HOST -u PG_USER -u PG_PASSWORD -u DATABASE_URL {binary} --as 'Jane <jane@example.com>'; echo \"EXIT=$?\"; sleep 60",
        project.display()
    );
    let tmux = Tmux::script(
        &script,
        &[
            ("XDG_CONFIG_HOME", tmp.path()),
            ("XDG_CACHE_HOME", tmp.path()),
        ],
    );
    tmux.wait_for("i runs preflight init");
    tmux.send(&["i"]);
    tmux.wait_for("add environment `staging`");
    tmux.send(&["y", "Enter"]);
    // Back in the UI, on the two checklists init chose, with both environments.
    let screen = tmux.wait_for("(2 checklists)");
    assert!(!screen.contains("no preflight.toml"), "{screen}");
    tmux.send(&["E"]);
    tmux.wait_for("env staging");
    tmux.send(&["q"]);
    let screen = tmux.wait_for("EXIT=0");
    assert!(screen.contains("wrote "), "init's output stays: {screen}");
    let written = std::fs::read_to_string(project.join("preflight.toml")).unwrap();
    assert!(written.contains("[environments.staging]"), "{written}");
    assert!(!written.contains("Secret"), "{written}");
}

//! One pass over the project per run: every shipped checklist together, run by the
//! real binary under `strace`, opens no project file twice (the walk, the content
//! pass, Compose, Dockerfile and dotenv readers and the ignore rules share reads).
//! `strace` counts what the process really opened: an oracle outside preflight.

use std::collections::BTreeMap;
use std::process::Command;

use crate::support::{Project, preflight, text};

/// A project with something for every reader: source files for the scanners, Compose
/// files with a `.env` beside them and an `env_file`, a Dockerfile, `.env` files that
/// environments read passwords from, ignore files in two folders, `.mcp.json`.
fn project() -> Project {
    let p = Project::git();
    for n in 0..40 {
        p.write(
            &format!("src/m{}/f{n}.py", n % 4),
            "def f(cur, user_id):\n    cur.execute(f\"SELECT * FROM users WHERE id = {user_id}\")\n",
        );
    }
    p.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    env_file: db.env\n    environment:\n      POSTGRES_PASSWORD: ${PG_PASSWORD}\n    ports:\n      - \"5434:5432\"\n",
    );
    p.write("db.env", "POSTGRES_DB=app\n");
    p.write(
        "deploy/compose.prod.yaml",
        "services:\n  db:\n    image: postgres:16.4\n    ports:\n      - \"127.0.0.1:5432:5432\"\n",
    );
    p.write(".env", "PG_PASSWORD=dev-password-1\n");
    p.write(
        ".env.production",
        "PG_HOST=127.0.0.1\nPG_PORT=9\nPG_USER=app\nPG_PASSWORD=Prod-Password-77\n",
    );
    p.write(".env.example", "PG_USER=dev\nPG_PASSWORD=changeme\n");
    p.write(
        "Dockerfile",
        "FROM python:3.12\nENV PG_PASSWORD=Xq7pL2vR9sKd4mWn\n",
    );
    p.write(".gitignore", ".env\n.env.production\n");
    p.write("src/.gitignore", "*.pyc\n");
    p.write(
        ".mcp.json",
        "{\"env\": {\"DATABASE_URL\": \"postgresql://app@db.internal/app?sslmode=verify-full\"}}\n",
    );
    p.write(
        "preflight.toml",
        "checklists = [\"postgres-production\", \"postgres-security\", \"postgres-hardening\"]\n\
         [environments.production]\nhost = { dotenv = \".env.production\", key = \"PG_HOST\" }\n\
         port = { dotenv = \".env.production\", key = \"PG_PORT\" }\n\
         user = { dotenv = \".env.production\", key = \"PG_USER\" }\n\
         password = { dotenv = \".env.production\", key = \"PG_PASSWORD\" }\n\
         sslmode = \"disable\"\n",
    );
    p.commit_all("init");
    p
}

#[test]
fn a_run_of_every_shipped_checklist_opens_each_project_file_once() {
    let found = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("strace").is_file()));
    assert!(
        found,
        "`strace` is not installed: run the tests with `scripts/test`, which installs it"
    );
    let p = project();
    let trace = p.path().join("..").join(format!(
        "openat-{}.txt",
        p.path().file_name().unwrap().to_string_lossy()
    ));
    let binary = preflight(p.path());
    let mut cmd = Command::new("strace");
    // `-y`: a descriptor is shown with its path, so that a file opened by name in
    // an open folder (`openat(5</project/src>, "app.py", ...)`) is known too.
    cmd.args(["-f", "-qq", "-y", "-e", "trace=openat", "-o"])
        .arg(&trace)
        .arg(binary.get_program())
        .args(["check", "--timeout", "2s"])
        .current_dir(p.path())
        .env_clear()
        .envs(binary.get_envs().filter_map(|(k, v)| Some((k, v?))));
    let out = cmd.output().unwrap();
    let log = std::fs::read_to_string(&trace).unwrap_or_default();
    let _ = std::fs::remove_file(&trace);
    assert!(
        !log.is_empty(),
        "strace recorded nothing (is ptrace allowed here?): {}",
        text(&out.stderr)
    );
    // The run did its job: every probe kind that reads files had something to read.
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("SQL built with an f-string") || stdout.contains("build SQL"),
        "{stdout}"
    );
    assert!(stdout.contains("Dockerfile"), "{stdout}");
    // Files of the project preflight itself opened, by absolute path or by name in
    // an open folder of the project (git, run as a child, opens paths relative to its
    // working directory, which neither form matches), folders and git's own files
    // aside.
    let root = std::fs::canonicalize(p.path()).unwrap();
    let prefix = format!("\"{}/", root.display());
    let in_folder = "openat(";
    let mut opens: BTreeMap<String, usize> = BTreeMap::new();
    for line in log.lines() {
        // Reads only: preflight writes its own files (the fingerprint key it creates
        // on a first run is then read by whichever reader lists it).
        if line.contains("O_DIRECTORY") || line.contains("ENOENT") || line.contains("O_WRONLY") {
            continue;
        }
        let path = if let Some(at) = line.find(&prefix) {
            let path = &line[at + prefix.len()..];
            path[..path.find('"').unwrap_or(path.len())].to_string()
        } else if let Some((folder, name)) = line
            .split_once(in_folder)
            .and_then(|(_, args)| args.split_once(">, \""))
            .and_then(|(fd, rest)| {
                // A descriptor, not AT_FDCWD (which `-y` shows with the working
                // directory: git's relative paths).
                let (number, folder) = fd.split_once('<')?;
                number
                    .bytes()
                    .all(|b| b.is_ascii_digit())
                    .then_some((folder, rest.split_once('"')?.0))
            })
        {
            let Some(below) = folder.strip_prefix(&*root.to_string_lossy()) else {
                continue;
            };
            let below = below.trim_start_matches('/');
            if below.is_empty() {
                name.to_string()
            } else {
                format!("{below}/{name}")
            }
        } else {
            continue;
        };
        if path.starts_with(".git/") {
            continue;
        }
        *opens.entry(path).or_default() += 1;
    }
    for file in [
        "src/m0/f0.py",
        "docker-compose.yml",
        "db.env",
        ".env",
        ".env.production",
        "Dockerfile",
        ".gitignore",
        "src/.gitignore",
        ".mcp.json",
    ] {
        assert!(opens.contains_key(file), "{file} was never read: {opens:?}");
    }
    let twice: Vec<(&String, &usize)> = opens.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "read more than once: {twice:?}");
}

/// The terminal UI's rerun of one item: the file readers' outcomes from the last run
/// are taken when no file changed (sizes, modification and change times, inodes), and
/// each says so; a changed file, a file modified too recently to trust its time, or a
/// full rerun reads the files again.
#[test]
fn a_rerun_of_one_item_reuses_the_pass_only_while_no_file_changed() {
    use std::sync::Arc;
    use std::time::{Duration, SystemTime};

    use preflight::base::diagnostic::SourceFile;
    use preflight::checklist::load_source;
    use preflight::config::{Config, EnvVars};
    use preflight::probe::runner::{self, MemoUse, PassMemo, REUSED, RunOptions};
    use preflight::probe::{ItemResult, ProbeContext};

    let p = Project::git();
    let old = SystemTime::now() - Duration::from_secs(60);
    let backdate = |path: &std::path::Path| {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(old)
            .unwrap();
    };
    let write_old = |rel: &str, text: &str| backdate(&p.write(rel, text));
    for n in 0..20 {
        write_old(&format!("src/f{n}.py"), "def f(x):\n    return x\n");
    }
    write_old(
        "src/db.py",
        "def find(cur, user_id):\n    cur.execute(f\"SELECT * FROM users WHERE id = {user_id}\")\n",
    );
    let checklist = load_source(
        &SourceFile::new(
            "c.toml",
            "[checklist]\nid = \"c\"\ntitle = \"C\"\n\n[[item]]\nid = \"sql\"\ntier = \"critical\"\ntitle = \"S\"\n\n[[item.probe]]\nkind = \"sql-injection\"\n\n[[item]]\nid = \"secrets\"\ntier = \"critical\"\ntitle = \"T\"\n\n[[item.probe]]\nkind = \"secret-scan\"\n",
        ),
        "c",
        &preflight::probe::catalog::Catalog,
    )
    .unwrap();
    let ctx = Arc::new(ProbeContext::new(
        p.path().to_path_buf(),
        Arc::new(Config::default()),
        EnvVars::default(),
    ));
    let memo = Arc::new(PassMemo::default());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let run = |items: &[usize], reuse: bool| -> Vec<ItemResult> {
        let options = RunOptions {
            memo: Some(MemoUse {
                memo: Arc::clone(&memo),
                reuse,
            }),
            ..RunOptions::default()
        };
        rt.block_on(runner::run(
            &checklist,
            items,
            Arc::clone(&ctx),
            &options,
            None,
        ))
    };
    let reused = |r: &ItemResult| {
        r.probes[0]
            .outcome
            .evidence
            .iter()
            .any(|e| e.message == REUSED)
    };

    // Files preflight itself writes on a first run (the scanner's fingerprint key)
    // are project files too: made, then dated back like the others.
    run(&[0, 1], false);
    walkdir(p.path()).iter().for_each(|f| backdate(f));

    // A run reads every file; a rerun of one item takes its outcome.
    let first = run(&[0, 1], false);
    assert_eq!(first[0].probes[0].outcome.status.as_str(), "fail");
    assert!(!reused(&first[0]));
    let again = run(&[0], true);
    assert!(reused(&again[0]), "{:?}", again[0].probes[0].outcome);
    assert_eq!(
        again[0].probes[0].outcome.summary,
        first[0].probes[0].outcome.summary
    );
    assert_eq!(again[0].status, first[0].status);

    // A fixed file (its change time moves, even with the old modification time put
    // back) is read again: the finding is gone.
    write_old(
        "src/db.py",
        "def find(cur, user_id):\n    cur.execute(\"SELECT * FROM users WHERE id = %s\", (user_id,))\n",
    );
    let fixed = run(&[0], true);
    assert!(!reused(&fixed[0]));
    assert_eq!(
        fixed[0].probes[0].outcome.status.as_str(),
        "pass",
        "{:?}",
        fixed[0]
    );
    // That run kept its outcome: the next rerun takes it.
    assert!(reused(&run(&[0], true)[0]));

    // A file written just now cannot be trusted by its time: nothing is kept.
    p.write("src/new.py", "x = 1\n");
    assert!(!reused(&run(&[0], true)[0]));
    assert!(!reused(&run(&[0], true)[0]));

    // A full rerun (no reuse) always reads.
    write_old("src/new.py", "x = 2\n");
    run(&[0, 1], false);
    assert!(!reused(&run(&[0, 1], false)[1]));
    assert!(reused(&run(&[1], true)[0]));
    // Rerunning one item keeps the other's outcome in the memo.
    assert!(reused(&run(&[0], true)[0]));
    assert!(reused(&run(&[1], true)[0]));
}

/// Every regular file under `dir`, `.git` left out.
fn walkdir(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() && entry.file_name() != ".git" {
            out.extend(walkdir(&path));
        } else if kind.is_file() {
            out.push(path);
        }
    }
    out
}

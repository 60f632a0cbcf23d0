//! Memory and time of parsing Compose files: `cargo bench --bench compose_memory`.
//! Generates a 7 MB and a 20 MB Compose file (services with environment, ports in both
//! syntaxes and labels) and a 400-byte alias bomb, parses each in a child process of
//! its own and prints the child's peak resident memory (VmHWM) beside the file's size.
//! Targets: at most 20 times the file's size; the bomb refused within 2 s and 100 MB.

use std::io::Write;
use std::time::Instant;

use preflight::system::compose::{Variables, parse};

fn compose_text(bytes: usize) -> String {
    let mut text = String::from("services:\n");
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "  svc{i}:\n    image: postgres:16\n    environment:\n      POSTGRES_DB: app{i}\n      POSTGRES_USER: user{i}\n      LOG_LEVEL: info\n    ports:\n      - \"127.0.0.1:{}:5432\"\n      - target: 80\n        published: \"{}\"\n        host_ip: 127.0.0.1\n    labels: [a, b, c]\n",
            10000 + i % 50000,
            20000 + i % 40000
        ));
        i += 1;
    }
    text
}

fn bomb_text() -> String {
    let mut text = String::from("x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let mut previous = 'a';
    for name in "bcdefghi".chars() {
        let aliases = vec![format!("*{previous}"); 9].join(", ");
        text.push_str(&format!("x-{name}: &{name} [{aliases}]\n"));
        previous = name;
    }
    text.push_str(&format!(
        "services:\n  db:\n    image: postgres:16\n    labels: *{previous}\n"
    ));
    text
}

fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(path) = args.iter().skip_while(|a| *a != "--parse").nth(1) {
        let text = std::fs::read_to_string(path).expect("readable");
        let started = Instant::now();
        let outcome = parse("compose.yml", &text, Variables::default());
        let elapsed = started.elapsed();
        let what = match &outcome {
            Ok(file) => format!("{} services", file.services.len()),
            Err(e) => format!("refused: {e}"),
        };
        println!("{} {:.3} {what}", peak_kib(), elapsed.as_secs_f64());
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("7 MB Compose file", compose_text(7 * 1024 * 1024)),
        ("20 MB Compose file", compose_text(20 * 1024 * 1024)),
        ("alias bomb", bomb_text()),
    ];
    let me = std::env::current_exe().expect("current exe");
    for (name, text) in cases {
        let path = dir.path().join("compose.yml");
        std::fs::File::create(&path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .expect("written");
        let out = std::process::Command::new(&me)
            .args(["--parse", &path.to_string_lossy()])
            .output()
            .expect("child runs");
        let line = String::from_utf8_lossy(&out.stdout);
        let mut parts = line.trim().splitn(3, ' ');
        let peak: f64 = parts.next().unwrap_or("0").parse().unwrap_or(0.0);
        let secs = parts.next().unwrap_or("?");
        let what = parts.next().unwrap_or("");
        let size = text.len() as f64 / 1024.0;
        println!(
            "{name}: {:.1} MB, peak RSS {:.1} MB ({:.1}x the file), {secs} s, {what}",
            size / 1024.0,
            peak / 1024.0,
            peak / size
        );
    }
}

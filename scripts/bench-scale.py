#!/usr/bin/env python3
"""The whole shipped postgres-production and postgres-security checklists on a generated
repository, side by side with `rg -F -i -c password .` on the same tree, in one run.

The repository: N source files (default 10,000) in folders of 100, 20 Compose files,
a Dockerfile, `.env` files, ignored build output. No database is configured, so the
PostgreSQL probes end at once: what is measured is the project pass (walk, reads,
secret scan, SQL scan, Compose, git).

For each of RUNS rounds (after 2 warm-up rounds) both commands run, alternately, and
the median wall time of each is printed with their ratio and preflight's peak RSS
(the largest over the rounds, from wait4's rusage).

Usage: scripts/bench-scale.py [FILES] [RUNS]   (builds preflight --release; ripgrep from
PATH or installed under target/bench-tools). With BASELINE=/path/to/preflight that binary
runs too, in the same rounds; with KEEP=DIR the repository is made there and kept.
Targets (issue 19): within 1.5x the rg pass at 10,000 and 100,000 files; peak RSS
under 100 MB.
"""
import os, shutil, statistics, subprocess, sys, tempfile, time

files = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

subprocess.run(["cargo", "build", "--release", "--quiet", "--manifest-path",
                os.path.join(root, "Cargo.toml")], check=True)
preflight = os.path.join(root, "target", "release", "preflight")
rg = shutil.which("rg")
if rg is None:
    tools = os.path.join(root, "target", "bench-tools")
    rg = os.path.join(tools, "bin", "rg")
    if not os.path.exists(rg):
        subprocess.run(["cargo", "install", "ripgrep", "--locked", "--root", tools],
                       check=True, stdout=subprocess.DEVNULL)

keep = os.environ.get("KEEP")
work = keep or tempfile.mkdtemp(prefix="preflight-bench-scale-")
repo = os.path.join(work, "repo")
os.makedirs(repo)
try:
    os.chdir(repo)
    for n in range(files):
        folder = f"src/m{n // 100:04}"
        if n % 100 == 0:
            os.makedirs(folder, exist_ok=True)
        with open(f"{folder}/f{n % 100:03}.py", "w") as fh:
            # Some lines name a password (rg counts them); every 50th file builds SQL
            # with an f-string (sql-injection finds it).
            fh.write(f"def f{n}(cur, password_hash):\n    \"\"\"Checks the password.\"\"\"\n")
            if n % 50 == 0:
                fh.write("    cur.execute(f\"SELECT * FROM users WHERE id = {password_hash}\")\n")
            fh.write(f"    return {n}\n" * 20)
    os.makedirs("target/build", exist_ok=True)
    for n in range(500):
        open(f"target/build/a{n}.o", "w").write("x")
    for i in range(20):
        folder = "." if i == 0 else f"deploy/s{i:02}"
        os.makedirs(folder, exist_ok=True)
        bind = "127.0.0.1:" if i % 5 else ""
        with open(f"{folder}/docker-compose.yml", "w") as fh:
            fh.write(f"services:\n  db:\n    image: postgres:16\n    environment:\n"
                     f"      POSTGRES_PASSWORD: ${{PG_PASSWORD:?}}\n    ports:\n"
                     f"      - \"{bind}{5400 + i}:5432\"\n")
    open("Dockerfile", "w").write("FROM python:3.12\nCOPY . /app\n")
    open(".gitignore", "w").write("target/\n.env\n.env.*\n!.env.example\n")
    open(".env.example", "w").write("PG_HOST=localhost\nPG_PASSWORD=changeme\n")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run(["git", "init", "-q", "-b", "main"], check=True)
    subprocess.run(["git", "add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "bench"], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG") and k != "DATABASE_URL"}
    env.update(HOME=work, XDG_CACHE_HOME=work, XDG_CONFIG_HOME=work, NO_COLOR="1",
               PREFLIGHT_AUTO_ADDRESSES="127.0.0.2")

    def timed(cmd):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        return time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)

    commands = {
        "rg -F -i -c password .": [rg, "-F", "-i", "-c", "password", "."],
        "preflight check (production + security)": [
            preflight, "check", "--checklist", "postgres-production,postgres-security"],
    }
    if os.environ.get("BASELINE"):
        commands["baseline preflight check"] = [
            os.environ["BASELINE"], "check", "--checklist", "postgres-production,postgres-security"]
    times = {name: [] for name in commands}
    peaks = {name: 0.0 for name in commands}
    for round in range(runs + 2):
        for name, cmd in commands.items():
            secs, rss, code = timed(cmd)
            if round >= 2:
                times[name].append(secs)
                peaks[name] = max(peaks[name], rss)
    print(f"{files} source files, 20 Compose files; {runs} rounds, median wall time and peak RSS:")
    medians = {}
    for name in commands:
        medians[name] = statistics.median(times[name])
        print(f"  {name:42} {medians[name] * 1000:8.1f} ms  {peaks[name]:6.1f} MB")
    names = list(commands)
    ratio = medians[names[1]] / medians[names[0]]
    print(f"preflight takes {ratio:.2f}x the time of the rg pass (target: within 1.5x)")
    if len(names) > 2:
        print(f"the baseline takes {medians[names[2]] / medians[names[0]]:.2f}x")
finally:
    if not keep:
        shutil.rmtree(work, ignore_errors=True)

#!/usr/bin/env bash
# Benchmark: `preflight check` with the static probes on a generated repository of
# 10,000 files and 20 Compose files. Target: median wall time <= 50 ms on 2 cores.
#
# Usage: scripts/bench-check.sh [RUNS]   (default 30 runs after 3 warm-up runs)
# Times the runs itself and prints the median; with BASELINE=/path/to/preflight it times
# that binary too, run for run, for a side-by-side figure.
set -euo pipefail

runs="${1:-30}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/preflight"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
repo="$work/repo"
mkdir -p "$repo"
cd "$repo"
git init -q -b main

# 10,000 files spread over 100 folders, plus ignored build output that must be skipped.
python3 - <<'PY'
import os
for d in range(100):
    folder = f"src/module{d:03}"
    os.makedirs(folder, exist_ok=True)
    for f in range(100):
        with open(f"{folder}/file{f:03}.py", "w") as fh:
            fh.write(f"def f{f}():\n    return {d * 100 + f}\n")
os.makedirs("target/build", exist_ok=True)
for f in range(2000):
    open(f"target/build/artifact{f}.o", "w").write("x")
# 20 Compose files (19 + the root one), each with a database and a web service.
for i in range(20):
    folder = "." if i == 0 else f"deploy/stack{i:02}"
    os.makedirs(folder, exist_ok=True)
    bind = "127.0.0.1:" if i % 5 else ""
    with open(f"{folder}/docker-compose.yml", "w") as fh:
        fh.write(f"""x-db: &db
  image: postgres:16
  environment:
    POSTGRES_DB: app
services:
  db:
    <<: *db
    ports:
      - "{bind}{5400 + i}:5432"
      - target: 5432
        published: "${{DB_PORT:-{6400 + i}}}"
        host_ip: 127.0.0.1
  web:
    image: nginx:1.27
    ports: ["127.0.0.1:{8000 + i}:80"]
""")
with open(".gitignore", "w") as fh:
    fh.write("target/\n.env\n.env.*\n!.env.example\n")
with open(".env.example", "w") as fh:
    fh.write("PG_PASSWORD=changeme\n")
PY
git add -A
git -c user.name=bench -c user.email=bench@example.invalid commit -qm bench
echo "generated: $(git ls-files | wc -l) tracked files, $(find . -name 'docker-compose*.yml' -not -path './.git/*' | wc -l) Compose files"

cat > "$work/static.toml" <<'TOML'
[checklist]
id = "static-probes"
title = "Static probes benchmark"

[[item]]
id = "ports"
tier = "critical"
title = "Compose ports"
[[item.probe]]
kind = "compose-ports"

[[item]]
id = "tracked"
tier = "critical"
title = "No .env tracked"
[[item.probe]]
kind = "git-tracked"

[[item]]
id = "ignored"
tier = "critical"
title = ".env ignored"
[[item.probe]]
kind = "gitignore-covers"

[[item]]
id = "vars"
tier = "optional"
title = "Variables"
[[item.probe]]
kind = "env-vars"
vars = ["HOME"]

[[item]]
id = "mode"
tier = "optional"
title = "File mode"
[[item.probe]]
kind = "file-mode"
path = ".env.example"
max_mode = "0644"
TOML

cmd=("$bin" check --checklist "$work/static.toml" --dir "$repo" --format json)
"${cmd[@]}" > "$work/out.json" || true
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('summary:', r['summary'])" "$work/out.json"

# BASELINE=/path/to/an/older/preflight times that binary too, interleaved in the same
# run, so that the two figures are comparable.
bins=("$bin")
if [ -n "${BASELINE:-}" ]; then
  bins+=("$BASELINE")
fi

python3 - "$runs" "$work/static.toml" "$repo" "${bins[@]}" <<'PY'
import statistics, subprocess, sys, time
runs, checklist, repo, bins = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
cmds = {b: [b, "check", "--checklist", checklist, "--dir", repo, "--format", "json"] for b in bins}
for _ in range(3):
    for cmd in cmds.values():
        subprocess.run(cmd, stdout=subprocess.DEVNULL)
times = {b: [] for b in bins}
for _ in range(runs):
    for b, cmd in cmds.items():
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL)
        times[b].append((time.perf_counter() - t) * 1000)
for b in bins:
    ts = sorted(times[b])
    print(f"{b}: runs: {runs}  median: {statistics.median(ts):.1f} ms  min: {ts[0]:.1f} ms  max: {ts[-1]:.1f} ms")
PY

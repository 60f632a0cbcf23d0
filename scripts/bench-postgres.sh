#!/usr/bin/env bash
# Benchmark: the whole shipped production and hardening checklists against a local TLS
# cluster, and the cost of one throwaway cluster as the test harness makes it (copy a
# template data directory, start it, stop it).
#
# Usage: scripts/bench-postgres.sh [runs]   (builds the release binary first; BIN=PATH
# measures another binary)
# Target: each check's median wall time <= 300 ms on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
cargo build --release --quiet
bin=${BIN:-$PWD/target/release/preflight}

bindir=$(dirname "$(readlink -f "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")")
# A tmpfs when there is one: copying a data directory there is ~15x faster.
root=/tmp; [ -w /dev/shm ] && root=/dev/shm
work=$(mktemp -d "$root/preflight-bench-pg.XXXXXX")
as_pg=()
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$work"; as_pg=(runuser -u postgres --); fi
cleanup() { "${as_pg[@]}" "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# A CA and a server certificate for localhost signed by it.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=bench-ca -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' > "$work/ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 1 -extfile "$work/ext" -out "$work/server.crt" 2>/dev/null
echo "superuser-bench" > "$work/pw"; chmod 644 "$work/pw" "$work/ca.pem"
"${as_pg[@]}" "$bindir/initdb" -D "$work/template" -N -A scram-sha-256 -U postgres --pwfile="$work/pw" --locale=C -E UTF8 --wal-segsize=1 >/dev/null
cp "$work/server.crt" "$work/server.key" "$work/template/"
[ ${#as_pg[@]} -gt 0 ] && chown postgres: "$work/template/server.crt" "$work/template/server.key"
chmod 600 "$work/template/server.key"
cat >> "$work/template/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
password_encryption = 'scram-sha-256'
log_connections = on
log_disconnections = on
log_statement = 'ddl'
CONF
printf 'hostssl all all 127.0.0.1/32 scram-sha-256\n' > "$work/template/pg_hba.conf"

# The harness's per-test cost: copy the template, start, stop.
costs=()
for i in 1 2 3 4 5; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  t0=$(ms)
  cp -a "$work/template" "$work/copy$i"
  t1=$(ms)
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$work/copy$i" -w -l "$work/copy$i.log" -o "-p $port" start >/dev/null
  t2=$(ms)
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$work/copy$i" -m immediate stop >/dev/null
  t3=$(ms)
  costs+=("$((t1-t0)) $((t2-t1)) $((t3-t2))")
done
printf '%s\n' "${costs[@]}" | awk '{c+=$1; s+=$2; x+=$3} END {printf "harness per test (mean of %d): copy %.0f ms, start %.0f ms, stop %.0f ms\n", NR, c/NR, s/NR, x/NR}'

# The cluster the checklist runs against.
cp -a "$work/template" "$work/data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$bindir/pg_ctl" -D "$work/data" -w -l "$work/data.log" -o "-p $port" start >/dev/null
PGPASSWORD=superuser-bench "$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
  -c "create role app login password 'app-bench-secret'" -c "create database app owner app"

project=$work/project
mkdir -p "$project"
cp "$work/ca.pem" "$project/"
printf 'services:\n  db:\n    image: postgres:16\n    ports:\n      - "127.0.0.1:%s:5432"\n' "$port" > "$project/docker-compose.yml"
printf '.env\n.env.*\n!.env.example\n' > "$project/.gitignore"
printf 'PG_USER=app_dev\nPG_PASSWORD=dev-password\n' > "$project/.env.example"
(cd "$project" && git init -q && git add -A && git -c user.name=bench -c user.email=bench@example.invalid commit -qm bench)

export PG_HOST=localhost PG_PORT=$port PG_USER=app PG_PASSWORD=app-bench-secret PG_DATABASE=app
export PG_SSLMODE=verify-full PG_SSLROOTCERT=ca.pem ENVIRONMENT=production PREFLIGHT_AUTO_ADDRESSES=127.0.0.2
# Times `check` with one checklist: a warm-up run, then $runs timed ones.
bench_check() { # checklist
  "$bin" check --dir "$project" --checklist "$1" >/dev/null || true
  local times=() t0 t1 counts
  for _ in $(seq "$runs"); do
    t0=$(ms); "$bin" check --dir "$project" --checklist "$1" >/dev/null || true; t1=$(ms)
    times+=("$((t1-t0))")
  done
  counts=$({ "$bin" check --dir "$project" --checklist "$1" --format json || true; } | python3 -c 'import json,sys; r=json.load(sys.stdin); print(sum(len(i["probes"]) for i in r["items"]), "probes,", len([i for i in r["items"] if not i["probes"]]), "manual items")')
  echo "check, $1 ($counts) against a TLS cluster: median $(printf '%s\n' "${times[@]}" | median) ms over $runs runs (target <= 300 ms)"
  # Connections one run opens, from the server's log (log_connections).
  local before after
  before=$(grep -c "connection authorized" "$work/data.log" || true)
  "$bin" check --dir "$project" --checklist "$1" >/dev/null || true
  sleep 0.2
  after=$(grep -c "connection authorized" "$work/data.log" || true)
  echo "  connections logged in per run: $((after - before))"
}

bench_check postgres-production
echo "statuses of the last run:"
{ "$bin" check --dir "$project" --checklist postgres-production || true; } | grep -E "^  [✓✗!?-]" | cut -c1-100

# The hardening checklist, as the superuser (every item can read what it needs).
export PG_USER=postgres PG_PASSWORD=superuser-bench PG_DATABASE=postgres
bench_check postgres-hardening

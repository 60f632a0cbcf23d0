#!/usr/bin/env bash
# Benchmark: an environment of many hosts. Two local TLS clusters each listen on half of
# N loopback addresses (127.0.0.2 …); production lists all N as `hosts`; the shipped
# postgres-production and postgres-security checklists run against them together.
# Prints the whole run's median wall time and the logins each cluster saw per run
# (log_connections), split into successful and refused ones.
#
# Usage: scripts/bench-hosts.sh [hosts] [runs]   (default 100 hosts, 5 runs; builds the
# release binary first; BIN=PATH measures another binary, ARGS="--jobs 16" passes
# options to check, KEEP=1 leaves the clusters and the project in place)
# Target: 100 hosts within 5 s on this 2-core machine (the servers share the cores).
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-100}
runs=${2:-5}
cargo build --release --quiet
bin=${BIN:-$PWD/target/release/preflight}
half=$(( hosts / 2 ))

bindir=$(dirname "$(readlink -f "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")")
root=/tmp; [ -w /dev/shm ] && root=/dev/shm
work=$(mktemp -d "$root/preflight-bench-hosts.XXXXXX")
as_pg=()
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$work"; as_pg=(runuser -u postgres --); fi
cleanup() {
  for c in a b; do "${as_pg[@]}" "$bindir/pg_ctl" -D "$work/$c" -m immediate stop >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
# KEEP=1 leaves the clusters running and the project in place (to profile a run).
[ -z "${KEEP:-}" ] && trap cleanup EXIT

ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# 127.0.0.{first} … for count addresses, comma-separated.
addresses() { seq "$1" $(( $1 + $2 - 1 )) | sed 's/^/127.0.0./' | paste -sd, -; }

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
  -keyout "$work/server.key" -out "$work/server.crt" 2>/dev/null
echo "superuser-bench" > "$work/pw"; chmod 644 "$work/pw"
"${as_pg[@]}" "$bindir/initdb" -D "$work/a" -N -A scram-sha-256 -U postgres --pwfile="$work/pw" --locale=C -E UTF8 --wal-segsize=1 >/dev/null
cp "$work/server.crt" "$work/server.key" "$work/a/"
[ ${#as_pg[@]} -gt 0 ] && chown postgres: "$work/a/server.crt" "$work/a/server.key"
chmod 600 "$work/a/server.key"
cat >> "$work/a/postgresql.conf" <<CONF
unix_socket_directories = ''
fsync = off
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
max_connections = $(( half * 6 + 20 ))
shared_buffers = 32MB
log_connections = on
log_disconnections = on
log_statement = 'ddl'
CONF
printf 'host all all 127.0.0.0/8 scram-sha-256\n' > "$work/a/pg_hba.conf"
cp -a "$work/a" "$work/b"
port_a=$(free_port); port_b=$(free_port)
"${as_pg[@]}" "$bindir/pg_ctl" -D "$work/a" -w -l "$work/a.log" -o "-p $port_a -c listen_addresses=127.0.0.1,$(addresses 2 "$half")" start >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$work/b" -w -l "$work/b.log" -o "-p $port_b -c listen_addresses=127.0.0.1,$(addresses $(( 2 + half )) "$half")" start >/dev/null
for port in "$port_a" "$port_b"; do
  PGPASSWORD=superuser-bench "$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c "create role app login password 'app-bench-secret'" -c "create database app owner app"
done

project=$work/project
mkdir -p "$project"
{
  echo 'checklists = ["postgres-production", "postgres-security"]'
  echo '[environments.production]'
  printf 'hosts = ['
  for i in $(seq 2 $(( 1 + half ))); do printf '"127.0.0.%s:%s", ' "$i" "$port_a"; done
  for i in $(seq $(( 2 + half )) $(( 1 + 2 * half ))); do printf '"127.0.0.%s:%s", ' "$i" "$port_b"; done
  echo ']'
  echo 'user = "app"'
  echo 'database = "app"'
  echo 'password = { env = "APP_PASSWORD" }'
  echo 'sslmode = "require"'
} > "$project/preflight.toml"
printf '.env\n.env.*\n!.env.example\n' > "$project/.gitignore"
(cd "$project" && git init -q && git add -A && git -c user.name=bench -c user.email=bench@example.invalid commit -qm bench)
export APP_PASSWORD=app-bench-secret PREFLIGHT_AUTO_ADDRESSES=127.0.0.2

logins() { cat "$work/a.log" "$work/b.log" | grep -c "connection authorized" || true; }
refused() { cat "$work/a.log" "$work/b.log" | grep -c "password authentication failed" || true; }

"$bin" check --dir "$project" >/dev/null || true
times=()
for _ in $(seq "$runs"); do
  before=$(logins); before_refused=$(refused)
  t0=$(ms); "$bin" check --dir "$project" ${ARGS:-} >/dev/null || true; t1=$(ms)
  times+=("$((t1-t0))")
  sleep 0.2
  per_run="$(( $(logins) - before )) logins, $(( $(refused) - before_refused )) refused"
done
echo "check, postgres-production + postgres-security, $(( 2 * half )) hosts on 2 TLS clusters: median $(printf '%s\n' "${times[@]}" | median) ms over $runs runs (all: ${times[*]} ms; target <= 5000 ms)"
echo "  per run: $per_run (logins: one session per host and credential, and other databases; refused: the default credentials tried on each host)"
"$bin" check --dir "$project" --format json | python3 -c '
import json, sys
r = json.load(sys.stdin)
probes = [p for i in r["items"] for p in i["probes"] if p.get("hosts")]
print("  probes run on every host:", len(probes), "; host verdicts:", sum(len(p["hosts"]) for p in probes))
' || true
[ -n "${KEEP:-}" ] && echo "kept: $project (APP_PASSWORD=$APP_PASSWORD; stop with: pg_ctl -D $work/a stop; pg_ctl -D $work/b stop)"

#!/usr/bin/env bash
# Secret scanning throughput on a large source tree, next to `rg -F -i password` (the
# search a user would otherwise run) and detect-secrets, measured in one run.
#
#   scripts/bench-secret-scan.sh [DIR]
#
# DIR defaults to the cargo registry's unpacked sources (a few hundred MB of real
# code). ripgrep and detect-secrets are installed under target/bench-tools when
# missing (crates.io and PyPI). detect-secrets is measured on a slice of the tree
# (its first DS_FILES files, default 3000) because it is slow; all figures are MB/s.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/ | head -1)}
tools=$PWD/target/bench-tools
mkdir -p "$tools"
rg=$(command -v rg || true)
if [ -z "$rg" ]; then
  [ -x "$tools/bin/rg" ] || cargo install ripgrep --locked --root "$tools" >/dev/null
  rg=$tools/bin/rg
fi
if ! PYTHONPATH=$tools/py python3 -c 'import detect_secrets' 2>/dev/null; then
  python3 -m pip install -q --target "$tools/py" detect-secrets==1.5.0
fi

echo "corpus: $dir ($(du -sh "$dir" | cut -f1))"
cargo bench --bench secret_scan -- "$dir" | tee target/secret-scan-bench.txt
ours=$(grep -o '[0-9]* MB/s' target/secret-scan-bench.txt | cut -d' ' -f1)
mb=$(grep -o '[0-9.]* MB,' target/secret-scan-bench.txt | cut -d' ' -f1)

# The pass a user would otherwise run: ripgrep for one word, case-insensitively.
rg_args=(--hidden --no-messages --count-matches -g '!*.md' -g '!.git' --max-filesize 4M
         -F -i -e password "$dir")
"$rg" "${rg_args[@]}" >/dev/null || true
best=999999
for _ in 1 2 3; do
  start=$(date +%s.%N)
  "$rg" "${rg_args[@]}" >/dev/null || true
  end=$(date +%s.%N)
  best=$(echo "$end - $start" | bc -l | awk -v b="$best" '{ print ($1 < b) ? $1 : b }')
done
rg_rate=$(awk -v mb="$mb" -v s="$best" 'BEGIN { printf "%.0f", mb / s }')
echo "ripgrep -F -i password: ${best} s, ${rg_rate} MB/s"

# For context: ripgrep with the prefilter's keywords (what preflight searches first).
mapfile -t keywords < target/secret-scan-keywords.txt
kw_args=()
for k in "${keywords[@]}"; do kw_args+=(-e "$k"); done
start=$(date +%s.%N)
"$rg" --hidden --no-messages --count-matches -g '!*.md' -g '!.git' --max-filesize 4M -F -i \
  "${kw_args[@]}" "$dir" >/dev/null || true
end=$(date +%s.%N)
kw=$(echo "$end - $start" | bc -l)
echo "ripgrep -F -i with preflight's ${#keywords[@]} keywords (context): ${kw} s"

slice=$(mktemp -d)
trap 'rm -rf "$slice"' EXIT
# `head` closes the pipe early, which pipefail would count as a failure.
(cd "$dir" && { find . -type f ! -name '*.md' -size -4M | head -n "${DS_FILES:-3000}" || true; } \
  | xargs -d '\n' cp --parents -t "$slice")
slice_mb=$(du -sb "$slice" | awk '{ printf "%.1f", $1 / 1e6 }')
start=$(date +%s.%N)
(cd "$slice" && PYTHONPATH=$tools/py python3 -m detect_secrets scan --all-files . >/dev/null)
end=$(date +%s.%N)
ds_secs=$(echo "$end - $start" | bc -l)
ds_rate=$(awk -v mb="$slice_mb" -v s="$ds_secs" 'BEGIN { printf "%.2f", mb / s }')
echo "detect-secrets 1.5.0 (${slice_mb} MB slice): ${ds_secs} s, ${ds_rate} MB/s"
awk -v o="$ours" -v r="$rg_rate" -v d="$ds_rate" 'BEGIN {
  printf "preflight takes %.2fx the time of rg -F -i password (target: within 3x) and is %.0fx faster than detect-secrets\n", r / o, o / d }'

#!/usr/bin/env bash
# bench-batch.sh: how well coursedrop-cli batch keeps Brightspace busy, and
# what a large plan costs in memory
#
#   tests/bench/bench-batch.sh build/src/cli/coursedrop-cli build/src/sandbox/coursedrop-sandbox
#   meson test -C build --benchmark batch
#
# 1. A plan of BENCH_ROWS (24) imports against a sandbox whose jobs take
#    BENCH_JOB_SECONDS (3 s) each, run with --parallel BENCH_PARALLEL (4):
#    the whole time against the ideal (rows / parallel × job seconds), the
#    most jobs the sandbox saw at once, and the same plan run one at a time.
# 2. A --dry-run of BENCH_DRY_ROWS (10,000) rows that share four packages:
#    its peak RSS against the 64 MiB target.
#
# It only reports: it exits 0 when a target is missed, and non-zero when a
# run fails.  Needs bash, curl, awk, python3 (to write the zips) and GNU
# time (/usr/bin/time).
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

readonly RSS_TARGET_MIB=64
readonly GNU_TIME=/usr/bin/time

die() {
  printf 'bench-batch: %s\n' "$*" >&2
  exit 1
}

if [[ $# -ne 2 ]]; then
  printf 'Usage: %s PATH/TO/coursedrop-cli PATH/TO/coursedrop-sandbox\n' "$0" >&2
  exit 2
fi

CLI=$(realpath -- "$1")
SANDBOX=$(realpath -- "$2")
[[ -x $CLI ]] || die "not an executable: $1"
[[ -x $SANDBOX ]] || die "not an executable: $2"
command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed"
"$GNU_TIME" --version >/dev/null 2>&1 ||
  die "GNU time is needed at $GNU_TIME (Debian: apt-get install time)"

ROWS=${BENCH_ROWS:-24}
PARALLEL=${BENCH_PARALLEL:-4}
JOB_SECONDS=${BENCH_JOB_SECONDS:-3}
DRY_ROWS=${BENCH_DRY_ROWS:-10000}
for n in "$ROWS" "$PARALLEL" "$JOB_SECONDS" "$DRY_ROWS"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "the BENCH_* knobs must be positive integers"
done

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy='*' NO_PROXY='*'
export GIO_USE_PROXY_RESOLVER=dummy GSETTINGS_BACKEND=memory

tmp=
sandbox_pid=
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  if [[ -n $sandbox_pid ]]; then
    kill -- "$sandbox_pid" 2>/dev/null || true
    wait -- "$sandbox_pid" 2>/dev/null || true
  fi
  if [[ -n $tmp ]]; then
    rm -rf -- "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tmp=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/coursedrop-bench-batch.XXXXXX")

now() { printf '%s' "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# --- a sandbox per measurement ---------------------------------------------------

# Generated offerings 100001… (codes GEN-00001…) are the plans' targets.
start_sandbox() {
  TMPDIR=$tmp "$SANDBOX" --port 0 --offerings "$DRY_ROWS" \
    --timeline "UPLOADING:1,PROCESSING:1,IMPORTING:$((JOB_SECONDS - 2)),COMPLETED" \
    >"$tmp/sandbox.out" 2>"$tmp/sandbox.err" &
  sandbox_pid=$!
  url=
  for _ in $(seq 100); do
    if [[ -s $tmp/sandbox.out ]]; then
      line=$(head -n 1 -- "$tmp/sandbox.out")
      if [[ $line == "Listening on "* ]]; then
        url=${line#Listening on }
        break
      fi
    fi
    kill -0 -- "$sandbox_pid" 2>/dev/null || die "the sandbox exited before listening"
    sleep 0.1
  done
  [[ -n $url ]] || die "the sandbox printed no 'Listening on URL' within 10 s"
  export COURSEDROP_HOST=$url
}

stop_sandbox() {
  kill -- "$sandbox_pid" 2>/dev/null || true
  wait -- "$sandbox_pid" 2>/dev/null || true
  sandbox_pid=
}

export COURSEDROP_APP_ID=CoursedropDemoApp COURSEDROP_APP_KEY=demo-app-key-not-secret
export COURSEDROP_USER_ID=CoursedropDemoUser COURSEDROP_USER_KEY=demo-user-key-not-secret
unset COURSEDROP_CA_FILE
((JOB_SECONDS >= 3)) || die "BENCH_JOB_SECONDS must be at least 3 (three stages)"

# --- the plans ----------------------------------------------------------------------

python3 - "$tmp" "$ROWS" "$DRY_ROWS" <<'EOF'
import sys, zipfile
tmp, rows, dry_rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(1, rows + 1):
    with zipfile.ZipFile(f"{tmp}/pkg{i}.zip", "w") as z:
        z.writestr("imsmanifest.xml", f'<manifest identifier="bench-{i}"/>\n')
with open(f"{tmp}/plan.csv", "w") as f:
    f.write("package,offering\n")
    for i in range(1, rows + 1):
        f.write(f"pkg{i}.zip,{100000 + i}\n")
with open(f"{tmp}/dry.csv", "w") as f:
    f.write("package,offering\n")
    for i in range(1, dry_rows + 1):
        f.write(f"pkg{i % 4 + 1}.zip,{100000 + i}\n")
EOF

# Sets wall (s); a fresh journal each time, so nothing is skipped.
run_batch() {
  local plan=$1 home t0 t1 rc=0
  shift
  home=$(mktemp -d "$tmp/xdg.XXXXXX")
  t0=$(now)
  XDG_DATA_HOME=$home/data XDG_CONFIG_HOME=$home/config XDG_CACHE_HOME=$home/cache \
    XDG_STATE_HOME=$home/state \
    "$GNU_TIME" -v -o "$tmp/batch.time" "$CLI" batch "$@" "$plan" \
    >"$tmp/batch.out" 2>"$tmp/batch.err" || rc=$?
  t1=$(now)
  rm -rf -- "$home"
  if ((rc != 0)); then
    tail -n 20 -- "$tmp/batch.err" "$tmp/batch.out" >&2
    die "coursedrop-cli batch $* exited with status $rc"
  fi
  wall=$(elapsed "$t0" "$t1")
}

max_concurrent() {
  curl -sS --fail "$url/_sandbox/orgunits" |
    sed -n 's/.*"max_concurrent_imports":\([0-9]*\).*/\1/p'
}

printf 'coursedrop batch benchmark: %s rows, jobs of %s s, --parallel %s\n' \
  "$ROWS" "$JOB_SECONDS" "$PARALLEL"

start_sandbox
run_batch "$tmp/plan.csv" --parallel "$PARALLEL"
parallel_wall=$wall
parallel_max=$(max_concurrent)
grep -q "^$ROWS imported, 0 failed, 0 skipped$" "$tmp/batch.out" ||
  die "the parallel run did not import every row: $(tail -n 1 "$tmp/batch.out")"
stop_sandbox

start_sandbox
run_batch "$tmp/plan.csv" --parallel 1
sequential_wall=$wall
stop_sandbox

ideal=$(awk -v r="$ROWS" -v p="$PARALLEL" -v s="$JOB_SECONDS" \
  'BEGIN { printf "%.1f", int((r + p - 1) / p) * s }')
printf '  parallel:   %6s s  (ideal %s s: %s rows / %s × %s s; %.2f× the ideal)\n' \
  "$parallel_wall" "$ideal" "$ROWS" "$PARALLEL" "$JOB_SECONDS" \
  "$(awk -v a="$parallel_wall" -v b="$ideal" 'BEGIN { print a / b }')"
printf '  sequential: %6s s  (%.1f× faster in parallel)\n' "$sequential_wall" \
  "$(awk -v a="$sequential_wall" -v b="$parallel_wall" 'BEGIN { print a / b }')"
printf '  most jobs running at once in the sandbox: %s (limit %s)%s\n' "$parallel_max" \
  "$PARALLEL" "$([[ $parallel_max -le $PARALLEL ]] && echo '' || echo '  LIMIT EXCEEDED')"

start_sandbox
run_batch "$tmp/dry.csv" --dry-run
kib=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$tmp/batch.time")
rss=$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')
lines=$(grep -c '^line ' "$tmp/batch.out" || true)
stop_sandbox
((lines == DRY_ROWS)) || die "the dry run printed $lines rows, not $DRY_ROWS"
printf '  dry run of %s rows (4 packages): %s s, peak RSS %s MiB (target < %s MiB: %s)\n' \
  "$DRY_ROWS" "$wall" "$rss" "$RSS_TARGET_MIB" \
  "$(awk -v r="$rss" -v t="$RSS_TARGET_MIB" 'BEGIN { print (r < t) ? "met" : "MISSED" }')"

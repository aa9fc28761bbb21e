#!/usr/bin/env bash
# bench-upload.sh: what a user waits for, against curl's upload of the same file
#
#   tests/bench/bench-upload.sh build-release/src/cli/coursedrop-cli \
#     build-release/src/sandbox/coursedrop-sandbox
#   meson test -C build-release --benchmark upload
#
# For each protocol (plain HTTP and HTTPS, each with a private
# coursedrop-sandbox on loopback) and package size, times the WHOLE
# `coursedrop-cli import --no-wait` command (start-up, package check,
# duplicate guard, journal, version discovery, upload) and curl -F of the
# same file to the same import route, alternating, BENCH_ROUNDS times each,
# and reports the best of each, their ratio (curl s / cli s: 1.0 is curl's
# speed), the CLI's peak RSS (GNU time %M), and the CPU time (user + system)
# each client used: on a shared, loaded machine the wall times vary by tens
# of per cent from round to round, the CPU times much less.  It only reports: it exits 0
# when a target is missed, and non-zero when an upload fails.
#
# Knobs (environment):
#   BENCH_SIZES_MIB  package sizes in MiB (default "1024")
#   BENCH_PROTOCOLS  "http https" (default both)
#   BENCH_ROUNDS     rounds per client, size and protocol (default 3)
#   BENCH_TMPDIR     where the packages go (default $TMPDIR, else /tmp; meson
#                    points it at the build dir); never /dev/shm
#   BENCH_SPOOL_DIR  where the sandbox spools what it receives (default a
#                    private folder in /dev/shm when there is one): on the
#                    packages' disk, its gigabyte of writeback would stall
#                    the CLI's job-journal fsync, which a real server's
#                    disk never does
#
# Needs bash, curl, awk and GNU time (/usr/bin/time, Debian package "time").
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

readonly OFFERING=6606
readonly ROUTE="/d2l/api/le/1.79/import/${OFFERING}/imports/"
readonly RSS_TARGET_MIB=40
readonly RATIO_TARGET=0.8
readonly GNU_TIME=/usr/bin/time

die() {
  printf 'bench-upload: %s\n' "$*" >&2
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
command -v awk >/dev/null || die "awk is needed"
"$GNU_TIME" --version >/dev/null 2>&1 ||
  die "GNU time is needed at $GNU_TIME (Debian: apt-get install time)"

read -r -a SIZES_MIB <<<"${BENCH_SIZES_MIB:-1024}"
read -r -a PROTOCOLS <<<"${BENCH_PROTOCOLS:-http https}"
ROUNDS=${BENCH_ROUNDS:-3}
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer"
for mib in "${SIZES_MIB[@]}"; do
  [[ $mib =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZES_MIB must list positive integers"
done
for proto in "${PROTOCOLS[@]}"; do
  [[ $proto == http || $proto == https ]] || die "BENCH_PROTOCOLS must list http and/or https"
done

base=${BENCH_TMPDIR:-${TMPDIR:-/tmp}}
case $(realpath -- "$base") in
  /dev/shm | /dev/shm/*) die "refusing to put packages in /dev/shm ($base)" ;;
esac

# Loopback only: no proxy may step in, for either client.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy='*' NO_PROXY='*'
export GIO_USE_PROXY_RESOLVER=dummy GSETTINGS_BACKEND=memory

tmp=
spool=
sandbox_pid=
stop_sandbox() {
  if [[ -n $sandbox_pid ]]; then
    kill -- "$sandbox_pid" 2>/dev/null || true
    wait -- "$sandbox_pid" 2>/dev/null || true
    sandbox_pid=
  fi
}
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  stop_sandbox
  if [[ -n $tmp ]]; then
    rm -rf -- "$tmp"
  fi
  if [[ -n $spool && $spool != "$tmp" ]]; then
    rm -rf -- "$spool"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tmp=$(mktemp -d "$base/coursedrop-bench.XXXXXX")
fstype=$(df -PT -- "$tmp" | awk 'NR == 2 { print $2 }')
if [[ $fstype == tmpfs ]]; then
  printf 'bench-upload: warning: %s is on tmpfs, the packages take RAM; set BENCH_TMPDIR\n' "$base" >&2
fi

if [[ -n ${BENCH_SPOOL_DIR:-} ]]; then
  spool=$(mktemp -d "$BENCH_SPOOL_DIR/coursedrop-spool.XXXXXX")
elif [[ -d /dev/shm && -w /dev/shm ]]; then
  spool=$(mktemp -d /dev/shm/coursedrop-spool.XXXXXX)
else
  spool=$tmp
fi

max_mib=0
for mib in "${SIZES_MIB[@]}"; do ((mib > max_mib)) && max_mib=$mib; done
free_mib=$(df -Pm -- "$tmp" | awk 'NR == 2 { print $4 }')
# One package at a time, plus the sandbox's spool copy, plus slack.
((free_mib > 2 * max_mib + 256)) ||
  die "not enough space in $tmp: ${free_mib} MiB free, $((2 * max_mib + 256)) MiB needed"

now() { printf '%s' "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
minimum() { printf '%s\n' "$@" | sort -g | head -n 1; }
maximum() { printf '%s\n' "$@" | sort -g | tail -n 1; }
label() { if (($1 % 1024 == 0)); then printf '%s GiB' $(($1 / 1024)); else printf '%s MiB' "$1"; fi; }
ratio() { awk -v cli="$1" -v curl="$2" 'BEGIN { printf "%.2f", (cli > 0) ? curl / cli : 0 }'; }

# --- the sandbox ---------------------------------------------------------------

url=
cert=
start_sandbox() {
  local proto=$1 tls=()

  cert=
  if [[ $proto == https ]]; then
    cert=$tmp/sandbox.pem
    tls=(--tls --cert-out "$cert")
  fi
  : >"$tmp/sandbox.out"
  # Its spool files (one per upload, removed once answered) stay in $spool.
  TMPDIR=$spool "$SANDBOX" --port 0 "${tls[@]}" --timeline UPLOADING:0.1,COMPLETED \
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
    kill -0 -- "$sandbox_pid" 2>/dev/null || {
      cat -- "$tmp/sandbox.err" >&2
      sandbox_pid=
      die "the sandbox exited before listening"
    }
    sleep 0.1
  done
  [[ -n $url ]] || die "the sandbox printed no 'Listening on URL' within 10 s"

  export COURSEDROP_HOST=$url
  if [[ -n $cert ]]; then
    export COURSEDROP_CA_FILE=$cert
  else
    unset COURSEDROP_CA_FILE
  fi
}

export COURSEDROP_APP_ID=CoursedropDemoApp COURSEDROP_APP_KEY=demo-app-key-not-secret
export COURSEDROP_USER_ID=CoursedropDemoUser COURSEDROP_USER_KEY=demo-user-key-not-secret

curl_tls() { if [[ -n $cert ]]; then printf -- '--cacert\n%s\n' "$cert"; fi; }

# The sandbox's last import must be this job, of this many package bytes.
check_received() {
  local client=$1 token=$2 size=$3 list last got_token got_size

  list=$(curl -sS --fail $(curl_tls) "$url/_sandbox/uploads") ||
    die "$client: cannot read $url/_sandbox/uploads"
  last=$(printf '%s' "$list" | grep -o '{"JobToken":"[^"]*"[^}]*}' | tail -n 1)
  got_token=$(printf '%s' "$last" | sed -n 's/.*"JobToken":"\([^"]*\)".*/\1/p')
  got_size=$(printf '%s' "$last" | sed -n 's/.*"Size":\([0-9]*\).*/\1/p')
  [[ $got_token == "$token" ]] ||
    die "$client: the sandbox's last job is '$got_token', not the client's '$token'"
  [[ $got_size == "$size" ]] ||
    die "$client: the sandbox received $got_size bytes of package, not $size"
}

# --- one run per client ------------------------------------------------------------

# The whole command, as a user runs it.  Sets cli_wall (s) and cli_rss (MiB).
run_cli() {
  local pkg=$1 size=$2 home out rc=0 t0 t1 token kib

  home=$(mktemp -d "$tmp/xdg.XXXXXX")  # a fresh job journal every round
  out=$tmp/cli.out
  t0=$(now)
  XDG_DATA_HOME=$home/data XDG_CONFIG_HOME=$home/config XDG_CACHE_HOME=$home/cache \
    XDG_STATE_HOME=$home/state \
    "$GNU_TIME" -f '%M %U %S' -o "$tmp/cli.time" \
    "$CLI" import --course-package "$pkg" --course-offering-id "$OFFERING" --no-wait --json \
    >"$out" 2>"$tmp/cli.err" || rc=$?
  t1=$(now)
  rm -rf -- "$home"
  if ((rc != 0)); then
    cat -- "$tmp/cli.err" "$out" >&2
    die "coursedrop-cli exited with status $rc"
  fi

  token=$(sed -n 's/.*"event":"token".*"token":"\([^"]*\)".*/\1/p' -- "$out" | head -n 1)
  [[ -n $token ]] || die "coursedrop-cli printed no job token"
  cli_wall=$(elapsed "$t0" "$t1")
  read -r kib cpu_user cpu_sys < <(tail -n 1 -- "$tmp/cli.time")
  [[ $kib =~ ^[0-9]+$ ]] || die "GNU time reported no maximum resident set size"
  cli_cpu=$(awk -v u="$cpu_user" -v s="$cpu_sys" 'BEGIN { printf "%.2f", u + s }')
  cli_rss=$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')
  check_received coursedrop-cli "$token" "$size"
}

# Sets curl_upload (s): curl's own time_total for the upload alone, and
# curl_cpu (s): the CPU time it used.
run_curl() {
  local pkg=$1 size=$2 signed result code token rc=0 cpu_user cpu_sys

  signed=$("$CLI" sign POST "$ROUTE") || die "coursedrop-cli sign failed"
  result=$("$GNU_TIME" -f '%U %S' -o "$tmp/curl.time" \
    curl -sS $(curl_tls) -o "$tmp/curl.body" -w '%{time_total} %{http_code}' \
    -F "file=@$pkg;type=application/zip" "$signed") || rc=$?
  ((rc == 0)) || die "curl failed with status $rc"
  read -r cpu_user cpu_sys < <(tail -n 1 -- "$tmp/curl.time")
  curl_cpu=$(awk -v u="$cpu_user" -v s="$cpu_sys" 'BEGIN { printf "%.2f", u + s }')
  curl_upload=${result% *}
  code=${result#* }
  if [[ $code != 200 ]]; then
    cat -- "$tmp/curl.body" >&2
    die "curl upload answered HTTP $code"
  fi
  token=$(sed -n 's/.*"JobToken":"\([^"]*\)".*/\1/p' -- "$tmp/curl.body")
  check_received curl "$token" "$size"
}

# --- the runs ----------------------------------------------------------------------

declare -A best_cli best_curl peak_rss cpu_cli cpu_curl

labels=()
for mib in "${SIZES_MIB[@]}"; do labels+=("$(label "$mib")"); done
printf 'coursedrop whole-command benchmark: %s over %s; %s round(s), best of them\n' \
  "$(IFS=,; printf '%s' "${labels[*]}" | sed 's/,/, /g')" "${PROTOCOLS[*]}" "$ROUNDS"
printf 'packages in %s (%s); the sandbox spools in %s\n' "$tmp" "$fstype" "$spool"
printf 'load average at the start: %s\n\n' "$(cut -d ' ' -f 1-3 /proc/loadavg)"

for mib in "${SIZES_MIB[@]}"; do
  size=$((mib * 1024 * 1024))
  pkg=$tmp/package-${mib}MiB.zip

  t0=$(now)
  # A local header's signature, noise, and an empty archive's end record.
  { printf 'PK\003\004'; head -c $((size - 26)) /dev/urandom; printf 'PK\005\006'
    head -c 18 /dev/zero; } >"$pkg"
  cat -- "$pkg" >/dev/null  # both clients read it from the page cache
  printf '%-7s generated in %s s\n' "$(label "$mib"):" "$(elapsed "$t0" "$(now)")"

  for proto in "${PROTOCOLS[@]}"; do
    start_sandbox "$proto"
    walls=() rsss=() curls=() cli_cpus=() curl_cpus=()
    for round in $(seq "$ROUNDS"); do
      run_cli "$pkg" "$size"
      walls+=("$cli_wall") rsss+=("$cli_rss") cli_cpus+=("$cli_cpu")
      run_curl "$pkg" "$size"
      curls+=("$curl_upload") curl_cpus+=("$curl_cpu")
      printf '%-7s %-5s round %s: coursedrop-cli %7.3f s (CPU %5.2f s, RSS %5.1f MiB)   curl %7.3f s (CPU %5.2f s)\n' \
        "$(label "$mib")" "$proto" "$round" "$cli_wall" "$cli_cpu" "$cli_rss" "$curl_upload" "$curl_cpu"
    done
    stop_sandbox
    key="$mib/$proto"
    best_cli[$key]=$(minimum "${walls[@]}")
    best_curl[$key]=$(minimum "${curls[@]}")
    peak_rss[$key]=$(maximum "${rsss[@]}")
    cpu_cli[$key]=$(minimum "${cli_cpus[@]}")
    cpu_curl[$key]=$(minimum "${curl_cpus[@]}")
  done
  rm -f -- "$pkg"
done

# --- the report --------------------------------------------------------------------

printf '\n%-9s %-6s %16s %10s %8s %14s %10s %10s\n' size proto "coursedrop-cli s" "curl s" ratio \
  "peak RSS MiB" "CLI CPU s" "curl CPU s"
for mib in "${SIZES_MIB[@]}"; do
  for proto in "${PROTOCOLS[@]}"; do
    key="$mib/$proto"
    printf '%-9s %-6s %16.3f %10.3f %7s× %14.1f %10.2f %10.2f\n' "$(label "$mib")" "$proto" \
      "${best_cli[$key]}" "${best_curl[$key]}" "$(ratio "${best_cli[$key]}" "${best_curl[$key]}")" \
      "${peak_rss[$key]}" "${cpu_cli[$key]}" "${cpu_curl[$key]}"
  done
done
printf '(best of %s; coursedrop-cli s is the whole import --no-wait command, start to exit;\n' "$ROUNDS"
printf ' curl s is its time_total for the upload alone; ratio = curl s / coursedrop-cli s;\n'
printf ' CPU s is user + system time, the least of the rounds)\n'
printf 'load average at the end: %s\n\n' "$(cut -d ' ' -f 1-3 /proc/loadavg)"

verdict() { awk -v ok="$1" 'BEGIN { print ok ? "met" : "MISSED" }'; }
for mib in "${SIZES_MIB[@]}"; do
  for proto in "${PROTOCOLS[@]}"; do
    key="$mib/$proto"
    r=$(ratio "${best_cli[$key]}" "${best_curl[$key]}")
    printf 'target: whole command >= %s x curl, %s %s: %s x (%s)\n' "$RATIO_TARGET" \
      "$(label "$mib")" "$proto" "$r" "$(verdict "$(awk -v r="$r" -v t="$RATIO_TARGET" 'BEGIN { print (r >= t) }')")"
    printf 'target: peak RSS < %s MiB, %s %s: %s MiB (%s)\n' "$RSS_TARGET_MIB" "$(label "$mib")" \
      "$proto" "${peak_rss[$key]}" \
      "$(verdict "$(awk -v r="${peak_rss[$key]}" -v t="$RSS_TARGET_MIB" 'BEGIN { print (r < t) }')")"
  done
done

exit 0

#!/usr/bin/env bash
# bench-upload.sh: upload throughput and memory of coursedrop-cli against curl
#
#   tests/bench/bench-upload.sh build/src/cli/coursedrop-cli build/src/sandbox/coursedrop-sandbox
#   meson test -C build --benchmark upload
#
# Everything runs on loopback against a private coursedrop-sandbox.  For each
# package size the CLI and curl upload the same file to the same import route,
# alternating, BENCH_ROUNDS times each; the script prints the medians and
# whether the targets of issue #3 item 7 are met.  It only reports: it exits 0
# when a target is missed, and non-zero when an upload fails.
#
# Knobs (environment):
#   BENCH_SIZES_MIB  package sizes in MiB (default "64 1024")
#   BENCH_ROUNDS     rounds per client and size (default 3)
#   BENCH_TMPDIR     where the packages go (default $TMPDIR, else /tmp; meson
#                    points it at the build dir); never /dev/shm
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

read -r -a SIZES_MIB <<<"${BENCH_SIZES_MIB:-64 1024}"
ROUNDS=${BENCH_ROUNDS:-3}
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer"
for mib in "${SIZES_MIB[@]}"; do
  [[ $mib =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZES_MIB must list positive integers"
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

tmp=$(mktemp -d "$base/coursedrop-bench.XXXXXX")
fstype=$(df -PT -- "$tmp" | awk 'NR == 2 { print $2 }')
if [[ $fstype == tmpfs ]]; then
  printf 'bench-upload: warning: %s is on tmpfs, the packages take RAM; set BENCH_TMPDIR\n' "$base" >&2
fi

# The packages, plus the sandbox's spool copy of the largest one, plus slack.
max_mib=0
total_mib=0
for mib in "${SIZES_MIB[@]}"; do
  ((mib > max_mib)) && max_mib=$mib
  total_mib=$((total_mib + mib))
done
free_mib=$(df -Pm -- "$tmp" | awk 'NR == 2 { print $4 }')
((free_mib > total_mib + max_mib + 256)) ||
  die "not enough space in $tmp: ${free_mib} MiB free, $((total_mib + max_mib + 256)) MiB needed"

now() { printf '%s' "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
maximum() { printf '%s\n' "$@" | sort -g | tail -n 1; }
label() { if (($1 % 1024 == 0)); then printf '%s GiB' $(($1 / 1024)); else printf '%s MiB' "$1"; fi; }
mbps() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", n / s / 1e6; else print "inf" }'; }

# --- the sandbox ---------------------------------------------------------------

# Its spool files (one per upload, removed once answered) stay in our temp dir.
TMPDIR=$tmp "$SANDBOX" --port 0 --timeline UPLOADING:0.1,COMPLETED \
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
export COURSEDROP_APP_ID=CoursedropDemoApp COURSEDROP_APP_KEY=demo-app-key-not-secret
export COURSEDROP_USER_ID=CoursedropDemoUser COURSEDROP_USER_KEY=demo-user-key-not-secret
unset COURSEDROP_CA_FILE

# The sandbox's last import must be this job, of this many package bytes.
check_received() {
  local client=$1 token=$2 size=$3 list last got_token got_size

  list=$(curl -sS --fail "$url/_sandbox/uploads") || die "$client: cannot read $url/_sandbox/uploads"
  last=$(printf '%s' "$list" | grep -o '{"JobToken":"[^"]*"[^}]*}' | tail -n 1)
  got_token=$(printf '%s' "$last" | sed -n 's/.*"JobToken":"\([^"]*\)".*/\1/p')
  got_size=$(printf '%s' "$last" | sed -n 's/.*"Size":\([0-9]*\).*/\1/p')
  [[ $got_token == "$token" ]] ||
    die "$client: the sandbox's last job is '$got_token', not the client's '$token'"
  [[ $got_size == "$size" ]] ||
    die "$client: the sandbox received $got_size bytes of package, not $size"
}

# --- one upload per client -------------------------------------------------------

# Sets cli_upload, cli_wall (s) and cli_rss (MiB).
run_cli() {
  local pkg=$1 size=$2 home out rc=0 t0 t1 event token kib

  home=$(mktemp -d "$tmp/xdg.XXXXXX")  # a fresh job journal every round
  out=$tmp/cli.out
  t0=$(now)
  XDG_DATA_HOME=$home/data XDG_CONFIG_HOME=$home/config XDG_CACHE_HOME=$home/cache \
    XDG_STATE_HOME=$home/state \
    "$GNU_TIME" -v -o "$tmp/cli.time" \
    "$CLI" import --course-package "$pkg" --course-offering-id "$OFFERING" --no-wait --json \
    >"$out" 2>"$tmp/cli.err" || rc=$?
  t1=$(now)
  rm -rf -- "$home"
  if ((rc != 0)); then
    cat -- "$tmp/cli.err" "$out" >&2
    die "coursedrop-cli exited with status $rc"
  fi

  event=$(grep -m 1 '"event":"uploaded"' -- "$out") || die "coursedrop-cli printed no uploaded event"
  cli_upload=$(printf '%s' "$event" | sed -n 's/.*"seconds":\([-+0-9.eE]*\).*/\1/p')
  [[ -n $cli_upload ]] || die "cannot read the upload seconds in: $event"
  token=$(sed -n 's/.*"event":"token".*"token":"\([^"]*\)".*/\1/p' -- "$out" | head -n 1)
  [[ -n $token ]] || die "coursedrop-cli printed no job token"
  cli_wall=$(elapsed "$t0" "$t1")
  kib=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$tmp/cli.time")
  [[ -n $kib ]] || die "GNU time reported no maximum resident set size"
  cli_rss=$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')
  check_received coursedrop-cli "$token" "$size"
}

# Sets curl_upload (s).
run_curl() {
  local pkg=$1 size=$2 signed result code token rc=0

  signed=$("$CLI" sign POST "$ROUTE") || die "coursedrop-cli sign failed"
  result=$(curl -sS -o "$tmp/curl.body" -w '%{time_total} %{http_code}' \
    -F "file=@$pkg;type=application/zip" "$signed") || rc=$?
  ((rc == 0)) || die "curl failed with status $rc"
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

declare -A median_cli median_cli_wall peak_cli_rss median_curl

labels=()
for mib in "${SIZES_MIB[@]}"; do labels+=("$(label "$mib")"); done
printf 'coursedrop upload benchmark: %s; %s round(s) per client and size; sandbox %s\n' \
  "$(IFS=,; printf '%s' "${labels[*]}" | sed 's/,/, /g')" "$ROUNDS" "$url"
printf 'packages in %s (%s)\n\n' "$tmp" "$fstype"

for mib in "${SIZES_MIB[@]}"; do
  size=$((mib * 1024 * 1024))
  pkg=$tmp/package-${mib}MiB.zip

  t0=$(now)
  # A local header's signature, noise, and an empty archive's end record.
  { printf 'PK\003\004'; head -c $((size - 26)) /dev/urandom; printf 'PK\005\006'
    head -c 18 /dev/zero; } >"$pkg"
  cat -- "$pkg" >/dev/null  # both clients read it from the page cache
  printf '%-7s generated in %s s\n' "$(label "$mib"):" "$(elapsed "$t0" "$(now)")"

  up_cli=() wall_cli=() rss_cli=() up_curl=()
  for round in $(seq "$ROUNDS"); do
    run_cli "$pkg" "$size"
    up_cli+=("$cli_upload") wall_cli+=("$cli_wall") rss_cli+=("$cli_rss")
    run_curl "$pkg" "$size"
    up_curl+=("$curl_upload")
    printf '%-7s round %s: cli upload %6.3f s (wall %6.3f s, RSS %5.1f MiB)   curl %6.3f s\n' \
      "$(label "$mib")" "$round" "$cli_upload" "$cli_wall" "$cli_rss" "$curl_upload"
  done

  median_cli[$mib]=$(median "${up_cli[@]}")
  median_cli_wall[$mib]=$(median "${wall_cli[@]}")
  peak_cli_rss[$mib]=$(maximum "${rss_cli[@]}")
  median_curl[$mib]=$(median "${up_curl[@]}")
  rm -f -- "$pkg"
done

# --- the report --------------------------------------------------------------------

printf '\n%-9s %-15s %10s %9s %10s %14s\n' size client "upload s" "MB/s" "wall s" "peak RSS MiB"
for mib in "${SIZES_MIB[@]}"; do
  size=$((mib * 1024 * 1024))
  printf '%-9s %-15s %10.3f %9s %10.3f %14.1f\n' "$(label "$mib")" coursedrop-cli "${median_cli[$mib]}" \
    "$(mbps "$size" "${median_cli[$mib]}")" "${median_cli_wall[$mib]}" "${peak_cli_rss[$mib]}"
  printf '%-9s %-15s %10.3f %9s %10s %14s\n' "$(label "$mib")" curl "${median_curl[$mib]}" \
    "$(mbps "$size" "${median_curl[$mib]}")" - -
done
printf '(medians of %s rounds; MB = 10^6 bytes of package; "upload s" is the CLI'"'"'s own\n' "$ROUNDS"
printf ' "uploaded" event and curl'"'"'s time_total; "wall s" adds start-up and SHA-256 hashing)\n\n'

ratio() { awk -v cli="$1" -v curl="$2" 'BEGIN { printf "%.2f", (cli > 0) ? curl / cli : 0 }'; }
for mib in "${SIZES_MIB[@]}"; do
  printf 'throughput cli/curl, %s: %s x\n' "$(label "$mib")" "$(ratio "${median_cli[$mib]}" "${median_curl[$mib]}")"
done
printf '\n'

verdict() { awk -v ok="$1" 'BEGIN { print ok ? "met" : "MISSED" }'; }
largest=${SIZES_MIB[-1]}
for mib in "${SIZES_MIB[@]}"; do ((mib > largest)) && largest=$mib; done
rss=${peak_cli_rss[$largest]}
printf 'target: peak RSS < %s MiB for %s: %s MiB (%s)\n' "$RSS_TARGET_MIB" "$(label "$largest")" "$rss" \
  "$(verdict "$(awk -v r="$rss" -v t="$RSS_TARGET_MIB" 'BEGIN { print (r < t) }')")"
for mib in "${SIZES_MIB[@]}"; do
  r=$(ratio "${median_cli[$mib]}" "${median_curl[$mib]}")
  printf 'target: throughput >= %s x curl, %s: %s x (%s)\n' "$RATIO_TARGET" "$(label "$mib")" "$r" \
    "$(verdict "$(awk -v r="$r" -v t="$RATIO_TARGET" 'BEGIN { print (r >= t) }')")"
done

exit 0

#!/usr/bin/env bash
# bench-inspect.sh: time and peak memory of coursedrop-cli inspect on a
# 1 GiB package
#
#   tests/bench/bench-inspect.sh build/src/cli/coursedrop-cli
#   meson test -C build --benchmark inspect
#
# The package is a small Common Cartridge plus BENCH_INSPECT_MIB (default
# 1024) MiB of stored zeros, written as a sparse hole, so making it takes no
# time and no disk space.  inspect must read only the central directory and
# the manifest: the target is under 1 s and 32 MiB peak RSS, whatever the
# size.  It only reports: it exits 0 when a target is missed, non-zero when
# inspect fails.
#
# Needs bash, python3 (to write the zip) and GNU time (/usr/bin/time).
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

readonly RSS_TARGET_MIB=32
readonly TIME_TARGET_S=1
readonly GNU_TIME=/usr/bin/time
readonly ROUNDS=${BENCH_ROUNDS:-3}

die() {
  printf 'bench-inspect: %s\n' "$*" >&2
  exit 1
}

if [[ $# -ne 1 ]]; then
  printf 'Usage: %s PATH/TO/coursedrop-cli\n' "$0" >&2
  exit 2
fi

CLI=$(realpath -- "$1")
[[ -x $CLI ]] || die "not an executable: $1"
command -v python3 >/dev/null || die "python3 is needed"
"$GNU_TIME" --version >/dev/null 2>&1 ||
  die "GNU time is needed at $GNU_TIME (Debian: apt-get install time)"
MIB=${BENCH_INSPECT_MIB:-1024}
[[ $MIB =~ ^[1-9][0-9]*$ ]] && ((MIB < 4096)) || die "BENCH_INSPECT_MIB must be 1..4095"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer"

tmp=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/coursedrop-bench-inspect.XXXXXX")
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() { rm -rf -- "$tmp"; }
trap cleanup EXIT
pkg=$tmp/package-${MIB}MiB.imscc

# A stored entry's data is copied as is, so zeros can stay a hole.  The
# CRC-32 is that of the zeros, so the zip is valid for any unzip tool too.
python3 - "$pkg" "$MIB" <<'PY'
import struct, sys, time, zlib

path, mib = sys.argv[1], int(sys.argv[2])
manifest = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="bench" xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1">
  <metadata><schema>IMS Common Cartridge</schema><schemaversion>1.3.0</schemaversion></metadata>
  <organizations><organization identifier="o" structure="rooted-hierarchy"><item identifier="root">
    <item identifier="m"><title>Lectures</title>
      <item identifier="v" identifierref="R_video"><title>Lecture 1 (video)</title></item>
    </item></item></organization></organizations>
  <resources>
    <resource identifier="R_video" type="webcontent" href="video/lecture1.mp4">
      <file href="video/lecture1.mp4"/></resource>
  </resources>
</manifest>
"""
big = mib * 1024 * 1024
crc = 0
zeros = bytes(1024 * 1024)
for _ in range(mib):
    crc = zlib.crc32(zeros, crc)

t = time.localtime()
dos_time = (t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2)
dos_date = ((t.tm_year - 1980) << 9) | (t.tm_mon << 5) | t.tm_mday
entries = [(b"imsmanifest.xml", manifest, zlib.crc32(manifest), len(manifest)),
           (b"video/lecture1.mp4", None, crc, big)]
central = b""
with open(path, "wb") as f:
    for name, data, c, size in entries:
        offset = f.tell()
        f.write(struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, 0, dos_time, dos_date,
                            c, size, size, len(name), 0) + name)
        if data is not None:
            f.write(data)
        else:
            f.seek(size, 1)  # the hole
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 0x031e, 20, 0, 0,
                               dos_time, dos_date, c, size, size, len(name), 0, 0, 0, 0,
                               0o100644 << 16, offset) + name
    cd_offset = f.tell()
    f.write(central)
    f.write(struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, len(entries), len(entries),
                        len(central), cd_offset, 0))
PY

size=$(stat -c %s -- "$pkg")
printf 'coursedrop inspect benchmark: %s bytes (%s MiB of stored zeros), %s round(s)\n' "$size" "$MIB" "$ROUNDS"

worst_s=0
worst_rss=0
for round in $(seq "$ROUNDS"); do
  "$GNU_TIME" -v -o "$tmp/time" "$CLI" inspect --json "$pkg" >"$tmp/out" 2>"$tmp/err" ||
    { cat -- "$tmp/err" >&2; die "coursedrop-cli inspect failed"; }
  grep -q '"kind" : "common-cartridge"' "$tmp/out" || die "unexpected output: $(head -c 300 "$tmp/out")"
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$tmp/time")
  kib=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$tmp/time")
  [[ -n $wall && -n $kib ]] || die "GNU time reported nothing"
  rss=$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')
  printf 'round %s: %6.2f s, peak RSS %5.1f MiB\n' "$round" "$wall" "$rss"
  worst_s=$(awk -v a="$worst_s" -v b="$wall" 'BEGIN { print (b > a) ? b : a }')
  worst_rss=$(awk -v a="$worst_rss" -v b="$rss" 'BEGIN { print (b > a) ? b : a }')
done

verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v < t) ? "met" : "MISSED" }'; }
printf 'target: wall time < %s s: %s s (%s)\n' "$TIME_TARGET_S" "$worst_s" "$(verdict "$worst_s" "$TIME_TARGET_S")"
printf 'target: peak RSS < %s MiB: %s MiB (%s)\n' "$RSS_TARGET_MIB" "$worst_rss" "$(verdict "$worst_rss" "$RSS_TARGET_MIB")"
exit 0

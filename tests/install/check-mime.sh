#!/bin/bash
# check-mime.sh MIME-XML [SAMPLE.imscc]: the shared-mime-info definition of
# the IMS Common Cartridge types.
#
# update-mime-database compiles it into a scratch database (it complains on
# stderr about what it does not understand); the result must map *.imscc to
# application/vnd.ims.imsccv1p1 and make the three types zips.  With a sample
# package, GIO (what the file manager asks) must see that type in it.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

xml=$(readlink -f "$1")
sample=${2:+$(readlink -f "$2")}

if command -v xmllint >/dev/null 2>&1; then
  xmllint --noout "$xml"
  echo "ok: well-formed XML (xmllint)"
fi

if ! command -v update-mime-database >/dev/null 2>&1; then
  echo "SKIP: update-mime-database is not installed (shared-mime-info)"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/share/mime/packages"
cp "$xml" "$work/share/mime/packages/"

if ! XDG_DATA_DIRS="$work/share" update-mime-database "$work/share/mime" > "$work/update.log" 2>&1 || [ -s "$work/update.log" ]; then
  cat "$work/update.log" >&2
  echo "FAIL: update-mime-database does not take $xml cleanly" >&2
  exit 1
fi
echo "ok: update-mime-database compiles it without a complaint"

grep -qx '50:application/vnd.ims.imsccv1p1:\*\.imscc' "$work/share/mime/globs2" || {
  echo "FAIL: *.imscc is not application/vnd.ims.imsccv1p1 in globs2:" >&2
  cat "$work/share/mime/globs2" >&2
  exit 1
}
echo "ok: *.imscc is application/vnd.ims.imsccv1p1"

for version in 1 2 3; do
  grep -qx "application/vnd.ims.imsccv1p$version application/zip" "$work/share/mime/subclasses" || {
    echo "FAIL: application/vnd.ims.imsccv1p$version is not a sub-class of application/zip" >&2
    exit 1
  }
done
echo "ok: the three cartridge types are zips"

if [ -n "$sample" ] && command -v gio >/dev/null 2>&1; then
  type=$(env XDG_DATA_HOME="$work/share" XDG_DATA_DIRS="$work/share:/usr/local/share:/usr/share" \
           GIO_USE_VFS=local gio info -a standard::content-type "$sample" |
         sed -n 's/^ *standard::content-type: //p')
  if [ "$type" != application/vnd.ims.imsccv1p1 ]; then
    echo "FAIL: GIO sees $(basename "$sample") as “$type”" >&2
    exit 1
  fi
  echo "ok: GIO sees $(basename "$sample") as $type"
fi

echo "PASS: $xml"

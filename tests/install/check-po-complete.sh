#!/bin/bash
# check-po-complete.sh: every translatable message of the sources has a
# German translation (not missing, not fuzzy) in po/de.po.
#
# The template is extracted afresh from po/POTFILES.in with the keywords of
# Meson's "glib" gettext preset, so a new string fails this test until it is
# translated, without anyone regenerating coursedrop.pot first.
#
#   check-po-complete.sh SOURCE_ROOT
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 SOURCE_ROOT" >&2
  exit 2
fi

root=$1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# POTFILES.in lists files with comments; xgettext wants only the names.
grep -v '^#' "$root/po/POTFILES.in" | sed '/^$/d' > "$scratch/files"

xgettext --directory="$root" --files-from="$scratch/files" --output="$scratch/all.pot" \
  --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3

# Every file with a translatable string must be listed: a file that uses _()
# but is missing from POTFILES.in would escape the check above.
missing=0
while IFS= read -r file; do
  relative=${file#"$root"/}
  if ! grep -qxF "$relative" "$scratch/files"; then
    echo "FAIL: $relative has translatable strings but is not in po/POTFILES.in" >&2
    missing=1
  fi
done < <(grep -lE '\b(N?C?_|ngettext|g_dngettext) \(' "$root"/src/*/*.c | sort;
         grep -l 'translatable="yes"' "$root"/src/gui/*.ui "$root"/src/gui/gtk/*.ui | sort)

if ! msgcmp "$root/po/de.po" "$scratch/all.pot" 2> "$scratch/msgcmp.log"; then
  head -40 "$scratch/msgcmp.log" >&2
  echo "FAIL: po/de.po lacks a translation for the messages above (or has them fuzzy)" >&2
  exit 1
fi

if [ "$missing" -ne 0 ]; then
  exit 1
fi

echo "ok: po/de.po translates all $(grep -c '^msgid ' "$scratch/all.pot") messages"

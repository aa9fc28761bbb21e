#!/bin/bash
# check-man.sh PAGE…: each man page formats without a single warning
# (groff -man -ww, what `man --warnings` runs).  Exit 77 (skip) without
# groff (Debian: groff-base).
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -uo pipefail

if ! command -v groff >/dev/null 2>&1; then
  echo "SKIP: groff is not installed (groff-base)"
  exit 77
fi

status=0
for page in "$@"; do
  warnings=$(LC_ALL=C.UTF-8 groff -man -ww -z -K utf-8 "$page" 2>&1)
  if [ $? -ne 0 ] || [ -n "$warnings" ]; then
    echo "FAIL: $page" >&2
    echo "$warnings" >&2
    status=1
  elif ! grep -q '^\.SH NAME' "$page" || ! grep -q '^\.TH ' "$page"; then
    echo "FAIL: $page has no .TH or NAME section" >&2
    status=1
  else
    echo "ok: $page"
  fi
done
exit $status

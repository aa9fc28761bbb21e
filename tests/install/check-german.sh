#!/bin/bash
# check-german.sh: issue #6 — the German translation is really used.
#
# Installs with `meson install --destdir` into a scratch directory, as
# check-install.sh does, and runs the *installed* coursedrop-cli and
# coursedrop under LANGUAGE=de, expecting German text from po/de.po:
#   - `coursedrop-cli --help` (the command summary),
#   - `coursedrop-cli import --help` (GOption descriptions and argument names),
#   - the window, read through AT-SPI under Xvfb (check-german-window.py):
#     the empty state „Kurspakete hier ablegen“ and the „Öffnen“ button.
#
# Locale: the machine need not have de_DE.UTF-8 generated, and installing
# or generating locales is not something a test may do.  glibc's gettext
# ignores LANGUAGE only when the LC_MESSAGES locale is "C" or "POSIX";
# "C.UTF-8" (built into glibc >= 2.35) is neither, so LANG=C.UTF-8 with
# LANGUAGE=de selects the German catalogue (verified on Debian 12, glibc
# 2.36; LANG=C LANGUAGE=de stays English).  GTK/GLib use the same
# gettext, so this holds for the window too.
#
# The .mo file: LOCALEDIR is compiled in as the final prefix path, not the
# destdir, so the binaries honour COURSEDROP_LOCALEDIR (src/cli/main.c,
# src/gui/main.c) and the test points it at DESTDIR/LOCALEDIR — the .mo
# meson actually installed.
#
# The window part needs Xvfb, dbus-run-session, at-spi-bus-launcher
# and python3-gi with Atspi; without them it is reported as skipped and
# only the CLI is checked.
#
#   check-german.sh MESON BUILD_DIR PREFIX BINDIR LOCALEDIR GETTEXT_PACKAGE SANDBOX SCHEMA_DIR
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

if [ $# -ne 8 ]; then
  echo "usage: $0 MESON BUILD_DIR PREFIX BINDIR LOCALEDIR GETTEXT_PACKAGE SANDBOX SCHEMA_DIR" >&2
  exit 2
fi

meson=$1 build=$2 prefix=$3 bindir=$4 localedir=$5 gettext_package=$6
sandbox=$7 schema_dir=$8
here=$(dirname "$(readlink -f "$0")")

absolute () {
  case "$1" in
    /*) echo "$1" ;;
    *) echo "$prefix/$1" ;;
  esac
}
bindir=$(absolute "$bindir")
localedir=$(absolute "$localedir")

destdir=$(mktemp -d)
trap 'rm -rf "$destdir"' EXIT

if ! "$meson" install -C "$build" --no-rebuild --destdir "$destdir" > "$destdir/install.log" 2>&1; then
  cat "$destdir/install.log" >&2
  echo "FAIL: meson install --destdir failed" >&2
  exit 1
fi

mo=$destdir$localedir/de/LC_MESSAGES/$gettext_package.mo
if [ ! -s "$mo" ]; then
  echo "FAIL: $mo is not installed (is de in po/LINGUAS?)" >&2
  exit 1
fi
echo "ok: installed ${mo#"$destdir"}"

cli=$destdir$bindir/coursedrop-cli
gui=$destdir$bindir/coursedrop

# Only the German catalogue and a UTF-8 C locale; nothing else from the
# caller's locale settings.
german () {
  env -u LC_ALL -u LC_MESSAGES -u LANG -u LANGUAGE \
    LANG=C.UTF-8 LANGUAGE=de COURSEDROP_LOCALEDIR="$destdir$localedir" "$@"
}

failures=0
fail () {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# expect_in WHAT OUTPUT TEXT: OUTPUT contains TEXT (a fixed string).
expect_in () {
  if grep -qF -- "$3" <<< "$2"; then
    echo "ok: $1: “$3”"
  else
    fail "$1: “$3” not found in:"
    echo "$2" | sed 's/^/  | /' >&2
  fi
}
expect_not_in () {
  if grep -qF -- "$3" <<< "$2"; then
    fail "$1: English “$3” is still printed under LANGUAGE=de"
  fi
}

help=$(german "$cli" --help 2>&1) || fail "coursedrop-cli --help exited with $?"
expect_in "coursedrop-cli --help" "$help" "Aufruf: coursedrop-cli BEFEHL [OPTION …]"
expect_in "coursedrop-cli --help" "$help" "Befehle:"
expect_in "coursedrop-cli --help" "$help" "Kurspakete in D2L Brightspace importieren."
expect_in "coursedrop-cli --help" "$help" "Ein Paket importieren und den Auftrag verfolgen"
expect_not_in "coursedrop-cli --help" "$help" "Commands:"

import_help=$(german "$cli" import --help 2>&1) || fail "coursedrop-cli import --help exited with $?"
expect_in "coursedrop-cli import --help" "$import_help" "--course-package=DATEI"
expect_in "coursedrop-cli import --help" "$import_help" "Das zu importierende Paket (.zip oder .imscc)"
expect_in "coursedrop-cli import --help" "$import_help" "Das Kursangebot, in das importiert wird"
expect_in "coursedrop-cli import --help" "$import_help" "Zugangsdaten stammen aus der Umgebung"
expect_not_in "coursedrop-cli import --help" "$import_help" "The course offering to import into"

# A control: without LANGUAGE=de the same binary speaks English, so the
# German above really comes from the catalogue.
english=$(env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=C.UTF-8 \
  COURSEDROP_LOCALEDIR="$destdir$localedir" "$cli" --help 2>&1) || true
expect_in "coursedrop-cli --help (LANG=C.UTF-8, no LANGUAGE)" "$english" "Commands:"

# The window.
launcher=
for candidate in /usr/libexec/at-spi-bus-launcher /usr/lib/at-spi2-core/at-spi-bus-launcher; do
  if [ -x "$candidate" ]; then
    launcher=$candidate
    break
  fi
done
window_skip=
command -v Xvfb > /dev/null || window_skip="Xvfb not found"
command -v dbus-run-session > /dev/null || window_skip="dbus-run-session not found"
[ -n "$launcher" ] || window_skip="at-spi-bus-launcher not found"
/usr/bin/python3 -c 'import gi; gi.require_version("Atspi", "2.0"); from gi.repository import Atspi' \
  2> /dev/null || window_skip="python3-gi with gir1.2-atspi-2.0 not found"

if [ -n "$window_skip" ]; then
  echo "SKIP: window: $window_skip"
else
  # Inside the session bus and an X display of its own (tests/gui/with-xvfb.sh:
  # Xvfb picks a free number, no race with other servers): the accessibility
  # bus, then the AT-SPI check; the launcher goes when the check is done.
  # shellcheck disable=SC2016
  inner='"$1" --launch-immediately & launcher_pid=$!; sleep 1
         /usr/bin/python3 "$2" "$3" "$4"; status=$?
         kill "$launcher_pid" 2> /dev/null; wait "$launcher_pid" 2> /dev/null; exit $status'
  if ! german env GSETTINGS_SCHEMA_DIR="$schema_dir" GSETTINGS_BACKEND=memory \
       GIO_USE_VFS=local GIO_USE_PROXY_RESOLVER=dummy GDK_BACKEND=x11 GSK_RENDERER=cairo \
       dbus-run-session -- "$here/../gui/with-xvfb.sh" \
       bash -c "$inner" check-german "$launcher" "$here/check-german-window.py" "$gui" "$sandbox"; then
    fail "the window under LANGUAGE=de (see above)"
  fi
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi

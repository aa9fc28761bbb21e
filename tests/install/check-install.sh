#!/bin/bash
# check-install.sh: `meson install --destdir` into a scratch directory, then
# the installed layout, as a distribution package or the Flatpak gets it.
#
# Run by `meson test` (suite install) with the build directory and the
# install paths as meson resolved them:
#   check-install.sh MESON BUILD_DIR SOURCE_DIR APP_ID BASE_APP_ID PREFIX BINDIR DATADIR MANDIR LOCALEDIR GETTEXT_PACKAGE
# A .mo file is required for every language in po/LINGUAS.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

if [ $# -ne 11 ]; then
  echo "usage: $0 MESON BUILD_DIR SOURCE_DIR APP_ID BASE_APP_ID PREFIX BINDIR DATADIR MANDIR LOCALEDIR GETTEXT_PACKAGE" >&2
  exit 2
fi

meson=$1 build=$2 source=$3 app_id=$4 base_app_id=$5 prefix=$6
bindir=$7 datadir=$8 mandir=$9 localedir=${10} gettext_package=${11}

# Absolute install paths, wherever meson was told to put them.
absolute () {
  case "$1" in
    /*) echo "$1" ;;
    *) echo "$prefix/$1" ;;
  esac
}
bindir=$(absolute "$bindir")
datadir=$(absolute "$datadir")
mandir=$(absolute "$mandir")
localedir=$(absolute "$localedir")

destdir=$(mktemp -d)
trap 'rm -rf "$destdir"' EXIT

if ! "$meson" install -C "$build" --no-rebuild --destdir "$destdir" > "$destdir.log" 2>&1; then
  cat "$destdir.log" >&2
  rm -f "$destdir.log"
  echo "FAIL: meson install --destdir failed" >&2
  exit 1
fi
rm -f "$destdir.log"

root=$destdir
failures=0

fail () {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# expect FILE WHAT: FILE (a path under the destdir) exists and is not empty.
expect () {
  if [ -s "$root$1" ]; then
    echo "ok: $2: ${1#"$prefix"/}"
  else
    fail "$2: $1 is not installed"
  fi
}

# key FILE KEY VALUE: a desktop-entry style file says KEY=VALUE.
key () {
  if grep -qxF "$2=$3" "$root$1"; then
    echo "ok:   $2=$3"
  else
    fail "$1 does not say $2=$3 (it says: $(grep "^$2=" "$root$1" || echo nothing))"
  fi
}

echo "# installed into $destdir with prefix $prefix:"
(cd "$root" && find . -type f -o -type l | sort | sed 's|^\./|#   /|')

# The three programs.
for program in coursedrop coursedrop-cli coursedrop-sandbox; do
  if [ -x "$root$bindir/$program" ]; then
    echo "ok: program: $bindir/$program"
  else
    fail "program $bindir/$program is not installed or not executable"
  fi
done
if [ -x "$root$bindir/coursedrop-cli" ]; then
  version=$("$root$bindir/coursedrop-cli" --version 2>&1 || true)
  case "$version" in
    "coursedrop-cli "[0-9]*) echo "ok:   the installed coursedrop-cli runs: $version" ;;
    *) fail "the installed coursedrop-cli --version says: $version" ;;
  esac
fi

# The desktop file and its D-Bus service.
desktop=$datadir/applications/$app_id.desktop
expect "$desktop" "desktop file"
if [ -s "$root$desktop" ]; then
  key "$desktop" Exec "coursedrop %U"
  key "$desktop" Icon "$app_id"
  key "$desktop" DBusActivatable true
  if command -v desktop-file-validate >/dev/null 2>&1; then
    if desktop-file-validate "$root$desktop"; then
      echo "ok:   desktop-file-validate"
    else
      fail "desktop-file-validate $desktop"
    fi
  fi
fi

service=$datadir/dbus-1/services/$app_id.service
expect "$service" "D-Bus service"
if [ -s "$root$service" ]; then
  key "$service" Name "$app_id"
  key "$service" Exec "$bindir/coursedrop --gapplication-service"
fi

# AppStream: the launchable is the installed desktop file.
metainfo=$datadir/metainfo/$app_id.metainfo.xml
expect "$metainfo" "AppStream metainfo"
if [ -s "$root$metainfo" ]; then
  if grep -qF "<id>$app_id</id>" "$root$metainfo" &&
     grep -qF "<launchable type=\"desktop-id\">$app_id.desktop</launchable>" "$root$metainfo"; then
    echo "ok:   its id and launchable are $app_id"
  else
    fail "$metainfo does not have the id $app_id and the launchable $app_id.desktop"
  fi
fi

# GSettings: the schema source (meson's post-install compiles it, except
# into a destdir, where the package's trigger does).
schemas=$datadir/glib-2.0/schemas
if [ -s "$root$schemas/$base_app_id.gschema.xml" ] || [ -s "$root$schemas/gschemas.compiled" ]; then
  echo "ok: GSettings schema: ${schemas#"$prefix"/}/$base_app_id.gschema.xml"
else
  fail "the GSettings schema is not installed in $schemas"
fi

# The .imscc MIME type.
expect "$datadir/mime/packages/$app_id.xml" "MIME type"

# Icons: the app icon (the desktop file's Icon) and the symbolic one.
expect "$datadir/icons/hicolor/scalable/apps/$app_id.svg" "app icon"
expect "$datadir/icons/hicolor/symbolic/apps/$app_id-symbolic.svg" "symbolic icon"
for icon in "$root$datadir"/icons/hicolor/scalable/apps/* "$root$datadir"/icons/hicolor/symbolic/apps/*; do
  case "$icon" in
    *.svg) ;;
    *) fail "a non-SVG icon in a scalable folder: $icon" ;;
  esac
done

# The demo's sample package: a zip with an IMS manifest.
demo=$datadir/coursedrop/coursedrop-demo.imscc
expect "$demo" "demo package"
if [ -s "$root$demo" ] && command -v python3 >/dev/null 2>&1; then
  if python3 -c 'import sys, zipfile; sys.exit("imsmanifest.xml" not in zipfile.ZipFile(sys.argv[1]).namelist())' \
       "$root$demo"; then
    echo "ok:   it is a zip with imsmanifest.xml"
  else
    fail "$demo is not a zip with imsmanifest.xml"
  fi
fi

# Man pages.
for page in coursedrop-cli coursedrop-sandbox; do
  if [ -s "$root$mandir/man1/$page.1" ] || [ -s "$root$mandir/man1/$page.1.gz" ]; then
    echo "ok: man page: ${mandir#"$prefix"/}/man1/$page.1"
  else
    fail "the man page $page(1) is not installed in $mandir/man1"
  fi
done

# Translations: one catalogue for each language in po/LINGUAS.
languages=$(sed -e 's/#.*//' "$source/po/LINGUAS" | tr -s ' \t' '\n\n' | sed '/^$/d')
if [ -z "$languages" ]; then
  echo "ok: translations: po/LINGUAS lists no language yet"
fi
for lang in $languages; do
  expect "$localedir/$lang/LC_MESSAGES/$gettext_package.mo" "translation ($lang)"
done

if [ "$failures" -gt 0 ]; then
  echo "FAIL: $failures problem(s) in the installed layout" >&2
  exit 1
fi
echo "PASS: the installed layout is complete"

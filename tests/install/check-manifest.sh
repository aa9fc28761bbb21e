#!/bin/bash
# check-manifest.sh MANIFEST: the Flatpak manifest, checked offline.
#
# flatpak-builder parses it (G_DEBUG=fatal-warnings turns its "Unknown
# property" warning into a failure, as flatpak-builder-lint's
# manifest-unknown-properties does), then jq checks the linter's rules that
# can be checked without a build (gnome-conventions.md §7.4).  Exit 77 (skip)
# without flatpak-builder or jq.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

manifest=$(readlink -f "$1")

for tool in flatpak-builder jq; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed"
    exit 77
  fi
done

# flatpak-builder leaves a .flatpak-builder directory in its working directory.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

if ! G_DEBUG=fatal-warnings flatpak-builder --show-manifest "$manifest" > parsed.json 2> parsed.err; then
  cat parsed.err >&2
  echo "FAIL: flatpak-builder does not accept $manifest" >&2
  exit 1
fi

failures=0

# check NAME JQ-FILTER: the filter must print true for the parsed manifest.
check () {
  local name=$1 filter=$2

  if jq -e --arg file "$(basename "$manifest" .json)" "$filter" parsed.json >/dev/null; then
    echo "ok: $name"
  else
    echo "FAIL: $name" >&2
    failures=$((failures + 1))
  fi
}

check "the id is the file name (appid-filename-mismatch)" \
  '(.id // ."app-id") == $file'
check "the id has at least 3 components (appid-less-than-3-components)" \
  '(.id // ."app-id") | split(".") | length >= 3'
check "the id uses io.github, not com.github (appid-uses-code-hosting-domain)" \
  '(.id // ."app-id") as $id
   | ($id | test("^(com|org)\\.(github|gitlab)\\.") | not) and ($id | startswith("io.github."))'
check "the id does not end in .desktop (appid-ends-with-lowercase-desktop)" \
  '(.id // ."app-id") | endswith(".desktop") | not'
check "the runtime is org.gnome.Platform 47 with org.gnome.Sdk" \
  '.runtime == "org.gnome.Platform" and ."runtime-version" == "47" and .sdk == "org.gnome.Sdk"'
check "command is set (toplevel-no-command)" \
  '.command | type == "string" and length > 0'
check "command is a bare name (toplevel-command-is-path)" \
  '.command | contains("/") | not'
check "no branch (toplevel-unnecessary-branch)" \
  'has("branch") | not'
check "finish-args is exactly network, ipc, wayland, fallback-x11, dri" \
  '."finish-args" | sort == (["--share=network", "--share=ipc", "--socket=wayland",
                               "--socket=fallback-x11", "--device=dri"] | sort)'
check "no --filesystem" \
  '."finish-args" | map(startswith("--filesystem")) | any | not'
check "no --socket=x11 beside wayland (finish-args-contains-both-x11-and-wayland)" \
  '."finish-args" | (index("--socket=x11") != null and index("--socket=wayland") != null) | not'
check "wayland has fallback-x11 (finish-args-only-wayland)" \
  '."finish-args" | (index("--socket=wayland") == null or index("--socket=fallback-x11") != null)'
check "fallback-x11 has wayland (finish-args-fallback-x11-without-wayland)" \
  '."finish-args" | (index("--socket=fallback-x11") == null or index("--socket=wayland") != null)'
check "x11 has --share=ipc (finish-args-x11-without-ipc)" \
  '."finish-args" | ((index("--socket=x11") == null and index("--socket=fallback-x11") == null)
                      or index("--share=ipc") != null)'
check "no --talk-name or --own-name (portals need none)" \
  '."finish-args" | map(test("^--(talk|own|system-talk|system-own)-name")) | any | not'
check "no --socket=session-bus or system-bus (finish-args-arbitrary-dbus-access)" \
  '."finish-args" | map(test("^--socket=(session|system)-bus")) | any | not'
check "no network in build-args (manifest-toplevel-build-network-access)" \
  '[.. | objects | ."build-args"? // empty | .[] | select(. == "--share=network")] | length == 0'
check "cleanup is present" \
  '.cleanup | type == "array" and length > 0'
check "cleanup does not strip debug info by hand (toplevel-cleanup-debug)" \
  '.cleanup | map(test("^/lib/debug")) | any | not'
check "modules are present (toplevel-no-modules)" \
  '.modules | type == "array" and length > 0'
check "a module builds with meson" \
  '.modules | map(objects | select(.buildsystem == "meson")) | length > 0'
check "the coursedrop module builds out of tree and runs the tests" \
  '.modules | map(objects | select(.name == "coursedrop" and .builddir == true
                                   and ."run-tests" == true)) | length == 1'
check "the tests get a display (build-options.test-args)" \
  '.modules | map(objects | select(.name == "coursedrop") | ."build-options"."test-args" // []
                  | index("--socket=x11") != null) | all'

if [ "$failures" -gt 0 ]; then
  echo "FAIL: $failures check(s) of $manifest failed" >&2
  exit 1
fi
echo "PASS: $manifest"

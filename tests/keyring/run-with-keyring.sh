#!/bin/bash
# run-with-keyring.sh PROGRAM [ARGS…]: runs PROGRAM on its own D-Bus session
# bus with a fresh, unlocked gnome-keyring (Secret Service), in a temporary
# HOME, so keyring tests never touch the user's real keyring and need no
# prompt (headless-testing.md, "Keyring (libsecret) headless").
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu

if [ $# -lt 1 ]; then
  echo "usage: $0 PROGRAM [ARGS...]" >&2
  exit 2
fi

for tool in dbus-run-session gnome-keyring-daemon dbus-send; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    # TAP "skip all", understood by meson's tap protocol.
    echo "1..0 # SKIP $tool is not installed"
    exit 0
  fi
done

exec dbus-run-session -- bash -c '
set -eu
keyring_home=$(mktemp -d)
trap "rm -rf \"$keyring_home\"" EXIT
export HOME="$keyring_home"
export XDG_DATA_HOME="$HOME/.local/share" XDG_CONFIG_HOME="$HOME/.config"
export XDG_CACHE_HOME="$HOME/.cache" XDG_RUNTIME_DIR="$HOME/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

# A newline as the (empty) login password: empty input would make the
# daemon ask for one through a GUI prompt, which fails headless.
eval "$(echo "" | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL="${GNOME_KEYRING_CONTROL:-}"

# The daemon forks before it owns org.freedesktop.secrets; a client that
# asks earlier would D-Bus-activate a second, locked daemon.
for _ in $(seq 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
       org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
     grep -q "boolean true"; then
    break
  fi
  sleep 0.1
done

# Lets tests look for secrets in the keyring files too.  The daemon quits
# by itself when dbus-run-session closes the bus.
export CD_KEYRING_HOME="$HOME"
status=0
"$@" || status=$?
exit $status
' run-with-keyring "$@"

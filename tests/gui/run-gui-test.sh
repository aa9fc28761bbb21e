#!/bin/bash
# run-gui-test.sh: the end-to-end GUI test's outer shell.
#
# meson runs it as `dbus-run-session -- with-xvfb.sh [--wm] run-gui-test.sh`,
# so there is a private session bus and an X display of its own.  The
# accessibility bus is started here, inside with-xvfb.sh, so that it knows
# the display; then drive.py (or the driver named as an argument) does the
# work through AT-SPI and xdotool.
#
# With --keyring, HOME and the XDG directories move to a temporary directory
# and an unlocked gnome-keyring holds the secrets there, for the tests that
# sign in and out.
set -u

driver=drive.py
keyring=
while [ $# -gt 0 ]; do
  case "$1" in
    --keyring) keyring=1 ;;
    *) driver=$1 ;;
  esac
  shift
done

here=$(dirname "$(readlink -f "$0")")

skip () {
  echo "SKIP: $*"
  exit 77
}

launcher=
for candidate in /usr/libexec/at-spi-bus-launcher /usr/lib/at-spi2-core/at-spi-bus-launcher; do
  if [ -x "$candidate" ]; then
    launcher=$candidate
    break
  fi
done
[ -n "$launcher" ] || skip "at-spi-bus-launcher not found (install at-spi2-core)"
command -v xdotool >/dev/null || skip "xdotool not found"
command -v import >/dev/null || skip "import not found (install imagemagick)"
/usr/bin/python3 -c 'import gi; gi.require_version("Atspi", "2.0"); from gi.repository import Atspi' \
  2>/dev/null || skip "python3-gi with gir1.2-atspi-2.0 not found"

[ -n "${DISPLAY:-}" ] || { echo "FAIL: no DISPLAY (run under with-xvfb.sh)"; exit 1; }

keyring_home=
if [ -n "$keyring" ]; then
  command -v gnome-keyring-daemon >/dev/null || skip "gnome-keyring-daemon not found"
  keyring_home=$(mktemp -d "${TMPDIR:-/tmp}/coursedrop-keyring-XXXXXX")
  export HOME="$keyring_home"
  export XDG_DATA_HOME="$keyring_home/.local/share"
  export XDG_CONFIG_HOME="$keyring_home/.config"
  export XDG_CACHE_HOME="$keyring_home/.cache"
  export XDG_RUNTIME_DIR="$keyring_home/runtime"
  mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
  chmod 700 "$XDG_RUNTIME_DIR"
  export GSETTINGS_BACKEND=keyfile
  eval "$(echo '' | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  keyring_pid=${GNOME_KEYRING_PID:-}
fi

"$launcher" --launch-immediately &
launcher_pid=$!
sleep 1

/usr/bin/python3 "$here/$driver"
status=$?

if [ -n "$keyring_home" ]; then
  [ -n "${keyring_pid:-}" ] && kill "$keyring_pid" 2>/dev/null
  rm -rf "$keyring_home"
fi

kill "$launcher_pid" 2>/dev/null
wait "$launcher_pid" 2>/dev/null
exit $status

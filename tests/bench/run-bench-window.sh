#!/bin/bash
# run-bench-window.sh: bench-window.py inside a private display and bus
#
#   dbus-run-session -- tests/gui/with-xvfb.sh tests/bench/run-bench-window.sh
#   meson test -C build-release --benchmark window
#
# Starts the accessibility bus on the display with-xvfb.sh made, then the
# driver.  Needs COURSEDROP_GUI, CD_SANDBOX and CD_BARE_WINDOW (meson sets
# them).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

here=$(dirname "$(readlink -f "$0")")

launcher=
for candidate in /usr/libexec/at-spi-bus-launcher /usr/lib/at-spi2-core/at-spi-bus-launcher; do
  [ -x "$candidate" ] && { launcher=$candidate; break; }
done
[ -n "$launcher" ] || { echo "SKIP: at-spi-bus-launcher not found"; exit 77; }
[ -n "${DISPLAY:-}" ] || { echo "FAIL: no DISPLAY (run under with-xvfb.sh)"; exit 1; }

"$launcher" --launch-immediately &
launcher_pid=$!
sleep 1

/usr/bin/python3 "$here/bench-window.py"
status=$?

kill "$launcher_pid" 2>/dev/null
wait "$launcher_pid" 2>/dev/null
exit $status

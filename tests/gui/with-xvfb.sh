#!/bin/bash
# with-xvfb.sh: runs a command on a private X display of its own.
#
#   with-xvfb.sh [--wm] [--] COMMAND [ARG …]
#
# Xvfb picks a free display number itself and reports it through
# -displayfd once it accepts connections, so tests running at the same
# time, or any other X server on the machine, never collide: no guessed
# number (xvfb-run -a -n N searches from N and races with servers that are
# starting or going away), and no waiting for the display to answer.
#
# --wm also starts openbox, for tests that need keyboard focus
# (`xdotool windowactivate`, key presses): without a window manager no
# window is ever activated.
#
# DISPLAY is exported to COMMAND; the window manager and the server are
# stopped when COMMAND ends, whatever way it ends.  Exit status: COMMAND's,
# 77 (skipped) without Xvfb or openbox, 99 when the server did not start.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

screen=1280x800x24
wm=
while [ $# -gt 0 ]; do
  case "$1" in
    --wm) wm=1 ;;
    --) shift; break ;;
    -*) echo "with-xvfb.sh: unknown option $1" >&2; exit 99 ;;
    *) break ;;
  esac
  shift
done
if [ $# -eq 0 ]; then
  echo "usage: with-xvfb.sh [--wm] [--] COMMAND [ARG …]" >&2
  exit 99
fi

command -v Xvfb > /dev/null || { echo "SKIP: Xvfb not found (install xvfb)"; exit 77; }
if [ -n "$wm" ]; then
  command -v openbox > /dev/null || { echo "SKIP: openbox not found (install openbox)"; exit 77; }
fi

state=$(mktemp -d "${TMPDIR:-/tmp}/with-xvfb-XXXXXX") || exit 99
xvfb_pid=
wm_pid=

stop () {
  local pid
  for pid in $wm_pid $xvfb_pid; do
    kill "$pid" 2> /dev/null && wait "$pid" 2> /dev/null
  done
  rm -rf "$state"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The number arrives on fd 3, followed by a newline, when the server is
# ready.  -nolisten tcp: only this machine's clients, through the socket.
Xvfb -displayfd 3 -screen 0 "$screen" -nolisten tcp -noreset \
  3> "$state/display" > "$state/xvfb.log" 2>&1 &
xvfb_pid=$!

for _ in $(seq 1 300); do
  grep -q '^[0-9][0-9]*$' "$state/display" 2> /dev/null && break
  kill -0 "$xvfb_pid" 2> /dev/null || break
  sleep 0.05
done
if ! grep -q '^[0-9][0-9]*$' "$state/display" 2> /dev/null; then
  echo "FAIL: Xvfb did not start:" >&2
  sed 's/^/  | /' "$state/xvfb.log" >&2
  exit 99
fi
DISPLAY=":$(head -n 1 "$state/display")"
export DISPLAY
# xvfb-run's Xauthority is not needed: the server has no -auth file, so it
# allows this machine's clients; none from elsewhere can reach it.
unset XAUTHORITY

if [ -n "$wm" ]; then
  # --startup runs once openbox manages the screen.
  openbox --sm-disable --startup "touch $state/wm-ready" > "$state/wm.log" 2>&1 &
  wm_pid=$!
  for _ in $(seq 1 200); do
    [ -e "$state/wm-ready" ] && break
    kill -0 "$wm_pid" 2> /dev/null || break
    sleep 0.05
  done
  if [ ! -e "$state/wm-ready" ]; then
    echo "FAIL: openbox did not start on $DISPLAY:" >&2
    sed 's/^/  | /' "$state/wm.log" >&2
    exit 99
  fi
fi

"$@"

#!/usr/bin/python3
# probe-latency.py: how long the window titled ARGV[1] takes to answer
#
# Asks the window for its state over AT-SPI every 10 ms (GTK 4 keeps no
# AT-SPI cache, so the app's main loop answers each call) until SIGTERM,
# then prints the slowest answer in ms: an upper bound of the main loop's
# lateness meanwhile, measured from outside, whatever the app does.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import signal
import sys
import time

import gi

gi.require_version('Atspi', '2.0')
from gi.repository import Atspi, GLib  # noqa: E402

stopping = False


def stop(*_):
    global stopping
    stopping = True


def frame_titled(title):
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        for j in range(app.get_child_count() if app else 0):
            frame = app.get_child_at_index(j)
            if frame is not None and frame.get_name() == title:
                return frame
    return None


signal.signal(signal.SIGTERM, stop)
frame = frame_titled(sys.argv[1])
if frame is None:
    print('probe-latency: no such window', file=sys.stderr)
    sys.exit(1)
print('ready', flush=True)
worst = 0.0
while not stopping:
    started = time.monotonic()
    try:
        frame.get_state_set()
    except GLib.Error:
        pass
    worst = max(worst, time.monotonic() - started)
    time.sleep(0.01)
print(f'{worst * 1000:.0f}', flush=True)

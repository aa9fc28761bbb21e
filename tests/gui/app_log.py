# app_log.py: the GUI tests' rule that the app never warns.
#
# Every driver sends the app's stderr to a file and, at the end, fails when
# any line of it is a CRITICAL or a WARNING: GLib, GTK, libadwaita and
# Coursedrop log them as “(coursedrop:PID): Gtk-WARNING **: …” or
# “Coursedrop-CRITICAL **: …”.  A warning is a bug even when the window
# looks right (a failed g_return_if_fail() skipped the rest of a function).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re

# The level as GLib prints it, for any domain (Gtk-WARNING, GLib-GIO-CRITICAL,
# a bare “** WARNING”), and structured-log variants.
_LEVEL = re.compile(r'\b(CRITICAL|WARNING)\b')


def problems(text):
    """The lines of @text that are a CRITICAL or a WARNING."""
    return [line for line in text.splitlines() if _LEVEL.search(line)]


def problems_in(path):
    """The same for a file; a file that was never written has none."""
    if not os.path.exists(path):
        return []
    with open(path, errors='replace') as f:
        return problems(f.read())


def describe(what, lines):
    return f'{what} wrote {len(lines)} CRITICAL/WARNING line(s):\n' + \
        '\n'.join(f'  | {line}' for line in lines)

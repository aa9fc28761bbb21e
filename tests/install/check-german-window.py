#!/usr/bin/python3
# check-german-window.py: part of check-german.sh (issue #6).  Runs inside
# dbus-run-session + tests/gui/with-xvfb.sh + an accessibility bus; starts a
# sandbox and the `coursedrop` given as argv[1] (with LANGUAGE=de in the
# environment) and looks through AT-SPI for German text in its window.  Like every GUI test
# it fails when the app logs a CRITICAL or a WARNING (tests/gui/app_log.py).
#
# usage: check-german-window.py COURSEDROP COURSEDROP_SANDBOX
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import subprocess
import sys
import tempfile
import threading
import time

import gi

gi.require_version('Atspi', '2.0')
from gi.repository import Atspi, GLib  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'gui'))
import app_log  # noqa: E402

APP, SANDBOX = sys.argv[1], sys.argv[2]

# The German strings from po/de.po that the empty window must show.
EXPECTED = {
    'empty state': 'Kurspakete hier ablegen',   # "Drop course packages here"
    'Open button': 'Öffnen',                    # "_Open" / "Open"
}
ENGLISH = 'Drop course packages here'


def safe(call, default=None):
    try:
        return call()
    except GLib.Error:
        return default


def walk(node):
    if node is None:
        return
    yield node
    for i in range(safe(node.get_child_count, 0)):
        yield from walk(safe(lambda: node.get_child_at_index(i)))


def find_app():
    desktop = Atspi.get_desktop(0)
    for i in range(safe(desktop.get_child_count, 0)):
        app = safe(lambda: desktop.get_child_at_index(i))
        if app is not None and (safe(app.get_name, '') or '').lower() == 'coursedrop':
            return app
    return None


def texts(app):
    """(role, name) of every node; for labels also their text."""
    found = []
    for node in walk(app):
        found.append((safe(node.get_role_name, ''), safe(node.get_name, '') or ''))
    return found


def main():
    tmp = tempfile.mkdtemp(prefix='coursedrop-german-')
    sandbox = subprocess.Popen([SANDBOX, '--port', '0'], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, cwd=tmp,
                               env=dict(os.environ, LANGUAGE='', LANG='C.UTF-8'))
    app = None
    try:
        first = sandbox.stdout.readline().strip()
        if not first.startswith('Listening on '):
            print(f'FAIL: the sandbox did not start: {first!r}')
            return 1
        threading.Thread(target=lambda: sandbox.stdout.read(), daemon=True).start()
        url = first[len('Listening on '):]

        home = os.path.join(tmp, 'home')
        os.makedirs(home)
        env = dict(os.environ)
        env.pop('NO_AT_BRIDGE', None)
        env.update({
            'HOME': home,
            'XDG_DATA_HOME': os.path.join(home, '.local', 'share'),
            'XDG_CONFIG_HOME': os.path.join(home, '.config'),
            'XDG_CACHE_HOME': os.path.join(home, '.cache'),
            'GTK_A11Y': 'atspi',
            'COURSEDROP_HOST': url,
            'COURSEDROP_APP_ID': 'CoursedropDemoApp',
            'COURSEDROP_APP_KEY': 'demo-app-key-not-secret',
            'COURSEDROP_USER_ID': 'CoursedropDemoUser',
            'COURSEDROP_USER_KEY': 'demo-user-key-not-secret',
        })
        stderr = open(os.path.join(tmp, 'coursedrop.stderr'), 'w')
        app = subprocess.Popen([APP], env=env, stderr=stderr)

        deadline = time.monotonic() + 30
        found = []
        missing = dict(EXPECTED)
        while time.monotonic() < deadline:
            node = find_app()
            if node is not None:
                found = texts(node)
                names = [n for _, n in found]
                missing = {what: text for what, text in EXPECTED.items()
                           if not any(text == n or n.startswith(text) for n in names)}
                if not missing:
                    break
            time.sleep(0.2)

        failures = 0
        for what, text in EXPECTED.items():
            if what in missing:
                print(f'FAIL: window: no {what} “{text}”')
                failures += 1
            else:
                print(f'ok: window: {what} “{text}”')
        if any(n == ENGLISH for _, n in found):
            print(f'FAIL: window: English “{ENGLISH}” is shown under LANGUAGE=de')
            failures += 1
        # The teardown check: quit first, so that what the app says on the
        # way out counts too.
        app.terminate()
        try:
            app.wait(10)
        except subprocess.TimeoutExpired:
            app.kill()
        stderr.close()
        problems = app_log.problems_in(os.path.join(tmp, 'coursedrop.stderr'))
        if problems:
            print('FAIL: ' + app_log.describe('coursedrop', problems))
            failures += 1
        else:
            print('ok: window: coursedrop wrote no CRITICAL or WARNING')
        if failures:
            print('The window showed:')
            for r, n in found:
                if n:
                    print(f'  {r}: {n}')
            with open(os.path.join(tmp, 'coursedrop.stderr')) as f:
                sys.stdout.write(f.read())
        return 1 if failures else 0
    finally:
        for process in (app, sandbox):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
        subprocess.run(['rm', '-rf', tmp])


if __name__ == '__main__':
    sys.exit(main())

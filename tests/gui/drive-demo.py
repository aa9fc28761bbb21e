#!/usr/bin/python3
# drive-demo.py: `coursedrop --demo`, as the README's quick start opens it
#
# Runs inside `run-gui-test.sh --keyring` (a session bus, Xvfb, the
# accessibility bus, an unlocked gnome-keyring, HOME in a temporary
# directory).  The demo starts its own sandbox, signs in to it with OAuth
# 2.0 (the sandbox refuses ID-Key) and imports the sample package:
#   1. The window says it runs on the demo; Try the Sample Package makes a
#      card; the import into Biology 101 reaches Completed.
#   2. The sandbox was started with --oauth-only, and the bearer token
#      reached it through its environment, not its command line.
#   3. The token is nowhere else: not in the keyring (a demo stores
#      nothing there), not in any file under HOME, not in the app's output.
# The app must never log a CRITICAL or a WARNING (app_log.py).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from drive_util import (  # noqa: E402
    APP, Failure, Run, check_app_stderr, find, find_app, frames, label_matching, log, press,
    safe_screenshot, wait_for,
)

SCHEMA = 'io.github.coursedrop.Coursedrop'
TOKEN_VARIABLE = 'COURSEDROP_SANDBOX_ACCESS_TOKEN'


def children_of(pid):
    """The processes whose parent is @pid, as (pid, command name)."""
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as f:
                stat = f.read()
        except OSError:
            continue
        # "PID (COMM) STATE PPID …": COMM may hold spaces and parentheses.
        comm = stat[stat.index('(') + 1:stat.rindex(')')]
        fields = stat[stat.rindex(')') + 2:].split()
        if int(fields[1]) == pid:
            found.append((int(entry), comm))
    return found


def demo_sandbox(run):
    """The sandbox the demo started: its argv and its environment."""
    for pid, comm in children_of(run.app.pid):
        if comm.startswith('coursedrop-sand'):
            with open(f'/proc/{pid}/cmdline', 'rb') as f:
                argv = [a.decode() for a in f.read().split(b'\0') if a]
            with open(f'/proc/{pid}/environ', 'rb') as f:
                environ = dict(e.decode().partition('=')[::2]
                               for e in f.read().split(b'\0') if e)
            return argv, environ
    return None


def keyring_items():
    """Everything the keyring holds under Coursedrop's schema."""
    out = subprocess.run(['secret-tool', 'search', '--all', '--unlock', 'xdg:schema', SCHEMA],
                         capture_output=True, text=True, timeout=30)
    return [line for line in (out.stdout + out.stderr).splitlines() if line.startswith('[')]


def files_holding(folder, secret):
    """The files under @folder whose bytes contain @secret."""
    holding = []
    for parent, _, names in os.walk(folder):
        for file_name in names:
            path = os.path.join(parent, file_name)
            try:
                with open(path, 'rb') as f:
                    if secret.encode() in f.read():
                        holding.append(path)
            except OSError:
                continue
    return holding


def check_token_stays_in_memory(run):
    found = demo_sandbox(run)
    if found is None:
        raise Failure('the demo’s coursedrop-sandbox is not a child of the app')
    argv, environ = found
    if '--oauth-only' not in argv:
        raise Failure(f'the demo sandbox accepts ID-Key: {argv}')
    token = environ.get(TOKEN_VARIABLE, '')
    if len(token) < 32:
        raise Failure(f'the demo sandbox got no bearer token in {TOKEN_VARIABLE}')
    if any(token in argument for argument in argv):
        raise Failure('the bearer token is on the sandbox’s command line')
    log('ok: the sandbox refuses ID-Key, and its bearer token came through the environment')

    items = keyring_items()
    if items:
        raise Failure(f'the demo stored {len(items)} item(s) in the keyring: {items}')
    holding = files_holding(run.env['HOME'], token)
    with open(run.app_stderr) as f:
        if token in f.read():
            holding.append(run.app_stderr)
    if holding:
        raise Failure(f'the bearer token is written down in {holding}')
    log('ok: the token is in no file, no output and not in the keyring')


def drive(run):
    run.env['G_MESSAGES_DEBUG'] = 'all'   # the token must not reach debug output either
    with open(run.app_stderr, 'w') as stderr:
        run.app = run.spawn([APP, '--demo'], stderr=stderr, stdout=stderr)
    app = wait_for(lambda: (a := find_app()) and frames(a, 'Coursedrop') and a, 30,
                   'the Coursedrop window on the accessibility bus')
    run.frame = frames(app, 'Coursedrop')[0]
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Demo — local sandbox'), 30,
             'the subtitle “Demo — local sandbox”')

    sample = wait_for(lambda: find(run.frame, 'push button',
                                   lambda n: n == 'Try the Sample Package'), 15,
                      'the Try the Sample Package button')
    press(sample)
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'coursedrop-demo.imscc'), 15,
             'the sample package’s card')
    # The demo's courses have semesters, shown once the course is found.
    run.import_into('6606', 'Biology 101', 'BIO101 · Course offering 6606 · Fall Term')
    wait_for(lambda: label_matching(run.frame, lambda n: n.startswith('Completed')), 90,
             'the sample import to complete')
    log('ok: the demo imported its sample package over OAuth 2.0 to Completed')

    check_token_stays_in_memory(run)
    check_app_stderr(run)


def main():
    run = Run()
    try:
        drive(run)
    except Failure:
        safe_screenshot('demo-failure')
        if os.path.exists(run.app_stderr):
            with open(run.app_stderr) as f:
                log('coursedrop.stderr (last lines):\n' + '\n'.join(f.read().splitlines()[-40:]))
        raise
    finally:
        run.cleanup()


if __name__ == '__main__':
    try:
        main()
    except Failure as failure:
        print(f'FAIL: {failure}')
        sys.exit(1)
    print('PASS')

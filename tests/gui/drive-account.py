#!/usr/bin/python3
# drive-account.py: signing in and out through the Account window.
#
# Runs inside `run-gui-test.sh --keyring` (a session bus, Xvfb, the
# accessibility bus, an unlocked gnome-keyring, HOME in a temporary
# directory, GSETTINGS_BACKEND=keyfile).  The app starts with no
# credentials in the environment; the test types the address, App ID and
# App Key into the Account window, presses Sign In with Browser — the
# "browser" is a fake default http handler that follows the sandbox's
# redirect to the callback with curl — and waits for the account in the
# subtitle.  Then it signs out, signs in again with typed user keys, and
# checks that a restarted app finds the saved account with nothing in the
# environment.  Wrong input (an API version of “banana”) gets an inline
# error; the app must never log a CRITICAL or a WARNING (app_log.py).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import socket
import subprocess
import sys
import time

import gi

gi.require_version('Atspi', '2.0')
from gi.repository import Atspi, GLib  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import app_log  # noqa: E402
from drive_util import (  # noqa: E402
    APP, Failure, Processes, SANDBOX, check_app_stderr, expect_inline_error, find, find_app,
    focus_in, focused, frames, label_matching, log, log_files, make_package, name, press,
    press_set_up_account, role, safe, safe_screenshot, screenshot, sensitive, set_text, wait_for,
    walk, window_id, xdotool,
)

APP_ID = 'CoursedropDemoApp'
APP_KEY = 'demo-app-key-not-secret'
USER_ID = 'CoursedropDemoUser'
USER_KEY = 'demo-user-key-not-secret'


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class AccountRun(Processes):
    def __init__(self):
        super().__init__()
        # HOME and the XDG directories are run-gui-test.sh's, where the
        # keyring keeps its files.
        self.tmp = os.environ['HOME']
        self.env = dict(os.environ)
        self.env.pop('NO_AT_BRIDGE', None)
        for var in ('COURSEDROP_HOST', 'COURSEDROP_APP_ID', 'COURSEDROP_APP_KEY',
                    'COURSEDROP_USER_ID', 'COURSEDROP_USER_KEY'):
            self.env.pop(var, None)
        self.env.update({'GTK_A11Y': 'atspi', 'LANG': 'C.UTF-8', 'LC_ALL': 'C.UTF-8',
                         'GTK_USE_PORTAL': '0'})
        self.app = None
        self.app_stderr = os.path.join(self.tmp, 'coursedrop.stderr')
        self.browser_log = os.path.join(self.tmp, 'browser.log')

    def cleanup(self):
        self.stop_processes()

    def install_fake_browser(self):
        """The default handler of http URLs: curl, following redirects."""
        apps = os.path.join(self.env['XDG_DATA_HOME'], 'applications')
        os.makedirs(apps, exist_ok=True)
        script = os.path.join(self.tmp, 'fake-browser')
        with open(script, 'w') as f:
            f.write('#!/bin/sh\n'
                    f'echo "open $1" >> {self.browser_log}\n'
                    f'curl -sSL --max-time 30 "$1" >> {self.browser_log} 2>&1\n'
                    f'echo "curl exited $?" >> {self.browser_log}\n')
        os.chmod(script, 0o755)
        with open(os.path.join(apps, 'fake-browser.desktop'), 'w') as f:
            f.write('[Desktop Entry]\nType=Application\nName=Fake Browser\n'
                    f'Exec={script} %u\nMimeType=x-scheme-handler/http;x-scheme-handler/https;\n'
                    'NoDisplay=true\n')
        with open(os.path.join(self.env['XDG_CONFIG_HOME'], 'mimeapps.list'), 'w') as f:
            f.write('[Default Applications]\n'
                    'x-scheme-handler/http=fake-browser.desktop\n'
                    'x-scheme-handler/https=fake-browser.desktop\n')
        subprocess.run(['update-desktop-database', apps], capture_output=True)

    def start_app(self):
        stderr = open(self.app_stderr, 'a')
        self.app = self.spawn([APP], stderr=stderr)
        stderr.close()
        app = wait_for(lambda: (a := find_app()) and frames(a, 'Coursedrop') and a, 30,
                       'the Coursedrop window on the accessibility bus')
        self.atspi_app = app
        self.frame = frames(app, 'Coursedrop')[0]

    def quit_app(self):
        subprocess.run(['gdbus', 'call', '--session', '--dest', 'io.github.coursedrop.Coursedrop',
                        '--object-path', '/io/github/coursedrop/Coursedrop',
                        '--method', 'org.gtk.Actions.Activate', 'quit', '[]', '{}'],
                       env=self.env, timeout=15, capture_output=True)
        self.app.wait(timeout=15)

    def account_window(self):
        return next(iter(frames(self.atspi_app, 'Account')), None)

    def open_account_window(self):
        return press_set_up_account(self.frame, self.account_window)


def named(label):
    """GTK 4.8 appends the description to the accessible name."""
    return lambda n: (n := n.replace('_', '')) == label or n.startswith(label + ' ')


def field(root, label):
    return wait_for(lambda: find(root, 'text', named(label)), 15, f'the {label} field')


def button(root, label):
    try:
        return wait_for(lambda: find(root, 'push button', named(label)), 15,
                        f'the {label} button')
    except Failure:
        for node in walk(root):
            log(f'  {role(node)}: {name(node)!r}')
        raise


def press_row(window, title):
    """A click on a row that has no accessible action (an expander row)."""
    row = wait_for(lambda: find(window, 'list item', lambda n: n == title), 15,
                   f'the {title} row')
    extents = Atspi.Component.get_extents(row, Atspi.CoordType.WINDOW)
    xdotool('mousemove', '--window', window_id('Account'), extents.x + extents.width // 2,
            extents.y + extents.height // 2)
    time.sleep(0.2)
    xdotool('click', 1)


def subtitle_signed_in(run):
    return label_matching(run.frame, lambda n: ' on 127.0.0.1' in n)


def text_of(node):
    if role(node) != 'label':
        return ''
    try:
        return Atspi.Text.get_text(node, 0, Atspi.Text.get_character_count(node)) or ''
    except GLib.Error:
        return ''


def banner_shown(run):
    """A hidden banner leaves the accessibility tree (AT-SPI's SHOWING state
    does not follow a GtkRevealer)."""
    return label_matching(run.frame,
                          lambda n: n == 'Your Brightspace sign-in has expired') is not None


def labels_of(window):
    return {name(n) for n in walk(window) if role(n) == 'label'}


def main():
    run = AccountRun()
    try:
        drive(run)
    except Failure:
        safe_screenshot('account-failure')
        log_files(run.app_stderr, os.path.join(run.tmp, 'sandbox.stderr'), run.browser_log)
        raise
    finally:
        run.cleanup()


def drive(run):
    port = free_port()
    callback = f'http://127.0.0.1:{port}/callback'
    run.install_fake_browser()

    stderr = open(os.path.join(run.tmp, 'sandbox.stderr'), 'w')
    sandbox = run.spawn([SANDBOX, '--port', '0', '--auto-approve', '--trusted-url', callback],
                        stdout=subprocess.PIPE, stderr=stderr, text=True)
    stderr.close()
    first = sandbox.stdout.readline().strip()
    if not first.startswith('Listening on '):
        raise Failure(f'the sandbox did not start: {first!r}')
    url = first[len('Listening on '):]
    log(f'sandbox: {url}, callback {callback}')

    # 1. No credentials anywhere: the Connect to Brightspace page.
    run.start_app()
    wid = wait_for(lambda: window_id('Coursedrop'), 15, 'the Coursedrop X window')
    xdotool('windowmove', wid, 0, 0)
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Connect to Brightspace'), 15,
             'the Connect to Brightspace page')
    log('ok: no account: Connect to Brightspace')

    # 2. The Account window, filled in through AT-SPI.
    window = run.open_account_window()
    # New accounts are OAuth 2.0; this test is about the legacy ID-Key.
    # (GTK 4.8 gives a check button no accessible action: its row is clicked.)
    press_row(window, 'ID-Key (legacy)')
    field(window, 'App ID')
    sign_in = button(window, 'Sign In with Browser')
    if sensitive(sign_in):
        raise Failure('Sign In with Browser is sensitive with nothing typed')
    set_text(field(window, 'Brightspace address'), url)
    set_text(field(window, 'App ID'), APP_ID)
    set_text(field(window, 'App Key'), APP_KEY)
    set_text(field(window, 'Callback address'), 'ftp://nowhere')
    time.sleep(0.3)
    if sensitive(sign_in):
        raise Failure('Sign In with Browser is sensitive with an invalid callback address')
    set_text(field(window, 'Callback address'), callback)
    wait_for(lambda: sensitive(sign_in), 10, 'Sign In with Browser to become sensitive')
    aid = window_id('Account')
    if aid:
        xdotool('windowmove', aid, 660, 0)
        time.sleep(0.5)
    # The API version is under Advanced, with its reason in its own row.
    press_row(window, 'Advanced')
    le_version = field(window, 'Brightspace API version')
    expect_inline_error(window, le_version, 'banana', 'An API version is two numbers', sign_in,
                        'the Brightspace API version field')
    set_text(le_version, '')
    wait_for(lambda: sensitive(sign_in), 10, 'Sign In with Browser to become sensitive again')
    time.sleep(0.5)
    aid = window_id('Account')
    if aid:
        xdotool('windowmove', aid, 660, 0)
        time.sleep(0.5)
    screenshot('account')

    # 3. Sign in with the (fake) browser.
    press(sign_in)
    wait_for(lambda: subtitle_signed_in(run), 60, 'the signed-in account in the subtitle')
    log(f'ok: signed in with the browser: “{name(subtitle_signed_in(run))}”')
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Drop course packages here'), 15,
             'the empty state after signing in')
    user_row = wait_for(lambda: find(window, 'label', lambda n: n.startswith('Signed in as')), 15,
                        'the Signed in as row')
    log(f'ok: account window says “{name(user_row)}”')

    # 4. Sign out: back to Connect to Brightspace.
    press(button(window, 'Sign Out'))
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Connect to Brightspace'), 15,
             'the Connect to Brightspace page after signing out')
    log('ok: signed out')

    # 5. Keys typed in: a wrong key is refused and nothing is saved, the right one works.
    set_text(field(window, 'User ID'), USER_ID)
    set_text(field(window, 'User Key'), 'wrong-key')
    verify = button(window, 'Verify and Save')
    wait_for(lambda: sensitive(verify), 10, 'Verify and Save to become sensitive')
    before = labels_of(window)
    press(verify)
    answer = wait_for(lambda: [n for n in labels_of(window) - before
                               if not n.startswith('Checking') and not n.startswith('Saving')],
                      30, 'the answer to the wrong key')
    log(f'ok: wrong key refused: “{answer[0]}”')
    # Beside the keys it is about (in their group, not under Sign In with
    # Browser), and focused, so that it is scrolled into view and read out.
    said = find(window, 'label', lambda n: n == answer[0])
    group = safe(lambda: said.get_parent())
    if group is None or not find(group, 'text', named('User Key')) or \
            find(group, 'push button', named('Sign In with Browser')):
        raise Failure('the answer to Verify and Save is not beside the keys')
    if not focused(said):
        raise Failure('the answer to Verify and Save is not focused (not scrolled into view)')
    log('ok: the answer is beside the keys, and focused')
    if subtitle_signed_in(run):
        raise Failure('a wrong key signed in')
    set_text(field(window, 'User Key'), USER_KEY)
    wait_for(lambda: sensitive(verify), 10, 'Verify and Save to become sensitive again')
    press(verify)
    wait_for(lambda: subtitle_signed_in(run), 30, 'the account after Verify and Save')
    # Who is signed in is said at the top: it gets the focus, so in view.
    wait_for(lambda: (f := focus_in(window)) and 'Signed in as' in name(f), 15,
             'the focus on the Signed in as row after Verify and Save')
    log('ok: signed in with typed keys; the Signed in as row has the focus')

    # 6. A new start finds the saved account, with nothing in the environment.
    run.quit_app()
    run.start_app()
    wait_for(lambda: subtitle_signed_in(run), 30, 'the saved account after a restart')
    log('ok: the saved account is used at startup')

    # 7. Sign out for good.
    # Only a page on screen counts: one hidden before the window was first
    # drawn (the loading page came first) may stay in the tree.
    connect = label_matching(run.frame, lambda n: n == 'Connect to Brightspace')
    window = run.open_account_window() if connect is not None and safe(
        lambda: connect.get_state_set().contains(Atspi.StateType.SHOWING), False) else None
    if window is None:
        subprocess.run(['gdbus', 'call', '--session', '--dest', 'io.github.coursedrop.Coursedrop',
                        '--object-path', '/io/github/coursedrop/Coursedrop',
                        '--method', 'org.gtk.Actions.Activate', 'account', '[]', '{}'],
                       env=run.env, timeout=15, capture_output=True)
        window = wait_for(run.account_window, 15, 'the Account window')
    press(button(window, 'Sign Out'))
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Connect to Brightspace'), 15,
             'the Connect to Brightspace page after the last sign-out')
    log('ok: signed out again')
    run.quit_app()

    # 8. An untrusted certificate: the dialog, then trusting exactly it.
    stderr = open(os.path.join(run.tmp, 'sandbox-tls.stderr'), 'w')
    tls = run.spawn([SANDBOX, '--port', '0', '--tls'], stdout=subprocess.PIPE, stderr=stderr,
                    text=True)
    stderr.close()
    first = tls.stdout.readline().strip()
    if not first.startswith('Listening on '):
        raise Failure(f'the TLS sandbox did not start: {first!r}')
    tls_url = first[len('Listening on '):]
    run.env.update({'COURSEDROP_HOST': tls_url, 'COURSEDROP_APP_ID': APP_ID,
                    'COURSEDROP_APP_KEY': APP_KEY, 'COURSEDROP_USER_ID': USER_ID,
                    'COURSEDROP_USER_KEY': USER_KEY})
    run.start_app()
    dialog = wait_for(lambda: next(iter(
        [f for f in frames(run.atspi_app)
         if label_matching(f, lambda n: n == 'Untrusted Certificate')]), None),
        30, 'the Untrusted Certificate dialog')
    fingerprint = wait_for(lambda: next(
        (t for t in map(text_of, walk(dialog)) if len(t) == 95 and t.count(':') == 30), None),
        10, 'the SHA-256 fingerprint')
    log(f'ok: Untrusted Certificate dialog, fingerprint {fingerprint[:23]}…')
    time.sleep(0.5)
    screenshot('certificate')
    press(button(dialog, 'Trust This Certificate'))
    wait_for(lambda: label_matching(run.frame, lambda n: ' on 127.0.0.1' in n and 'Dana' in n
                                    or n.startswith('dana.demo on ')), 30,
             'the account after trusting the certificate')
    log('ok: trusted the certificate and connected')
    run.quit_app()

    # 9. An expired sign-in: the banner, Sign In Again, the banner goes.
    port = free_port()
    callback = f'http://127.0.0.1:{port}/callback'
    stderr = open(os.path.join(run.tmp, 'sandbox-expire.stderr'), 'w')
    expiring = run.spawn([SANDBOX, '--port', '0', '--expire-after', '1', '--auto-approve',
                          '--trusted-url', callback],
                         stdout=subprocess.PIPE, stderr=stderr, text=True)
    stderr.close()
    first = expiring.stdout.readline().strip()
    if not first.startswith('Listening on '):
        raise Failure(f'the expiring sandbox did not start: {first!r}')
    expiring_url = first[len('Listening on '):]
    run.env['COURSEDROP_HOST'] = expiring_url
    run.start_app()
    wait_for(lambda: subtitle_signed_in(run), 30, 'the account of the expiring sandbox')
    package = os.path.join(run.tmp, 'Week 1.imscc')
    make_package(package, 'Week 1')
    second = subprocess.run([APP, package], env=run.env, timeout=30, capture_output=True,
                            text=True)
    if app_log.problems(second.stderr):
        raise Failure(app_log.describe('the second instance', app_log.problems(second.stderr)))
    set_text(wait_for(lambda: find(run.frame, 'text', lambda n: n.startswith('Course offering ID')), 15,
                      'the Course offering ID field'), '6606')
    again = wait_for(lambda: find(run.frame, 'push button', named('Sign In Again')) if label_matching(
        run.frame, lambda n: n == 'Your Brightspace sign-in has expired') else None, 30,
        'the sign-in expired banner')
    time.sleep(0.5)
    screenshot('expired')
    log('ok: the banner says the sign-in expired')
    press(again)
    window = wait_for(run.account_window, 15, 'the Account window from the banner')
    set_text(field(window, 'Callback address'), callback)
    set_text(field(window, 'App Key'), APP_KEY)
    sign_in = button(window, 'Sign In with Browser')
    wait_for(lambda: sensitive(sign_in), 10, 'Sign In with Browser to become sensitive')
    press(sign_in)
    wait_for(lambda: not safe(lambda: run.frame.get_child_count() and label_matching(
        run.frame, lambda n: n == 'Your Brightspace sign-in has expired')
        and banner_shown(run)), 30, 'the banner to go after signing in again')
    log('ok: signed in again; the banner is gone')
    run.quit_app()
    check_app_stderr(run)


if __name__ == '__main__':
    try:
        main()
    except Failure as failure:
        log(f'FAIL: {failure}')
        sys.exit(1)
    log('PASS')

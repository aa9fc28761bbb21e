#!/usr/bin/python3
# drive-oauth.py: OAuth 2.0 sign-in through the Account window.
#
# Runs inside `run-gui-test.sh --keyring` (a session bus, Xvfb, the
# accessibility bus, an unlocked gnome-keyring, HOME in a temporary
# directory).  The sandbox registers an OAuth client with a loopback
# redirect, short-lived access tokens and scopes without one Coursedrop asks
# for.  The test plays the browser: a fake default http handler fetches the
# authorization address (the sandbox approves at once) and either follows
# the redirect to the app's listener, or only writes down where it was sent,
# for the test to paste into the window.
#   1. New accounts default to OAuth 2.0; sign in through the loopback
#      redirect; the window says who is signed in and what the granted
#      scopes allow (and what not, naming the missing scope).
#   2. Sign in again through the paste fallback.
#   3. A job polls; the refresh token in the keyring is replaced by one the
#      sandbox never issued, so the next renewal is refused: the job pauses
#      and the window asks to sign in again; after that it resumes to
#      Completed.
#   4. The private-use scheme: the address Brightspace sends the browser to
#      reaches the running app as `coursedrop URI` (what the desktop's
#      x-scheme-handler does), and finishes a sign-in there.
# The app must never log a CRITICAL or a WARNING (app_log.py).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import gi

gi.require_version('Atspi', '2.0')
from gi.repository import Atspi  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from drive_util import (  # noqa: E402
    APP, Failure, NotificationServer, Processes, SANDBOX, check_accessible_names, check_app_stderr,
    find, find_app, frames, label_matching, log, log_files, make_package, name, press,
    press_set_up_account, role, safe, safe_screenshot, screenshot, sensitive, set_text, wait_for,
    walk, window_id, xdotool,
)

CLIENT_ID = 'coursedrop-test-client'
CLIENT_SECRET = 'test-client-secret-not-secret'
SCHEME_REDIRECT = 'io.github.coursedrop.coursedrop:/oauth'
# Every scope Coursedrop asks for but enrollment:orgunit:create.
REGISTERED_SCOPE = (
    'import:job:create,fetch orgunits:course:create,read organizations:organization:read '
    'users:own_profile:read users:profile:read enrollment:own_enrollment:read content:toc:read '
    'content:modules:readonly content:topics:readonly quizzing:quizzes:read '
    'dropbox:folders:read discussions:forums:readonly discussions:topics:readonly core:*:*')
MISSING = 'Cannot enroll you in new offerings: missing “enrollment:orgunit:create”'


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class OAuthRun(Processes):
    def __init__(self):
        super().__init__()
        self.tmp = os.environ['HOME']
        self.env = dict(os.environ)
        self.env.pop('NO_AT_BRIDGE', None)
        for var in list(self.env):
            if var.startswith('COURSEDROP_'):
                self.env.pop(var)
        self.env.update({'GTK_A11Y': 'atspi', 'LANG': 'C.UTF-8', 'LC_ALL': 'C.UTF-8',
                         'GTK_USE_PORTAL': '0'})
        self.app_stderr = os.path.join(self.tmp, 'coursedrop.stderr')
        self.browser_log = os.path.join(self.tmp, 'browser.log')
        self.browser_mode = os.path.join(self.tmp, 'browser-mode')
        self.redirected = os.path.join(self.tmp, 'redirected')
        self.app = None

    def install_fake_browser(self):
        """The default handler of http URLs.  In "follow" mode it follows the
        redirect (to the app's listener); in "stop" mode it only writes down
        the address it was sent to, as a browser shows it in its address bar;
        in "scheme" mode it hands that address to the app, as the desktop
        does for the app's x-scheme-handler."""
        apps = os.path.join(self.env['XDG_DATA_HOME'], 'applications')
        os.makedirs(apps, exist_ok=True)
        script = os.path.join(self.tmp, 'fake-browser')
        with open(script, 'w') as f:
            f.write('#!/bin/sh\n'
                    f'mode=$(cat {self.browser_mode})\n'
                    f'echo "open ($mode)" >> {self.browser_log}\n'
                    'if [ "$mode" = follow ]; then\n'
                    f'  curl -sSL --max-time 30 "$1" >> {self.browser_log} 2>&1\n'
                    'else\n'
                    f'  curl -sS --max-time 30 -o /dev/null -w "%{{redirect_url}}" "$1" '
                    f'> {self.redirected}.part 2>> {self.browser_log}\n'
                    f'  mv {self.redirected}.part {self.redirected}\n'
                    f'  [ "$mode" = scheme ] && "{APP}" "$(cat {self.redirected})" '
                    f'>> {self.browser_log} 2>&1\n'
                    'fi\n'
                    f'echo "browser done $?" >> {self.browser_log}\n')
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

    def set_browser(self, mode):
        with open(self.browser_mode, 'w') as f:
            f.write(mode)
        if os.path.exists(self.redirected):
            os.unlink(self.redirected)

    def start_sandbox(self, redirect, name_, *extra):
        stderr = open(os.path.join(self.tmp, f'{name_}.stderr'), 'w')
        process = self.spawn([SANDBOX, '--port', '0', '--auto-approve',
                              '--oauth', f'{CLIENT_ID}:{CLIENT_SECRET}:{redirect}', *extra],
                             stdout=subprocess.PIPE, stderr=stderr, text=True)
        stderr.close()
        first = process.stdout.readline().strip()
        if not first.startswith('Listening on '):
            raise Failure(f'the sandbox did not start: {first!r}')
        threading.Thread(target=lambda: process.stdout.read(), daemon=True).start()
        return first[len('Listening on '):]

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


def named(label):
    """GTK 4.8 appends the description to the accessible name."""
    return lambda n: (n := n.replace('_', '')) == label or n.startswith(label + ' ')


def field(root, label):
    return wait_for(lambda: find(root, 'text', named(label)) or
                    find(root, 'password text', named(label)), 15, f'the {label} field')


def button(root, label):
    return wait_for(lambda: find(root, 'push button', named(label)), 15, f'the {label} button')


def click(node):
    """A click in the middle of @node (for what has no accessible action,
    such as the header of an expander row)."""
    wid = window_id('Account')
    x, y, w, h = (lambda e: (e.x, e.y, e.width, e.height))(
        Atspi.Component.get_extents(node, Atspi.CoordType.WINDOW))
    xdotool('mousemove', '--window', wid, x + w // 2, y + h // 2)
    time.sleep(0.2)
    xdotool('click', 1)


def expand_advanced(run, window):
    if find(window, 'text', named('Token endpoint')):
        return
    row = wait_for(lambda: find(window, 'list item', lambda n: n == 'Advanced'), 15,
                   'the Advanced row')
    click(row)
    wait_for(lambda: find(window, 'text', named('Token endpoint')), 15,
             'the Advanced settings to show')


def checked(node):
    return safe(lambda: node.get_state_set().contains(Atspi.StateType.CHECKED), False)


def subtitle_signed_in(run):
    return label_matching(run.frame, lambda n: ' on 127.0.0.1' in n)


def keyring_refresh_tokens():
    """The refresh tokens in the keyring, as (attributes, secret)."""
    out = subprocess.run(['secret-tool', 'search', '--all', '--unlock', 'kind', 'refresh-token'],
                         capture_output=True, text=True, timeout=30)
    items, current = [], None
    for line in (out.stdout + out.stderr).splitlines():
        line = line.strip()
        if line.startswith('['):
            current = {'attributes': {}}
            items.append(current)
        elif current is not None and line.startswith('schema = '):
            # The schema is an attribute too: without it, a second item.
            current['attributes']['xdg:schema'] = line[len('schema = '):]
        elif current is not None and line.startswith('attribute.'):
            key, _, value = line[len('attribute.'):].partition(' = ')
            current['attributes'][key] = value
        elif current is not None and line.startswith('secret = '):
            current['secret'] = line[len('secret = '):]
    return items


def replace_refresh_token(bogus):
    """A refresh token the sandbox never issued: the next renewal is refused."""
    items = keyring_refresh_tokens()
    if len(items) != 1:
        raise Failure(f'expected one refresh token in the keyring, found {len(items)}')
    attributes = items[0]['attributes']
    args = ['secret-tool', 'store', '--label', 'Coursedrop refresh token']
    for key, value in attributes.items():
        args += [key, value]
    done = subprocess.run(args, input=bogus, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise Failure(f'secret-tool store failed: {done.stderr}')
    after = keyring_refresh_tokens()
    if len(after) != 1 or after[0].get('secret') != bogus:
        raise Failure('the refresh token in the keyring was not replaced')


def main():
    run = OAuthRun()
    try:
        drive(run)
    except Failure:
        safe_screenshot('oauth-failure')
        if getattr(run, 'frame', None) is not None:
            log('labels: ' + repr([name(n) for n in safe(lambda: list(walk(run.frame)), [])
                                   if role(n) == 'label']))
            account = safe(run.account_window)
            if account is not None:
                log('account window: ' + repr([name(n) for n in safe(lambda: list(walk(account)),
                                                                      []) if role(n) == 'label']))
        log_files(run.app_stderr, os.path.join(run.tmp, 'sandbox.stderr'),
                  os.path.join(run.tmp, 'scheme-sandbox.stderr'), run.browser_log)
        raise
    finally:
        run.stop_processes()


def sign_in_once(run, window, what):
    sign_in = button(window, 'Sign In with Browser')
    wait_for(lambda: sensitive(sign_in), 10, 'Sign In with Browser to become sensitive')
    press(sign_in)
    wait_for(lambda: find(window, 'label', lambda n: n.startswith('Signed in as')), 60,
             f'the Signed in as row after {what}')


def drive(run):
    port = free_port()
    callback = f'http://127.0.0.1:{port}/callback'
    run.install_fake_browser()
    # A job that ends while the Account window has the focus is announced.
    run.notifications = NotificationServer()
    run.notifications.start()
    if not run.notifications.ready.wait(15):
        raise Failure('the notification server did not start')
    url = run.start_sandbox(callback, 'sandbox', '--oauth-only', '--token-life', '4',
                            '--oauth-scope', REGISTERED_SCOPE,
                            '--timeline', 'UPLOADING:1,PROCESSING:40,COMPLETED')
    log(f'sandbox: {url}, redirect {callback}')

    # 1. A new account: OAuth 2.0 is the default; sign in through the
    # loopback redirect.
    run.start_app()
    window = press_set_up_account(run.frame, run.account_window)
    aid = window_id('Account')
    if aid:
        xdotool('windowmove', aid, 660, 0)
    try:
        oauth = wait_for(lambda: find(window, 'check box', named('OAuth 2.0 (recommended)')) or
                         find(window, 'radio button', named('OAuth 2.0 (recommended)')),
                         15, 'the OAuth 2.0 choice')
    except Failure:
        for node in walk(window):
            log(f'  {role(node)}: {name(node)!r}')
        raise
    if not checked(oauth):
        raise Failure('a new account does not default to OAuth 2.0')
    if find(window, 'text', named('App ID')):
        raise Failure('the ID-Key App ID field shows for an OAuth account')
    redirect = field(window, 'Redirect URI')
    shown = Atspi.Text.get_text(redirect, 0, Atspi.Text.get_character_count(redirect))
    if shown != SCHEME_REDIRECT:
        raise Failure(f'the default redirect URI is {shown!r}')
    button(window, 'Copy Redirect URI')
    button(window, 'Copy Scopes')
    log('ok: OAuth 2.0 is the default, with the app’s redirect URI and Copy buttons')
    check_accessible_names(window, 'the Account window')

    sign_in = button(window, 'Sign In with Browser')
    set_text(field(window, 'Brightspace address'), url)
    set_text(field(window, 'Client ID'), CLIENT_ID)
    if sensitive(sign_in):
        raise Failure('Sign In with Browser is sensitive without a client secret')
    set_text(field(window, 'Client secret'), CLIENT_SECRET)
    set_text(redirect, 'http://example.com/callback')
    time.sleep(0.3)
    if sensitive(sign_in):
        raise Failure('Sign In with Browser is sensitive with a plain-http redirect elsewhere')
    set_text(redirect, callback)
    expand_advanced(run, window)
    set_text(field(window, 'Authorization endpoint'), url + '/oauth2/auth')
    set_text(field(window, 'Token endpoint'), url + '/core/connect/token')
    run.set_browser('follow')
    sign_in_once(run, window, 'the loopback redirect')
    wait_for(lambda: subtitle_signed_in(run), 30, 'the signed-in account in the subtitle')
    wait_for(lambda: label_matching(window, lambda n: n == 'Can import packages'), 15,
             '“Can import packages”')
    wait_for(lambda: label_matching(window, lambda n: n == MISSING), 15, f'“{MISSING}”')
    log(f'ok: signed in through the loopback redirect; “Can import packages”, “{MISSING}”')
    check_accessible_names(window, 'the signed-in Account window')
    time.sleep(0.5)
    screenshot('oauth-signed-in')

    # 2. The paste fallback: the browser stops where Brightspace sent it.
    run.set_browser('stop')
    press(button(window, 'Sign In with Browser'))
    paste = field(window, 'Address the browser ended on')
    redirected = wait_for(lambda: os.path.exists(run.redirected) and
                          open(run.redirected).read().strip(), 30,
                          'the address the browser was sent to')
    if not redirected.startswith(callback + '?'):
        raise Failure(f'the browser was sent to {redirected!r}')
    finish = button(window, 'Finish Sign-In')
    check_accessible_names(window, 'the Account window waiting for the browser')
    set_text(paste, 'not an address')
    press(finish)
    wait_for(lambda: label_matching(window, lambda n: n.startswith('This address has no answer')),
             30, 'the answer to a pasted address without a code')
    log('ok: a pasted address without a code is refused beside the field')
    set_text(paste, redirected)
    press(button(window, 'Finish Sign-In'))
    wait_for(lambda: not find(window, 'text', named('Address the browser ended on')) and
             find(window, 'label', lambda n: n.startswith('Signed in as')), 30,
             'the sign-in through the pasted address')
    log('ok: signed in again by pasting the address the browser ended on')

    # 3. A job polls; the renewal is refused: paused, sign in again, resumed.
    package = os.path.join(run.tmp, 'Week 1.imscc')
    make_package(package, 'Week 1')
    subprocess.run([APP, package], env=run.env, timeout=30, capture_output=True)
    offering = wait_for(lambda: find(run.frame, 'text', lambda n: n.startswith('Course offering ID')), 15,
                        'the Course offering ID field')
    set_text(offering, '6606')
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Biology 101'), 30,
             'the course “Biology 101” to be looked up')
    import_button = wait_for(lambda: (b := find(run.frame, 'push button',
                                                lambda n: 'Import' in n and 'Again' not in n))
                             and sensitive(b) and b, 60, 'the Import button')
    press(import_button)
    # Converting: the upload is done and the job has its token; it polls.
    wait_for(lambda: label_matching(run.frame,
                                    lambda n: n.startswith('Brightspace is converting')), 60,
             'the job to poll')
    replace_refresh_token('refresh-token-the-sandbox-never-issued')
    again = wait_for(lambda: label_matching(run.frame,
                                            lambda n: n == 'Your Brightspace sign-in has expired')
                     and find(run.frame, 'push button', named('Sign In Again')), 60,
                     'the sign-in expired banner after a refused renewal')
    if label_matching(run.frame, lambda n: n.startswith('Completed')):
        raise Failure('the job completed although its sign-in could not be renewed')
    log('ok: the renewal was refused: the job waits and the window asks to sign in again')
    press(again)
    window = wait_for(run.account_window, 15, 'the Account window from the banner')
    run.set_browser('follow')
    sign_in_once(run, window, 'signing in again')
    wait_for(lambda: label_matching(run.frame, lambda n: n.startswith('Completed')), 90,
             'the paused job to resume to Completed')
    log('ok: signed in again; the job resumed to Completed')
    run.quit_app()
    check_app_stderr(run)

    # 4. The private-use scheme: the app is the handler of its redirect.
    scheme_url = run.start_sandbox(SCHEME_REDIRECT, 'scheme-sandbox', '--oauth-only')
    run.start_app()
    subprocess.run(['gdbus', 'call', '--session', '--dest', 'io.github.coursedrop.Coursedrop',
                    '--object-path', '/io/github/coursedrop/Coursedrop',
                    '--method', 'org.gtk.Actions.Activate', 'account', '[]', '{}'],
                   env=run.env, timeout=15, capture_output=True)
    window = wait_for(run.account_window, 15, 'the Account window')
    set_text(field(window, 'Brightspace address'), scheme_url)
    set_text(field(window, 'Client ID'), CLIENT_ID)
    set_text(field(window, 'Client secret'), CLIENT_SECRET)
    set_text(field(window, 'Redirect URI'), SCHEME_REDIRECT)
    expand_advanced(run, window)
    set_text(field(window, 'Authorization endpoint'), scheme_url + '/oauth2/auth')
    set_text(field(window, 'Token endpoint'), scheme_url + '/core/connect/token')
    run.set_browser('scheme')
    sign_in = button(window, 'Sign In with Browser')
    wait_for(lambda: sensitive(sign_in), 10, 'Sign In with Browser to become sensitive')
    press(sign_in)
    scheme_port = scheme_url.rstrip('/').rsplit(':', 1)[1]
    wait_for(lambda: label_matching(run.frame, lambda n: ' on ' in n and n.endswith(scheme_port)),
             60,
             'the account signed in through the app’s own scheme')
    log('ok: signed in through the private-use scheme, delivered to the running app')
    run.quit_app()
    check_app_stderr(run)


if __name__ == '__main__':
    for tool in ('secret-tool', 'curl'):
        if shutil.which(tool) is None:
            print(f'SKIP: {tool} not found')
            sys.exit(77)
    try:
        main()
    except Failure as failure:
        log(f'FAIL: {failure}')
        sys.exit(1)
    log('PASS')

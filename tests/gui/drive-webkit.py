#!/usr/bin/python3
# drive-webkit.py: OAuth 2.0 sign-in inside Coursedrop, for an https redirect
#
# Runs inside `run-gui-test.sh --keyring`, when the coursedrop-webkit module
# is built.  The school registered an https redirect URI (its own server):
# neither a loopback listener nor the desktop catches that, so the sign-in
# runs in Coursedrop's embedded window.  The test plays the person:
#   1. Sign In opens the embedded window (not the system browser) on the
#      sandbox's consent page, with the page's origin in its header;
#      Cancel there says the sign-in was cancelled.
#   2. Again, and Allow on the consent page (pressed through AT-SPI inside
#      the web page): the window catches the redirect, closes, and the
#      Account window says who is signed in.
# The app must never log a CRITICAL or a WARNING (app_log.py).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import importlib.util
import os
import subprocess
import sys
import threading
import time

import gi

gi.require_version('Atspi', '2.0')
from gi.repository import Atspi  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from drive_util import (  # noqa: E402
    Failure, SANDBOX, check_accessible_names, check_app_stderr, find, frames, label_matching, log,
    log_files, name, press, press_set_up_account, role, safe, safe_screenshot, sensitive, set_text,
    wait_for, walk, window_id, xdotool,
)

_spec = importlib.util.spec_from_file_location(
    'drive_oauth', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'drive-oauth.py'))
drive_oauth = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(drive_oauth)
OAuthRun, button, field, expand_advanced, named = (
    drive_oauth.OAuthRun, drive_oauth.button, drive_oauth.field, drive_oauth.expand_advanced,
    drive_oauth.named)
CLIENT_ID, CLIENT_SECRET = drive_oauth.CLIENT_ID, drive_oauth.CLIENT_SECRET

REDIRECT = 'https://lms.example.edu/coursedrop/oauth'
TITLE = 'Sign In to Brightspace'


def start_consenting_sandbox(run):
    """A sandbox that shows its consent page (no --auto-approve)."""
    stderr = open(os.path.join(run.tmp, 'sandbox.stderr'), 'w')
    process = run.spawn([SANDBOX, '--port', '0', '--oauth-only',
                         '--oauth', f'{CLIENT_ID}:{CLIENT_SECRET}:{REDIRECT}'],
                        stdout=subprocess.PIPE, stderr=stderr, text=True)
    stderr.close()
    first = process.stdout.readline().strip()
    if not first.startswith('Listening on '):
        raise Failure(f'the sandbox did not start: {first!r}')
    threading.Thread(target=lambda: process.stdout.read(), daemon=True).start()
    return first[len('Listening on '):]


def all_apps():
    desktop = Atspi.get_desktop(0)
    return [a for i in range(safe(desktop.get_child_count, 0))
            if (a := safe(lambda: desktop.get_child_at_index(i))) is not None]


def press_allow(signin):
    """Allow on the consent page, as a keyboard user: into the page, Tab to
    its first button, Enter.  (With GTK before 4.14, WebKit cannot put the
    page's own elements on the accessibility bus, only the view.)"""
    view = wait_for(lambda: find(signin, 'filler', lambda n: n == 'Brightspace sign-in page'),
                    15, 'the sign-in page view')
    wid = wait_for(lambda: window_id(TITLE), 15, f'the “{TITLE}” X window')
    xdotool('windowactivate', '--sync', wid)
    extents = Atspi.Component.get_extents(view, Atspi.CoordType.WINDOW)
    # Below the page's text, in its empty body: focuses the page, not a control.
    xdotool('mousemove', '--window', wid, extents.x + extents.width // 2,
            extents.y + extents.height - 40)
    time.sleep(0.3)
    xdotool('click', 1)
    time.sleep(0.3)
    xdotool('key', 'Tab')
    time.sleep(0.3)
    xdotool('key', 'Return')


def embedded_window(run):
    return next(iter(frames(run.atspi_app, TITLE)), None)


def open_embedded(run, window, url):
    press(wait_for(lambda: (b := button(window, 'Sign In with Browser')) and sensitive(b) and b,
                   15, 'Sign In with Browser to become sensitive'))
    signin = wait_for(lambda: embedded_window(run), 30, f'the “{TITLE}” window')
    origin = url.rstrip('/')
    wait_for(lambda: label_matching(signin, lambda n: n == origin), 30,
             f'the page’s origin {origin} in the header')
    time.sleep(1)   # the origin shows when the page is committed; let it draw
    if os.path.exists(run.browser_log):
        raise Failure('the system browser opened for an https redirect')
    return signin


def drive(run):
    run.install_fake_browser()
    run.set_browser('stop')
    url = start_consenting_sandbox(run)
    log(f'sandbox: {url}, redirect {REDIRECT}')

    run.start_app()
    window = press_set_up_account(run.frame, run.account_window)
    set_text(field(window, 'Brightspace address'), url)
    set_text(field(window, 'Client ID'), CLIENT_ID)
    set_text(field(window, 'Client secret'), CLIENT_SECRET)
    set_text(field(window, 'Redirect URI'), REDIRECT)
    expand_advanced(run, window)
    set_text(field(window, 'Authorization endpoint'), url + '/oauth2/auth')
    set_text(field(window, 'Token endpoint'), url + '/core/connect/token')

    # 1. Cancel in the embedded window.
    signin = open_embedded(run, window, url)
    check_accessible_names(signin, f'the “{TITLE}” window')
    press(button(signin, 'Cancel Sign-In'))
    wait_for(lambda: embedded_window(run) is None, 15, f'the “{TITLE}” window to close')
    wait_for(lambda: label_matching(window, lambda n: n == 'Sign-in cancelled.'), 15,
             '“Sign-in cancelled.”')
    log('ok: the embedded window shows the consent page and its origin; Cancel cancels')

    # 2. Allow: the redirect is caught, never loaded.
    signin = open_embedded(run, window, url)
    press_allow(signin)
    wait_for(lambda: find(window, 'label', lambda n: n.startswith('Signed in as')), 60,
             'the Signed in as row after the embedded sign-in')
    wait_for(lambda: embedded_window(run) is None, 15, f'the “{TITLE}” window to close')
    log('ok: Allow in the embedded window signs in; the window closes by itself')

    check_app_stderr(run)


def main():
    run = OAuthRun()
    run.env['WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS'] = '1'   # root in a container
    try:
        drive(run)
    except Failure:
        safe_screenshot('webkit-failure')
        log('applications: ' + repr([name(a) for a in all_apps()]))
        for frame_name in ('Coursedrop', 'Account', TITLE):
            for frame in safe(lambda: frames(run.atspi_app, frame_name), []) or []:
                log(f'{frame_name}: ' + repr([(role(n), name(n))
                                             for n in safe(lambda: list(walk(frame)), [])
                                             if name(n)][:80]))
        log_files(run.app_stderr, os.path.join(run.tmp, 'sandbox.stderr'), run.browser_log, tail=4000)
        raise
    finally:
        run.stop_processes()


if __name__ == '__main__':
    try:
        main()
    except Failure as failure:
        print(f'FAIL: {failure}')
        sys.exit(1)
    print('PASS')

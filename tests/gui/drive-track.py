#!/usr/bin/python3
# drive-track.py: Track Existing Job asks Brightspace first, and a job that
# cannot reach the server says why, through AT-SPI.
#
# Runs inside `run-gui-test.sh --keyring`, like drive-jobs.py (whose
# JobsRun it reuses): the app talks to the sandbox through cd_proxy.py.
#
#   0. an import of the window's own, in progress (a screenshot);
#   1. a token Brightspace never issued: the dialog stays open, says so
#      beside the field, and no row is added;
#   2. a real token (of a job coursedrop-cli started, recorded elsewhere):
#      the dialog closes and the row shows what Brightspace reports, with
#      no start time and no failed upload;
#   3. the server refuses connections: the row says “Cannot reach HOST:
#      connection refused. Retrying in N s…”, and the number counts down.
#
# The app must never log a CRITICAL or a WARNING (app_log.py).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import importlib.util
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cd_proxy import Proxy  # noqa: E402
from drive_util import (  # noqa: E402
    Failure, SANDBOX, find, find_all, frames, label_matching, log, make_package, name, press,
    run_driver, safe, safe_screenshot, sensitive, set_text, wait_for,
)

_spec = importlib.util.spec_from_file_location(
    'drive_jobs', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'drive-jobs.py'))
drive_jobs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(drive_jobs)

BIOLOGY = '6606'   # long enough to be refused while Brightspace converts
BOGUS = '987654'


def main():
    run = drive_jobs.JobsRun()
    run_driver(run, drive, 'track')


def start_sandbox(run):
    stderr = open(os.path.join(run.tmp, 'sandbox.stderr'), 'w')
    sandbox = run.spawn(
        [SANDBOX, '--port', '0',
         '--offering-timeline', f'{BIOLOGY}=UPLOADING:1,PROCESSING:120,COMPLETED',
         '--offering', f'{BIOLOGY}:Biology 101;BIO101'],
        stdout=subprocess.PIPE, stderr=stderr, text=True)
    stderr.close()
    first = sandbox.stdout.readline().strip()
    if not first.startswith('Listening on '):
        raise Failure(f'the sandbox did not start: {first!r}')
    run.proxy = Proxy(int(first.rsplit(':', 1)[1].strip('/')))


def start_job_elsewhere(run):
    """A job coursedrop-cli starts with a journal of its own, so that the
    window learns its token only from the user."""
    package = os.path.join(run.tmp, 'Week 4.imscc')
    make_package(package, 'Week 4')
    elsewhere = os.path.join(run.tmp, 'elsewhere')
    os.makedirs(elsewhere, exist_ok=True)
    env = dict(run.env, XDG_DATA_HOME=elsewhere)
    result = subprocess.run([drive_jobs.CLI, 'import', '--course-package', package,
                             '--course-offering-id', BIOLOGY, '--no-wait'],
                            env=env, timeout=60, capture_output=True, text=True)
    tokens = re.findall(r'\b(\d+)\b', result.stdout)
    if result.returncode != 0 or not tokens:
        raise Failure(f'coursedrop-cli --no-wait failed ({result.returncode}): '
                      f'{result.stdout}{result.stderr}')
    return tokens[-1]


def open_track_dialog(run):
    for button in find_all(run.frame, 'push button', lambda n: n == 'Main Menu'):
        if safe(lambda: button.do_action(0), False):
            break
    press(wait_for(lambda: find(run.atspi_app, 'menu item',
                                lambda n: n.startswith('Track Existing Job')),
                   15, 'the Track Existing Job… menu item'))
    return wait_for(lambda: track_dialog(run), 15, 'the Track Existing Job dialog')


def track_dialog(run):
    return next((f for f in frames(run.atspi_app)
                 if find(f, 'text', lambda n: n == 'Job token')), None)


def press_track(dialog):
    press(wait_for(lambda: (b := find(dialog, 'push button', lambda n: 'Track' in n))
                   and sensitive(b) and b, 15, 'the Track button'))


def job_rows(run):
    return [r for r in find_all(run.frame, 'list item', lambda n: True)
            if label_matching(r, lambda n: n.startswith('Job '))]


def seconds_in(text):
    found = re.search(r'Retrying in (\d+) s', text)
    return int(found.group(1)) if found else None


def drive(run):
    start_sandbox(run)
    run.use_data_home('track')
    token = start_job_elsewhere(run)
    log(f'coursedrop-cli started job {token} elsewhere')

    run.start_app()
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Drop course packages here'), 30,
             'the empty page')

    # 0. An import of the window's own, in progress (the metainfo's
    # screenshot of a job in progress).
    week1 = os.path.join(run.tmp, 'Week 1.imscc')
    make_package(week1, 'Week 1')
    run.open_file(week1)
    run.import_into(BIOLOGY, 'Biology 101')
    wait_for(lambda: run.row_says('Week 1.imscc → Biology 101',
                                  lambda n: n.startswith('Brightspace is converting')), 30,
             'Week 1 to be converted')
    safe_screenshot('progress-import')

    # 1. A token Brightspace never issued: said beside the field, no row.
    dialog = open_track_dialog(run)
    set_text(find(dialog, 'text', lambda n: n == 'Course offering ID'), BIOLOGY)
    set_text(find(dialog, 'text', lambda n: n == 'Job token'), BOGUS)
    press_track(dialog)
    error = wait_for(lambda: label_matching(dialog, lambda n: 'knows no import job' in n), 30,
                     'the inline error about the unknown token')
    if BOGUS not in name(error):
        raise Failure(f'the error does not name the token: {name(error)!r}')
    if track_dialog(run) is None:
        raise Failure('the dialog closed on a token Brightspace does not know')
    if job_rows(run):
        raise Failure('an unknown token became a row')
    log(f'ok: an unknown token stays in the dialog: “{name(error)}”')

    # 2. The real token: the dialog closes, the row says what Brightspace says.
    set_text(find(dialog, 'text', lambda n: n == 'Job token'), token)
    press_track(dialog)
    wait_for(lambda: track_dialog(run) is None, 30, 'the dialog to close after the check')
    title = f'Job {token} → Biology 101'
    wait_for(lambda: run.row(title), 15, 'the tracked job’s row')
    wait_for(lambda: run.row_says(title, lambda n: n.startswith('Brightspace is converting')), 30,
             'the row to show the status Brightspace reports')
    row = run.row(title)
    invented = label_matching(row, lambda n: 'Started' in n or 'Upload failed' in n
                              or 'Failed at stage' in n)
    if invented:
        raise Failure(f'the tracked job’s row invents: {name(invented)!r}')
    log(f'ok: Track closed on job {token}; its row shows Brightspace’s status, no start time')
    safe_screenshot('tracking')

    # 3. The server refuses: the row says where, why, and when it tries again.
    host = run.proxy.url.split('//', 1)[1]
    run.proxy.refuse()
    wanted = f'Cannot reach {host}: connection refused. Retrying in '
    first = wait_for(lambda: run.row_says(title, lambda n: n.startswith(wanted))
                     and name(label_matching(run.row(title), lambda n: n.startswith(wanted))),
                     60, f'the row to say “{wanted}…”')
    if 'Brightspace is receiving' in first or seconds_in(first) is None:
        raise Failure(f'the retry message is not what it should be: {first!r}')
    log(f'ok: the row says “{first}”')
    safe_screenshot('retrying')
    # Counted down, or refreshed by the next attempt: it changes.
    wait_for(lambda: (text := name(label_matching(run.row(title),
                                                  lambda n: 'Retrying' in n) or ''))
             and text != first, 20, 'the retry message to count down')
    log('ok: the retry message changes while it waits')

    run.proxy.accept_again()
    run.quit_app()
    drive_jobs.check_app_stderr(run, 'tracking and retrying')


if __name__ == '__main__':
    main()

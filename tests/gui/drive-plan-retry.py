#!/usr/bin/python3
# drive-plan-retry.py: a plan's rows say why their jobs retry, through AT-SPI.
#
# Runs inside run-gui-test.sh, like drive-plan.py (whose PlanRun it
# reuses): the app talks to the sandbox through cd_proxy.py.
#
#   1. a two-row plan runs until Brightspace is working on both rows;
#   2. the server refuses connections: each row of the plan window says
#      “Cannot reach HOST: connection refused. Retrying in N s…”, and the
#      words change while it waits (counted down, or the next attempt);
#   3. the server is back: both rows reach Completed.
#
# The app must never log a CRITICAL or a WARNING (app_log.py).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import importlib.util
import os
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import app_log  # noqa: E402
from cd_proxy import Proxy  # noqa: E402
from drive_util import (  # noqa: E402
    SANDBOX, Failure, NotificationServer, find_app, frames, label_matching, log, make_package,
    name, press, run_driver, safe_screenshot, sensitive, wait_for,
)

_spec = importlib.util.spec_from_file_location(
    'drive_plan', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'drive-plan.py'))
drive_plan = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(drive_plan)

PACKAGES = ('Week 1.imscc', 'Week 2.imscc')


def main():
    run = drive_plan.PlanRun()
    run_driver(run, drive, 'plan-retry')


def start_sandbox(run):
    stderr = open(os.path.join(run.tmp, 'sandbox.stderr'), 'w')
    sandbox = run.spawn(
        [SANDBOX, '--port', '0',
         # Long enough to be refused while Brightspace converts.
         '--timeline', 'UPLOADING:0.5,PROCESSING:12,COMPLETED',
         '--offering', '6606:Biology 101;BIO101',
         '--offering', '12345:Introduction to Chemistry;CHEM110'],
        stdout=subprocess.PIPE, stderr=stderr, text=True)
    stderr.close()
    first = sandbox.stdout.readline().strip()
    if not first.startswith('Listening on '):
        raise Failure(f'the sandbox did not start: {first!r}')
    threading.Thread(target=lambda: sandbox.stdout.read(), daemon=True).start()
    run.url = first[len('Listening on '):]
    run.proxy = Proxy(int(run.url.rsplit(':', 1)[1].strip('/')))


def drive(run):
    # As GNOME Shell would: the app tells of finished imports.
    run.notifications = NotificationServer()
    run.notifications.start()
    if not run.notifications.ready.wait(15):
        raise Failure('the test notification server did not start')

    start_sandbox(run)
    run.env['COURSEDROP_HOST'] = run.proxy.url
    log(f'sandbox: {run.url}, through the proxy {run.proxy.url}')

    with open(run.app_stderr, 'w') as stderr:
        run.spawn([drive_plan.APP], stderr=stderr)
    run.atspi_app = wait_for(lambda: (a := find_app()) and frames(a, 'Coursedrop') and a, 30,
                             'the Coursedrop window on the accessibility bus')

    # 1. Run a plan until Brightspace works on both rows.
    folder = os.path.join(run.tmp, 'migration')
    os.makedirs(folder, exist_ok=True)
    for package in PACKAGES:
        make_package(os.path.join(folder, package), package)
    path = os.path.join(folder, 'retry.csv')
    with open(path, 'w') as f:
        f.write('package,offering\nWeek 1.imscc,6606\nWeek 2.imscc,12345\n')
    run.open_file(path)
    frame = wait_for(run.plan_frame, 30, 'the plan window')
    press(wait_for(lambda: (b := run.button(frame, 'Run')) and sensitive(b) and b, 30,
                   'Run to be available'))
    for package in PACKAGES:
        wait_for(lambda p=package: (r := drive_plan.row_named(frame, p))
                 and 'Brightspace is' in name(r), 60, f'Brightspace to be working on {package}')

    # 2. The server refuses: each row says where, why, and when it tries again.
    host = run.proxy.url.split('//', 1)[1]
    wanted = f'Cannot reach {host}: connection refused. Retrying in '
    run.proxy.refuse()
    first = {}
    for package in PACKAGES:
        row = wait_for(lambda p=package: (r := drive_plan.row_named(frame, p))
                       and wanted in name(r) and r, 60, f'{package}’s row to say “{wanted}…”')
        label = label_matching(row, lambda n: n.startswith(wanted))
        if label is None or not name(label).endswith(' s…'):
            raise Failure(f'{package}’s row does not show the retry in words: {name(row)!r}')
        first[package] = name(label)
        log(f'ok: {package}: “{first[package]}”')
    safe_screenshot('plan-retrying')
    package = PACKAGES[0]
    wait_for(lambda: (r := drive_plan.row_named(frame, package)) and
             (label := label_matching(r, lambda n: 'Retrying' in n)) and
             name(label) != first[package], 20, 'the retry words to count down')
    log('ok: the retry words change while the job waits')

    # 3. Back: both rows complete.
    run.proxy.accept_again()
    for package in PACKAGES:
        wait_for(lambda p=package: (r := drive_plan.row_named(frame, p))
                 and ': Completed' in name(r), 90, f'{package} to reach Completed')
    log('ok: with the server back, both rows reached Completed')

    lines = app_log.problems_in(run.app_stderr)
    if lines:
        raise Failure(app_log.describe('coursedrop', lines))
    log('ok: coursedrop wrote no CRITICAL or WARNING')


if __name__ == '__main__':
    try:
        main()
    except Failure as error:
        log(f'FAIL: {error}')
        sys.exit(1)
    log('PASS')

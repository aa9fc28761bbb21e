#!/usr/bin/python3
# drive-startup.py: a package opened at launch waits for the session
#
# Coursedrop shows its window first and sets the session up afterwards, off
# the main loop (the account, the job journal, the first requests).  A
# package given on the command line of the first start must not be lost
# meanwhile: it becomes a pending import, its offering is looked up once
# the session is connected, and it can be imported; the job an earlier run
# recorded is listed too.  Through AT-SPI, inside run-gui-test.sh.
#
# The app must never log a CRITICAL or a WARNING (app_log.py).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import sys
import uuid
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from drive_util import (  # noqa: E402
    APP, Failure, Run, check_app_stderr, find_app, frames, label_matching, log, make_package,
    safe_screenshot, start_sandbox, wait_for,
)


def write_journal(run, url):
    """An earlier run's finished job, in the journal the start-up reads."""
    folder = os.path.join(run.env['XDG_DATA_HOME'], 'coursedrop')
    os.makedirs(folder, exist_ok=True)
    now = datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    job = {'id': str(uuid.uuid4()), 'host': url, 'offering': 6606, 'token': '8001',
           'package': os.path.join(run.tmp, 'Earlier.imscc'), 'bytes': 1000,
           'status': 'COMPLETED', 'started': now, 'finished': now,
           'offering_name': 'Biology 101'}
    with open(os.path.join(folder, 'jobs.json'), 'w') as f:
        json.dump({'version': 1, 'jobs': [job]}, f)


def drive(run):
    week1 = os.path.join(run.tmp, 'Week 1.imscc')
    make_package(week1, 'Week 1')

    sandbox, url = start_sandbox(run.tmp)
    run.processes.append(sandbox)
    run.env.update({
        'COURSEDROP_HOST': url,
        'COURSEDROP_APP_ID': 'CoursedropDemoApp',
        'COURSEDROP_APP_KEY': 'demo-app-key-not-secret',
        'COURSEDROP_USER_ID': 'CoursedropDemoUser',
        'COURSEDROP_USER_KEY': 'demo-user-key-not-secret',
    })
    write_journal(run, url)

    with open(run.app_stderr, 'w') as stderr:
        run.app = run.spawn([APP, week1], stderr=stderr)
    app = wait_for(lambda: (a := find_app()) and frames(a, 'Coursedrop') and a, 30,
                   'the Coursedrop window on the accessibility bus', interval=0.02)
    run.frame = frames(app, 'Coursedrop')[0]

    # The package opened at launch is a pending import.
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Week 1.imscc'), 15,
             'the card of the package opened at launch')
    log('ok: the package opened at launch is a pending import')

    # The session comes: the account, the earlier job, the lookup.
    wait_for(lambda: label_matching(run.frame, lambda n: n.startswith('dana.demo on ')), 15,
             'the account in the subtitle')
    wait_for(lambda: label_matching(run.frame, lambda n: n.startswith('Earlier.imscc')), 15,
             'the job the journal holds')
    log('ok: the session set up after the window: the account and the journal’s job')

    run.import_into('6606', 'Biology 101')
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Week 1.imscc → Biology 101'), 15,
             'the row of Week 1')
    log('ok: the package opened at launch was imported once the session was ready')

    check_app_stderr(run)


def main():
    run = Run()
    try:
        drive(run)
    except Failure:
        safe_screenshot('startup-failure')
        if os.path.exists(run.app_stderr):
            with open(run.app_stderr) as f:
                log('coursedrop.stderr:\n' + f.read().rstrip())
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

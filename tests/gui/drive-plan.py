#!/usr/bin/python3
# drive-plan.py: many packages at once, through AT-SPI.
#
# Runs inside run-gui-test.sh (a session bus, Xvfb with openbox, the
# accessibility bus).  Starts a sandbox and the real `coursedrop`, then:
#
#   1. two packages opened from the command line make two pending cards and
#      Import All; with both offerings found, Import All imports both, and
#      the keyboard focus goes to the first new job row;
#   2. a plan with bad rows (`coursedrop PLAN.csv`, as a file manager would
#      open it) shows each problem with its line number; Run stays off and
#      Check sends no POST;
#   3. a four-row plan (packages made here, one row creating an offering
#      from a template by code), opened with Open Plan… (Ctrl+Shift+O) and
#      the file chooser: Check says what each row would do, Run
#      brings every row to Completed although the sandbox takes only two
#      imports at once (a 429 pauses the plan), the main window lists the
#      plan's jobs once each, and Save Report… writes the report CSV;
#   4. Stop in the middle of a run keeps the jobs; Run again follows them
#      to Completed without uploading anything again.
#
# The app must never log a CRITICAL or a WARNING (app_log.py).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import app_log  # noqa: E402
from drive_util import (  # noqa: E402
    APP, Failure, NotificationServer, Processes, SANDBOX, check_accessible_names, find, find_all,
    find_app, focused, frames, label_matching, log, make_package, name, press, run_driver,
    sensitive, set_text, wait_for, window_id, xdotool,
)

CREDENTIALS = {
    'COURSEDROP_APP_ID': 'CoursedropDemoApp',
    'COURSEDROP_APP_KEY': 'demo-app-key-not-secret',
    'COURSEDROP_USER_ID': 'CoursedropDemoUser',
    'COURSEDROP_USER_KEY': 'demo-user-key-not-secret',
}


class PlanRun(Processes):
    def __init__(self):
        super().__init__()
        self.tmp = tempfile.mkdtemp(prefix='coursedrop-gui-plan-')
        home = os.path.join(self.tmp, 'home')
        os.makedirs(home)
        self.env = dict(os.environ)
        self.env.pop('NO_AT_BRIDGE', None)
        self.env.update({
            'HOME': home,
            'XDG_DATA_HOME': os.path.join(home, '.local', 'share'),
            'XDG_CONFIG_HOME': os.path.join(home, '.config'),
            'XDG_CACHE_HOME': os.path.join(home, '.cache'),
            'GTK_A11Y': 'atspi',
            'LANG': 'C.UTF-8',
            'LC_ALL': 'C.UTF-8',
        })
        self.env.update(CREDENTIALS)
        self.app_stderr = os.path.join(self.tmp, 'coursedrop.stderr')
        self.url = None

    def cleanup(self):
        self.stop_processes()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def open_file(self, path):
        """`coursedrop FILE`: a second instance hands it to the running one."""
        second = subprocess.run([APP, path], env=self.env, timeout=30, capture_output=True,
                                text=True)
        if second.returncode != 0 or app_log.problems(second.stderr):
            raise Failure(f'the second instance failed: {second.stderr}')

    def counters(self):
        with urllib.request.urlopen(self.url.rstrip('/') + '/_sandbox/orgunits',
                                    timeout=10) as answer:
            return json.load(answer)

    def course_posts(self):
        return self.counters()['course_posts']

    def plan_frame(self):
        return next(iter(frames(self.atspi_app, 'Migration Plan')), None)

    def button(self, root, label):
        return find(root, 'push button', lambda n: n == label)


def rows(root):
    return find_all(root, 'list item', lambda n: '→' in n or n.startswith('Line '))


def row_named(root, package):
    return next((r for r in rows(root) if name(r).startswith(package + ' → ')), None)


def start_sandbox(run):
    stderr = open(os.path.join(run.tmp, 'sandbox.stderr'), 'w')
    process = run.spawn(
        [SANDBOX, '--port', '0',
         '--timeline', 'UPLOADING:0.3,PROCESSING:0.5,IMPORTING:0.5,COMPLETED',
         '--offering', '6606:Biology 101;BIO101',
         '--offering', '12345:Introduction to Chemistry;CHEM110',
         '--offering', '4242:Slow Course;SLOW42',
         '--offering-timeline', '4242=UPLOADING:0.3,PROCESSING:6,COMPLETED',
         '--template', '6605:Science Template;TPL-SCI',
         # Fewer than the plan's three at once: a 429 pauses the plan.
         '--max-concurrent-imports', '2'],
        stdout=subprocess.PIPE, stderr=stderr, text=True)
    stderr.close()
    first = process.stdout.readline().strip()
    if not first.startswith('Listening on '):
        raise Failure(f'the sandbox did not start: {first!r}')
    threading.Thread(target=lambda: process.stdout.read(), daemon=True).start()
    return first[len('Listening on '):]


def main():
    run = PlanRun()
    run_driver(run, drive, 'plan')


def drive(run):
    # As GNOME Shell would: the app tells of finished imports.
    run.notifications = NotificationServer()
    run.notifications.start()
    if not run.notifications.ready.wait(15):
        raise Failure('the test notification server did not start')

    run.url = start_sandbox(run)
    run.env['COURSEDROP_HOST'] = run.url
    log(f'sandbox: {run.url}')

    with open(run.app_stderr, 'w') as stderr:
        run.spawn([APP], stderr=stderr)
    run.atspi_app = wait_for(lambda: (a := find_app()) and frames(a, 'Coursedrop') and a, 30,
                             'the Coursedrop window on the accessibility bus')
    run.frame = frames(run.atspi_app, 'Coursedrop')[0]
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Drop course packages here'), 30,
             'the empty page')

    import_all(run)
    invalid_plan(run)
    plan(run)
    stop_and_run_again(run)

    lines = app_log.problems_in(run.app_stderr)
    if lines:
        raise Failure(app_log.describe('coursedrop', lines))
    log('ok: coursedrop wrote no CRITICAL or WARNING')


def import_all(run):
    packages = []
    for title in ('Unit A', 'Unit B'):
        path = os.path.join(run.tmp, f'{title}.imscc')
        make_package(path, title)
        packages.append(path)

    run.open_file(packages[0])
    wait_for(lambda: find(run.frame, 'text', lambda n: n.startswith('Course offering ID')), 15,
             'the first pending card')
    # One card: no Import All yet.
    if run.button(run.frame, 'Import All') is not None:
        raise Failure('Import All shows with a single pending package')
    run.open_file(packages[1])
    fields = wait_for(lambda: len(f := find_all(run.frame, 'text',
                                                lambda n: n.startswith('Course offering ID'))) == 2 and f,
                      15, 'two pending cards')
    button = wait_for(lambda: run.button(run.frame, 'Import All'), 15, 'the Import All button')
    if sensitive(button):
        raise Failure('Import All is enabled before any offering is found')
    log('ok: two pending packages show Import All, disabled until one is ready')

    set_text(fields[0], '6606')
    set_text(fields[1], '12345')
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Introduction to Chemistry') and
             label_matching(run.frame, lambda n: n == 'Biology 101'), 15,
             'both offerings to be looked up')
    wait_for(lambda: sensitive(button), 60, 'Import All to become enabled')
    press(button)

    titles = ('Unit A.imscc → Biology 101', 'Unit B.imscc → Introduction to Chemistry')
    for title in titles:
        wait_for(lambda: label_matching(run.frame, lambda n, t=title: n == t), 30,
                 f'the job row “{title}”')
    wait_for(lambda: find(run.frame, 'text', lambda n: n.startswith('Course offering ID')) is None, 15,
             'the pending cards to go')
    first = wait_for(lambda: next(iter(find_all(run.frame, 'list item',
                                                lambda n: '→' in n)), None), 15,
                     'the first job row')
    wait_for(lambda: focused(first), 15, 'the keyboard focus on the first new job row')
    log(f'ok: Import All started both imports; the focus is on “{name(first)}”')


def write_plan(run, file_name, text):
    folder = os.path.join(run.tmp, 'migration')
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, file_name)
    with open(path, 'w') as f:
        f.write(text)
    return path


def invalid_plan(run):
    folder = os.path.join(run.tmp, 'migration')
    os.makedirs(folder, exist_ok=True)
    make_package(os.path.join(folder, 'Good.imscc'), 'Good')
    path = write_plan(run, 'broken.csv',
                      'package,offering\n'
                      'Missing.imscc,6606\n'
                      'Good.imscc,not-an-id\n'
                      'Good.imscc,12345\n')
    posts = run.course_posts()

    run.open_file(path)
    frame = wait_for(run.plan_frame, 30, 'the plan window')
    check = wait_for(lambda: (b := run.button(frame, 'Check')) and sensitive(b) and b, 30,
                     'the Check button')
    run_button = run.button(frame, 'Run')
    press(check)
    for line in (2, 3):
        wait_for(lambda: any(f'Line {line}' in name(r) for r in rows(frame)), 30,
                 f'the problem on line {line}')
    if run_button is None or sensitive(run_button):
        raise Failure('Run is available for a plan with bad rows')
    if run.course_posts() != posts:
        raise Failure('checking a plan with bad rows sent a POST')
    bad = [name(r) for r in rows(frame) if 'Line ' in name(r)]
    log(f'ok: the bad rows show with their line numbers, Run is off, nothing was sent: {bad}')
    frame_close(frame, escape=True)


def frame_close(frame, escape=False):
    """Closes the plan window with Escape (its shortcut) or its title bar's
    Close button."""
    if escape:
        wid = wait_for(lambda: window_id('Migration Plan'), 15, 'the plan window on X')
        xdotool('windowactivate', '--sync', wid)
        xdotool('key', '--clearmodifiers', 'Escape')
    else:
        press(wait_for(lambda: find(frame, 'push button', lambda n: n == 'Close'), 15,
                       'the plan window’s Close button'))
    wait_for(lambda: window_id('Migration Plan') is None, 15, 'the plan window to close')


def open_with_chooser(run, path):
    """Open Plan… by its shortcut, and the path typed into the chooser."""
    wid = wait_for(lambda: window_id('Coursedrop'), 15, 'the Coursedrop X window')
    xdotool('windowactivate', '--sync', wid)
    xdotool('key', '--clearmodifiers', 'ctrl+shift+o')
    dialog = wait_for(lambda: next(iter(frames(run.atspi_app, 'Open Plan')), None), 30,
                      'the Open Plan file chooser')
    chooser = wait_for(lambda: window_id('Open Plan'), 15, 'the chooser on X')
    xdotool('windowactivate', '--sync', chooser)
    # Typing a path opens the chooser's location field.
    xdotool('type', '--delay', '20', path)
    time.sleep(0.5)
    xdotool('key', 'Return')
    wait_for(lambda: not frames(run.atspi_app, 'Open Plan') or name(dialog) != 'Open Plan', 30,
             'the chooser to close')
    log('ok: Open Plan… (Ctrl+Shift+O) opened the plan through the file chooser')


def plan(run):
    folder = os.path.join(run.tmp, 'migration')
    for week in range(1, 5):
        make_package(os.path.join(folder, f'Week {week}.imscc'), f'Week {week}')
    path = write_plan(run, 'fall.csv',
                      'package,offering,code,name,template\n'
                      'Week 1.imscc,6606,,,\n'
                      'Week 2.imscc,code:CHEM110,,,\n'
                      'Week 3.imscc,6606,,,\n'
                      'Week 4.imscc,,NEW-101,New Biology,code:TPL-SCI\n')

    open_with_chooser(run, path)
    frame = wait_for(run.plan_frame, 30, 'the plan window')
    check = wait_for(lambda: (b := run.button(frame, 'Check')) and sensitive(b) and b, 30,
                     'the Check button')
    wait_for(lambda: len(rows(frame)) == 4, 15, 'the four rows of the plan')
    new_row = row_named(frame, 'Week 4.imscc')
    if new_row is None or 'new: NEW-101 New Biology' not in name(new_row):
        raise Failure(f'the new offering’s row does not say “new: NEW-101 …”: '
                      f'{new_row and name(new_row)}')
    check_accessible_names(frame, 'the plan window')

    posts = run.course_posts()
    press(check)
    expected = {'Week 1.imscc': 'Would import into Biology 101',
                'Week 2.imscc': 'Would import into Introduction to Chemistry',
                'Week 3.imscc': 'Would import into Biology 101',
                'Week 4.imscc': 'Would create offering NEW-101'}
    for package, words in expected.items():
        wait_for(lambda p=package, w=words: (r := row_named(frame, p)) and w in name(r), 60,
                 f'{package} to say “{words}”')
    if run.course_posts() != posts:
        raise Failure('Check sent a POST')
    log('ok: Check says what each row would do, and sends nothing:\n  ' +
        '\n  '.join(name(row_named(frame, p)) for p in expected))

    run_button = wait_for(lambda: (b := run.button(frame, 'Run')) and sensitive(b) and b, 15,
                          'Run to be available')
    refusals = run.counters()['import_limit_refusals']
    started = time.monotonic()
    press(run_button)
    summary = find(frame, 'label', lambda n: 'slow down' in n)
    for package in expected:
        wait_for(lambda p=package: (r := row_named(frame, p)) and ': Completed' in name(r),
                 120, f'{package} to reach Completed')
    log(f'ok: every row reached Completed in {time.monotonic() - started:.1f} s')
    counters = run.counters()
    if counters['import_limit_refusals'] == refusals:
        raise Failure('the sandbox refused no upload: the plan was not paused')
    if counters['max_concurrent_imports'] > 2:
        raise Failure(f'the sandbox saw {counters["max_concurrent_imports"]} imports at once')
    log(f'ok: {counters["import_limit_refusals"] - refusals} upload(s) refused with 429 were '
        f'imported after the pause' + (' (the pause was shown)' if summary else ''))
    if run.course_posts() != posts + 1:
        raise Failure(f'the run made {run.course_posts() - posts} offerings, not 1')
    log('ok: the run created the one new offering')

    # The plan's jobs are the main window's too, once each: an upload
    # refused with 429 left no row behind.
    for package in expected:
        wait_for(lambda p=package: label_matching(run.frame, lambda n: n.startswith(p + ' → ')),
                 30, f'the main window’s row of {package}')
        titles = [name(label) for label in find_all(run.frame, 'label',
                                                    lambda n, p=package: n.startswith(p + ' → '))]
        if len(titles) != 1:
            raise Failure(f'the main window has {len(titles)} rows of {package}: {titles}')
    failed = find(run.frame, 'label', lambda n: n.startswith('Import failed'))
    if failed is not None:
        raise Failure(f'the main window shows a failed job: {name(failed)}')
    log('ok: the main window lists each of the plan’s jobs once, none failed')

    # Show Log on a finished row opens its log.
    log_button = find(row_named(frame, 'Week 1.imscc'), 'push button',
                      lambda n: n == 'Show log: Week 1.imscc')
    if log_button is None:
        raise Failure('the finished row has no “Show log” button')

    check_accessible_names(frame, 'the plan window after the run')

    # Opening the same plan again shows its window, not a second one.
    run.open_file(path)
    time.sleep(1)
    if len(frames(run.atspi_app, 'Migration Plan')) != 1:
        raise Failure('opening the plan again made a second plan window')
    log('ok: opening the plan again shows its window')

    report = wait_for(lambda: (b := run.button(frame, 'Save Report…')) and sensitive(b) and b,
                      15, 'Save Report… after the run')
    save_report(run, report, folder)


def save_report(run, report, folder):
    """The chooser opens beside the plan with the report named after it:
    Save takes both as they are."""
    target = os.path.join(folder, 'fall-report.csv')
    press(report)
    dialog = wait_for(lambda: next(iter(frames(run.atspi_app, 'Save Report')), None), 30,
                      'the Save Report file chooser')
    # GTK's own dialog names its buttons after their class: find the label.
    save = wait_for(lambda: next((b for b in find_all(dialog, 'push button', lambda n: True)
                                  if label_matching(b, lambda n: n in ('Save', '_Save'))
                                  and sensitive(b)), None), 15, 'the Save button')
    press(save)
    wait_for(lambda: os.path.exists(target) and os.path.getsize(target) > 0, 30,
             f'the report {target}')
    with open(target, newline='') as f:
        table = list(csv.reader(f))
    if len(table) != 5:
        raise Failure(f'the report has {len(table)} lines, not a header and 4 rows: {table}')
    if not any('COMPLETED' in cell.upper() for cell in table[1]):
        raise Failure(f'the report does not say the rows completed: {table[1]}')
    log(f'ok: Save Report… wrote {target}: {table[0]}')


def journal_records(run, package):
    path = os.path.join(run.env['XDG_DATA_HOME'], 'coursedrop', 'jobs.json')
    with open(path) as f:
        jobs = json.load(f)['jobs']
    return [job for job in jobs if (job.get('package') or '').endswith('/' + package)]


def stop_and_run_again(run):
    frame_close(run.plan_frame())
    folder = os.path.join(run.tmp, 'migration')
    packages = ('Slow 1.imscc', 'Slow 2.imscc')
    for package in packages:
        make_package(os.path.join(folder, package), package)
    path = write_plan(run, 'slow.csv', 'package,offering\n' +
                      ''.join(f'{p},4242\n' for p in packages))

    run.open_file(path)
    frame = wait_for(run.plan_frame, 30, 'the plan window of slow.csv')
    press(wait_for(lambda: (b := run.button(frame, 'Run')) and sensitive(b) and b, 30,
                   'Run to be available'))
    for package in packages:
        wait_for(lambda p=package: (r := row_named(frame, p)) and 'Brightspace is' in name(r),
                 60, f'Brightspace to be working on {package}')
    press(wait_for(lambda: run.button(frame, 'Stop'), 15, 'the Stop button'))
    for package in packages:
        wait_for(lambda p=package: (r := row_named(frame, p)) and ': Stopped: ' in name(r), 30,
                 f'{package} to say it stopped')
    wait_for(lambda: label_matching(frame, lambda n: '\nStopped. ' in n), 15,
             'the summary to say the plan stopped')
    for package in packages:
        if len(journal_records(run, package)) != 1:
            raise Failure(f'the journal does not keep the stopped job of {package}')
    log('ok: Stop stops the rows and keeps their jobs in the journal')

    press(wait_for(lambda: (b := run.button(frame, 'Run')) and sensitive(b) and b, 15,
                   'Run to be available again'))
    for package in packages:
        wait_for(lambda p=package: (r := row_named(frame, p)) and ': Completed' in name(r),
                 90, f'{package} to reach Completed when run again')
    for package in packages:
        records = journal_records(run, package)
        if len(records) != 1:
            raise Failure(f'running again uploaded {package} again: {len(records)} jobs')
        title = f'{package} → Slow Course'
        wait_for(lambda t=title: any(label_matching(r, lambda n: n.startswith('Completed'))
                                     for r in find_all(run.frame, 'list item', lambda n: True)
                                     if label_matching(r, lambda n, t=t: n == t)), 30,
                 f'the main window’s row “{title}” to say Completed')
    log('ok: Run again follows the stopped jobs to Completed, uploading nothing again; '
        'the main window’s rows end Completed too')


if __name__ == '__main__':
    try:
        main()
    except Failure as error:
        log(f'FAIL: {error}')
        sys.exit(1)
    log('PASS')

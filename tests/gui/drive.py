#!/usr/bin/python3
# drive.py: the end-to-end GUI test, driven through AT-SPI and xdotool.
#
# Runs inside run-gui-test.sh (a session bus, Xvfb with openbox, the
# accessibility bus).
# Starts a sandbox and the real `coursedrop` against it, then does what a
# user does: opens a package from the command line (a second invocation
# reaching the running instance), drops one from another window, types
# offering IDs (wrong ones first: they get an inline error), presses Import,
# reads the rows.  It asserts only what cannot flake, and prints timing
# figures without failing on them.  The app must never log a CRITICAL or a
# WARNING (app_log.py): the run fails if it does.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import subprocess
import sys
import time

import gi

gi.require_version('Atspi', '2.0')
from gi.repository import Atspi  # noqa: E402

from drive_util import (  # noqa: E402
    APP, Failure, NotificationServer, Run, check_accessible_names, check_app_stderr, dismiss_toast,
    drag, expect_inline_error, failed_row_of, find, find_all, find_app, focus_in, focused, frames,
    label_matching, log, log_files, make_package, name, press, role, rows_titled, safe,
    safe_screenshot, screenshot, sensitive, set_text, start_sandbox, wait_for, window_id, xdotool,
)

DRAG_SOURCE = os.environ['CD_DRAG_SOURCE']

BIG_SIZE = 512 * 1024 * 1024
APP_X, APP_Y = 380, 0
SOURCE_X, SOURCE_Y = 20, 650


def main():
    run = Run()
    try:
        drive(run)
    except Failure:
        # What the window showed when it went wrong, and what the app said.
        safe_screenshot('failure')
        for process in run.processes:
            if process.poll() is not None:
                log(f'note: {process.args[0]} exited with status {process.returncode}')
        log_files(run.app_stderr, os.path.join(run.tmp, 'sandbox.stderr'))
        raise
    finally:
        run.cleanup()


def drive(run):
    week1 = os.path.join(run.tmp, 'Week 1.imscc')
    week2 = os.path.join(run.tmp, 'Week 2.imscc')
    notes = os.path.join(run.tmp, 'notes.txt')
    big = os.path.join(run.tmp, 'Semester Archive.zip')
    make_package(week1, 'Week 1')
    make_package(week2, 'Week 2')
    with open(notes, 'w') as f:
        f.write('Not a course package.\n')
    # A sparse "zip": the local header magic, then a hole.
    with open(big, 'wb') as f:
        f.write(b'PK\x03\x04')
        f.truncate(BIG_SIZE)
        # The end record of an empty archive: the package check reads it.
        f.seek(BIG_SIZE - 22)
        f.write(b'PK\x05\x06' + bytes(18))

    run.notifications = NotificationServer()
    run.notifications.start()
    if not run.notifications.ready.wait(15):
        raise Failure('the test notification server did not start')

    sandbox, url = start_sandbox(run.tmp)
    run.processes.append(sandbox)
    log(f'sandbox: {url}')
    run.env.update({
        'COURSEDROP_HOST': url,
        'COURSEDROP_APP_ID': 'CoursedropDemoApp',
        'COURSEDROP_APP_KEY': 'demo-app-key-not-secret',
        'COURSEDROP_USER_ID': 'CoursedropDemoUser',
        'COURSEDROP_USER_KEY': 'demo-user-key-not-secret',
        'COURSEDROP_MEASURE_LATENCY': '1',
    })

    # Start-up: from exec to the window on the accessibility bus.
    started = time.monotonic()
    with open(run.app_stderr, 'w') as stderr:
        run.app = run.spawn([APP], stderr=stderr)
    app = wait_for(lambda: (a := find_app()) and frames(a, 'Coursedrop') and a, 30,
                   'the Coursedrop window on the accessibility bus', interval=0.02)
    startup = time.monotonic() - started
    run.frame = frames(app, 'Coursedrop')[0]
    log(f'startup: {startup:.2f} s (target < 1 s)')

    wid = wait_for(lambda: window_id('Coursedrop'), 15, 'the Coursedrop X window')
    xdotool('windowmove', wid, APP_X, APP_Y)
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Drop course packages here'), 15,
             'the empty state')
    wait_for(lambda: label_matching(run.frame, lambda n: n.startswith('dana.demo on ')), 15,
             'the account in the subtitle')
    time.sleep(0.5)
    screenshot('empty')
    check_accessible_names(run.frame, 'the empty window')

    # 1. Command-line open into the running instance, then import.  What is
    # not an offering ID is said next to the field, never logged.
    run.open_in_running_app(week1)
    field = wait_for(run.offering_field, 15, 'the Course offering ID field')
    expect_inline_error(run.frame, field, '66O6', 'No course offering matches', run.import_button(),
                        'the offering field')
    expect_inline_error(run.frame, field, '99999999999999999999', 'This number is too large',
                        run.import_button(), 'the offering field')
    xdotool('windowactivate', '--sync', wid)
    field = wait_for(run.offering_field, 15, 'the Course offering ID field')
    set_text(field, '6606')
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Biology 101'), 15,
             'the course “Biology 101” to be looked up')
    check_accessible_names(run.frame, 'the window with a new import')
    run.import_into('6606', 'Biology 101')
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Week 1.imscc → Biology 101'), 15,
             'the row of Week 1')
    log('ok: “Week 1.imscc” opened from the command line and imported into 6606')

    # The Import button went with its card: the keyboard focus is on the new
    # row, and Tab goes on to the row's buttons.
    week1_row = wait_for(lambda: next(iter(rows_titled(run, 'Week 1.imscc → Biology 101')), None),
                         15, 'the row of Week 1')
    wait_for(lambda: focused(week1_row), 15, 'the keyboard focus on the new row')
    log(f'ok: after Import the focus is on the new row “{name(week1_row)}”')
    xdotool('key', '--clearmodifiers', 'Tab')
    button = wait_for(lambda: (f := focus_in(week1_row)) and role(f) == 'push button' and f, 15,
                      'Tab to reach a button of the new row')
    log(f'ok: Tab reaches the row’s “{name(button)}”')

    # 2. A dropped file that is not a zip is refused, naming the file.
    source = run.spawn([DRAG_SOURCE, '--title', 'Drag Source', notes], stdout=subprocess.DEVNULL)
    source_wid = wait_for(lambda: window_id('Drag Source'), 15, 'the drag source window')
    xdotool('windowmove', source_wid, SOURCE_X, SOURCE_Y)
    time.sleep(0.5)
    # (The focus checks above may have taken the job's few seconds.)
    wait_for(lambda: label_matching(run.frame,
                                    lambda n: n.startswith(('Brightspace is', 'Completed'))),
             15, 'a job in progress or completed')
    screenshot('progress')
    drag((SOURCE_X + 120, SOURCE_Y + 70), (APP_X + 450, APP_Y + 400))
    toast = wait_for(lambda: label_matching(run.frame,
                                            lambda n: 'notes.txt' in n and 'not a zip' in n),
                     15, 'the refusal toast for notes.txt')
    log(f'ok: refused with a toast: {name(toast)}')
    # Toasts wait while the window is not active (the drag source has the
    # focus now): closed, as a user would, so that later ones are not queued.
    dismiss_toast(toast)
    source.terminate()
    source.wait(timeout=10)

    # 3. A real drag and drop from another window, into the failing offering.
    source = run.spawn([DRAG_SOURCE, '--title', 'Drag Source', week2],
                       stdout=subprocess.DEVNULL)
    source_wid = wait_for(lambda: window_id('Drag Source'), 15, 'the second drag source window')
    xdotool('windowmove', source_wid, SOURCE_X, SOURCE_Y)
    time.sleep(0.5)
    drag((SOURCE_X + 120, SOURCE_Y + 70), (APP_X + 450, APP_Y + 400))
    run.import_into('777', 'Broken Course')
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Week 2.imscc → Broken Course'), 15,
             'the row of the dropped Week 2')
    log('ok: “Week 2.imscc” dropped from another window and imported into 777')
    # The user turns to the other window: notifications are for a window
    # that is not in use.  The source stays until the failure was notified.
    xdotool('windowactivate', '--sync', source_wid)

    # 4. The outcomes, as the rows say them.
    # The sandbox logs a warning with every completed import.
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Completed with 1 warning'), 60,
             'the row label “Completed with 1 warning”')
    log('ok: Week 1 → Biology 101 says “Completed with 1 warning”')
    failed = wait_for(lambda: label_matching(run.frame, lambda n: n.startswith('Import failed: ')),
                      60, 'the row label “Import failed: …”')
    if 'res-0003' not in name(failed):
        raise Failure(f'the failure does not give the log’s reason: {name(failed)!r}')
    log(f'ok: Week 2 → Broken Course says “{name(failed)}”')
    time.sleep(0.5)
    screenshot('finished')

    # The desktop heard about the failure (the window was not in use).
    notified = wait_for(lambda: run.notifications.find('Import failed',
                                                       'Week 2.imscc → Broken Course'),
                        15, 'the “Import failed” notification')
    if not any(action == 'default' for action in notified[2]):
        raise Failure(f'the notification has no default action: {notified!r}')
    log('ok: notification “Import failed” / “Week 2.imscc → Broken Course”')
    source.terminate()
    source.wait(timeout=10)
    run.notifications.click(notified)
    try:
        wait_for(lambda: safe(lambda: failed_row_of(run).get_state_set().contains(
                              Atspi.StateType.FOCUSED), False), 10,
                 'the clicked notification to bring the failed row into focus')
        log('ok: clicking the notification shows and focuses the failed row')
    except Failure as failure:
        log(f'note: {failure}')
    if run.notifications.find('Import completed', 'Week 1.imscc → Biology 101'):
        log('ok: notification “Import completed” / “Week 1.imscc → Biology 101”')
    else:
        log('note: no “Import completed” notification: the window was in use then')

    # The log of the failed job, from the row's Show Log button.
    press(find(failed_row_of(run), 'push button', lambda n: 'Show Log' in n))
    log_frame = wait_for(lambda: frames(app, 'Import Log'), 15, 'the log window')[0]
    wait_for(lambda: label_matching(log_frame, lambda n: 'res-0003' in n), 15,
             'the log entry with the reason')
    log('ok: Show Log lists the error entry')
    check_accessible_names(log_frame, 'the log window')
    press(find(log_frame, 'push button', lambda n: n == 'Close'))
    wait_for(lambda: not frames(app, 'Import Log'), 15, 'the log window to close')

    # The warnings of the completed job, one press away from its row.
    week1_row = rows_titled(run, 'Week 1.imscc → Biology 101')[0]
    press(find(week1_row, 'push button', lambda n: n == 'Show Warnings'))
    log_frame = wait_for(lambda: frames(app, 'Import Log'), 15, 'the log window')[0]
    wait_for(lambda: label_matching(log_frame, lambda n: 'question types are not supported' in n),
             15, 'the warning in the log')
    log('ok: “Show Warnings” leads to the warning in the log')
    press(find(log_frame, 'push button', lambda n: n == 'Close'))
    wait_for(lambda: not frames(app, 'Import Log'), 15, 'the log window to close')
    check_accessible_names(run.frame, 'the window with finished jobs')

    # 5. The duplicate guard: Week 1 into Biology 101 again asks first.
    run.open_in_running_app(week1)
    run.import_into('6606', 'Biology 101')
    wait_for(lambda: label_matching(app, lambda n: 'was already imported into Biology 101' in n),
             15, 'the “Import Again?” question')
    dialog = next(f for f in frames(app)
                  if label_matching(f, lambda n: 'was already imported into' in n))
    press(find(dialog, 'push button', lambda n: 'Cancel' in n))
    press(wait_for(lambda: (b := find(run.frame, 'push button', lambda n: 'Discard' in n))
                   and sensitive(b) and b, 15, 'the Discard button'))
    wait_for(lambda: run.offering_field() is None, 15, 'the discarded package to go')
    log('ok: importing Week 1 into Biology 101 again asks “Import Again?” first')

    # 6. Retry the failed import: Brightspace could not convert it, so
    # nothing reached the course and there is no duplicate to warn about.
    press(find(failed_row_of(run), 'push button', lambda n: n == 'Retry'))
    wait_for(lambda: len(rows_titled(run, 'Week 2.imscc → Broken Course')) == 2, 15,
             'the retried job’s row')
    if label_matching(app, lambda n: 'was already imported into Broken Course' in n):
        raise Failure('Retry of a conversion failure warns about duplicates')
    log('ok: Retry uploads Week 2 again at once: its conversion had failed')

    # 7. Remove forgets a job; Track Existing Job follows it again by its token.
    week1_row = rows_titled(run, 'Week 1.imscc → Biology 101')[0]
    token = next(re.search(r'Job (\d+)', name(n)).group(1)
                 for n in find_all(week1_row, 'label', lambda n: re.search(r'Job \d+', n)))
    press(find(week1_row, 'push button', lambda n: n == 'Remove from List'))
    wait_for(lambda: not rows_titled(run, 'Week 1.imscc → Biology 101'), 15,
             'the removed row to go')
    wait_for(lambda: label_matching(run.frame, lambda n: n.startswith('Removed “Week 1.imscc')),
             15, 'the removal toast')
    log(f'ok: Remove took job {token} off the list')

    for button in find_all(run.frame, 'push button', lambda n: n == 'Main Menu'):
        if safe(lambda: button.do_action(0), False):
            break
    press(wait_for(lambda: find(app, 'menu item', lambda n: n.startswith('Track Existing Job')),
                   15, 'the Track Existing Job… menu item'))
    dialog = wait_for(lambda: next((f for f in frames(app)
                                    if find(f, 'text', lambda n: n == 'Job token')), None),
                      15, 'the Track Existing Job dialog')
    check_accessible_names(dialog, 'the Track Existing Job dialog')
    track = find(dialog, 'push button', lambda n: 'Track' in n)
    offering = find(dialog, 'text', lambda n: n == 'Course offering ID')
    token_field = find(dialog, 'text', lambda n: n == 'Job token')
    expect_inline_error(dialog, offering, 'six', 'Use digits only', track,
                        'the Track dialog’s offering field')
    set_text(offering, '6606')
    expect_inline_error(dialog, token_field, '../8840?x', 'This is not a job token', track,
                        'the Track dialog’s token field')
    set_text(token_field, token)
    press(wait_for(lambda: (b := find(dialog, 'push button', lambda n: 'Track' in n))
                   and sensitive(b) and b, 15, 'the Track button'))
    wait_for(lambda: rows_titled(run, f'Job {token} → Biology 101'), 15,
             'the tracked job’s row, named after its course')
    wait_for(lambda: any(label_matching(row, lambda n: n.startswith('Completed'))
                         for row in rows_titled(run, f'Job {token} → Biology 101')), 30,
             'the tracked job to say “Completed”')
    log(f'ok: Track Existing Job followed job {token} to “Completed”')

    # 8. A 512 MiB upload: the window must stay responsive meanwhile.
    run.open_in_running_app(big)
    run.import_into('12345', 'Introduction to Chemistry')
    upload_started = time.monotonic()
    wait_for(lambda: label_matching(run.frame, lambda n: n.startswith('Uploading')), 60,
             'the upload progress')

    # Quitting now would lose the upload: the window asks first.
    xdotool('windowactivate', '--sync', wid)
    xdotool('key', '--clearmodifiers', 'ctrl+q')
    question = wait_for(lambda: next((f for f in frames(app)
                                      if label_matching(f, lambda n: 'is still uploading' in n)),
                                     None), 15, 'the “Stop the Upload?” question')
    check_accessible_names(question, 'the “Stop the Upload?” question')
    press(find(question, 'push button', lambda n: 'Keep Uploading' in n))
    time.sleep(1)
    if run.app.poll() is not None:
        raise Failure('the app quit although “Keep Uploading” was pressed')
    log('ok: Ctrl+Q during an upload asks first; “Keep Uploading” keeps it going')
    # No screenshot here: `import` grabs the X server, which would stall the
    # app and spoil the lateness figure.
    wait_for(lambda: label_matching(run.frame,
                                    lambda n: n.startswith(('Brightspace is converting',
                                                            'Brightspace is importing'))),
             150, 'the 512 MiB job to leave the upload stage')
    raw = label_matching(run.frame, lambda n: n in ('UPLOADING', 'PROCESSING', 'PROCESSED',
                                                    'IMPORTING', 'COMPLETED', 'IMPORTFAILED'))
    if raw:
        raise Failure(f'a row shows Brightspace’s raw status word “{name(raw)}”')
    log(f'upload: 512 MiB accepted by the sandbox after {time.monotonic() - upload_started:.1f} s')

    # Quit with Ctrl+Q (openbox gives the window the keyboard focus); the app
    # prints its main-loop lateness on the way out.
    xdotool('windowactivate', '--sync', wid)
    xdotool('key', '--clearmodifiers', 'ctrl+q')
    try:
        run.app.wait(timeout=15)
    except subprocess.TimeoutExpired:
        raise Failure('Ctrl+Q did not quit the app')
    log('ok: Ctrl+Q quit the app')

    with open(run.app_stderr) as f:
        stderr = f.read()
    lateness = [line for line in stderr.splitlines() if 'main loop worst lateness' in line]
    if lateness:
        log(f'figure: {lateness[-1]} (target < 50 ms)')
    else:
        log('note: the app printed no lateness figure')
    if stderr.strip():
        log('coursedrop stderr:\n' + stderr.rstrip())
    check_app_stderr(run)


if __name__ == '__main__':
    try:
        main()
    except Failure as failure:
        log(f'FAIL: {failure}')
        sys.exit(1)
    log('PASS')

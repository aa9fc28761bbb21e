#!/usr/bin/python3
# drive-course.py: finding a course offering by what people know, and
# making a new one from a template, through AT-SPI and the keyboard.
#
# Runs inside `run-gui-test.sh` under `with-xvfb.sh --wm` (a session bus,
# Xvfb with openbox, the accessibility bus).  Starts a sandbox with a few
# offerings, templates and semesters (in pages of two, so that every search
# follows bookmarks) and the real `coursedrop` against it; opens a package,
# types part of a course name, sees a match gain its semester, picks a
# match with the arrow keys and Return, and sees the course found and
# Import enabled.  Then New Course
# Offering…: a template by its code, a code the rules refuse (the reason is
# next to the field), a good one, Create; the pending import gets the new
# offering, is imported, and its row completes.  The app must never log a
# CRITICAL or a WARNING (app_log.py).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import subprocess
import sys
import threading
import time

import gi

gi.require_version('Atspi', '2.0')
from gi.repository import Atspi, GLib  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from drive_util import (  # noqa: E402
    APP, Failure, Run, SANDBOX, check_accessible_names, check_app_stderr, find, find_all, find_app,
    focus_in, frames, label_matching, log, make_package, name, press, run_driver, safe_screenshot,
    sensitive, set_text, wait_for, window_id, xdotool,
)


def start_sandbox(workdir):
    stderr = open(os.path.join(workdir, 'sandbox.stderr'), 'w')
    process = subprocess.Popen(
        [SANDBOX, '--port', '0', '--page-size', '2',
         '--timeline', 'UPLOADING:0.5,PROCESSING:0.5,IMPORTING:0.5,COMPLETED',
         '--offering', '6606:Biology 101;BIO101',
         '--offering', '12345:Introduction to Chemistry;CHEM110',
         '--offering', '12346:Organic Chemistry;CHEM210',
         '--offering', '6650:History of Art;HIST1',
         '--offering', '6660:Physics;PHYS1',
         # Listings carry no semester: the window fetches it per match.
         '--offering-semester', '12345=7001'],
        stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=workdir)
    stderr.close()
    first = process.stdout.readline().strip()
    if not first.startswith('Listening on '):
        raise Failure(f'the sandbox did not start: {first!r}')
    threading.Thread(target=lambda: process.stdout.read(), daemon=True).start()
    return process, first[len('Listening on '):]


def text_of(node):
    try:
        return Atspi.Text.get_text(node, 0, Atspi.Text.get_character_count(node)) or ''
    except GLib.Error:
        return ''


def named(label):
    """GTK 4.8 appends the description to the accessible name."""
    return lambda n: (n := n.replace('_', '')) == label or n.startswith(label + ' ')


def key(*keys):
    for k in keys:
        xdotool('key', '--clearmodifiers', k)
        time.sleep(0.2)


def course_field(run):
    return wait_for(lambda: find(run.frame, 'text', lambda n: n.startswith('Course offering ID')),
                    15, 'the course field')


def matches(run):
    # Matches are removed, not hidden, once one is chosen.
    return find_all(run.frame, 'list item', lambda n: ', code ' in n)


def import_button(run):
    return find(run.frame, 'push button', lambda n: 'Import' in n and 'Again' not in n)


def expect_found(run, course_name, subtitle_start):
    wait_for(lambda: label_matching(run.frame, lambda n: n == course_name), 15,
             f'the course “{course_name}” to be found')
    wait_for(lambda: label_matching(run.frame, lambda n: n.startswith(subtitle_start)), 15,
             f'the course’s code and ID “{subtitle_start}…”')
    wait_for(lambda: (b := import_button(run)) and sensitive(b), 30,
             'the Import button to become sensitive')


def find_by_name(run, wid):
    field = course_field(run)

    # Words beside the field when nothing matches; Import stays off.
    set_text(field, 'zzz')
    wait_for(lambda: label_matching(run.frame, lambda n: n.startswith('No course offering matches')),
             15, 'the words “No course offering matches”')
    if sensitive(import_button(run)):
        raise Failure('Import is sensitive although no course matches “zzz”')
    log('ok: “zzz”: “No course offering matches …” beside the field')

    # Part of a name: both chemistry offerings, found across pages of two.
    # The new card put the focus in its course field.
    xdotool('windowactivate', '--sync', wid)
    set_text(field, 'chem')
    wait_for(lambda: label_matching(run.frame, lambda n: n == '2 course offerings match'), 15,
             'the words “2 course offerings match”')
    try:
        rows = wait_for(lambda: len(matches(run)) == 2 and matches(run), 15,
                        'two matches in the list')
    except Failure:
        for node in find_all(run.frame, 'list item', lambda n: True):
            log(f'  list item {name(node)!r}')
        raise
    names = [name(r) for r in rows]
    log(f'ok: “chem” offers {names}')
    if not any(n.startswith('Introduction to Chemistry, code CHEM110, ID 12345') for n in names) or \
            not any(n.startswith('Organic Chemistry, code CHEM210, ID 12346') for n in names):
        raise Failure(f'unexpected matches for “chem”: {names}')

    # The listing has no semester; the match gains it once its details come.
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'CHEM110 · ID 12345 · Fall Term'), 15,
             'the semester “Fall Term” under Introduction to Chemistry')
    wait_for(lambda: any(name(r).startswith('Introduction to Chemistry, code CHEM110, ID 12345, '
                                            'semester Fall Term') for r in matches(run)), 15,
             'the semester in the accessible name of Introduction to Chemistry')
    if not label_matching(run.frame, lambda n: n == 'CHEM210 · ID 12346'):
        raise Failure('Organic Chemistry, which has no semester, lost its code and ID')
    log('ok: “chem”: Introduction to Chemistry shows its semester, Fall Term')
    check_accessible_names(run.frame, 'the window with matches')
    safe_screenshot('course-matches')

    # The keyboard: Down into the list, Down to the second, Return.
    key('Down')
    wait_for(lambda: (f := focus_in(run.frame)) and f.get_role_name() == 'list item'
             and name(f).startswith('Introduction to Chemistry'), 10,
             'Down to reach the first match')
    key('Down')
    wait_for(lambda: (f := focus_in(run.frame)) and name(f).startswith('Organic Chemistry'), 10,
             'Down to reach the second match')
    key('Return')
    expect_found(run, 'Organic Chemistry', 'CHEM210 · Course offering 12346')
    if matches(run):
        raise Failure('the matches stayed after one was chosen')
    if text_of(field) != 'CHEM210':
        raise Failure(f'the field shows “{text_of(field)}” after choosing, not the code')
    log('ok: Organic Chemistry chosen with Down, Down, Return: found, Import sensitive')

    # An exact code is taken at once; digits are still an ID.
    set_text(field, 'bio101')
    expect_found(run, 'Biology 101', 'BIO101 · Course offering 6606')
    log('ok: the exact code “bio101” finds Biology 101 without a choice')
    set_text(field, '12345')
    expect_found(run, 'Introduction to Chemistry', 'CHEM110 · Course offering 12345 · Fall Term')
    log('ok: “12345” is still an ID')


def new_offering(run, app):
    press(wait_for(lambda: find(run.frame, 'push button', named('New Course Offering…')), 15,
                   'the New Course Offering… button'))
    dialog = wait_for(lambda: next(iter(frames(app, 'New Course Offering')), None), 15,
                      'the New Course Offering window')
    check_accessible_names(dialog, 'the New Course Offering window')

    def field(label):
        return wait_for(lambda: find(dialog, 'text', lambda n: n.startswith(label)), 15,
                        f'the {label} field')

    create = wait_for(lambda: find(dialog, 'push button', named('Create')), 15,
                      'the Create button')
    set_text(field('Course template'), 'TPL-SCI')
    wait_for(lambda: label_matching(dialog, lambda n: n.startswith('Sciences Template (TPL-SCI')),
             15, 'the template found by its code')
    log('ok: the template “TPL-SCI” is found by its code')

    code = field('Code')
    set_text(code, 'CHEM:300')
    wait_for(lambda: label_matching(dialog, lambda n: n.startswith('A course offering code cannot')),
             15, 'the inline error for the code “CHEM:300”')
    set_text(field('Name'), 'Chemistry Lab')
    time.sleep(0.5)
    if sensitive(create):
        raise Failure('Create is sensitive with the code “CHEM:300”')
    log('ok: “CHEM:300”: the reason beside the field, Create insensitive')
    safe_screenshot('new-offering-error')

    set_text(code, 'CHEM300')
    wait_for(lambda: not label_matching(dialog, lambda n: n.startswith('A course offering code')),
             15, 'the code’s error to go')
    set_text(field('Start date'), 'soon')
    wait_for(lambda: label_matching(dialog, lambda n: n.startswith('“soon” is not a date')), 15,
             'the inline error for the start date')
    log('ok: “soon” as the start date: the reason beside the field')
    set_text(field('Start date'), '')
    wait_for(lambda: sensitive(create), 15, 'Create to become sensitive')
    press(create)
    wait_for(lambda: not frames(app, 'New Course Offering'), 30,
             'the New Course Offering window to close after Create')
    log('ok: Create made CHEM300 and closed the window')

    expect_found(run, 'Chemistry Lab', 'CHEM300 · Course offering ')
    log('ok: the pending import has the new offering')


def drive(run):
    package = os.path.join(run.tmp, 'Lab Week.imscc')
    make_package(package, 'Lab Week')

    sandbox, url = start_sandbox(run.tmp)
    run.processes.append(sandbox)
    log(f'sandbox: {url}')
    run.env.update({
        'COURSEDROP_HOST': url,
        'COURSEDROP_APP_ID': 'CoursedropDemoApp',
        'COURSEDROP_APP_KEY': 'demo-app-key-not-secret',
        'COURSEDROP_USER_ID': 'CoursedropDemoUser',
        'COURSEDROP_USER_KEY': 'demo-user-key-not-secret',
    })

    with open(run.app_stderr, 'w') as stderr:
        run.app = run.spawn([APP], stderr=stderr)
    app = wait_for(lambda: (a := find_app()) and frames(a, 'Coursedrop') and a, 30,
                   'the Coursedrop window on the accessibility bus')
    run.frame = frames(app, 'Coursedrop')[0]
    wid = wait_for(lambda: window_id('Coursedrop'), 15, 'the Coursedrop X window')
    wait_for(lambda: label_matching(run.frame, lambda n: n.startswith('dana.demo on ')), 15,
             'the account in the subtitle')

    run.open_in_running_app(package)
    find_by_name(run, wid)
    new_offering(run, app)

    press(wait_for(lambda: (b := import_button(run)) and sensitive(b) and b, 30,
                   'the Import button'))
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Lab Week.imscc → Chemistry Lab'),
             15, 'the row of the import into the new offering')
    wait_for(lambda: label_matching(run.frame, lambda n: n.startswith('Completed')), 60,
             'the row to say “Completed”')
    log('ok: Lab Week.imscc imported into the new offering; the row says “Completed”')
    check_app_stderr(run)


def main():
    run = Run()
    run_driver(run, drive, 'course')


if __name__ == '__main__':
    main()

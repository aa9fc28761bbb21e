#!/usr/bin/python3
# drive-jobs.py: jobs that stop unfinished, other processes' jobs, and a
# journal that cannot be written, through AT-SPI.
#
# Runs inside `run-gui-test.sh --keyring` (a session bus, Xvfb, the
# accessibility bus, an unlocked gnome-keyring for signing out).  The app
# talks to the sandbox through cd_proxy.py, which can refuse connections
# and count what the app sends.  Each part starts the app afresh with its
# own data folder:
#
#   1. a `coursedrop-cli --no-wait` import run while the window is open
#      shows up as a row and is followed to Completed; the CLI lists the
#      window's jobs in turn;
#   2. a job whose server refuses connections needs attention: the row says
#      so with the reason; Try Again (found by its accessible name) follows
#      it to Completed once the server answers again;
#   3. signing out in the middle of a slow upload sends nothing more: no
#      request reaches the server afterwards, the polled job stays
#      resumable in the journal, and the next start follows it to Completed;
#   4. a journal that cannot be written is a banner naming its folder, which
#      goes once a save succeeds; a journal folder that is a file is the
#      failure page;
#   5. (CD_GUI_JOBS_PARTS=outcome-unknown) an upload whose answer never came
#      needs attention without Try Again, says so again after a new start,
#      and importing it again asks first.
#
# The app must never log a CRITICAL or a WARNING (app_log.py).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import subprocess
import sys
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import app_log  # noqa: E402
from cd_proxy import Proxy  # noqa: E402
from drive_util import (  # noqa: E402
    APP, Failure, NotificationServer, Processes, SANDBOX, find, find_all, find_app, frames,
    label_matching, log, log_files, make_package, name, press, safe, safe_screenshot, sensitive,
    set_text, wait_for,
)

CLI = os.environ['CD_CLI']

CREDENTIALS = {
    'COURSEDROP_APP_ID': 'CoursedropDemoApp',
    'COURSEDROP_APP_KEY': 'demo-app-key-not-secret',
    'COURSEDROP_USER_ID': 'CoursedropDemoUser',
    'COURSEDROP_USER_KEY': 'demo-user-key-not-secret',
}

# Offerings: each part its own, with the timeline it needs.
BIOLOGY = '6606'      # part 2: long enough to be refused halfway
CHEMISTRY = '12345'   # parts 1 and 3: the default, quick timeline
SLOW = '4242'         # part 3: still polling when the user signs out


class JobsRun(Processes):
    def __init__(self):
        super().__init__()
        self.tmp = os.environ['HOME']
        self.base_env = dict(os.environ)
        self.base_env.pop('NO_AT_BRIDGE', None)
        self.base_env.update({'GTK_A11Y': 'atspi', 'LANG': 'C.UTF-8', 'LC_ALL': 'C.UTF-8'})
        self.env = self.base_env
        self.app = None
        self.app_stderr = os.path.join(self.tmp, 'coursedrop.stderr')
        self.proxy = None

    def cleanup(self):
        self.stop_processes()

    def use_data_home(self, part):
        """A data folder (the journal's) of its own for each part."""
        data = os.path.join(self.tmp, part, 'data')
        os.makedirs(data, exist_ok=True)
        self.env = dict(self.base_env)
        self.env.update(CREDENTIALS)
        self.env.update({'XDG_DATA_HOME': data, 'COURSEDROP_HOST': self.proxy.url})
        return data

    def journal(self):
        return os.path.join(self.env['XDG_DATA_HOME'], 'coursedrop', 'jobs.json')

    def start_app(self):
        with open(self.app_stderr, 'a') as stderr:
            self.app = self.spawn([APP], stderr=stderr)
        app = wait_for(lambda: (a := find_app()) and frames(a, 'Coursedrop') and a, 30,
                       'the Coursedrop window on the accessibility bus')
        self.atspi_app = app
        self.frame = frames(app, 'Coursedrop')[0]

    def action(self, name_):
        subprocess.run(['gdbus', 'call', '--session', '--dest', 'io.github.coursedrop.Coursedrop',
                        '--object-path', '/io/github/coursedrop/Coursedrop',
                        '--method', 'org.gtk.Actions.Activate', name_, '[]', '{}'],
                       env=self.env, timeout=15, capture_output=True)

    def quit_app(self):
        self.action('quit')
        try:
            self.app.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise Failure('the app did not quit')

    def open_file(self, path):
        second = subprocess.run([APP, path], env=self.env, timeout=30, capture_output=True,
                                text=True)
        if second.returncode != 0 or app_log.problems(second.stderr):
            raise Failure(f'the second instance failed: {second.stderr}')

    def import_into(self, offering, course, before_press=None):
        field = wait_for(lambda: find(self.frame, 'text', lambda n: n.startswith('Course offering ID')),
                         15, 'the Course offering ID field')
        set_text(field, offering)
        wait_for(lambda: label_matching(self.frame, lambda n: n == course), 15,
                 f'the course “{course}” to be looked up')
        button = wait_for(lambda: (b := find(self.frame, 'push button',
                                             lambda n: 'Import' in n and 'Again' not in n))
                          and sensitive(b) and b, 60, 'the Import button to become sensitive')
        if before_press is not None:
            before_press()
        press(button)

    def row(self, title):
        return next((r for r in find_all(self.frame, 'list item', lambda n: True)
                     if label_matching(r, lambda n: n == title)), None)

    def row_says(self, title, predicate):
        row = self.row(title)
        return row is not None and label_matching(row, predicate)

    def token_of(self, title):
        row = self.row(title)
        label = row and label_matching(row, lambda n: ' · Job ' in n)
        return label and name(label).split(' · Job ')[1].split(' ')[0]

    def cli(self, *args):
        return subprocess.run([CLI, *args], env=self.env, timeout=60, capture_output=True,
                              text=True)


def make_big_package(path, size):
    """A zip with one stored member of random bytes: slow to send through
    a slow proxy, and nothing in it looks like a request line."""
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as archive:
        archive.writestr('imsmanifest.xml', '<manifest identifier="big"/>')
        archive.writestr('big.bin', os.urandom(size))


def read_journal(run):
    with open(run.journal()) as f:
        return json.load(f)['jobs']


def check_app_stderr(run, part):
    lines = app_log.problems_in(run.app_stderr)
    if lines:
        raise Failure(app_log.describe(f'coursedrop ({part})', lines))
    log(f'ok: coursedrop wrote no CRITICAL or WARNING ({part})')


def main():
    run = JobsRun()
    try:
        drive(run)
    except Failure:
        safe_screenshot('jobs-failure')
        log_files(run.app_stderr, os.path.join(run.tmp, 'sandbox.stderr'))
        sandbox = getattr(run, 'sandbox', None)
        if sandbox is not None:
            log(f'the sandbox is {"running" if sandbox.poll() is None else f"gone ({sandbox.returncode})"}')
        raise
    finally:
        run.cleanup()


def drive(run):
    run.notifications = NotificationServer()
    run.notifications.start()
    if not run.notifications.ready.wait(15):
        raise Failure('the test notification server did not start')

    stderr = open(os.path.join(run.tmp, 'sandbox.stderr'), 'w')
    sandbox = run.spawn(
        [SANDBOX, '--port', '0',
         '--timeline', 'UPLOADING:0.5,PROCESSING:1,IMPORTING:1,COMPLETED',
         '--offering-timeline', f'{BIOLOGY}=UPLOADING:1,PROCESSING:30,COMPLETED',
         '--offering-timeline', f'{SLOW}=UPLOADING:1,PROCESSING:40,COMPLETED',
         '--offering', f'{BIOLOGY}:Biology 101;BIO101',
         '--offering', f'{CHEMISTRY}:Introduction to Chemistry;CHEM110',
         '--offering', f'{SLOW}:Slow Course;SLOW42'],
        stdout=subprocess.PIPE, stderr=stderr, text=True)
    stderr.close()
    run.sandbox = sandbox
    first = sandbox.stdout.readline().strip()
    if not first.startswith('Listening on '):
        raise Failure(f'the sandbox did not start: {first!r}')
    port = int(first.rsplit(':', 1)[1].strip('/'))
    run.proxy = Proxy(port)
    log(f'sandbox: {first[len("Listening on "):]}, through the proxy at {run.proxy.url}')

    # CD_GUI_JOBS_PARTS=sign-out,journal runs only those parts (debugging).
    parts = {'attention': cli_and_attention, 'outcome-unknown': outcome_unknown,
             'sign-out': sign_out_mid_upload, 'journal': unwritable_journal}
    default = 'attention,outcome-unknown,sign-out,journal'
    chosen = os.environ.get('CD_GUI_JOBS_PARTS', default).split(',')
    for part in chosen:
        parts[part](run)


def cli_and_attention(run):
    run.use_data_home('attention')
    week1 = os.path.join(run.tmp, 'Week 1.imscc')
    week3 = os.path.join(run.tmp, 'Week 3.imscc')
    make_package(week1, 'Week 1')
    make_package(week3, 'Week 3')

    run.start_app()
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Drop course packages here'), 30,
             'the empty page')

    # 1. The command line starts an import and leaves it: the window shows
    # it at once and follows it.
    result = run.cli('import', '--course-package', week3, '--course-offering-id', CHEMISTRY,
                     '--no-wait')
    if result.returncode != 0:
        raise Failure(f'coursedrop-cli --no-wait failed ({result.returncode}): {result.stderr}')
    # The window asks Brightspace for the course's name the CLI did not record.
    title3 = 'Week 3.imscc → Introduction to Chemistry'
    wait_for(lambda: run.row(title3), 15, 'the row of the job coursedrop-cli started')
    log(f'ok: the job coursedrop-cli started is a row: “{title3}”')
    wait_for(lambda: run.row_says(title3, lambda n: n.startswith('Completed')), 60,
             'the window to follow the CLI’s job to Completed')
    log('ok: the window followed it to “Completed”')

    # 2. The window's import, refused halfway: it needs attention.
    run.open_file(week1)
    run.import_into(BIOLOGY, 'Biology 101')
    title1 = 'Week 1.imscc → Biology 101'
    token = wait_for(lambda: run.token_of(title1), 30, 'the token of Week 1')
    wait_for(lambda: run.row_says(title1, lambda n: n.startswith('Brightspace is')), 30,
             'Brightspace to be working on Week 1')

    # Vice versa: the command line lists the window's job.
    listed = run.cli('jobs')
    if token not in listed.stdout:
        raise Failure(f'coursedrop-cli jobs does not list job {token}:\n{listed.stdout}'
                      f'{listed.stderr}')
    log(f'ok: coursedrop-cli jobs lists the window’s job {token}')

    run.proxy.refuse()
    refused = time.monotonic()
    wait_for(lambda: run.row_says(title1, lambda n: n == 'Needs attention'), 120,
             'the row to say “Needs attention”')
    row = run.row(title1)
    reason = next((name(n) for n in find_all(row, 'label', lambda n: n.endswith('.'))
                   if name(n) != title1), None)
    if reason is None or len(reason) < 20:
        raise Failure(f'no reason next to “Needs attention”: {reason!r}')
    log(f'ok: after {time.monotonic() - refused:.0f} s: “Needs attention”: “{reason}”')
    if label_matching(row, lambda n: n.startswith('Completed')):
        raise Failure('a job that needs attention says Completed')

    # GTK 4.8 appends the button's own label to the accessible name.
    try_again = find(run.frame, 'push button', lambda n: n.startswith(f'Try again: {title1}'))
    if try_again is None:
        buttons = [name(b) for b in find_all(row, 'push button', lambda n: True)]
        raise Failure(f'no button named “Try again: {title1}”; the row has {buttons}')
    run.proxy.accept_again()
    press(try_again)
    wait_for(lambda: run.row_says(title1, lambda n: n.startswith('Completed')), 90,
             'Week 1 to say “Completed” after Try Again')
    if run.row_says(title1, lambda n: n == 'Needs attention'):
        raise Failure('“Needs attention” stayed after the job completed')
    log('ok: Try Again followed the job to “Completed”')

    run.quit_app()
    check_app_stderr(run, 'the CLI’s job and attention')


def outcome_unknown(run):
    run.use_data_home('outcome-unknown')
    week6 = os.path.join(run.tmp, 'Week 6.imscc')
    make_package(week6, 'Week 6')
    title = 'Week 6.imscc → Introduction to Chemistry'
    unknown = 'cannot tell whether the import started'

    run.start_app()
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Drop course packages here'), 30,
             'the empty page')
    # The whole package goes out; the answer never comes back.
    run.open_file(week6)
    run.import_into(CHEMISTRY, 'Introduction to Chemistry',
                    before_press=lambda: run.proxy.drop_answers(True))
    try:
        wait_for(lambda: run.row_says(title, lambda n: n == 'Needs attention'), 60,
                 'the upload whose answer never came to need attention')
    finally:
        run.proxy.drop_answers(False)
    row = run.row(title)
    reason = label_matching(row, lambda n: unknown in n)
    if reason is None:
        raise Failure('the row does not say that the outcome is unknown')
    # Nothing to follow: it offers to look, not to try again.
    if find(row, 'push button', lambda n: n.startswith('Try again:')):
        raise Failure('an upload whose outcome is unknown offers Try Again')
    if not find(row, 'push button', lambda n: n.startswith(f'Check in Brightspace: {title}')):
        raise Failure(f'no button named “Check in Brightspace: {title}”')
    log(f'ok: outcome unknown: “{name(reason)}”, with Check in Brightspace and no Try Again')
    run.quit_app()

    # A new start still says so (not “interrupted”), and importing the same
    # package again asks first, saying why.
    run.start_app()
    wait_for(lambda: run.row_says(title, lambda n: unknown in n), 30,
             'the row to say the outcome is unknown after a new start')
    log('ok: after a new start the row still says the outcome is unknown')
    run.open_file(week6)
    run.import_into(CHEMISTRY, 'Introduction to Chemistry')
    question = wait_for(lambda: next((f for f in frames(run.atspi_app) if label_matching(
        f, lambda n: 'never said whether it started the import' in n)), None), 15,
        'the “Import Again?” question for an upload whose outcome is unknown')
    press(find(question, 'push button', lambda n: 'Cancel' in n))
    press(wait_for(lambda: (b := find(run.frame, 'push button', lambda n: 'Discard' in n))
                   and sensitive(b) and b, 15, 'the Discard button'))
    log('ok: importing it again asks first: the package may be there already')
    run.quit_app()
    check_app_stderr(run, 'outcome unknown')


def sign_out_mid_upload(run):
    run.use_data_home('sign-out')
    week4 = os.path.join(run.tmp, 'Week 4.imscc')
    archive = os.path.join(run.tmp, 'Archive.zip')
    make_package(week4, 'Week 4')
    make_big_package(archive, 24 * 1024 * 1024)

    run.start_app()
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Drop course packages here'), 30,
             'the empty page')

    # A job that polls, and an upload that takes long.
    run.open_file(week4)
    run.import_into(SLOW, 'Slow Course')
    title4 = 'Week 4.imscc → Slow Course'
    token = wait_for(lambda: run.token_of(title4), 30, 'the token of Week 4')
    run.proxy.set_rate(256 * 1024)
    run.open_file(archive)
    run.import_into(CHEMISTRY, 'Introduction to Chemistry')
    wait_for(lambda: label_matching(run.frame, lambda n: n.startswith('Uploading')), 60,
             'the slow upload')
    time.sleep(2)
    upload = [r for r in run.proxy.requests_since(0) if r[1] == 'POST']
    if not upload:
        raise Failure('the proxy saw no upload')

    # Sign out in the Account window.
    run.action('account')
    window = wait_for(lambda: next(iter(frames(run.atspi_app, 'Account')), None), 15,
                      'the Account window')
    sign_out = wait_for(lambda: find(window, 'push button',
                                     lambda n: n.replace('_', '').startswith('Sign Out')),
                        15, 'the Sign Out button')
    pressed = time.monotonic()
    press(sign_out)
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Connect to Brightspace'), 15,
             'the Connect to Brightspace page after signing out')
    # What was on its way when the button was pressed may still arrive.
    time.sleep(10)
    after = run.proxy.requests_since(pressed + 0.5)
    connections = run.proxy.connections_since(pressed + 0.5)
    if after or connections:
        raise Failure(f'requests after signing out: {after}, new connections: {connections}')
    log('ok: signing out in the middle of an upload: no request and no connection in the '
        '10 s after it')
    run.proxy.set_rate(None)

    # The upload was stopped, not left to go on with the keys: the journal
    # says how it ended.  The polled job stays unfinished: resumable.
    records = read_journal(run)
    uploaded = next(r for r in records if r.get('offering') == int(CHEMISTRY))
    if not uploaded.get('finished') or not uploaded.get('error'):
        raise Failure(f'the upload was not stopped by signing out: {uploaded}')
    polled = next(r for r in records if r.get('token') == token)
    if polled.get('finished'):
        raise Failure(f'the polled job was ended by signing out: {polled}')
    log(f'ok: job {token} is still unfinished in the journal (resumable); the upload says: '
        f'“{uploaded["error"]}”')
    run.action('quit')
    run.app.wait(timeout=15)

    # The next start (the environment still has keys) follows it again.
    run.start_app()
    wait_for(lambda: run.row_says(title4, lambda n: n.startswith('Completed')), 90,
             'the resumed job to say “Completed” after a new start')
    log(f'ok: the next start followed job {token} to “Completed”')
    run.quit_app()
    check_app_stderr(run, 'signing out')


def unwritable_journal(run):
    data = run.use_data_home('unwritable')
    folder = os.path.join(data, 'coursedrop')
    os.makedirs(folder)
    # Root writes anywhere: a folder in the way of the lock file stops it.
    lock = os.path.join(folder, 'jobs.json.lock')
    os.makedirs(lock)
    week5 = os.path.join(run.tmp, 'Week 5.imscc')
    make_package(week5, 'Week 5')

    run.start_app()
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'Drop course packages here'), 30,
             'the empty page')
    run.open_file(week5)
    run.import_into(CHEMISTRY, 'Introduction to Chemistry')
    # A hidden banner leaves the accessibility tree (AT-SPI's SHOWING state
    # does not follow a GtkRevealer).
    def banner():
        return label_matching(run.frame, lambda n: n.startswith('The job list cannot be saved in '))

    banner_label = wait_for(banner, 30, 'the banner saying the job list cannot be saved')
    if folder not in name(banner_label):
        raise Failure(f'the banner does not name the folder {folder}: {name(banner_label)!r}')
    log(f'ok: banner: “{name(banner_label)}”')
    save = find(run.frame, 'push button', lambda n: n.startswith('Save Again'))
    if save is None:
        raise Failure('no “Save Again” button on the banner')
    if 'Save the job list again' not in (safe(save.get_description, '') or ''):
        raise Failure(f'the banner’s button does not say what it saves: '
                      f'{safe(save.get_description, "")!r}')

    os.rmdir(lock)
    press(save)
    wait_for(lambda: not banner(), 30, 'the banner to go once a save succeeded')
    log('ok: the banner went once the job list was saved')
    run.quit_app()

    # A journal folder that is a file cannot even be read: the failure page.
    data = run.use_data_home('folder-is-a-file')
    with open(os.path.join(data, 'coursedrop'), 'w') as f:
        f.write('not a folder\n')
    run.start_app()
    wait_for(lambda: label_matching(run.frame, lambda n: n == 'The Job History Could Not Be Read'),
             30, 'the failure page for a journal folder that is a file')
    log('ok: a journal folder that is a file: “The Job History Could Not Be Read”')
    run.quit_app()
    check_app_stderr(run, 'the journal')


if __name__ == '__main__':
    try:
        main()
    except Failure as failure:
        log(f'FAIL: {failure}')
        sys.exit(1)
    log('PASS')

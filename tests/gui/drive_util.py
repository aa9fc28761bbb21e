#!/usr/bin/python3
# drive_util.py: what the end-to-end GUI tests (drive.py, drive-*.py) share.
#
# Finding and working controls through AT-SPI, the X11 side through
# xdotool (windows, screenshots, drags), a desktop notification server,
# test packages and the sandbox, the processes a run starts, and the checks
# every run makes: good accessible names, and no CRITICAL or WARNING in
# the app's stderr (app_log.py).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import zipfile

import gi

gi.require_version('Atspi', '2.0')
from gi.repository import Atspi, Gio, GLib  # noqa: E402

import app_log  # noqa: E402

APP = os.environ['COURSEDROP_GUI']
SANDBOX = os.environ['CD_SANDBOX']
OUTDIR = os.environ['CD_TEST_OUTDIR']


class Failure(Exception):
    pass


def log(message):
    print(message, flush=True)


def wait_for(predicate, timeout, what, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise Failure(f'timed out after {timeout} s waiting for {what}')
        time.sleep(interval)


# AT-SPI -------------------------------------------------------------------

def safe(call, default=None):
    try:
        return call()
    except GLib.Error:
        # The node went away while we looked at it.
        return default


def walk(node):
    if node is None:
        return
    yield node
    for i in range(safe(node.get_child_count, 0)):
        yield from walk(safe(lambda: node.get_child_at_index(i)))


def role(node):
    return safe(node.get_role_name, '')


def name(node):
    return safe(node.get_name, '') or ''


def find_app():
    desktop = Atspi.get_desktop(0)
    for i in range(safe(desktop.get_child_count, 0)):
        app = safe(lambda: desktop.get_child_at_index(i))
        if app is not None and name(app).lower() == 'coursedrop':
            return app
    return None


def frames(app, title=None):
    return [f for f in (safe(lambda: app.get_child_at_index(i))
                        for i in range(safe(app.get_child_count, 0)))
            if f is not None and (title is None or name(f) == title)]


def find_all(root, want_role, predicate):
    return [n for n in walk(root) if role(n) == want_role and predicate(name(n))]


def find(root, want_role, predicate):
    for node in walk(root):
        if role(node) == want_role and predicate(name(node)):
            return node
    return None


def label_matching(root, predicate):
    return find(root, 'label', predicate)


def sensitive(node):
    return safe(lambda: node.get_state_set().contains(Atspi.StateType.SENSITIVE), False)


def press_set_up_account(frame, account_window):
    """Presses the no-account page's Set Up Account… until @account_window()
    finds the Account window.  The window shows its loading page first, and
    the button of a page not yet shown is in the tree but ignores a press
    (GTK 4.8's AT-SPI does not keep its SHOWING state up to date)."""
    def pressed():
        button = find(frame, 'push button', lambda n: 'Set Up Account' in n)
        if button is None:
            return None
        press(button)
        try:
            return wait_for(account_window, 2, 'the Account window')
        except Failure:
            return None
    return wait_for(pressed, 20, 'the Account window after Set Up Account…')


def press(node):
    if not safe(lambda: node.do_action(0), False):
        raise Failure(f'could not press “{name(node)}”')


def set_text(node, text):
    if not safe(lambda: Atspi.EditableText.set_text_contents(node, text), False):
        raise Failure(f'could not type into “{name(node)}”')


# X11 ----------------------------------------------------------------------

def xdotool(*args):
    return subprocess.run(['xdotool', *map(str, args)], capture_output=True, text=True,
                          timeout=30)


def window_id(title):
    ids = xdotool('search', '--onlyvisible', '--name', f'^{title}$').stdout.split()
    return ids[-1] if ids else None


def screenshot(name_):
    path = os.path.join(OUTDIR, f'screenshot-{name_}.png')
    subprocess.run(['import', '-window', 'root', path], check=True, timeout=60)
    log(f'screenshot: {path}')


def drag(source, target):
    """Drags with small steps: GTK needs motion events to start the drag."""
    xdotool('mousemove', *source)
    time.sleep(0.3)
    xdotool('mousedown', 1)
    time.sleep(0.2)
    steps = 12
    for i in range(1, steps + 1):
        x = source[0] + (target[0] - source[0]) * i // steps
        y = source[1] + (target[1] - source[1]) * i // steps
        xdotool('mousemove', x, y)
        time.sleep(0.1)
    time.sleep(0.5)
    xdotool('mouseup', 1)
    time.sleep(0.3)


# Notifications ------------------------------------------------------------

NOTIFICATIONS_XML = '''<node>
  <interface name="org.freedesktop.Notifications">
    <method name="Notify">
      <arg type="s" direction="in"/><arg type="u" direction="in"/>
      <arg type="s" direction="in"/><arg type="s" direction="in"/>
      <arg type="s" direction="in"/><arg type="as" direction="in"/>
      <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/>
      <arg type="u" direction="out"/>
    </method>
    <method name="CloseNotification"><arg type="u" direction="in"/></method>
    <method name="GetCapabilities"><arg type="as" direction="out"/></method>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
    </method>
    <signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
    <signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
  </interface>
</node>'''


class NotificationServer(threading.Thread):
    """A desktop notification server on the test's session bus, as GNOME
    Shell would be: it records what the app sends."""

    def __init__(self):
        super().__init__(daemon=True)
        self.received = []
        self.ready = threading.Event()
        self.lock = threading.Lock()
        self.connection = None

    def run(self):
        context = GLib.MainContext.new()
        context.push_thread_default()
        connection = self.connection = Gio.bus_get_sync(Gio.BusType.SESSION, None)
        info = Gio.DBusNodeInfo.new_for_xml(NOTIFICATIONS_XML)
        connection.register_object('/org/freedesktop/Notifications', info.interfaces[0],
                                   self.method_call, None, None)
        connection.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                             'org.freedesktop.DBus', 'RequestName',
                             GLib.Variant('(su)', ('org.freedesktop.Notifications', 4)),
                             None, Gio.DBusCallFlags.NONE, -1, None)
        self.ready.set()
        GLib.MainLoop.new(context, False).run()

    def method_call(self, connection, sender, path, interface, method, parameters, invocation):
        if method == 'Notify':
            _, _, _, summary, body, actions, _, _ = parameters.unpack()
            with self.lock:
                count = len(self.received) + 1
                self.received.append((summary, body, tuple(actions), count))
            invocation.return_value(GLib.Variant('(u)', (count,)))
        elif method == 'GetCapabilities':
            invocation.return_value(GLib.Variant('(as)', (['body', 'actions'],)))
        elif method == 'GetServerInformation':
            invocation.return_value(GLib.Variant('(ssss)', ('test', 'coursedrop', '1', '1.2')))
        else:
            invocation.return_value(None)

    def click(self, notification):
        """What the shell sends when the user clicks the notification."""
        self.connection.emit_signal(None, '/org/freedesktop/Notifications',
                                    'org.freedesktop.Notifications', 'ActionInvoked',
                                    GLib.Variant('(us)', (notification[3], 'default')))

    def find(self, summary, body):
        with self.lock:
            return next((n for n in self.received if n[0] == summary and n[1] == body), None)


# Fixtures -----------------------------------------------------------------

def make_package(path, title):
    manifest = f'''<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="test" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1">
  <metadata><schema>IMS Common Cartridge</schema><schemaversion>1.1.0</schemaversion></metadata>
  <organizations><organization identifier="org" structure="rooted-hierarchy">
    <item identifier="root"><item identifier="i1" identifierref="r1"><title>{title}</title></item></item>
  </organization></organizations>
  <resources><resource identifier="r1" type="webcontent" href="page.html">
    <file href="page.html"/></resource></resources>
</manifest>'''
    with zipfile.ZipFile(path, 'w') as archive:
        archive.writestr('imsmanifest.xml', manifest)
        archive.writestr('page.html', f'<h1>{title}</h1>')


def start_sandbox(workdir):
    stderr = open(os.path.join(workdir, 'sandbox.stderr'), 'w')
    process = subprocess.Popen(
        [SANDBOX, '--port', '0',
         '--timeline', 'UPLOADING:0.5,PROCESSING:1,IMPORTING:1,COMPLETED',
         '--offering-timeline', '777=UPLOADING:0.5,PROCESSING:1,IMPORTFAILED',
         '--offering', '6606:Biology 101;BIO101',
         '--offering', '12345:Introduction to Chemistry;CHEM110',
         '--offering', '777:Broken Course;FAIL777'],
        stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=workdir)
    stderr.close()
    first = process.stdout.readline().strip()
    if not first.startswith('Listening on '):
        raise Failure(f'the sandbox did not start: {first!r}')
    # Keep its pipe drained, so that it never blocks on a full one.
    threading.Thread(target=lambda: process.stdout.read(), daemon=True).start()
    return process, first[len('Listening on '):]


class Processes:
    """The children a run starts, stopped newest first when it ends."""

    def __init__(self):
        self.processes = []

    def spawn(self, argv, **kwargs):
        process = subprocess.Popen(argv, env=self.env, **kwargs)
        self.processes.append(process)
        return process

    def stop_processes(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()


class Run(Processes):
    def __init__(self):
        super().__init__()
        self.tmp = tempfile.mkdtemp(prefix='coursedrop-gui-test-')
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
        self.app = None
        self.app_stderr = os.path.join(self.tmp, 'coursedrop.stderr')

    def cleanup(self):
        self.stop_processes()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def open_in_running_app(self, path):
        """A second `coursedrop FILE` hands the file to the running instance."""
        second = subprocess.run([APP, path], env=self.env, timeout=30,
                                capture_output=True, text=True)
        if second.returncode != 0:
            raise Failure(f'second instance failed: {second.stderr}')
        if app_log.problems(second.stderr):
            raise Failure(app_log.describe('the second instance',
                                           app_log.problems(second.stderr)))

    def offering_field(self):
        return find(self.frame, 'text', lambda n: n.startswith('Course offering ID'))

    def import_button(self):
        return find(self.frame, 'push button',
                    lambda n: 'Import' in n and 'Again' not in n)

    def import_into(self, offering, course_name, course_details=None):
        field = wait_for(self.offering_field, 15, 'the Course offering ID field')
        set_text(field, offering)
        wait_for(lambda: label_matching(self.frame, lambda n: n == course_name), 15,
                 f'the course “{course_name}” to be looked up')
        if course_details is not None:
            wait_for(lambda: label_matching(self.frame, lambda n: n == course_details), 15,
                     f'“{course_details}” under the course')
        button = wait_for(lambda: (b := self.import_button()) and sensitive(b) and b, 90,
                          'the Import button to become sensitive')
        press(button)


NAMED_ROLES = ('push button', 'toggle button', 'check box', 'radio button', 'image', 'text',
               'password text', 'spin button', 'menu button', 'switch', 'list item')


def unmnemonic(text):
    return text.replace('_', '')


def name_problem(text):
    """Why @text is no good as an accessible name, or None."""
    if not text.strip():
        return 'no name'
    if re.search(r'(^|\s)_\w', text):
        return 'a mnemonic underscore'
    words = text.split()
    half = len(words) // 2
    if len(words) % 2 == 0 and half and [unmnemonic(w) for w in words[:half]] == \
            [unmnemonic(w) for w in words[half:]]:
        return 'the label twice'
    return None


def check_accessible_names(root, what):
    """Every control under @root has a name a screen reader can say: not
    empty, no mnemonic underscore, not its label twice; every button of a
    job row says which job it acts on (its description)."""
    problems = []
    checked = 0
    for node in walk(root):
        node_role = role(node)
        if node_role not in NAMED_ROLES:
            continue
        checked += 1
        problem = name_problem(name(node))
        if problem:
            problems.append(f'{node_role} “{name(node)}”: {problem}')
        if node_role == 'list item' and find(node, 'label', lambda n: '→' in n):
            title = name(find(node, 'label', lambda n: '→' in n))
            if not name(node).startswith(title):
                problems.append(f'row “{title}” is named “{name(node)}”')
            for button in find_all(node, 'push button', lambda n: True):
                description = safe(button.get_description, '') or ''
                if title not in name(button) and title not in description:
                    problems.append(f'button “{name(button)}” in the row “{title}” does not '
                                    f'say the job (description “{description}”)')
    if problems:
        raise Failure(f'unnamed or badly named controls in {what}:\n  ' + '\n  '.join(problems))
    log(f'ok: {checked} controls in {what} have good accessible names')


def focused(node):
    return safe(lambda: node.get_state_set().contains(Atspi.StateType.FOCUSED), False)


def focus_in(root):
    return next((n for n in walk(root) if focused(n)), None)


def dismiss_toast(label):
    """Presses the close button of the toast that shows @label."""
    node = label
    for _ in range(4):
        node = safe(node.get_parent)
        if node is None:
            break
        buttons = find_all(node, 'push button', lambda n: True)
        if buttons:
            press(buttons[-1])
            wait_for(lambda: not safe(lambda: label.get_state_set().contains(
                Atspi.StateType.SHOWING), False), 15, 'the toast to close')
            return
    raise Failure(f'no close button on the toast “{name(label)}”')


def expect_inline_error(root, field, text, message_start, button, what):
    """Typing @text into @field shows a label starting with @message_start
    (the reason, next to the field) and leaves @button insensitive."""
    set_text(field, text)
    wait_for(lambda: label_matching(root, lambda n: n.startswith(message_start)), 15,
             f'the inline error for “{text}” in {what}')
    if button is not None and sensitive(button):
        raise Failure(f'“{name(button)}” is sensitive with “{text}” in {what}')
    log(f'ok: “{text}” in {what}: “{message_start}…” next to the field')


def check_app_stderr(run):
    """The teardown check: no CRITICAL or WARNING from the app, ever."""
    lines = app_log.problems_in(run.app_stderr)
    if lines:
        raise Failure(app_log.describe('coursedrop', lines))
    log('ok: coursedrop wrote no CRITICAL or WARNING')


def rows_titled(run, title):
    return [row for row in find_all(run.frame, 'list item', lambda n: True)
            if label_matching(row, lambda n: n == title)]


def failed_row_of(run):
    return next(row for row in find_all(run.frame, 'list item', lambda n: True)
                if label_matching(row, lambda n: n.startswith('Import failed: ')))


def log_files(*paths, tail=None):
    """Logs what each of @paths holds (its last @tail characters), if it exists."""
    for path in paths:
        if os.path.exists(path):
            with open(path) as f:
                text = f.read().rstrip()
            log(f'{os.path.basename(path)}:\n' + (text[-tail:] if tail else text))


def run_driver(run, drive, name_):
    """Runs drive(@run); when it fails, logs a screenshot and what the app
    and the sandbox said, and always cleans @run up."""
    try:
        drive(run)
    except Failure:
        safe_screenshot(f'{name_}-failure')
        log_files(run.app_stderr, os.path.join(run.tmp, 'sandbox.stderr'))
        raise
    finally:
        run.cleanup()


def safe_screenshot(name_):
    try:
        screenshot(name_)
    except (OSError, subprocess.SubprocessError) as error:
        log(f'note: no screenshot: {error}')

# cd_proxy.py: a TCP proxy in front of the sandbox, for the GUI tests.
#
# The sandbox keeps its jobs only while it runs, so a test that needs
# “Brightspace refuses connections, then answers again about the same job”
# cannot stop it.  The proxy can: refuse() closes its port and every
# connection through it (the app gets “connection refused”), accept_again()
# opens the same port again.  drop_answers() lets requests through but
# hangs up instead of passing on the answers: an upload whose whole body
# was sent and whose outcome the app cannot know.  It also records every request line the app
# sends and every connection it opens, with the time, so that a test can
# assert that nothing was sent after some moment; and it can read the app's
# uploads slowly (set_rate()), as a slow network would.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import re
import socket
import threading
import time

# A request line at the start of what the app writes: uploads are zip
# bodies of random bytes, which never look like one.
_REQUEST = re.compile(rb'(GET|POST|PUT|DELETE|PATCH|HEAD) (/\S*) HTTP/1\.[01]\r\n')


class Proxy:
    def __init__(self, target_port):
        self.target = ('127.0.0.1', target_port)
        self.lock = threading.Lock()
        self.requests = []      # (monotonic time, method, path)
        self.connections = []   # monotonic times of accepted connections
        self.rate = None        # bytes per second from the app, None: as fast as it comes
        self.refusing = False
        self.dropping = False
        self.pairs = set()
        self.listener = None
        self.port = 0
        self._listen()
        self.url = f'http://127.0.0.1:{self.port}'

    # Control ---------------------------------------------------------------

    def set_rate(self, rate):
        with self.lock:
            self.rate = rate

    def drop_answers(self, dropping):
        with self.lock:
            self.dropping = dropping

    def refuse(self):
        """Closes the port and every connection: the app is refused."""
        with self.lock:
            self.refusing = True
            listener, self.listener = self.listener, None
            pairs, self.pairs = self.pairs, set()
        _close(listener)
        for pair in pairs:
            for sock in pair:
                _close(sock)

    def accept_again(self):
        with self.lock:
            self.refusing = False
        self._listen()

    def requests_since(self, moment):
        with self.lock:
            return [r for r in self.requests if r[0] >= moment]

    def connections_since(self, moment):
        with self.lock:
            return [c for c in self.connections if c >= moment]

    # Work ------------------------------------------------------------------

    def _listen(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # The same port again after refuse(): the app knows only that one.
        deadline = time.monotonic() + 10
        while True:
            try:
                listener.bind(('127.0.0.1', self.port))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        listener.listen(32)
        self.port = listener.getsockname()[1]
        with self.lock:
            self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self.lock:
                self.connections.append(time.monotonic())
                refusing = self.refusing
            if refusing:
                _close(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=10)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            pair = (client, upstream)
            with self.lock:
                self.pairs.add(pair)
            threading.Thread(target=self._pump, args=(client, upstream, True, pair),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False, pair),
                             daemon=True).start()

    def _pump(self, source, sink, from_app, pair):
        try:
            while True:
                with self.lock:
                    rate = self.rate if from_app else None
                size = 65536 if rate is None else max(1024, rate // 20)
                data = source.recv(size)
                if not data:
                    break
                if not from_app:
                    with self.lock:
                        dropping = self.dropping
                    if dropping:
                        break
                if from_app:
                    now = time.monotonic()
                    with self.lock:
                        for match in _REQUEST.finditer(data):
                            self.requests.append((now, match.group(1).decode(),
                                                  match.group(2).decode(errors='replace')))
                    if rate is not None:
                        time.sleep(len(data) / rate)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self.lock:
                self.pairs.discard(pair)
            _close(source)
            _close(sink)


def _close(sock):
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass

"""Real processes for the serving tests: a service script run by this Python, the host's side played here —
BINDING_ADDRESS, CONFIG_FILE, a NOTIFY_SOCKET to receive READY=1 on, a listening socket handed over as fd 3."""

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

import pytest


def free_port(family=socket.AF_INET, host="127.0.0.1"):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Service:
    """A service process: its output lines, the datagrams it sent to NOTIFY_SOCKET, HTTP to it."""

    def __init__(self, process, host, port, notify):
        self.process = process
        self.host = host
        self.port = port
        self.notify = notify
        self.lines = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.process.stdout:
            with self._changed:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._changed.notify_all()

    def await_line(self, text, timeout=15):
        with self._changed:
            if not self._changed.wait_for(lambda: any(text in line for line in self.lines), timeout):
                raise AssertionError(f"no line with {text!r} within {timeout} s; output:\n" + "\n".join(self.lines))

    def await_ready(self, timeout=15):
        """The next datagram on NOTIFY_SOCKET."""
        self.notify.settimeout(timeout)
        try:
            return self.notify.recv(4096)
        except socket.timeout:
            raise AssertionError("no READY=1 within %s s; output:\n%s" % (timeout, self.output())) from None

    def connection(self, timeout=10):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def get(self, path, timeout=10):
        connection = self.connection(timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def refused_within(self, seconds):
        """Whether connecting is refused (nobody listens any more) within ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                socket.create_connection((self.host, self.port), timeout=1).close()
            except ConnectionRefusedError:
                return True
            time.sleep(0.05)
        return False

    def signal(self, signum=signal.SIGTERM):
        self.process.send_signal(signum)

    def wait(self, timeout=15):
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("still running after %s s; output:\n%s" % (timeout, self.output())) from None
        time.sleep(0.05)  # the reader thread takes the last lines
        return code

    def output(self):
        with self._changed:
            return "\n".join(self.lines)


@pytest.fixture
def run_service(tmp_path):
    """Starts ``script`` (Python source) as a service; returns a :class:`Service`. Keyword arguments: ``config``
    (the JSON text of CONFIG_FILE), ``env`` (more variables), ``inherit`` (a listening socket handed over as fd 3
    with LISTEN_FDS=1), ``host``."""
    started = []
    sockets_dir = tempfile.mkdtemp(prefix="iw-", dir="/tmp")  # a NOTIFY_SOCKET path must stay short

    def run(script, config="{}", env=None, inherit=None, host="127.0.0.1", port=None):
        main = tmp_path / f"service{len(started)}.py"
        main.write_text(textwrap.dedent(script), encoding="utf-8")
        config_file = tmp_path / "config.json"
        config_file.write_text(config, encoding="utf-8")
        notify_path = os.path.join(sockets_dir, f"n{len(started)}")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        if inherit is not None:
            port = inherit.getsockname()[1]
        elif port is None:
            port = free_port(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
        environment = dict(os.environ, PYTHONUNBUFFERED="1", CONFIG_FILE=str(config_file), NOTIFY_SOCKET=notify_path,
                           BINDING_ADDRESS=f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
        for name in ("LISTEN_FDS", "LISTEN_FDNAMES", "LISTEN_PID", "LOG_FORMAT", "APP_MODE"):
            environment.pop(name, None)
        environment.update(env or {})
        kwargs = {}
        if inherit is not None:
            environment["LISTEN_FDS"] = "1"
            environment["LISTEN_FDNAMES"] = "http"
            fd = inherit.fileno()
            kwargs = {"pass_fds": (3,), "preexec_fn": lambda: os.dup2(fd, 3)}
        process = subprocess.Popen([sys.executable, str(main)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=environment, **kwargs)
        service = Service(process, host, port, notify)
        started.append(service)
        return service

    yield run
    for service in started:
        if service.process.poll() is None:
            service.process.kill()
            service.process.wait()
        service.process.stdout.close()
        service.notify.close()
    shutil.rmtree(sockets_dir, ignore_errors=True)


@pytest.fixture
def listening_socket():
    """A listening socket as the host holds it with python.socket: inherit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(4096)
    yield sock
    sock.close()


def read_to_end(sock):
    """Everything the peer sends until it closes the connection."""
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def handover_through_backlog(run_service, listening_socket, script, request):
    """The host's inherited socket across two processes: the first serves fd 3 and stops; a connection made while
    nobody serves waits in the socket's backlog; the second process answers it. Returns what the first process
    answered to GET / and the raw answer of the second to ``request``."""
    first = run_service(script, inherit=listening_socket, config='{"v": 1}')
    first.await_ready()
    status, data = first.get("/")
    assert status == 200
    first.signal()
    assert first.wait() == 0

    waiting = socket.create_connection(("127.0.0.1", first.port), timeout=10)
    waiting.sendall(request)
    second = run_service(script, inherit=listening_socket, config='{"v": 2}')
    second.await_ready()
    answer = read_to_end(waiting)
    waiting.close()
    second.signal()
    assert second.wait() == 0
    return data, answer


class Slow:
    """A request in flight on a thread of its own: its status and body, or the error it ended with."""

    def __init__(self, service, path):
        self.result = None
        self.thread = threading.Thread(target=self._run, args=(service, path), daemon=True)
        self.thread.start()

    def _run(self, service, path):
        try:
            self.result = service.get(path, timeout=20)
        except Exception as e:  # reset, closed: what a client would see
            self.result = e

    def join(self, timeout=20):
        self.thread.join(timeout)
        return self.result


@pytest.fixture
def slow():
    return Slow

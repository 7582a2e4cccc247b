"""The standard library's HTTP server under the host: :func:`serve_http` and :class:`AddressesHandlerMixin`.

::

    from http.server import BaseHTTPRequestHandler
    import isp_wrapper

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"hello"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    isp_wrapper.serve_http(Handler)
"""

from __future__ import annotations

import logging
import os
import selectors
import signal
import socket
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple, Type, Union
from urllib.parse import urlsplit

from . import _config
from ._addresses import MAX_BODY, PATH, Addresses, Reply, method_not_allowed, too_large
from ._addresses import addresses as _process_addresses
from ._env import BindingAddress, binding_address, inherited_socket
from ._logs import setup_logging
from ._notify import notify_ready

log = logging.getLogger("isp_wrapper")

__all__ = ["AddressesHandlerMixin", "serve_http"]

#: How long a stop waits for connections accepted just before it to send their request.
SETTLE = 0.5


class AddressesHandlerMixin:
    """Answers ``POST /receive_module_addresses`` before a ``BaseHTTPRequestHandler``'s own ``do_POST`` sees
    it. Put it first among the bases::

        class Handler(AddressesHandlerMixin, BaseHTTPRequestHandler):
            ...

    ``addresses`` (a class attribute) is where the lists go: the process's :data:`isp_wrapper.addresses` when
    ``None``. :func:`serve_http` adds the mixin by itself.
    """

    addresses: Optional[Addresses] = None
    addresses_path: str = PATH

    def parse_request(self) -> bool:
        if not super().parse_request():  # type: ignore[misc]
            return False
        handler: Any = self
        if urlsplit(handler.path).path != self.addresses_path:
            return True
        self._answer_addresses(handler)
        handler.wfile.flush()  # handle_one_request flushes only after a do_* method
        return False  # answered: no do_* method for this request

    def _answer_addresses(self, handler: Any) -> None:
        store = self.addresses if self.addresses is not None else _process_addresses
        method = handler.command
        length = (handler.headers.get("Content-Length") or "").strip()
        if method != "POST":
            reply = method_not_allowed(method)
        elif handler.headers.get("Transfer-Encoding") or not length.isdigit():
            reply = Reply.of(411, "Length Required", "Content-Length is required")
        elif int(length) > MAX_BODY:
            reply = too_large(int(length))
        else:
            body = handler.rfile.read(int(length)) if int(length) else b""
            reply = store.handle(method, handler.headers.get("Content-Type"), body)
        if reply.status != 200 and not (method == "POST" and reply.status in (400, 415)):
            handler.close_connection = True  # a body may be left unread
        handler.send_response(reply.status, reply.reason)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(reply.body)))
        if reply.status == 405:
            handler.send_header("Allow", "POST")
        handler.end_headers()
        handler.wfile.write(reply.body)


_FRESH, _BUSY, _IDLE = "fresh", "busy", "idle"  # a connection before its first request, in one, between two


class _DrainingHandler(BaseHTTPRequestHandler):
    """Tells the server which connections are in a request, and ends keep-alive connections once it stops."""

    server: "_DrainingServer"

    def handle(self) -> None:
        self.server.connection_state(self, _FRESH)
        try:
            self.close_connection = True
            self.handle_one_request()
            while not self.close_connection and not self.server.draining:
                self.server.connection_state(self, _IDLE)
                self.handle_one_request()
        finally:
            self.server.connection_state(self, None)

    def parse_request(self) -> bool:
        self.server.connection_state(self, _BUSY)
        return super().parse_request()

    def end_headers(self) -> None:
        if self.server.draining and not self.close_connection:
            self.send_header("Connection", "close")
        super().end_headers()


class _DrainingServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that serves until a signal, then stops accepting and finishes what is in flight."""

    daemon_threads = True

    def __init__(self, binding: BindingAddress, handler: Type[BaseHTTPRequestHandler],
                 inherited: Optional[socket.socket]) -> None:
        self.address_family = socket.AF_INET6 if ":" in binding.host else socket.AF_INET
        self.draining = False
        self._states: Dict[BaseHTTPRequestHandler, str] = {}
        self._changed = threading.Condition()
        super().__init__((binding.host, binding.port), handler, bind_and_activate=inherited is None)
        if inherited is not None:
            self.socket.close()
            self.socket = inherited
            self.server_address = inherited.getsockname()
            self.server_name, self.server_port = binding.host, binding.port

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # HTTPServer's would look the host name up in DNS
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def connection_state(self, handler: BaseHTTPRequestHandler, state: Optional[str]) -> None:
        with self._changed:
            if state is None:
                self._states.pop(handler, None)
            else:
                self._states[handler] = state
            self._changed.notify_all()

    def serve_until_signal(self, on_ready: Optional[Callable[[], Any]], where: str) -> int:
        """Accepts connections until SIGTERM or SIGINT; returns the signal."""
        stopped: List[int] = []
        wake_r, wake_w = socket.socketpair()
        wake_r.setblocking(False)
        wake_w.setblocking(False)

        def on_signal(signum: int, frame: Any) -> None:
            stopped.append(signum)
            try:
                wake_w.send(b"\0")
            except OSError:
                pass

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.socket.setblocking(False)
            with selectors.DefaultSelector() as selector:
                selector.register(self.socket, selectors.EVENT_READ)
                selector.register(wake_r, selectors.EVENT_READ)
                if on_ready is not None:
                    on_ready()
                notify_ready()
                log.info("serving %s (pid %d)", where, os.getpid())
                while not stopped:
                    for key, _ in selector.select():
                        if key.fileobj is wake_r:
                            _drain_pipe(wake_r)
                        else:
                            self._accept()
            return stopped[0]
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            wake_r.close()
            wake_w.close()

    def _accept(self) -> None:
        try:
            connection, address = self.socket.accept()
        except (BlockingIOError, InterruptedError):
            return  # another process sharing the socket took it
        except OSError as e:
            log.warning("accept failed: %s", e)
            time.sleep(0.05)  # e.g. out of file descriptors: do not spin
            return
        connection.setblocking(True)
        if self.verify_request(connection, address):
            self.process_request(connection, address)
        else:
            self.shutdown_request(connection)

    def drain(self, grace: float) -> None:
        """Stops accepting, gives connections accepted a moment ago the time to send their request, closes the
        ones between requests, and waits up to ``grace`` seconds in all for the requests in flight."""
        start = time.monotonic()
        deadline = start + grace
        self.socket.close()  # this process's copy: an inherited socket stays open in the host
        with self._changed:
            self.draining = True
            busy = sum(1 for state in self._states.values() if state == _BUSY)
            log.info("stopping: finishing %d request(s) in flight (grace %.1f s)", busy, grace,
                     extra={"inFlight": busy})
            self._changed.wait_for(lambda: _FRESH not in self._states.values(),
                                   max(0.0, min(deadline, start + SETTLE) - time.monotonic()))
            for handler, state in list(self._states.items()):
                if state != _BUSY:
                    try:
                        handler.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
            if not self._changed.wait_for(lambda: not self._states, max(0.0, deadline - time.monotonic())):
                log.error("%d request(s) still running after the grace period (%.1f s): stopping without them",
                          len(self._states), grace)


def serve_http(handler_class: Type[BaseHTTPRequestHandler], *, grace: float = 4.0,
               on_ready: Optional[Callable[[], Any]] = None, addresses: Union[Addresses, bool] = True,
               log_format: Optional[str] = None, log_level: Union[str, int, None] = None) -> None:
    """Serves ``handler_class`` (a ``BaseHTTPRequestHandler`` subclass, one thread per connection) under the
    host, until SIGTERM or SIGINT; then returns, so that a script ending there exits with code 0::

        isp_wrapper.serve_http(Handler)

    - listens on ``BINDING_ADDRESS`` (IPv6 too), or serves the host's socket (fd 3) when ``LISTEN_FDS=1``;
    - answers ``POST /receive_module_addresses`` into ``isp_wrapper.addresses`` (or the :class:`Addresses`
      given; ``addresses=False`` leaves the path to the handler);
    - calls ``on_ready()`` once it accepts connections, then sends ``READY=1`` to ``NOTIFY_SOCKET``;
    - on SIGTERM stops accepting, lets the requests in flight finish (keep-alive connections end after their
      current response) for at most ``grace`` seconds — keep it below the host's ``python.stopTimeout`` (5 s)
      — and returns;
    - with ``log_format`` (``"json"``, ``"text"``, ``"auto"``) sets logging up as
      :func:`isp_wrapper.setup_logging` does, at ``log_level``.

    Must run in the main thread (it handles the signals). Raises :class:`isp_wrapper.BindingError` when
    ``BINDING_ADDRESS`` or the inherited socket is wrong.
    """
    if not (isinstance(handler_class, type) and issubclass(handler_class, BaseHTTPRequestHandler)):
        raise TypeError(f"serve_http(): expected a BaseHTTPRequestHandler subclass, got {handler_class!r}")
    if grace < 0:
        raise ValueError(f"serve_http(): grace must be >= 0 seconds, got {grace}")
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("serve_http() must run in the main thread: it handles SIGTERM")
    if log_format is not None:
        setup_logging(log_format, log_level)
    binding = binding_address()
    inherited = inherited_socket()
    _config.prime()
    bases: Tuple[type, ...] = (_DrainingHandler,)
    namespace: Dict[str, Any] = {}
    if addresses is not False:
        bases += (AddressesHandlerMixin,)
        namespace["addresses"] = addresses if isinstance(addresses, Addresses) else None
    handler = type(handler_class.__name__, bases + (handler_class,), namespace)
    server = _DrainingServer(binding, handler, inherited)
    where = f"the inherited socket (fd 3) for {binding}" if inherited is not None else str(binding)
    try:
        server.serve_until_signal(on_ready, where)
        server.drain(grace)
    finally:
        server.socket.close()
    log.info("stopped (pid %d)", os.getpid())


def _drain_pipe(sock: socket.socket) -> None:
    try:
        while sock.recv(64):
            pass
    except (BlockingIOError, InterruptedError):
        pass


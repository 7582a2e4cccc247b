"""What the host hands the child through its environment: the binding address and the inherited socket."""

from __future__ import annotations

import os
import socket
import threading
from typing import Mapping, NamedTuple, Optional

from ._errors import BindingError

# Wire names, exactly as the host sets them.
BINDING_ADDRESS = "BINDING_ADDRESS"
CONFIG_FILE = "CONFIG_FILE"
LISTEN_FDS = "LISTEN_FDS"
LISTEN_FDNAMES = "LISTEN_FDNAMES"
LISTEN_PID = "LISTEN_PID"
NOTIFY_SOCKET = "NOTIFY_SOCKET"
# systemd's convention: passed sockets start at fd 3 (SD_LISTEN_FDS_START).
LISTEN_FDS_START = 3


class BindingAddress(NamedTuple):
    """Where the service listens: ``host`` without brackets (``"::1"``, ``"127.0.0.1"``; ``""`` for every
    interface) and ``port``. ``str()`` gives it back in ``BINDING_ADDRESS`` form (``[::1]:9003``)."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def binding_address(environ: Optional[Mapping[str, str]] = None) -> BindingAddress:
    """The address in ``BINDING_ADDRESS``, parsed.

    ``"127.0.0.1:9003"`` gives ``BindingAddress("127.0.0.1", 9003)``, ``"[::]:9003"`` gives
    ``BindingAddress("::", 9003)``. Raises :class:`BindingError` naming the variable when it is missing or is
    not ``host:port``.
    """
    env = os.environ if environ is None else environ
    value = env.get(BINDING_ADDRESS, "").strip()
    if not value:
        raise BindingError(
            f"{BINDING_ADDRESS} is not set: the host (isp-python-wrapper) sets it to the host:port the service "
            f"listens on; to run the service alone, set it yourself, e.g. {BINDING_ADDRESS}=127.0.0.1:9003")
    return parse_binding_address(value)


def parse_binding_address(value: str) -> BindingAddress:
    """``host:port`` (an IPv6 host in brackets) as a :class:`BindingAddress`; :class:`BindingError` if not."""
    expected = f"{BINDING_ADDRESS} must be host:port (an IPv6 host in brackets, e.g. [::1]:9003), got {value!r}"
    if value.startswith("["):
        end = value.find("]")
        if end < 0 or not value[end + 1:].startswith(":"):
            raise BindingError(expected)
        host, port = value[1:end], value[end + 2:]
        if not host:
            raise BindingError(expected)
    else:
        host, sep, port = value.rpartition(":")
        if not sep or ":" in host or "[" in host or "]" in host:
            raise BindingError(expected)
    if not port.isdigit() or not port.isascii() or int(port) > 65535:
        raise BindingError(f"{BINDING_ADDRESS}: the port must be a number from 0 to 65535, got {value!r}")
    return BindingAddress(host, int(port))


_claim_lock = threading.Lock()
_claimed: Optional[socket.socket] = None


def inherited_socket() -> Optional[socket.socket]:
    """The listening socket the host hands over with ``python.socket: inherit`` (fd 3, ``LISTEN_FDS=1``), or
    ``None`` when there is none: then bind ``BINDING_ADDRESS`` yourself.

    Every call returns the same socket object. The first one takes the socket over as systemd's
    ``sd_listen_fds(1)`` does: it removes ``LISTEN_FDS``, ``LISTEN_FDNAMES`` and ``LISTEN_PID`` from
    ``os.environ`` and marks fd 3 close-on-exec, so that processes the service starts do not take it for theirs.
    ``LISTEN_PID`` is not checked: under ``uv run`` it could only name uv. Raises :class:`BindingError` when
    ``LISTEN_FDS`` is set but fd 3 is not a listening TCP socket::

        sock = isp_wrapper.inherited_socket()
        if sock is not None:
            server = uvicorn.Server(uvicorn.Config(app))
            server.run(sockets=[sock])
    """
    global _claimed
    with _claim_lock:
        if _claimed is not None:
            return _claimed
        value = os.environ.get(LISTEN_FDS, "").strip()
        if not value:
            return None
        if not value.isdigit() or int(value) < 1:
            raise BindingError(f"{LISTEN_FDS} must be the number of passed sockets (1), got {value!r}")
        if int(value) != 1:
            raise BindingError(f"{LISTEN_FDS}={value}: one listening socket (fd {LISTEN_FDS_START}) is supported")
        try:
            sock = socket.socket(fileno=LISTEN_FDS_START)
        except OSError as e:
            raise BindingError(f"{LISTEN_FDS}=1 but fd {LISTEN_FDS_START} is not a socket "
                               f"({e.strerror or e})") from None
        try:
            listening = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        except OSError:
            listening = 1  # platforms without SO_ACCEPTCONN: trust the host
        if sock.type != socket.SOCK_STREAM or not listening:
            sock.detach()  # not ours to close
            raise BindingError(f"{LISTEN_FDS}=1 but fd {LISTEN_FDS_START} is not a listening TCP socket")
        sock.set_inheritable(False)
        for name in (LISTEN_FDS, LISTEN_FDNAMES, LISTEN_PID):
            os.environ.pop(name, None)
        _claimed = sock
        return sock

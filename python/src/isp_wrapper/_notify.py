"""systemd's ``sd_notify`` protocol, as far as the host uses it: ``READY=1`` to ``NOTIFY_SOCKET``."""

from __future__ import annotations

import logging
import os
import socket

from ._env import NOTIFY_SOCKET

log = logging.getLogger("isp_wrapper")


def notify_ready() -> bool:
    """Tells the host that the service serves: sends ``READY=1`` to ``NOTIFY_SOCKET`` (``python.readiness:
    notify``). Call it once the service accepts and answers requests — :func:`isp_wrapper.serve` and
    :func:`isp_wrapper.serve_http` do.

    Returns ``True`` when the message went out, ``False`` when ``NOTIFY_SOCKET`` is not set (nothing to do) or
    the message could not be sent (logged: the host then replaces the service after ``python.startTimeout``).
    ``NOTIFY_SOCKET`` is a path or, as in systemd, an abstract socket name starting with ``@``::

        server.start()                 # your own server, listening
        isp_wrapper.notify_ready()
    """
    return _notify("READY=1")


def _notify(state: str) -> bool:
    target = os.environ.get(NOTIFY_SOCKET, "")
    if not target:
        return False
    if target.startswith("@"):
        address = "\0" + target[1:]  # abstract namespace (Linux)
    elif target.startswith("/"):
        address = target
    else:
        log.error("%s must be an absolute path or an abstract socket name (@name), got %r: %s not sent",
                  NOTIFY_SOCKET, target, state)
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(state.encode("utf-8"), address)
        return True
    except OSError as e:
        log.error("cannot send %s to %s=%s: %s", state, NOTIFY_SOCKET, target, e.strerror or e)
        return False

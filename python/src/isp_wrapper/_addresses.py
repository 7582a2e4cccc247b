"""The addresses of the required modules: the newest host list of each, and ``POST /receive_module_addresses``."""

from __future__ import annotations

import json
import logging
import re
import threading
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple, TypeVar, overload

from ._convert import describe

log = logging.getLogger("isp_wrapper")

#: The path the host posts the host lists to.
PATH = "/receive_module_addresses"
#: The largest body accepted (the host's own limit for a config-service message is 4 MiB).
MAX_BODY = 4 * 1024 * 1024

_EXPECTED = 'expected {"module": "<name>", "hosts": ["host:port", ...]}'
_HOST = re.compile(r"(?:\[[0-9A-Za-z:.%_-]+\]|[^\s\[\]/:@]+):([0-9]{1,5})\Z")

Callback = Callable[[str, List[str]], Any]
C = TypeVar("C", bound=Callback)


class Reply(NamedTuple):
    """What to answer to ``POST /receive_module_addresses``: a status, its reason and a JSON body
    (``{"ok": true}``, or ``{"error": "<why>"}``). A ``405`` is answered with ``Allow: POST``."""

    status: int
    reason: str
    body: bytes

    @staticmethod
    def of(status: int, reason: str, error: Optional[str] = None) -> "Reply":
        payload: Dict[str, Any] = {"ok": True} if error is None else {"error": error}
        return Reply(status, reason, json.dumps(payload).encode("utf-8"))


OK = Reply.of(200, "OK")


def method_not_allowed(method: str) -> Reply:
    return Reply.of(405, "Method Not Allowed", f"{PATH} accepts POST, not {method}")


def too_large(length: int) -> Reply:
    return Reply.of(413, "Payload Too Large", f"the body is {length} bytes, more than {MAX_BODY}")


def parse_body(body: bytes) -> Tuple[str, List[str]]:
    """The module and its hosts from a request body; ``ValueError`` with the reason when it is not exactly
    ``{"module": "<name>", "hosts": ["host:port", ...]}`` (other keys are ignored)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"the body is not UTF-8 (byte {e.start})") from None
    if not text.strip():
        raise ValueError(f"the body is empty; {_EXPECTED}")
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise ValueError(f"the body is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    except ValueError as e:  # a duplicate key, NaN
        raise ValueError(f"the body is not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{_EXPECTED}, got {describe(data)}")
    if "module" not in data:
        raise ValueError("module: required key is missing")
    module = data["module"]
    if not isinstance(module, str):
        raise ValueError(f"module: expected a string, got {describe(module)}")
    if not module.strip():
        raise ValueError("module: must not be empty")
    if "hosts" not in data:
        raise ValueError("hosts: required key is missing")
    hosts = data["hosts"]
    if not isinstance(hosts, list):
        raise ValueError(f'hosts: expected a list of "host:port" strings, got {describe(hosts)}')
    for i, host in enumerate(hosts):
        check_host(host, f"hosts[{i}]")
    return module, list(hosts)


def check_host(host: Any, key: str) -> None:
    if not isinstance(host, str):
        raise ValueError(f'{key}: expected a "host:port" string, got {describe(host)}')
    match = _HOST.match(host)
    if match is None or not 1 <= int(match.group(1)) <= 65535:
        raise ValueError(f'{key}: expected "host:port" (port 1-65535, an IPv6 host in brackets), '
                         f"got {json.dumps(host[:100], ensure_ascii=False)}")


def _unique_keys(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    result: Dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {json.dumps(key)} appears twice")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class Addresses:
    """The newest host list (``["10.0.0.7:9011", ...]``) of each required module, as the host delivers them to
    ``POST /receive_module_addresses``, and the functions to call when one changes. Thread-safe.

    ``isp_wrapper.addresses`` is the process's instance; :func:`isp_wrapper.serve` and
    :func:`isp_wrapper.serve_http` answer the endpoint with it, and :mod:`isp_wrapper.asgi`,
    :mod:`isp_wrapper.wsgi` and :mod:`isp_wrapper.httpserver` add it to other apps::

        import isp_wrapper

        hosts = isp_wrapper.addresses.get("isp-auth-service")     # None until the host has sent them
        hosts = isp_wrapper.addresses.wait("isp-auth-service", timeout=10)   # blocks (not in async code)

        @isp_wrapper.addresses.on_change(module="isp-auth-service")
        def auth_moved(module: str, hosts: list[str]) -> None:
            client.reconnect(hosts)

    The host delivers each module's list again to every new process and whenever it changes; the callbacks run
    when a module's list differs from the one held (the first list of a module included), on the thread that
    received the request (the event loop's, for an ASGI app: keep them short). An exception in a callback is
    logged; the list is kept all the same.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._hosts: Dict[str, Tuple[str, ...]] = {}
        self._callbacks: List[Tuple[Optional[str], Callback]] = []

    def get(self, module: str, default: Optional[List[str]] = None) -> Optional[List[str]]:
        """The newest host list of ``module`` (a new list), or ``default`` if none has arrived yet."""
        with self._condition:
            hosts = self._hosts.get(module)
        return default if hosts is None else list(hosts)

    def __getitem__(self, module: str) -> List[str]:
        hosts = self.get(module)
        if hosts is None:
            raise KeyError(f"no addresses of module {module!r} have arrived (yet) at {PATH}")
        return hosts

    def __contains__(self, module: object) -> bool:
        with self._condition:
            return module in self._hosts

    def __iter__(self) -> Iterator[str]:
        with self._condition:
            return iter(list(self._hosts))

    def __len__(self) -> int:
        with self._condition:
            return len(self._hosts)

    def all(self) -> Dict[str, List[str]]:
        """Every module's newest host list (a new dict)."""
        with self._condition:
            return {module: list(hosts) for module, hosts in self._hosts.items()}

    def wait(self, module: str, timeout: Optional[float] = None) -> List[str]:
        """The host list of ``module``, waiting for the first one to arrive (at most ``timeout`` seconds, then
        ``TimeoutError``). Blocks the calling thread: not for ``async`` code."""
        with self._condition:
            if not self._condition.wait_for(lambda: module in self._hosts, timeout):
                raise TimeoutError(f"no addresses of module {module!r} arrived at {PATH} within {timeout} s")
            return list(self._hosts[module])

    @overload
    def on_change(self, callback: C, *, module: Optional[str] = None) -> C:
        ...

    @overload
    def on_change(self, callback: None = None, *, module: Optional[str] = None) -> Callable[[C], C]:
        ...

    def on_change(self, callback: Optional[Callback] = None, *, module: Optional[str] = None) -> Any:
        """Calls ``callback(module, hosts)`` whenever a module's host list changes (only ``module``'s, if
        given). Usable as a decorator, with or without arguments; returns the callback."""
        def register(function: C) -> C:
            with self._condition:
                self._callbacks.append((module, function))
            return function

        return register if callback is None else register(callback)

    def remove_on_change(self, callback: Callback) -> None:
        """Stops calling ``callback`` (every registration of it)."""
        with self._condition:
            self._callbacks = [(m, c) for (m, c) in self._callbacks if c is not callback]

    def update(self, module: str, hosts: Sequence[str]) -> bool:
        """Holds ``hosts`` as the newest list of ``module``; returns whether it changed (and the callbacks ran).
        ``ValueError`` if a host is not ``"host:port"``. The endpoint's handlers call this."""
        if not isinstance(module, str) or not module.strip():
            raise ValueError("module: must be a non-empty string")
        new = tuple(hosts)
        for i, host in enumerate(new):
            check_host(host, f"hosts[{i}]")
        with self._condition:
            changed = self._hosts.get(module) != new
            self._hosts[module] = new
            callbacks = [c for (m, c) in self._callbacks if m is None or m == module] if changed else []
            self._condition.notify_all()
        if changed:
            log.info("addresses of %s: %s", module, ", ".join(new) or "(none)",
                     extra={"requiredModule": module, "hosts": list(new)})
        for callback in callbacks:
            try:
                callback(module, list(new))
            except Exception:
                log.exception("a callback for the addresses of %s failed: %r", module, callback)
        return changed

    def handle(self, method: str, content_type: Optional[str], body: bytes) -> Reply:
        """Answers one ``POST /receive_module_addresses``: checks the method, the ``Content-Type``
        (``application/json``) and the body, holds the list. For frameworks the package has no adapter for::

            reply = isp_wrapper.addresses.handle(request.method, request.headers.get("content-type"), body)
            return Response(reply.body, status=reply.status, media_type="application/json")
        """
        if method.upper() != "POST":
            return method_not_allowed(method)
        media_type = (content_type or "").split(";", 1)[0].strip().lower()
        if media_type != "application/json":
            return Reply.of(415, "Unsupported Media Type",
                            f"Content-Type must be application/json, got {content_type or 'none'}")
        if len(body) > MAX_BODY:
            return too_large(len(body))
        try:
            module, hosts = parse_body(body)
        except ValueError as e:
            log.warning("rejected a request to %s: %s", PATH, e)
            return Reply.of(400, "Bad Request", str(e))
        self.update(module, hosts)
        return OK

    def clear(self) -> None:
        """Forgets every list (the callbacks stay). For tests."""
        with self._condition:
            self._hosts.clear()

    def __repr__(self) -> str:
        return f"Addresses({self.all()!r})"


#: The process's addresses: what the host posted last for each required module.
addresses = Addresses()

"""``POST /receive_module_addresses`` for WSGI apps (Flask, Django, Bottle…): no dependencies::

    from flask import Flask
    from isp_wrapper.wsgi import AddressesMiddleware

    app = Flask(__name__)
    app.wsgi_app = AddressesMiddleware(app.wsgi_app)   # Django: application = AddressesMiddleware(application)

Serve the app on ``BINDING_ADDRESS`` (or ``gunicorn --bind fd://3`` with ``LISTEN_FDS=1``), and drain on SIGTERM:
gunicorn's graceful stop does (``--graceful-timeout 4``, below the host's 5 s).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from ._addresses import MAX_BODY, PATH, Addresses, Reply, method_not_allowed, too_large
from ._addresses import addresses as _process_addresses

StartResponse = Callable[..., Any]
WSGIApp = Callable[[Dict[str, Any], StartResponse], Iterable[bytes]]

__all__ = ["AddressesMiddleware", "addresses_app"]


def addresses_app(addresses: Optional[Addresses] = None) -> WSGIApp:
    """A WSGI app answering ``POST /receive_module_addresses`` (at whatever path it is mounted) into
    ``addresses`` (the process's :data:`isp_wrapper.addresses` by default)."""
    store = addresses if addresses is not None else _process_addresses

    def app(environ: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method != "POST":
            reply = method_not_allowed(method)
        else:
            length = str(environ.get("CONTENT_LENGTH") or "").strip()
            if not length.isdigit():
                reply = Reply.of(411, "Length Required", "Content-Length is required")
            elif int(length) > MAX_BODY:
                reply = too_large(int(length))
            else:
                body = environ["wsgi.input"].read(int(length)) if int(length) else b""
                reply = store.handle(method, environ.get("CONTENT_TYPE"), body)
        headers: List[Tuple[str, str]] = [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(reply.body)))]
        if reply.status == 405:
            headers.append(("Allow", "POST"))
        start_response(f"{reply.status} {reply.reason}", headers)
        return [reply.body]

    return app


class AddressesMiddleware:
    """Wraps a WSGI app: requests to ``path`` (``/receive_module_addresses``) are answered here, every other
    request goes to ``app``."""

    def __init__(self, app: WSGIApp, *, addresses: Optional[Addresses] = None, path: str = PATH) -> None:
        self.app = app
        self.path = path
        self.endpoint = addresses_app(addresses)

    def __call__(self, environ: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == self.path:
            return self.endpoint(environ, start_response)
        return self.app(environ, start_response)

"""``POST /receive_module_addresses`` for ASGI apps (FastAPI, Starlette, Litestar, Quart…): no dependencies.

:func:`isp_wrapper.serve` adds :class:`AddressesMiddleware` by itself. Under another server, add it yourself::

    from fastapi import FastAPI
    from isp_wrapper.asgi import AddressesMiddleware

    app = FastAPI()
    app.add_middleware(AddressesMiddleware)          # or: app = AddressesMiddleware(app)

or, in Starlette's (or FastAPI's) routing, as a route::

    from starlette.applications import Starlette
    from isp_wrapper.asgi import addresses_route

    app = Starlette(routes=[addresses_route(), ...])
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, MutableMapping, Optional

from ._addresses import MAX_BODY, PATH, Addresses, Reply, method_not_allowed, too_large
from ._addresses import addresses as _process_addresses

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

__all__ = ["AddressesEndpoint", "AddressesMiddleware", "addresses_route"]


class AddressesEndpoint:
    """An ASGI app that answers ``POST /receive_module_addresses`` (whatever the path it is mounted at) into
    ``addresses`` (the process's :data:`isp_wrapper.addresses` by default)."""

    def __init__(self, addresses: Optional[Addresses] = None) -> None:
        self.addresses = addresses if addresses is not None else _process_addresses

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise RuntimeError(f"{PATH} serves HTTP, not {scope['type']}")
        headers: Dict[bytes, bytes] = {}
        for name, value in scope.get("headers", ()):
            headers.setdefault(name.lower(), value)
        method = scope.get("method", "GET")
        if method != "POST":
            await _respond(send, method_not_allowed(method))
            return
        declared = headers.get(b"content-length", b"").decode("latin-1").strip()
        if declared.isdigit() and int(declared) > MAX_BODY:
            await _respond(send, too_large(int(declared)))
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY:
                await _respond(send, too_large(len(body)))
                return
        content_type = headers.get(b"content-type")
        reply = self.addresses.handle(method, None if content_type is None else content_type.decode("latin-1"),
                                      bytes(body))
        await _respond(send, reply)


class AddressesMiddleware:
    """Wraps an ASGI app: requests to ``path`` (``/receive_module_addresses``) are answered by an
    :class:`AddressesEndpoint`, every other request (and lifespan, WebSocket) goes to ``app``."""

    def __init__(self, app: ASGIApp, *, addresses: Optional[Addresses] = None, path: str = PATH) -> None:
        self.app = app
        self.path = path
        self.endpoint = AddressesEndpoint(addresses)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") == self.path:
            await self.endpoint(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def addresses_route(addresses: Optional[Addresses] = None, path: str = PATH) -> Any:
    """A Starlette ``Route`` for ``POST /receive_module_addresses`` (needs Starlette, which FastAPI includes):
    ``Starlette(routes=[addresses_route()])``, or ``app.router.routes.append(addresses_route())`` in FastAPI."""
    from starlette.routing import Route

    return Route(path, AddressesEndpoint(addresses), methods=["POST"], name="receive_module_addresses")


async def _respond(send: Send, reply: Reply) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(reply.body)).encode())]
    if reply.status == 405:
        headers.append((b"allow", b"POST"))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})

"""``serve(app)``: an ASGI app under uvicorn, on the host's terms."""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import signal
import socket
import threading
from typing import Any, Callable, List, Optional, Union, cast

from . import _config
from ._addresses import Addresses
from ._env import binding_address, inherited_socket
from ._logs import level_of, setup_logging
from ._notify import notify_ready

log = logging.getLogger("isp_wrapper")

#: How long a stop waits for connections accepted just before it to send their request.
SETTLE = 0.5
# uvicorn.Config options that serve() decides: where to listen, how many processes, how long to drain.
_DECIDED = {
    "host": "the address comes from BINDING_ADDRESS",
    "port": "the address comes from BINDING_ADDRESS",
    "fd": "the inherited socket (LISTEN_FDS=1) is used by itself",
    "uds": "the address comes from BINDING_ADDRESS",
    "workers": "one process serves: the host supervises it",
    "reload": "the host restarts the service when its config changes",
    "timeout_graceful_shutdown": "use grace=",
}


def serve(app: Any, *, grace: float = 4.0, on_ready: Optional[Callable[[], Any]] = None,
          addresses: Union[Addresses, bool] = True, log_format: Optional[str] = None,
          log_level: Union[str, int, None] = None, **uvicorn_options: Any) -> None:
    """Runs an ASGI app (FastAPI, Starlette…) with uvicorn under the host, until SIGTERM or SIGINT; then
    returns, so that a script ending there exits with code 0. Needs uvicorn: ``uv add "isp-wrapper[fastapi]"``
    (or ``[starlette]``, ``[uvicorn]``).

    ::

        from fastapi import FastAPI
        import isp_wrapper

        config = isp_wrapper.config()
        app = FastAPI()

        @app.get("/hello")
        async def hello() -> dict:
            return {"greeting": config["greeting"], "auth": isp_wrapper.addresses.get("isp-auth-service")}

        if __name__ == "__main__":
            isp_wrapper.serve(app, log_format="auto", log_level=config.get("logLevel"))

    - listens on ``BINDING_ADDRESS`` (``host:port``, an IPv6 host in brackets), or serves the host's socket
      (fd 3) when ``LISTEN_FDS=1`` (``python.socket: inherit``);
    - answers ``POST /receive_module_addresses`` into ``isp_wrapper.addresses`` (or the :class:`Addresses`
      given) ahead of the app; ``addresses=False`` leaves the path to the app;
    - once it really serves (the app's lifespan startup done, the socket accepting), calls ``on_ready()`` and
      sends ``READY=1`` to ``NOTIFY_SOCKET`` (``python.readiness: notify``);
    - on SIGTERM stops accepting, gives connections accepted a moment before the time to send their request,
      lets the requests in flight finish (keep-alive connections close after their current response), and
      cancels what still runs after ``grace`` seconds — 4 by default: keep it below the host's
      ``python.stopTimeout`` (5 s), after which the host kills the process group; then the app's lifespan
      shutdown runs (keep it short);
    - with ``log_format`` (``"json"``, ``"text"`` or ``"auto"``: as the host decides for itself) logs in the
      host's format — uvicorn's lines too — at ``log_level`` (``debug``, ``info``, ``warn``, ``error``,
      ``fatal``: a config's ``logLevel``); without it, uvicorn's own logging at ``log_level``.

    ``app`` may be an import string (``"main:app"``). Other keyword arguments go to ``uvicorn.Config``
    (``access_log=False``, ``proxy_headers``, ``limit_concurrency``…), except those this function decides
    (``host``, ``port``, ``fd``, ``uds``, ``workers``, ``reload``, ``timeout_graceful_shutdown``). Must run in
    the main thread. Raises :class:`isp_wrapper.BindingError` when ``BINDING_ADDRESS`` or the inherited socket
    is wrong; exits with code 3 (uvicorn's) when the app's startup fails or the address is taken.
    """
    try:
        import uvicorn
    except ImportError:
        raise ImportError('isp_wrapper.serve() runs the app with uvicorn, which is not installed: '
                          'uv add "isp-wrapper[fastapi]" (or [starlette], [uvicorn])') from None
    for name in uvicorn_options:
        if name in _DECIDED:
            raise TypeError(f"serve(): {name} is not an option here: {_DECIDED[name]}")
    if grace < 0:
        raise ValueError(f"serve(): grace must be >= 0 seconds, got {grace}")
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("serve() must run in the main thread: it handles SIGTERM")
    level = level_of(log_level)
    if log_format is not None:
        setup_logging(log_format, level)
        uvicorn_options["log_config"] = None  # uvicorn's loggers propagate to the root's handler
    binding = binding_address()
    inherited = inherited_socket()
    _config.prime()
    if isinstance(app, str):
        from uvicorn.importer import import_from_string

        app = import_from_string(app)
    if addresses is not False:
        app = _with_addresses(app, addresses if isinstance(addresses, Addresses) else None,
                              uvicorn_options.get("interface", "auto"))
    if inherited is not None:
        # asyncio calls listen() again on a socket it is given: keep the host's backlog.
        uvicorn_options.setdefault("backlog", 4096)
    config = uvicorn.Config(app, host=binding.host, port=binding.port, timeout_graceful_shutdown=cast(Any, grace),
                            log_level=level, **uvicorn_options)
    where = f"the inherited socket (fd 3) for {binding}" if inherited is not None else str(binding)
    server = _server_class(uvicorn)(config, grace=grace, on_ready=on_ready, where=where)
    previous = {sig: signal.signal(sig, server.early_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.run(sockets=[inherited] if inherited is not None else None)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("stopped (pid %d)", os.getpid())


def _with_addresses(app: Any, store: Optional[Addresses], interface: str) -> Any:
    if interface == "wsgi":
        from .wsgi import AddressesMiddleware as WsgiAddresses

        return WsgiAddresses(app, addresses=store)
    call = app if inspect.isfunction(app) else getattr(app, "__call__", None)
    if interface == "asgi2" or inspect.isclass(app) or not inspect.iscoroutinefunction(call):
        log.warning("the app is not an ASGI 3 app: POST /receive_module_addresses is left to it")
        return app
    from .asgi import AddressesMiddleware

    return AddressesMiddleware(app, addresses=store)


_classes: List[Any] = []


def _server_class(uvicorn: Any) -> Any:
    """uvicorn's Server, telling the host when it serves and draining connections accepted just before a stop.
    Built at the first call: importing isp_wrapper does not import uvicorn."""
    if _classes:
        return _classes[0]

    class Server(uvicorn.Server):  # type: ignore[misc]
        def __init__(self, config: Any, *, grace: float, on_ready: Optional[Callable[[], Any]], where: str):
            super().__init__(config)
            self.grace = grace
            self.on_ready = on_ready
            self.where = where
            self.early = False

        def early_signal(self, signum: int, frame: Any) -> None:
            # SIGTERM while uvicorn's handlers are not installed: before it serves (then it stops at once once
            # it would start), or after (uvicorn re-raises the signal it stopped for: nothing left to do).
            self.early = True
            self.should_exit = True

        async def startup(self, sockets: Optional[List[socket.socket]] = None) -> None:
            if self.early:
                self.should_exit = True
            await super().startup(sockets=sockets)
            if self.started and not self.should_exit:
                if self.on_ready is not None:
                    self.on_ready()
                notify_ready()
                log.info("serving %s (pid %d)", self.where, os.getpid())

        async def shutdown(self, sockets: Optional[List[socket.socket]] = None) -> None:
            loop = asyncio.get_running_loop()
            start = loop.time()
            for server in getattr(self, "servers", []):
                server.close()  # stop accepting; an inherited socket stays open in the host
            for sock in sockets or []:
                sock.close()
            in_flight = len(self.server_state.tasks)
            log.info("stopping: finishing %d request(s) in flight (grace %.1f s)", in_flight, self.grace,
                     extra={"inFlight": in_flight})
            # A connection accepted just before the stop whose request has not been read yet would be closed
            # as idle by uvicorn (the client would see a reset): give it a moment to send its request.
            settle = start + min(SETTLE, self.grace)
            while loop.time() < settle and any(getattr(c, "cycle", True) is None
                                               for c in list(self.server_state.connections)):
                await asyncio.sleep(0.005)
            self.config.timeout_graceful_shutdown = max(0.0, self.grace - (loop.time() - start) - 0.1)
            await super().shutdown(sockets=None)

    _classes.append(Server)
    return Server

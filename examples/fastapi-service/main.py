"""An example FastAPI service for isp-python-wrapper-kit.

The Java host starts it with `uv run main.py` and provides:
  BINDING_ADDRESS  "host:port" to listen on (an IPv6 host comes in brackets: "[::]:9003");
  CONFIG_FILE      the JSON remote config; read once here, the host restarts the process when it changes;
  LISTEN_FDS=1     with python.socket: inherit — the host's listening socket is fd 3: serve it, do not bind;
  NOTIFY_SOCKET    with python.readiness: notify — send READY=1 there once serving (systemd's sd_notify).
It also posts the addresses of the required modules to POST /receive_module_addresses.
"""
import json
import logging
import os
import signal
import socket
import sys
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, Field

# Config "logLevel" (isp-kit names) -> Python logging / uvicorn names.
LOG_LEVELS = {"debug": "debug", "info": "info", "warn": "warning", "error": "error", "fatal": "critical"}
# Config values whose key contains one of these are masked in GET /api/fastapi-service/info.
SECRET_MARKERS = ("password", "secret", "token")

log = logging.getLogger("fastapi-service")


class ModuleAddresses(BaseModel):
    module: str = Field(min_length=1)
    hosts: list[str]


class GreetRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class GreetResponse(BaseModel):
    message: str
    pid: int


def parse_binding_address(value: str) -> tuple[str, int]:
    """"127.0.0.1:9003" -> ("127.0.0.1", 9003); "[::]:9003" -> ("::", 9003)."""
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"BINDING_ADDRESS must be host:port, got {value!r}")
    return host.removeprefix("[").removesuffix("]"), int(port)


def mask_secrets(value: Any) -> Any:
    """A copy of a JSON value with every value under a secret-looking key replaced by "***"."""
    if isinstance(value, dict):
        return {
            key: "***" if any(marker in key.lower() for marker in SECRET_MARKERS) else mask_secrets(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_secrets(item) for item in value]
    return value


def create_app(config: dict[str, Any]) -> FastAPI:
    app = FastAPI(title="fastapi-service")
    # The newest host list of every required module. The handlers are `async def`, so they all run on the
    # event loop thread and need no lock.
    module_addresses: dict[str, list[str]] = {}
    greeting = config.get("greeting", "Hello")

    @app.post("/receive_module_addresses")
    async def receive_module_addresses(body: ModuleAddresses) -> dict[str, Any]:
        module_addresses[body.module] = body.hosts
        log.info("addresses of %s: %s", body.module, body.hosts)
        return {"ok": True}

    @app.post("/api/fastapi-service/greet")
    async def greet(body: GreetRequest) -> GreetResponse:
        return GreetResponse(message=f"{greeting}, {body.name}!", pid=os.getpid())

    @app.get("/health")
    async def health() -> dict[str, str]:
        # The host's liveness check (python.liveness.path in conf/config.yml): answered by the event loop, so a
        # blocked loop fails it and the host replaces the process.
        return {"status": "ok"}

    @app.get("/api/fastapi-service/info")
    async def info() -> dict[str, Any]:
        return {"pid": os.getpid(), "config": mask_secrets(config), "moduleAddresses": module_addresses}

    return app


def notify_ready() -> None:
    """sd_notify("READY=1"), when the host asks for it (python.readiness: notify)."""
    if os.environ.get("NOTIFY_SOCKET"):
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
            notify.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])


class NotifyingServer(uvicorn.Server):
    """uvicorn's server, telling the host once it serves."""

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        notify_ready()


def main() -> None:
    host, port = parse_binding_address(os.environ["BINDING_ADDRESS"])
    with open(os.environ["CONFIG_FILE"], encoding="utf-8") as f:
        config = json.load(f)

    level = LOG_LEVELS.get(str(config.get("logLevel", "info")).lower(), "info")
    # One format for our and uvicorn's loggers (log_config=None below: uvicorn's loggers propagate to the root).
    logging.basicConfig(level=level.upper(), stream=sys.stdout,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    # SIGTERM reaches this process once (the host signals uv, which forwards it, and the rest of the group).
    # While serving, uvicorn's own handler takes it: it stops accepting and finishes open requests (at most
    # timeout_graceful_shutdown seconds). Afterwards uvicorn re-raises the signal to the handler installed
    # here, which ends the process with exit code 0 instead of "killed by SIGTERM" (143). A SIGTERM that
    # arrives before uvicorn is serving ends the process at once the same way.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))

    # timeout_graceful_shutdown: open requests get 3 s, well within the host's 5 s before SIGKILL.
    server = NotifyingServer(uvicorn.Config(create_app(config), host=host, port=port, log_config=None,
                                            log_level=level, timeout_graceful_shutdown=3))
    if os.environ.get("LISTEN_FDS") == "1":
        # python.socket: inherit: the host holds the socket across restarts; connections wait in its backlog.
        log.info("pid %d serving the inherited socket (fd 3) for %s:%d, greeting=%r, log level %s",
                 os.getpid(), host, port, config.get("greeting"), level)
        server.run(sockets=[socket.socket(fileno=3)])
    else:
        log.info("pid %d listening on %s:%d, greeting=%r, log level %s",
                 os.getpid(), host, port, config.get("greeting"), level)
        server.run()


if __name__ == "__main__":
    main()

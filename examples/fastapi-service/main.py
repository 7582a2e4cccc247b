"""An example FastAPI service for isp-python-wrapper-kit.

The Java host starts it with `uv run main.py` and provides:
  BINDING_ADDRESS  "host:port" to listen on (an IPv6 host comes in brackets: "[::]:9003");
  CONFIG_FILE      the JSON remote config; read once here, the host restarts the process when it changes.
It also posts the addresses of the required modules to POST /receive_module_addresses.
"""
import json
import logging
import os
import signal
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

    @app.get("/api/fastapi-service/info")
    async def info() -> dict[str, Any]:
        return {"pid": os.getpid(), "config": mask_secrets(config), "moduleAddresses": module_addresses}

    return app


def main() -> None:
    host, port = parse_binding_address(os.environ["BINDING_ADDRESS"])
    with open(os.environ["CONFIG_FILE"], encoding="utf-8") as f:
        config = json.load(f)

    level = LOG_LEVELS.get(str(config.get("logLevel", "info")).lower(), "info")
    # One format for our and uvicorn's loggers (log_config=None below: uvicorn's loggers propagate to the root).
    logging.basicConfig(level=level.upper(), stream=sys.stdout,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    # SIGTERM reaches this process twice (the host signals the whole process group and `uv` forwards it).
    # While serving, uvicorn's own handler takes both: it stops accepting, finishes open requests (at most
    # timeout_graceful_shutdown seconds) and ignores the repeat. Afterwards uvicorn re-raises the signal to
    # the handler installed here, which ends the process with exit code 0 instead of "killed by SIGTERM"
    # (143). A SIGTERM that arrives before uvicorn is serving ends the process at once the same way.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))

    log.info("pid %d listening on %s:%d, greeting=%r, log level %s",
             os.getpid(), host, port, config.get("greeting"), level)
    # timeout_graceful_shutdown: open requests get 3 s, well within the host's 5 s before SIGKILL.
    uvicorn.run(create_app(config), host=host, port=port, log_config=None, log_level=level,
                timeout_graceful_shutdown=3)


if __name__ == "__main__":
    main()

"""An example FastAPI service for isp-python-wrapper-kit. isp_wrapper keeps the host's contract (CONFIG_FILE,
POST /receive_module_addresses, BINDING_ADDRESS or fd 3, READY=1, a drain on SIGTERM); the rest is the service's."""
import os
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

import isp_wrapper

SECRET_MARKERS = ("password", "secret", "token")  # keys whose values GET /api/fastapi-service/info masks

config = isp_wrapper.config()
app = FastAPI(title="fastapi-service")


class GreetRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class GreetResponse(BaseModel):
    message: str
    pid: int


def masked(value: Any) -> Any:
    """A copy of a JSON value with every value under a secret-looking key replaced by "***"."""
    if isinstance(value, dict):
        return {k: "***" if any(m in k.lower() for m in SECRET_MARKERS) else masked(v) for k, v in value.items()}
    return [masked(item) for item in value] if isinstance(value, list) else value


@app.post("/api/fastapi-service/greet")
async def greet(body: GreetRequest) -> GreetResponse:
    return GreetResponse(message=f"{config.get('greeting', 'Hello')}, {body.name}!", pid=os.getpid())


@app.get("/health")  # the host's liveness check (python.liveness.path in conf/config.yml)
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/api/fastapi-service/info")
async def info() -> dict[str, Any]:
    return {"pid": os.getpid(), "config": masked(config), "moduleAddresses": isp_wrapper.addresses.all()}


if __name__ == "__main__":
    isp_wrapper.serve(app, log_format="auto", log_level=config.get("logLevel", "info"))

"""The Python side of isp-python-wrapper-kit: a service under the Java host, right by default.

The host (``isp-python-wrapper``) runs ``uv run main.py`` with ``BINDING_ADDRESS`` and ``CONFIG_FILE``, posts the
addresses of the required modules to ``POST /receive_module_addresses``, restarts the service when its config
changes and stops it with SIGTERM (SIGKILL 5 s later). A complete service::

    from fastapi import FastAPI
    import isp_wrapper

    config = isp_wrapper.config()               # CONFIG_FILE: the remote config, numbers exact
    app = FastAPI()

    @app.get("/api/my-service/hello")
    async def hello() -> dict:
        return {"greeting": config["greeting"],
                "auth": isp_wrapper.addresses.get("isp-auth-service")}   # the newest host list

    if __name__ == "__main__":
        isp_wrapper.serve(app)                  # BINDING_ADDRESS or fd 3, READY=1, drains on SIGTERM

The standard library's HTTP server instead of an ASGI app: :func:`serve_http`. Pieces for those who run their
own server: :func:`binding_address`, :func:`inherited_socket`, :func:`notify_ready`, and the
``/receive_module_addresses`` handlers in :mod:`isp_wrapper.asgi`, :mod:`isp_wrapper.wsgi` and
:mod:`isp_wrapper.httpserver`.
"""

from ._addresses import PATH as ADDRESSES_PATH
from ._addresses import Addresses, addresses
from ._config import config
from ._env import BindingAddress, binding_address, inherited_socket
from ._errors import BindingError, ConfigError, ConfigProblem, Error
from ._logs import JsonFormatter, setup_logging
from ._notify import notify_ready
from ._serve import serve
from .httpserver import serve_http

__version__ = "0.1.0"

__all__ = [
    "ADDRESSES_PATH",
    "Addresses",
    "BindingAddress",
    "BindingError",
    "ConfigError",
    "ConfigProblem",
    "Error",
    "JsonFormatter",
    "addresses",
    "binding_address",
    "config",
    "inherited_socket",
    "notify_ready",
    "serve",
    "serve_http",
    "setup_logging",
]

"""The remote config: the JSON file ``CONFIG_FILE``, numbers exact."""

from __future__ import annotations

import json
import os
import threading
from decimal import Decimal
from typing import Any, Callable, Dict, Optional, Type, TypeVar, Union, overload

from ._convert import describe, into_model
from ._env import CONFIG_FILE
from ._errors import ConfigError, ConfigProblem

T = TypeVar("T")
PathLike = Union[str, "os.PathLike[str]"]

_lock = threading.Lock()
_texts: Dict[str, str] = {}  # CONFIG_FILE's path -> its text, read once per process


@overload
def config(*, parse_float: Callable[[str], Any] = ..., file: Optional[PathLike] = ...) -> Dict[str, Any]:
    ...


@overload
def config(model: Type[T], *, parse_float: Callable[[str], Any] = ..., file: Optional[PathLike] = ...) -> T:
    ...


def config(model: Optional[Type[Any]] = None, *, parse_float: Callable[[str], Any] = Decimal,
           file: Optional[PathLike] = None) -> Any:
    """The service's remote config, from the JSON file named by ``CONFIG_FILE``.

    Without a model, a ``dict`` with the numbers exactly as written: integers as ``int`` (any size), every
    other number as ``decimal.Decimal`` (``0.1`` stays ``Decimal("0.1")``, ``1e400`` stays ``Decimal("1E+400")``),
    or as whatever ``parse_float`` makes of its text (``parse_float=float``). With a model — a pydantic model
    (``pip install "isp-wrapper[pydantic]"``) or a dataclass — the config validated into it::

        import dataclasses
        import isp_wrapper

        @dataclasses.dataclass
        class Database:
            host: str
            port: int = 5432

        @dataclasses.dataclass
        class Config:
            greeting: str
            database: Database
            log_level: str = "info"          # matches the key "logLevel" (case and underscores ignored)

        settings = isp_wrapper.config(Config)    # or a pydantic BaseModel
        raw = isp_wrapper.config()               # {"greeting": "Hello", "database": {...}, ...}

    The host's file is read once per process, at the first call, and kept: the host restarts the service on
    every change, and with ``python.readiness: notify`` it writes the next config while this process still
    serves. ``file`` reads another file instead (each call reads it again).

    Raises :class:`ConfigError` naming the variable, the file and, for a model, every key that does not fit
    (``CONFIG_FILE=/app/config.json: database.port: expected an integer, got "x"``).
    """
    if file is None:
        path = os.environ.get(CONFIG_FILE, "")
        if not path:
            raise ConfigError(None, [ConfigProblem("", (
                f"{CONFIG_FILE} is not set: the host (isp-python-wrapper) sets it to the path of the service's "
                f"remote config, a JSON file; to run the service alone, point it at one, "
                f"e.g. {CONFIG_FILE}=conf/config.json"))])
        source = f"{CONFIG_FILE}={path}"
        with _lock:
            text = _texts.get(path)
            if text is None:
                text = _texts[path] = _read(path, source)
    else:
        path = os.fspath(file)
        source = path
        text = _read(path, source)
    data = parse(text, source, parse_float)
    if model is None:
        return data
    return into_model(model, data, source)


def prime() -> None:
    """Reads ``CONFIG_FILE`` now, if it is set and readable, so that a later :func:`config` gets this process's
    config even after the host has written the next one (errors are left for that call)."""
    try:
        config()
    except ConfigError:
        pass


def _read(path: str, source: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        raise ConfigError(source, [ConfigProblem("", "the file does not exist")]) from None
    except IsADirectoryError:
        raise ConfigError(source, [ConfigProblem("", "is a directory, not a JSON file")]) from None
    except UnicodeDecodeError as e:
        raise ConfigError(source, [ConfigProblem("", f"the file is not UTF-8 text (byte {e.start})")]) from None
    except OSError as e:
        raise ConfigError(source, [ConfigProblem("", f"cannot read the file: {e.strerror or e}")]) from None


def parse(text: str, source: Optional[str], parse_float: Callable[[str], Any] = Decimal) -> Dict[str, Any]:
    """The config's JSON text as a dict, numbers exact (see :func:`config`)."""
    try:
        data = json.loads(text, parse_float=parse_float, parse_int=_parse_int, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise ConfigError(source, [ConfigProblem("", f"invalid JSON at line {e.lineno}, column {e.colno}: "
                                                     f"{e.msg}")]) from None
    except ValueError as e:
        raise ConfigError(source, [ConfigProblem("", f"invalid JSON: {e}")]) from None
    if not isinstance(data, dict):
        raise ConfigError(source, [ConfigProblem("", f"expected a JSON object, got {describe(data)}")])
    return data


def _parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # more digits than int() parses (sys.get_int_max_str_digits): exact all the same
        return int(Decimal(text))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")

"""Logging in the host's format: one JSON object per line on stderr, or readable lines on a terminal."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from decimal import Decimal
from typing import Any, List, Optional, TextIO, Union

# isp-kit's level names (a config's "logLevel") and Python's, to Python's levels.
_LEVELS = {"trace": 5, "debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING,
           "warning": logging.WARNING, "error": logging.ERROR, "fatal": logging.CRITICAL,
           "critical": logging.CRITICAL}
# Python's levels as the host (Logback) names them.
_HOST_LEVELS = ((logging.ERROR, "ERROR"), (logging.WARNING, "WARN"), (logging.INFO, "INFO"),
                (logging.DEBUG, "DEBUG"))
# Attributes every LogRecord has: the rest came in through `extra=` and are written as fields.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "color_message",
                                                                        "taskName"}
FORMATS = ("json", "text", "auto")


def level_of(level: Union[str, int, None]) -> int:
    """A level as Python's number: isp-kit's names (``debug``, ``info``, ``warn``, ``error``, ``fatal``),
    Python's (``warning``, ``critical``) in any case, or a number. ``None`` is ``info``."""
    if level is None:
        return logging.INFO
    if isinstance(level, int) and not isinstance(level, bool):
        return level
    name = str(level).strip().lower()
    if name not in _LEVELS:
        raise ValueError(f"unknown log level {level!r}: expected one of debug, info, warn, error, fatal")
    return _LEVELS[name]


def format_of(log_format: str) -> str:
    """``json`` or ``text`` for ``log_format``; ``auto`` decides as the host does: ``LOG_FORMAT`` if set, else
    text with ``APP_MODE=dev`` or when stderr is a terminal, else JSON."""
    chosen = log_format.strip().lower()
    if chosen not in FORMATS:
        raise ValueError(f"log_format must be one of {', '.join(FORMATS)}, got {log_format!r}")
    if chosen != "auto":
        return chosen
    forced = os.environ.get("LOG_FORMAT", "").strip().lower()
    if forced in ("json", "text"):
        return forced
    if os.environ.get("APP_MODE", "").strip().lower() == "dev":
        return "text"
    try:
        return "text" if sys.stderr.isatty() else "json"
    except (AttributeError, ValueError):
        return "json"


class JsonFormatter(logging.Formatter):
    """One JSON object per line, as the host writes its own: ``time`` (UTC), ``message``, ``logger``,
    ``thread``, ``level`` (``DEBUG``, ``INFO``, ``WARN``, ``ERROR``), ``pid``, then the record's ``extra=``
    fields (numbers and booleans as such, lists and objects as their JSON text, the rest as strings), and
    ``stackTrace`` for an exception."""

    def format(self, record: logging.LogRecord) -> str:
        seconds = int(record.created)
        micros = int(round((record.created - seconds) * 1e6))
        if micros >= 1_000_000:
            seconds, micros = seconds + 1, micros - 1_000_000
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{micros:06d}000Z"
        fields: List[str] = [
            f'"time":"{stamp}"',
            '"message":' + _string(record.getMessage()),
            '"logger":' + _string(record.name),
            '"thread":' + _string(record.threadName or ""),
            '"level":' + _string(_host_level(record.levelno)),
            f'"pid":{record.process}',
        ]
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                fields.append(_string(key) + ":" + _value(value))
        if record.exc_info:
            fields.append('"stackTrace":' + _string(self.formatException(record.exc_info)))
        elif record.stack_info:
            fields.append('"stackTrace":' + _string(self.formatStack(record.stack_info)))
        return "{" + ",".join(fields) + "}"


class TextFormatter(logging.Formatter):
    """Readable lines, as the host's on a terminal: ``10:00:00.123 INFO  logger - message``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s.%(msecs)03d %(hostlevel)-5s %(name)s - %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        record.hostlevel = _host_level(record.levelno)
        return super().format(record)


def setup_logging(log_format: str = "auto", level: Union[str, int, None] = None,
                  stream: Optional[TextIO] = None) -> None:
    """Sends every logger's records (uvicorn's included) to ``stream`` (stderr) in the host's format::

        isp_wrapper.setup_logging("json", isp_wrapper.config().get("logLevel"))

    ``log_format``: ``json`` (one object per line, the host's fields), ``text``, or ``auto`` (as the host
    chooses for itself: see :func:`format_of`). ``level``: isp-kit's names (``debug``, ``info``, ``warn``,
    ``error``, ``fatal``: a config's ``logLevel``), Python's, or a number; ``None`` is ``info``. Replaces the
    root logger's handlers.
    """
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if format_of(log_format) == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level_of(level))


def _host_level(levelno: int) -> str:
    for threshold, name in _HOST_LEVELS:
        if levelno >= threshold:
            return name
    return "TRACE"


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _value(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:
            return _string("a very large integer")
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else _string(repr(value))
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else _string(str(value))
    if isinstance(value, (list, tuple, dict)):
        try:
            return _string(json.dumps(value, ensure_ascii=False, default=str))
        except (TypeError, ValueError):
            return _string(repr(value))
    return _string(str(value))

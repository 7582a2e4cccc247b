"""Logging in the host's format."""

import io
import json
import logging
from decimal import Decimal

import pytest

import isp_wrapper
from isp_wrapper._logs import format_of, level_of


@pytest.fixture
def restore_root():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_json_lines_carry_the_hosts_fields_and_typed_extras(restore_root):
    out = io.StringIO()
    isp_wrapper.setup_logging("json", "debug", stream=out)

    logging.getLogger("svc").warning("say \"hi\"\n%s", "there", extra={
        "gone": None, "count": 3, "ready": True, "ratio": Decimal("0.10"), "hosts": ["a:1"], "obj": object})
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("svc").exception("failed")

    first, second = [json.loads(line) for line in out.getvalue().splitlines()]
    assert list(first)[:6] == ["time", "message", "logger", "thread", "level", "pid"]
    assert first["message"] == 'say "hi"\nthere' and first["logger"] == "svc" and first["level"] == "WARN"
    assert first["thread"] == "MainThread" and isinstance(first["pid"], int)
    assert first["gone"] is None and first["count"] == 3 and first["ready"] is True and first["hosts"] == '["a:1"]'
    assert '"ratio":0.10' in out.getvalue()
    assert second["level"] == "ERROR" and second["stackTrace"].startswith("Traceback") and "ValueError: boom" in \
        second["stackTrace"]


def test_levels_take_isp_kit_names():
    assert [level_of(n) for n in ("debug", "info", "warn", "error", "fatal", "WARNING", None, 15)] == [
        10, 20, 30, 40, 50, 30, 20, 15]
    with pytest.raises(ValueError, match="unknown log level 'loud': expected one of debug, info, warn, error, fatal"):
        level_of("loud")


def test_auto_chooses_as_the_host_does(monkeypatch):
    monkeypatch.delenv("APP_MODE", raising=False)
    monkeypatch.setenv("LOG_FORMAT", "text")
    assert format_of("auto") == "text"
    monkeypatch.delenv("LOG_FORMAT")
    monkeypatch.setenv("APP_MODE", "dev")
    assert format_of("auto") == "text"
    monkeypatch.delenv("APP_MODE")
    assert format_of("auto") == "json"  # stderr is not a terminal under pytest
    assert format_of("text") == "text"
    with pytest.raises(ValueError, match="log_format must be one of json, text, auto, got 'xml'"):
        format_of("xml")


def test_text_lines_are_readable(restore_root):
    out = io.StringIO()
    isp_wrapper.setup_logging("text", "info", stream=out)

    logging.getLogger("svc").info("hello")
    logging.getLogger("svc").debug("hidden")

    assert out.getvalue().endswith(" INFO  svc - hello\n") and "hidden" not in out.getvalue()

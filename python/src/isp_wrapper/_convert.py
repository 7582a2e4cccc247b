"""A config dict into a model: a pydantic model (v2 or v1) or a dataclass, every problem named by its key."""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import json
import sys
import typing
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple, Union

from ._errors import ConfigError, ConfigProblem

if sys.version_info >= (3, 10):
    from types import UnionType
else:  # pragma: no cover - Python 3.9
    UnionType = None

_FAILED = object()
_SEQUENCES = (list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.MutableSequence,
              collections.abc.Set, collections.abc.MutableSet, collections.abc.Collection, collections.abc.Iterable)
_MAPPINGS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)


def describe(value: Any) -> str:
    """A JSON value for an error message: ``"x"``, ``3``, ``null``, ``a list``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 60 else value[:57] + "...", ensure_ascii=False)
    if isinstance(value, (int, Decimal, float)):
        try:
            text = str(value)
        except ValueError:  # an int of more digits than str() writes
            return "a very large integer"
        return text if len(text) <= 40 else text[:37] + "..."
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def key_of(location: Any) -> str:
    """``("database", "port")`` as ``database.port``; ``("hosts", 2)`` as ``hosts[2]``."""
    key = ""
    for part in location:
        if isinstance(part, int) and not isinstance(part, bool):
            key += f"[{part}]"
        else:
            key = f"{key}.{part}" if key else str(part)
    return key


def into_model(model: Any, data: Dict[str, Any], source: Optional[str]) -> Any:
    """``data`` validated into ``model``; :class:`ConfigError` listing every problem, each with its key."""
    if _is_pydantic(model):
        problems: List[ConfigProblem] = []
        result = _pydantic(model, data, "", problems)
        if problems:
            raise ConfigError(source, problems)
        return result
    if isinstance(model, type) and dataclasses.is_dataclass(model):
        converter = _Converter()
        result = converter.value(model, data, "")
        if converter.problems:
            raise ConfigError(source, converter.problems)
        return result
    raise TypeError(f"config(model): expected a pydantic model class or a dataclass, got {model!r}")


def _is_pydantic(tp: Any) -> bool:
    return isinstance(tp, type) and (hasattr(tp, "model_validate") or
                                     (hasattr(tp, "parse_obj") and hasattr(tp, "__fields__")))


def _pydantic(model: Any, value: Any, key: str, problems: List[ConfigProblem]) -> Any:
    validate = getattr(model, "model_validate", None) or model.parse_obj  # pydantic 2, else 1
    try:
        return validate(value)
    except Exception as e:  # pydantic.ValidationError, without importing pydantic
        errors = getattr(e, "errors", None)
        if type(e).__name__ != "ValidationError" or not callable(errors):
            raise
        for error in errors():
            location = key_of(error.get("loc", ()))
            where = f"{key}.{location}" if key and location and not location.startswith("[") else key + location
            if error.get("type") in ("missing", "value_error.missing"):
                message = "required key is missing"
            else:
                message = str(error.get("msg", "invalid"))
                if "input" in error:
                    message += f" (got {describe(error['input'])})"
            problems.append(ConfigProblem(where, message))
        return _FAILED


def _normalized(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


class _Converter:
    """Checks a JSON value against a type hint, building dataclasses; collects problems instead of stopping."""

    def __init__(self) -> None:
        self.problems: List[ConfigProblem] = []

    def fail(self, key: str, message: str) -> Any:
        self.problems.append(ConfigProblem(key, message))
        return _FAILED

    def value(self, tp: Any, value: Any, key: str) -> Any:
        if tp is Any or tp is object:
            return value
        if tp is None or tp is type(None):
            return None if value is None else self.fail(key, f"expected null, got {describe(value)}")
        supertype = getattr(tp, "__supertype__", None)  # typing.NewType
        if supertype is not None:
            return self.value(supertype, value, key)
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin is Union or (UnionType is not None and origin is UnionType):
            return self.union(args, value, key)
        if origin is typing.Literal:
            if any(value == arg and type(value) is type(arg) for arg in args):
                return value
            return self.fail(key, f"expected one of {', '.join(describe(a) for a in args)}, got {describe(value)}")
        if origin in _SEQUENCES or tp in (list, tuple, set, frozenset):
            return self.sequence(origin or tp, args, value, key)
        if origin in _MAPPINGS or tp is dict:
            return self.mapping(args, value, key)
        if tp is bool:
            return value if isinstance(value, bool) else self.fail(key, f"expected true or false, got "
                                                                        f"{describe(value)}")
        if tp is int:
            return self.integer(value, key)
        if tp is float:
            return self.floating(value, key)
        if tp is Decimal:
            if isinstance(value, Decimal):
                return value
            if isinstance(value, int) and not isinstance(value, bool):
                return Decimal(value)
            if isinstance(value, float):
                return Decimal(repr(value))
            return self.fail(key, f"expected a number, got {describe(value)}")
        if tp is str:
            return value if isinstance(value, str) else self.fail(key, f"expected a string, got {describe(value)}")
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            try:
                return tp(value)
            except ValueError:
                allowed = ", ".join(describe(member.value) for member in tp)
                return self.fail(key, f"expected one of {allowed}, got {describe(value)}")
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            return self.dataclass(tp, value, key)
        if _is_pydantic(tp):
            return _pydantic(tp, value, key, self.problems)
        if isinstance(tp, type):
            if isinstance(value, tp):
                return value
            return self.fail(key, f"expected {tp.__name__}, got {describe(value)}")
        raise TypeError(f"config(model): cannot check a value of type {tp!r} (key {key or '(root)'})")

    def union(self, args: Tuple[Any, ...], value: Any, key: str) -> Any:
        if value is None and type(None) in args:
            return None
        options = [arg for arg in args if arg is not type(None)]
        for option in options:
            trial = _Converter()
            result = trial.value(option, value, key)
            if not trial.problems:
                return result
        if len(options) == 1:  # Optional[X]: X's own problem says more
            return self.value(options[0], value, key)
        names = " or ".join(getattr(o, "__name__", str(o)) for o in options)
        return self.fail(key, f"expected {names}, got {describe(value)}")

    def integer(self, value: Any, key: str) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            return int(value)  # 1.0, 1E+3: integers written as decimals
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return self.fail(key, f"expected an integer, got {describe(value)}")

    def floating(self, value: Any, key: str) -> Any:
        if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
            try:
                return float(value)
            except OverflowError:
                return self.fail(key, f"too large for a float: {describe(value)}")
        return self.fail(key, f"expected a number, got {describe(value)}")

    def sequence(self, container: Any, args: Tuple[Any, ...], value: Any, key: str) -> Any:
        if not isinstance(value, list):
            return self.fail(key, f"expected a list, got {describe(value)}")
        if container is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
            if len(args) != len(value):
                return self.fail(key, f"expected a list of {len(args)} items, got {len(value)}")
            items = [self.value(tp, item, f"{key}[{i}]") for i, (tp, item) in enumerate(zip(args, value))]
        else:
            item_type = args[0] if args else Any
            items = [self.value(item_type, item, f"{key}[{i}]") for i, item in enumerate(value)]
        if any(item is _FAILED for item in items):
            return _FAILED
        if container is tuple:
            return tuple(items)
        if container in (set, collections.abc.Set, collections.abc.MutableSet):
            return set(items)
        if container is frozenset:
            return frozenset(items)
        return items

    def mapping(self, args: Tuple[Any, ...], value: Any, key: str) -> Any:
        if not isinstance(value, dict):
            return self.fail(key, f"expected an object, got {describe(value)}")
        key_type, value_type = args if len(args) == 2 else (Any, Any)
        if key_type not in (str, Any):
            raise TypeError(f"config(model): object keys are strings, not {key_type!r} (key {key or '(root)'})")
        result = {name: self.value(value_type, item, f"{key}.{name}" if key else name)
                  for name, item in value.items()}
        return _FAILED if any(item is _FAILED for item in result.values()) else result

    def dataclass(self, cls: Any, value: Any, key: str) -> Any:
        if not isinstance(value, dict):
            return self.fail(key, f"expected an object, got {describe(value)}")
        try:
            hints = typing.get_type_hints(cls)
        except NameError as e:
            raise TypeError(f"config(model): the type hints of {cls.__name__} cannot be resolved: {e}") from None
        loose: Dict[str, str] = {}
        for name in value:
            loose.setdefault(_normalized(name), name)
        before = len(self.problems)
        arguments: Dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            if not field.init:
                continue
            wanted = field.metadata.get("key", field.name)
            found = wanted if wanted in value else None if "key" in field.metadata else \
                loose.get(_normalized(wanted))
            field_key = f"{key}.{found or wanted}" if key else (found or wanted)
            if found is None:
                if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                    self.fail(field_key, "required key is missing")
                continue
            arguments[field.name] = self.value(hints.get(field.name, Any), value[found], field_key)
        if len(self.problems) > before:
            return _FAILED
        try:
            return cls(**arguments)
        except (TypeError, ValueError) as e:  # a __post_init__ that checks values
            return self.fail(key, str(e))

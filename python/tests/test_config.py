"""isp_wrapper.config(): the remote config with exact numbers, into dicts, dataclasses and pydantic models."""

import dataclasses
import enum
import json
from decimal import Decimal
from typing import Dict, List, Literal, Optional, Tuple, Union

import pydantic
import pytest

import isp_wrapper
from isp_wrapper import ConfigError, _config


@pytest.fixture(autouse=True)
def fresh_cache():
    _config._texts.clear()
    yield
    _config._texts.clear()


@pytest.fixture
def config_file(tmp_path, monkeypatch):
    """Writes the text as the host's CONFIG_FILE and returns its path."""
    def write(text):
        path = tmp_path / "config.json"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("CONFIG_FILE", str(path))
        return path
    return write


def test_integers_stay_int_and_every_other_number_is_an_exact_decimal(config_file):
    config_file('{"i": 10000000000000000000000000000001, "neg": -7, "tenth": 0.1, "one": 1.0, "exp": 1e400,'
                ' "small": 1.5E-7, "precise": 3.14159265358979323846264338327950288,'
                ' "nested": {"list": [1, 2.50, {"deep": -0.0}]}}')

    config = isp_wrapper.config()

    assert config["i"] == 10000000000000000000000000000001 and type(config["i"]) is int
    assert config["neg"] == -7 and type(config["neg"]) is int
    assert config["tenth"] == Decimal("0.1") and type(config["tenth"]) is Decimal
    assert str(config["one"]) == "1.0" and type(config["one"]) is Decimal
    assert config["exp"] == Decimal("1e400")
    assert config["small"] == Decimal("1.5E-7")
    assert str(config["precise"]) == "3.14159265358979323846264338327950288"
    assert config["nested"]["list"][0] == 1 and str(config["nested"]["list"][1]) == "2.50"
    assert str(config["nested"]["list"][2]["deep"]) == "-0.0"


def test_an_integer_longer_than_pythons_int_parsing_limit_is_kept_whole(config_file):
    digits = "9" * 5000
    config_file('{"big": %s}' % digits)

    assert isp_wrapper.config()["big"] == 10 ** 5000 - 1


def test_floats_when_asked_for(config_file):
    config_file('{"tenth": 0.1, "i": 3}')

    config = isp_wrapper.config(parse_float=float)

    assert config == {"tenth": 0.1, "i": 3} and type(config["tenth"]) is float and type(config["i"]) is int


def test_the_hosts_file_is_read_once_per_process(config_file):
    path = config_file('{"v": 1}')
    assert isp_wrapper.config() == {"v": 1}

    path.write_text('{"v": 2}', encoding="utf-8")  # the host writes the next child's config while this one serves

    assert isp_wrapper.config() == {"v": 1}
    assert isp_wrapper.config(file=path) == {"v": 2}


def test_a_missing_variable_names_it_and_says_what_to_do(monkeypatch):
    monkeypatch.delenv("CONFIG_FILE", raising=False)

    with pytest.raises(ConfigError, match=r"^CONFIG_FILE is not set: .*e\.g\. CONFIG_FILE=conf/config\.json$"):
        isp_wrapper.config()


def test_a_missing_file_names_the_variable_and_the_file(tmp_path, monkeypatch):
    missing = tmp_path / "nope.json"
    monkeypatch.setenv("CONFIG_FILE", str(missing))

    with pytest.raises(ConfigError) as raised:
        isp_wrapper.config()

    assert str(raised.value) == f"CONFIG_FILE={missing}: the file does not exist"
    assert raised.value.source == f"CONFIG_FILE={missing}"


@pytest.mark.parametrize("text, message", [
    ('{"a": 1,}', "invalid JSON at line 1, column 9: Expecting property name enclosed in double quotes"),
    ('{"a":\n  NaN}', "invalid JSON: NaN is not a JSON number"),
    ("[1, 2]", "expected a JSON object, got a list"),
    ('"text"', 'expected a JSON object, got "text"'),
    ("", "invalid JSON at line 1, column 1: Expecting value"),
])
def test_a_file_that_is_not_a_json_object_is_an_error_with_the_place(config_file, text, message):
    path = config_file(text)

    with pytest.raises(ConfigError) as raised:
        isp_wrapper.config()

    assert str(raised.value) == f"CONFIG_FILE={path}: {message}"


class Level(enum.Enum):
    DEBUG = "debug"
    INFO = "info"


@dataclasses.dataclass
class Database:
    host: str
    port: int = 5432
    password: Optional[str] = None


@dataclasses.dataclass
class Settings:
    greeting: str
    database: Database
    log_level: Level = Level.INFO
    ratio: Decimal = Decimal("1")
    weight: float = 1.0
    tags: List[str] = dataclasses.field(default_factory=list)
    limits: Dict[str, int] = dataclasses.field(default_factory=dict)
    mode: Literal["fast", "safe"] = "safe"
    pair: Tuple[int, str] = (0, "")
    either: Union[int, str] = 0
    renamed: bool = dataclasses.field(default=False, metadata={"key": "isOn"})


def test_a_dataclass_gets_typed_values_with_exact_decimals(config_file):
    config_file(json.dumps({
        "greeting": "Hello", "database": {"host": "db", "port": 6432}, "logLevel": "debug",
        "ratio": 0.1, "weight": 2, "tags": ["a", "b"], "limits": {"x": 1}, "mode": "fast", "pair": [1, "one"],
        "either": "text", "isOn": True, "unknown": {"ignored": True}}).replace("0.1", "0.10000000000000000001"))

    settings = isp_wrapper.config(Settings)

    assert settings == Settings(
        greeting="Hello", database=Database("db", 6432), log_level=Level.DEBUG,
        ratio=Decimal("0.10000000000000000001"), weight=2.0, tags=["a", "b"], limits={"x": 1}, mode="fast",
        pair=(1, "one"), either="text", renamed=True)
    assert type(settings.weight) is float


def test_a_dataclass_takes_its_defaults_for_missing_keys(config_file):
    config_file('{"greeting": "Hi", "database": {"host": "db"}}')

    settings = isp_wrapper.config(Settings)

    assert settings.database == Database("db", 5432) and settings.log_level is Level.INFO and settings.tags == []


def test_every_problem_of_a_dataclass_is_named_by_its_key(config_file):
    path = config_file(json.dumps({
        "database": {"port": "5432", "password": 7}, "logLevel": "loud", "weight": "heavy",
        "tags": ["a", 2], "limits": {"x": 1.5}, "mode": "slow", "pair": [1], "either": [], "isOn": "yes"}))

    with pytest.raises(ConfigError) as raised:
        isp_wrapper.config(Settings)

    assert [str(p) for p in raised.value.problems] == [
        "greeting: required key is missing",
        "database.host: required key is missing",
        'database.port: expected an integer, got "5432"',
        "database.password: expected a string, got 7",
        'logLevel: expected one of "debug", "info", got "loud"',
        'weight: expected a number, got "heavy"',
        "tags[1]: expected a string, got 2",
        "limits.x: expected an integer, got 1.5",
        'mode: expected one of "fast", "safe", got "slow"',
        "pair: expected a list of 2 items, got 1",
        "either: expected int or str, got a list",
        'isOn: expected true or false, got "yes"',
    ]
    assert str(raised.value).startswith(f"CONFIG_FILE={path}: 12 problems:\n  greeting: required key is missing\n")


def test_a_boolean_is_not_an_integer_and_an_integral_decimal_is(config_file):
    @dataclasses.dataclass
    class Numbers:
        count: int
        other: int

    config_file('{"count": true, "other": 3.0}')
    with pytest.raises(ConfigError, match="count: expected an integer, got true$"):
        isp_wrapper.config(Numbers)

    config_file('{"count": 2, "other": 3.0}')
    _config._texts.clear()
    assert isp_wrapper.config(Numbers) == Numbers(2, 3)


def test_a_dataclass_check_in_post_init_is_reported_with_its_object(config_file):
    @dataclasses.dataclass
    class Port:
        number: int

        def __post_init__(self):
            if not 0 < self.number < 65536:
                raise ValueError(f"port {self.number} is out of range")

    @dataclasses.dataclass
    class Server:
        port: Port

    config_file('{"port": {"number": 70000}}')

    with pytest.raises(ConfigError, match=r"port: port 70000 is out of range$"):
        isp_wrapper.config(Server)


class DatabaseModel(pydantic.BaseModel):
    host: str
    port: int = 5432


class SettingsModel(pydantic.BaseModel):
    greeting: str
    database: DatabaseModel
    ratio: Decimal = Decimal("1")
    weight: float = 1.0
    log_level: str = pydantic.Field("info", alias="logLevel")


def test_a_pydantic_model_gets_exact_decimals(config_file):
    config_file('{"greeting": "Hi", "database": {"host": "db"}, "ratio": 0.10000000000000000001, "weight": 0.1,'
                ' "logLevel": "debug"}')

    settings = isp_wrapper.config(SettingsModel)

    assert settings.ratio == Decimal("0.10000000000000000001")
    assert settings.weight == 0.1 and settings.log_level == "debug" and settings.database.port == 5432


def test_pydantic_problems_are_named_by_key(config_file):
    path = config_file('{"database": {"host": "db", "port": "x"}, "weight": "heavy"}')

    with pytest.raises(ConfigError) as raised:
        isp_wrapper.config(SettingsModel)

    problems = [str(p) for p in raised.value.problems]
    assert problems[0] == "greeting: required key is missing"
    assert problems[1].startswith("database.port: Input should be a valid integer")
    assert problems[1].endswith('(got "x")')
    assert problems[2].startswith("weight: Input should be a valid number") and problems[2].endswith('(got "heavy")')
    assert str(raised.value).startswith(f"CONFIG_FILE={path}: 3 problems:")


def test_a_pydantic_model_inside_a_dataclass_reports_the_full_key(config_file):
    @dataclasses.dataclass
    class Outer:
        inner: DatabaseModel

    config_file('{"inner": {"host": "db", "port": "x"}}')

    with pytest.raises(ConfigError) as raised:
        isp_wrapper.config(Outer)

    assert raised.value.problems[0].key == "inner.port"


def test_a_model_that_is_neither_pydantic_nor_a_dataclass_is_a_type_error(config_file):
    config_file("{}")

    with pytest.raises(TypeError, match="expected a pydantic model class or a dataclass, got <class 'dict'>"):
        isp_wrapper.config(dict)

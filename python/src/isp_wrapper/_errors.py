"""The package's exceptions: each message names the environment variable, the file or the key that is wrong."""

from __future__ import annotations

from typing import NamedTuple, Optional, Sequence


class Error(Exception):
    """Base class of the errors raised by isp_wrapper."""


class BindingError(Error):
    """``BINDING_ADDRESS``, or the inherited socket (``LISTEN_FDS``, fd 3), is missing or malformed."""


class ConfigProblem(NamedTuple):
    """One thing wrong with the config: the key (``database.port``, ``hosts[2]``; ``""`` for the whole file)
    and what is wrong with it."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}" if self.key else self.message


class ConfigError(Error):
    """The config cannot be read, is not a JSON object, or does not fit the model it was asked for.

    ``source`` names where it came from (``CONFIG_FILE=/app/config.json``), ``problems`` lists every problem
    found, each with its key.
    """

    def __init__(self, source: Optional[str], problems: Sequence[ConfigProblem]) -> None:
        self.source = source
        self.problems = list(problems)
        prefix = f"{source}: " if source else ""
        if len(self.problems) == 1:
            text = prefix + str(self.problems[0])
        else:
            text = prefix + f"{len(self.problems)} problems:" + "".join(f"\n  {p}" for p in self.problems)
        super().__init__(text)

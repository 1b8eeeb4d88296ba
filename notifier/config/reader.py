"""Typed access to the flat config mapping, collecting every problem instead of stopping."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from notifier.core.errors import Problem

# C0 and C1 controls (tab aside) and the Unicode line and paragraph separators: a value holding
# one would break the header line or log line it is written into.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def control_character(text: str) -> str | None:
    """The first control character in `text` (a tab is allowed), or None."""
    found = _CONTROL.search(text)
    return found.group() if found else None


def whole_number(text: str) -> int | None:
    """The value of a string of ASCII digits (spaces around allowed), else None. `isdigit` alone
    also accepts other scripts' digits and superscripts, which `int` reads or refuses."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else None


class Reader:
    """Pulls typed values out of the flat mapping, collecting problems instead of stopping."""

    def __init__(
        self,
        flat: Mapping[str, Any],
        source: str,
        origins: Mapping[str, str] | None = None,
        base: Path | None = None,
    ) -> None:
        """`origins`: for a key not set by the config file, what set it (its variable, or
        `overrides`); `base`: the config file's folder, against which its relative paths
        resolve."""
        self.flat, self.source, self.problems = flat, source, list[Problem]()
        self.origins, self.base = origins or {}, base

    def resolved(self, key: str, path: Path) -> Path:
        """A relative path from the config file, against the file's folder; from a variable or
        an override (or a default), as it is: against the current folder."""
        if self.base is None or path.is_absolute() or key in self.origins:
            return path
        return self.base / path

    def source_of(self, key: str) -> str:
        """Where the key's value came from: the variable or overrides that set it, else the
        config file."""
        return self.origins.get(key, self.source)

    def problem(self, key: str, message: str, field: str | None = None) -> None:
        """A problem with the key's value; `field`: a part of it, to name instead."""
        self.problems.append(Problem(self.source_of(key), message, field=field or key))

    def bad(self, key: str, expected: str) -> None:
        self.problem(key, f"expected {expected}, got {self.flat.get(key)!r}")

    def line(self, key: str, default: str) -> str:
        """Non-empty text on one line, without control characters (a tab aside)."""
        value = self.text(key, default)
        if control_character(value) is not None:
            self.bad(key, "one line without control characters")
            return default
        return value

    def text(self, key: str, default: str) -> str:
        value = self.flat.get(key, default)
        if not isinstance(value, str) or not value.strip():
            self.bad(key, "a non-empty string")
            return default
        return value

    def path(self, key: str, default: Path | None) -> Path | None:
        value = self.flat.get(key)
        if value is None or value == "":
            return default
        if not isinstance(value, str | os.PathLike):
            self.bad(key, "a path")
            return default
        return self.resolved(key, Path(value).expanduser())

    def flag(self, key: str, default: bool) -> bool:
        value = self.flat.get(key, default)
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "0", "false", "no"):
            return value.lower() in ("1", "true", "yes")
        if not isinstance(value, bool):
            self.bad(key, "true or false")
            return default
        return value

    def number(self, key: str, default: int, low: int, high: int | None = None) -> int:
        """A whole number from `low` (to `high`); a string of digits (from the environment)
        counts too."""
        value = self.flat.get(key, default)
        if isinstance(value, str):
            value = whole_number(value)
        too_high = high is not None and isinstance(value, int) and value > high
        if isinstance(value, bool) or not isinstance(value, int) or value < low or too_high:
            self.bad(
                key,
                f"a whole number from {low} to {high}"
                if high is not None
                else f"a whole number >= {low}",
            )
            return default
        return value

    def choice(self, key: str, default: str, options: tuple[str, ...]) -> str:
        value = self.flat.get(key, default)
        if value not in options:
            self.bad(key, "one of " + ", ".join(options))
            return default
        return str(value)

    def optional_text(self, key: str) -> str | None:
        value = self.flat.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            self.bad(key, "a string")
            return None
        return value

    def decimal(self, key: str, default: float, low: float) -> float:
        value = self.flat.get(key, default)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = float(value)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < low:
            self.bad(key, f"a number >= {low}")
            return default
        return float(value)

"""Typed access to the flat config mapping, collecting every problem instead of stopping."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from notifier.core.errors import Problem


class Reader:
    """Pulls typed values out of the flat mapping, collecting problems instead of stopping."""

    def __init__(self, flat: Mapping[str, Any], source: str) -> None:
        self.flat, self.source, self.problems = flat, source, list[Problem]()

    def bad(self, key: str, expected: str) -> None:
        got = self.flat.get(key)
        self.problems.append(Problem(self.source, f"expected {expected}, got {got!r}", field=key))

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
        if not isinstance(value, str):
            self.bad(key, "a path")
            return default
        return Path(value).expanduser()

    def flag(self, key: str, default: bool) -> bool:
        value = self.flat.get(key, default)
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "0", "false", "no"):
            return value.lower() in ("1", "true", "yes")
        if not isinstance(value, bool):
            self.bad(key, "true or false")
            return default
        return value

    def number(self, key: str, default: int, low: int) -> int:
        value = self.flat.get(key, default)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.bad(key, f"a whole number >= {low}")
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

"""Reading every key of the table by its kind, its bounds and its choices."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from notifier.config import checks
from notifier.config.keys import KEYS, Key, Kind
from notifier.config.reader import Reader

Read = Callable[[Reader, Key], Any]


def read_all(r: Reader) -> dict[str, Any]:
    """Each key's value, in the table's order (problems go to `r`): its default when unset."""
    return {key.name: read_key(r, key) for key in KEYS}


def read_key(r: Reader, key: Key) -> Any:
    if key.name not in r.flat:
        return key.default
    return _READERS[key.kind](r, key)


def _whole(r: Reader, key: Key) -> int:
    return r.number(key.name, key.default, int(key.low or 0), key.high)


def _decimal(r: Reader, key: Key) -> float | None:
    return r.decimal(key.name, key.default, key.low or 0.0)


def _secret(r: Reader, key: Key) -> str | None:
    """Like optional text, but a bad value is never echoed back."""
    value = r.flat.get(key.name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        r.problem(key.name, "expected a string (value hidden)")
        return None
    return value


def _choices(r: Reader, key: Key) -> tuple[str, ...]:
    value = r.flat[key.name]
    if not isinstance(value, list | tuple) or not value or any(v not in key.choices for v in value):
        r.bad(key.name, "a non-empty list drawn from " + ", ".join(key.choices))
        return tuple(key.default)
    return tuple(value)


_READERS: Mapping[Kind, Read] = {
    Kind.TEXT: lambda r, key: r.text(key.name, key.default),
    Kind.OPTIONAL_TEXT: lambda r, key: r.optional_text(key.name),
    Kind.SECRET: _secret,
    Kind.PATH: lambda r, key: r.path(key.name, key.default),
    Kind.FLAG: lambda r, key: r.flag(key.name, key.default),
    Kind.WHOLE: _whole,
    Kind.DECIMAL: _decimal,
    Kind.CHOICE: lambda r, key: r.choice(key.name, key.default, key.choices),
    Kind.CHOICES: _choices,
    Kind.URL: checks.url,
    Kind.DATABASE_URL: checks.database_url,
    Kind.TIMEZONE: checks.zone,
    Kind.SENDER: checks.sender,
    Kind.DOMAIN: checks.domain,
    Kind.EVENT_CODE: checks.event_code,
    Kind.EVENT_SOURCE: checks.event_source,
    Kind.MILESTONES: checks.milestones,
}

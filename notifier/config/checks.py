"""The keys whose values need more than a type and bounds: each reader takes the table's entry
and gives the value, or its default after noting the problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notifier.config.addresses import check_domain, check_sender
from notifier.config.keys import MAX_PORT, Key
from notifier.config.reader import Reader
from notifier.core.domain import Milestone, Phase


def database_url(r: Reader, key: Key) -> str:
    """The URL; a relative SQLite path in the config file resolves against the file's folder."""
    url = r.text(key.name, key.default)
    prefix, _, rest = url.partition(":///")
    if prefix not in ("sqlite", "sqlite+pysqlite"):
        return url
    if not rest or rest.startswith(("/", ":", "file:")):
        return url
    path, mark, query = rest.partition("?")
    return f"{prefix}:///{r.resolved(key.name, Path(path))}{mark}{query}"


def sender(r: Reader, key: Key) -> str:
    """The From address as given (`Name <address>` or a bare address), once checked."""
    value = r.line(key.name, key.default)
    problem = check_sender(value)
    if problem:
        r.problem(key.name, problem)
        return str(key.default)
    return value


def domain(r: Reader, key: Key) -> str:
    """The right-hand side of Message-IDs: a plain domain, an international one in its ASCII
    (xn--) form, as a header needs it."""
    ascii_domain = check_domain(r.line(key.name, key.default))
    if ascii_domain is None:
        r.bad(key.name, "a domain name such as notices.example.com")
        return str(key.default)
    return ascii_domain


def zone(r: Reader, key: Key) -> str:
    name = r.text(key.name, key.default)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        r.bad(key.name, "an IANA time zone such as UTC or America/Los_Angeles")
        return str(key.default)
    return name


def event_code(r: Reader, key: Key) -> str:
    code = r.text(key.name, key.default)
    if not code.replace("_", "").isalnum() or not code.isupper():
        r.bad(key.name, "upper-case letters, digits and underscores")
        return str(key.default)
    return code


def event_source(r: Reader, key: Key) -> str:
    source = r.text(key.name, key.default)
    if source.lower().startswith("aws."):
        r.bad(key.name, "a source not starting with 'aws.' (AWS reserves it)")
        return str(key.default)
    return source


def url(r: Reader, key: Key) -> str | None:
    """An http(s) endpoint whose port, if given, is one a socket can have."""
    value = r.optional_text(key.name)
    if value is not None and not _endpoint(value):
        r.bad(key.name, f"an http(s) URL such as http://127.0.0.1:4566 (port 1 to {MAX_PORT})")
        return None
    return value


def _endpoint(value: str) -> bool:
    try:
        parts = urlsplit(value)
        port = parts.port  # out of range: ValueError
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and port != 0


def milestones(r: Reader, key: Key) -> tuple[Milestone, ...]:
    table = r.flat[key.name]
    phases = {p.value: p for p in Phase}
    if not isinstance(table, dict) or any(k not in phases for k in table):
        r.bad(key.name, "a table with keys " + ", ".join(phases))
        return tuple(key.default)
    found: list[Milestone] = []
    for name, days in table.items():
        if not isinstance(days, list | tuple) or not all(_whole(d) for d in days):
            problem = "expected a list of whole numbers of days >= 0, got " + repr(days)
            r.problem(key.name, problem, field=f"{key.name}.{name}")
            continue
        found += [Milestone(phases[name], d) for d in sorted(set(days), reverse=True)]
    return tuple(found)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0

"""Settings from `notifier.toml` and `NOTIFIER_*` variables, checked all at once."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notifier.config.addresses import check_domain, check_sender
from notifier.config.delivery import DELIVERY_ENV, DELIVERY_KEYS, DeliverySettings, read_delivery
from notifier.config.health import HEALTH_ENV, HEALTH_KEYS, HealthSettings, read_health
from notifier.config.reader import Reader
from notifier.core.domain import CONTACT_TYPES, DEFAULT_SCHEDULE, Milestone, Phase
from notifier.core.errors import ConfigError, Problem
from notifier.resources import bundled

CONFIG_FILE = "notifier.toml"
EMAIL_CHANNELS = ("outbox", "smtp", "ses")

# Variables that override a key; the key's dotted name is what errors and docs use.
ENV_KEYS: Mapping[str, str] = {
    "NOTIFIER_DATABASE_URL": "database_url",
    "NOTIFIER_CALENDAR": "calendar",
    "NOTIFIER_TIMEZONE": "timezone",
    "NOTIFIER_TEMPLATES_DIR": "templates_dir",
    "NOTIFIER_SAMPLE_DATA": "sample_data",
    "NOTIFIER_WORKERS": "workers",
    "NOTIFIER_MAX_FUTURE_DAYS": "max_future_days",
    "NOTIFIER_EMAIL_CHANNEL": "email.channel",
    "NOTIFIER_EMAIL_SENDER": "email.sender",
    "NOTIFIER_OUTBOX_DIR": "email.outbox_dir",
    **HEALTH_ENV,
    **DELIVERY_ENV,
}

MAX_FUNCTIONS = 50  # functions listed in a notice body; the rest goes in the CSV attachment


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///notifier.db"
    calendar: Path = field(default_factory=lambda: bundled("data") / "calendar.csv")
    timezone: str = "UTC"
    templates_dir: Path | None = None
    sample_data: bool = True
    schedule: tuple[Milestone, ...] = DEFAULT_SCHEDULE
    recipients: tuple[str, ...] = ("primary", "operations")
    email_channel: str = "outbox"
    sender: str = "Cloud Platform Notices <notices@example.com>"
    message_id_domain: str = "notifier.invalid"
    outbox_dir: Path = Path("outbox")
    max_functions: int = MAX_FUNCTIONS
    workers: int = 0
    max_future_days: int = 400
    health: HealthSettings = field(default_factory=HealthSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    source: str = "defaults"
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Read the config file (given, $NOTIFIER_CONFIG, or ./notifier.toml if present), then env,
    then `overrides` from Python (dotted names, or nested mappings as in the file)."""
    env = os.environ if env is None else env
    chosen = path or (Path(env["NOTIFIER_CONFIG"]) if env.get("NOTIFIER_CONFIG") else None)
    if chosen is None and Path(CONFIG_FILE).is_file():
        chosen = Path(CONFIG_FILE)
    data = _read_toml(chosen) if chosen else {}
    flat = _flatten(data)
    from_env = {key: var for var, key in ENV_KEYS.items() if env.get(var)}
    flat.update({key: env[var] for key, var in from_env.items()})
    given = _flatten(dict(overrides or {}))
    flat.update(given)
    from_env = {**from_env, **dict.fromkeys(given, "overrides")}
    base = chosen.parent if chosen else None
    return _build(flat, str(chosen) if chosen else "defaults", from_env, base)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError([Problem(str(path), "config file not found")]) from exc
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(found.group(1)) if found else None
        message = re.sub(r" \(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError([Problem(str(path), f"invalid TOML: {message}", line=line)]) from exc


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name != "milestones":
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


KNOWN_KEYS = (
    "database_url",
    "calendar",
    "timezone",
    "templates_dir",
    "sample_data",
    "workers",
    "max_future_days",
    "milestones",
    "recipients.contacts",
    "email.channel",
    "email.sender",
    "email.message_id_domain",
    "email.outbox_dir",
    "email.max_functions",
    *HEALTH_KEYS,
    *DELIVERY_KEYS,
)


def _build(
    flat: dict[str, Any], source: str, from_env: Mapping[str, str], folder: Path | None
) -> Settings:
    r = Reader(flat, source, from_env, folder)
    for key in flat:
        if key not in KNOWN_KEYS:
            r.problems.append(Problem(source, "unknown key", field=key))
    base = Settings()
    settings = Settings(
        database_url=_database_url(r, base.database_url),
        calendar=r.path("calendar", base.calendar) or base.calendar,
        timezone=_zone(r),
        templates_dir=r.path("templates_dir", None),
        sample_data=r.flag("sample_data", True),
        schedule=_schedule(r),
        recipients=_contacts(r),
        email_channel=r.choice("email.channel", "outbox", EMAIL_CHANNELS),
        sender=_sender(r, base.sender),
        message_id_domain=_domain(r, base.message_id_domain),
        outbox_dir=r.path("email.outbox_dir", base.outbox_dir) or base.outbox_dir,
        max_functions=r.number("email.max_functions", 50, 1),
        workers=r.number("workers", 0, 0),
        max_future_days=r.number("max_future_days", base.max_future_days, 0),
        health=read_health(r),
        delivery=read_delivery(r),
        source=source,
        raw=flat,
    )
    if r.problems:
        raise ConfigError(r.problems)
    return settings


def _database_url(r: Reader, default: str) -> str:
    """The URL; a relative SQLite path in the config file resolves against the file's folder."""
    url = r.text("database_url", default)
    prefix, _, rest = url.partition(":///")
    if "database_url" not in r.flat or prefix not in ("sqlite", "sqlite+pysqlite"):
        return url
    if not rest or rest.startswith(("/", ":", "file:")):
        return url
    path, mark, query = rest.partition("?")
    return f"{prefix}:///{r.resolved('database_url', Path(path))}{mark}{query}"


def _sender(r: Reader, default: str) -> str:
    """The From address as given (`Name <address>` or a bare address), once checked."""
    sender = r.line("email.sender", default)
    problem = check_sender(sender)
    if problem:
        r.problem("email.sender", problem)
        return default
    return sender


def _domain(r: Reader, default: str) -> str:
    """The right-hand side of Message-IDs: a plain domain, an international one in its ASCII
    (xn--) form, as a header needs it."""
    domain = r.line("email.message_id_domain", default)
    ascii_domain = check_domain(domain)
    if ascii_domain is None:
        r.bad("email.message_id_domain", "a domain name such as notices.example.com")
        return default
    return ascii_domain


def _zone(r: Reader) -> str:
    name = r.text("timezone", "UTC")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        r.bad("timezone", "an IANA time zone such as UTC or America/Los_Angeles")
        return "UTC"
    return name


def _contacts(r: Reader) -> tuple[str, ...]:
    value = r.flat.get("recipients.contacts", ["primary", "operations"])
    if not isinstance(value, list) or not value or any(v not in CONTACT_TYPES for v in value):
        r.bad("recipients.contacts", "a non-empty list drawn from " + ", ".join(CONTACT_TYPES))
        return ("primary", "operations")
    return tuple(value)


def _schedule(r: Reader) -> tuple[Milestone, ...]:
    table = r.flat.get("milestones")
    if table is None:
        return DEFAULT_SCHEDULE
    phases = {p.value: p for p in Phase}
    if not isinstance(table, dict) or any(k not in phases for k in table):
        r.bad("milestones", "a table with keys " + ", ".join(phases))
        return DEFAULT_SCHEDULE
    milestones: list[Milestone] = []
    for name, days in table.items():
        if not isinstance(days, list) or not all(_whole(d) for d in days):
            r.bad(f"milestones.{name}", "a list of whole numbers of days >= 0")
            continue
        milestones += [Milestone(phases[name], d) for d in sorted(set(days), reverse=True)]
    return tuple(milestones)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0

"""Settings from `notifier.toml`, `NOTIFIER_*` variables and overrides, checked all at once.
Every key is declared once, in the table of keys.py."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from notifier.config import sources
from notifier.config.delivery import DeliverySettings, delivery_from, smtp_rules
from notifier.config.health import HealthSettings, health_from
from notifier.config.keys import KNOWN_KEYS, default, pick
from notifier.config.kinds import read_all
from notifier.config.reader import Reader
from notifier.core.domain import Milestone
from notifier.core.errors import ConfigError

CONFIG_FILE = sources.CONFIG_FILE
MAX_FUNCTIONS: int = default("email.max_functions")


@dataclass(frozen=True)
class Settings:
    database_url: str = default("database_url")
    calendar: Path = default("calendar")
    timezone: str = default("timezone")
    templates_dir: Path | None = default("templates_dir")
    sample_data: bool = default("sample_data")
    schedule: tuple[Milestone, ...] = default("milestones")
    recipients: tuple[str, ...] = default("recipients.contacts")
    email_channel: str = default("email.channel")
    sender: str = default("email.sender")
    message_id_domain: str = default("email.message_id_domain")
    outbox_dir: Path = default("email.outbox_dir")
    max_functions: int = default("email.max_functions")
    workers: int = default("workers")
    max_future_days: int = default("max_future_days")
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
    overrides: Mapping[str, object] | None = None,
) -> Settings:
    """The config file (given, $NOTIFIER_CONFIG, or ./notifier.toml if present), then the
    variables of `env` (default: the process's), then `overrides` (dotted keys, or nested
    mappings like the file's tables), each over the one before."""
    env = os.environ if env is None else env
    sources.warn_unknown_variables(env)
    chosen = sources.config_file(path, env)
    flat = sources.flatten(sources.read_toml(chosen)) if chosen else {}
    given = {**sources.from_env(env), **sources.from_overrides(overrides or {})}
    flat.update({key: value for key, (value, _) in given.items()})
    origins = {key: origin for key, (_, origin) in given.items()}
    base = chosen.parent if chosen else None
    return _build(flat, str(chosen) if chosen else "defaults", origins, base)


def _build(
    flat: dict[str, Any], source: str, origins: Mapping[str, str], folder: Path | None
) -> Settings:
    r = Reader(flat, source, origins, folder)
    for key in flat:
        if key not in KNOWN_KEYS:
            r.problem(key, sources.unknown_key(key, KNOWN_KEYS))
    values = read_all(r)
    smtp_rules(r, values)
    if r.problems:
        raise ConfigError(r.problems)
    return Settings(
        **pick(values, "", "email", "recipients"),
        health=health_from(values),
        delivery=delivery_from(values),
        source=source,
        raw=flat,
    )

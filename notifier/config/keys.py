"""Every setting, declared once: its dotted key, kind, default, variable, bounds and meaning.

Reading, checking, the known keys, the variable map, the settings' defaults and the README's
reference (`python -m notifier.config.reference`) all come from `KEYS`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from notifier.core.domain import CONTACT_TYPES, DEFAULT_SCHEDULE
from notifier.core.health import LAMBDA_EVENT_TYPE
from notifier.resources import bundled


class Kind(StrEnum):
    """How a value is read and checked; the value is what the README's `accepts` column says."""

    TEXT = "text"
    OPTIONAL_TEXT = "text (optional)"
    SECRET = "text, never shown"
    PATH = "path"
    FLAG = "true or false"
    WHOLE = "whole number"
    DECIMAL = "number"
    CHOICE = "one of"
    CHOICES = "a list of"
    URL = "http(s) URL"
    DATABASE_URL = "SQLAlchemy URL"
    TIMEZONE = "IANA time zone"
    SENDER = "`Name <address>` or an address"
    DOMAIN = "domain name (an international one is sent as xn--)"
    EVENT_CODE = "upper-case letters, digits and _"
    EVENT_SOURCE = "text not starting with `aws.`"
    MILESTONES = "table of phase = [days, ...]"


@dataclass(frozen=True)
class Key:
    """One setting. `attr`: its attribute on the settings object when not the key's last part;
    `shown`: its default as the README shows it when not the value itself."""

    name: str
    kind: Kind
    default: Any
    doc: str
    env: str | None = None
    low: float | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()
    attr: str = ""
    shown: str = ""

    @property
    def section(self) -> str:
        """The TOML table the key sits in: `smtp` for smtp.port, `` for a top-level key."""
        return self.name.rpartition(".")[0]

    @property
    def attribute(self) -> str:
        return self.attr or self.name.rpartition(".")[2]


SMTP_PORTS = {"starttls": 587, "tls": 465, "plain": 25}
MAX_PORT = 65535


def _schedule_shown() -> str:
    phases = dict.fromkeys(m.phase.value for m in DEFAULT_SCHEDULE)
    days = {p: [str(m.days_before) for m in DEFAULT_SCHEDULE if m.phase == p] for p in phases}
    return "; ".join(f"`{p} = [{', '.join(d)}]`" for p, d in days.items())


_PORT_SHOWN = ", ".join(f"{port} with {mode}" for mode, port in SMTP_PORTS.items())

# fmt: off
KEYS: tuple[Key, ...] = (
    Key("database_url", Kind.DATABASE_URL, "sqlite:///notifier.db",
        "the ledger's database; PostgreSQL: `postgresql+psycopg://user@host/db`",
        env="NOTIFIER_DATABASE_URL"),
    Key("calendar", Kind.PATH, bundled("data") / "calendar.csv",
        "the runtime deprecation calendar (CSV)",
        env="NOTIFIER_CALENDAR", shown="the bundled calendar"),
    Key("timezone", Kind.TIMEZONE, "UTC",
        'decides "today" and the health events\' start times', env="NOTIFIER_TIMEZONE"),
    Key("templates_dir", Kind.PATH, None,
        "templates here override the built-in ones", env="NOTIFIER_TEMPLATES_DIR"),
    Key("sample_data", Kind.FLAG, True,
        "load the bundled sample into a brand-new database", env="NOTIFIER_SAMPLE_DATA"),
    Key("workers", Kind.WHOLE, 0,
        "processes rendering messages; 0: one per core", env="NOTIFIER_WORKERS", low=0),
    Key("max_future_days", Kind.WHOLE, 400,
        "`run --as-of` further ahead than this needs `--force`",
        env="NOTIFIER_MAX_FUTURE_DAYS", low=0),
    Key("milestones", Kind.MILESTONES, DEFAULT_SCHEDULE,
        "days before each phase date at which a notice goes out",
        attr="schedule", shown=_schedule_shown()),
    Key("recipients.contacts", Kind.CHOICES, ("primary", "operations"),
        "which of an account's contacts get the notices",
        choices=CONTACT_TYPES, attr="recipients"),
    Key("email.channel", Kind.CHOICE, "outbox",
        "outbox writes .eml files; smtp and ses send",
        env="NOTIFIER_EMAIL_CHANNEL", choices=("outbox", "smtp", "ses"), attr="email_channel"),
    Key("email.sender", Kind.SENDER, "Cloud Platform Notices <notices@example.com>",
        "the From of every message, checked at start", env="NOTIFIER_EMAIL_SENDER"),
    Key("email.message_id_domain", Kind.DOMAIN, "notifier.invalid",
        "the right-hand side of Message-IDs"),
    Key("email.outbox_dir", Kind.PATH, Path("outbox"),
        "where the outbox channel writes .eml files", env="NOTIFIER_OUTBOX_DIR"),
    Key("email.max_functions", Kind.WHOLE, 50,
        "functions listed in a notice's body; a longer list is cut there, attached whole as CSV",
        low=1),
    Key("smtp.host", Kind.TEXT, "localhost",
        "the relay (with email.channel = smtp)", env="NOTIFIER_SMTP_HOST"),
    Key("smtp.port", Kind.WHOLE, SMTP_PORTS["starttls"],
        "the relay's port", env="NOTIFIER_SMTP_PORT", low=1, high=MAX_PORT, shown=_PORT_SHOWN),
    Key("smtp.security", Kind.CHOICE, "starttls",
        "tls is implicit TLS; plain sends in the clear", choices=tuple(SMTP_PORTS)),
    Key("smtp.username", Kind.OPTIONAL_TEXT, None,
        "the login, if the relay wants one", env="NOTIFIER_SMTP_USERNAME"),
    Key("smtp.password", Kind.SECRET, None,
        "needs smtp.username; best set from the environment; never printed or stored",
        env="NOTIFIER_SMTP_PASSWORD"),
    Key("smtp.timeout", Kind.DECIMAL, 30.0,
        "seconds for each step (connect, each reply); a relay silent longer waits for the "
        "next run", low=0.1),
    Key("smtp.connections", Kind.WHOLE, 1,
        "parallel connections, each reused for many messages", low=1),
    Key("smtp.ca_file", Kind.PATH, None,
        "CA certificates to trust instead of the system's"),
    Key("smtp.max_send_rate", Kind.DECIMAL, None,
        "messages per second, shared by every process on the database; unset: no limit",
        low=0.01),
    Key("ses.region", Kind.OPTIONAL_TEXT, None,
        "the SES Region (with email.channel = ses)", env="NOTIFIER_SES_REGION"),
    Key("ses.endpoint_url", Kind.URL, None,
        "another endpoint, e.g. a local test one", env="NOTIFIER_SES_ENDPOINT_URL"),
    Key("ses.configuration_set", Kind.OPTIONAL_TEXT, None,
        "to trace bounces and complaints"),
    Key("ses.max_send_rate", Kind.DECIMAL, None,
        "messages per second, shared by every process on the database; unset: asked from "
        "SES, else 1/s", low=0.01),
    Key("ses.tags", Kind.FLAG, True,
        "account, runtime and milestone as message tags"),
    Key("ses.feedback_queue_url", Kind.URL, None,
        "the SQS queue receiving SES bounces and complaints; drained at the start of each run",
        env="NOTIFIER_SES_FEEDBACK_QUEUE_URL"),
    Key("delivery.max_attempts", Kind.WHOLE, 3,
        "tries of a transient failure within one run", low=1),
    Key("delivery.backoff_base", Kind.DECIMAL, 0.5,
        "seconds before the first retry, doubled each time, half of it jittered", low=0.0),
    Key("delivery.backoff_max", Kind.DECIMAL, 30.0,
        "the longest wait between retries, in seconds", low=0.0),
    Key("delivery.breaker", Kind.WHOLE, 5,
        "this many messages in a row refused the same way stop the channel for the run; "
        "they and the rest stay pending (0: never)", low=0),
    Key("delivery.poll_seconds", Kind.DECIMAL, 30.0,
        "how often `notifier worker` (without --once) looks for pending deliveries", low=0.01),
    Key("health.enabled", Kind.FLAG, True,
        "store health events in the database"),
    Key("health.json_dir", Kind.PATH, None,
        "also write each event as JSON here (what `health details --json` prints)",
        env="NOTIFIER_HEALTH_JSON_DIR"),
    Key("health.event_type_code", Kind.EVENT_CODE, LAMBDA_EVENT_TYPE,
        "the events' eventTypeCode"),
    Key("health.end_time", Kind.CHOICE, "none",
        "block_update: the event ends when updates are blocked",
        choices=("none", "block_update")),
    Key("health.eventbridge.enabled", Kind.FLAG, False,
        "post events as AWS Health does, to your own bus", env="NOTIFIER_EVENTBRIDGE_ENABLED"),
    Key("health.eventbridge.source", Kind.EVENT_SOURCE, "notifier.health",
        "the events' source"),
    Key("health.eventbridge.event_bus_name", Kind.TEXT, "default",
        "the bus posted to", env="NOTIFIER_EVENTBRIDGE_BUS"),
    Key("health.eventbridge.region", Kind.OPTIONAL_TEXT, None,
        "the bus's Region", env="NOTIFIER_EVENTBRIDGE_REGION"),
    Key("health.eventbridge.endpoint_url", Kind.URL, None,
        "another endpoint, e.g. a local test one", env="NOTIFIER_EVENTBRIDGE_ENDPOINT_URL"),
)
# fmt: on

BY_NAME: Mapping[str, Key] = {key.name: key for key in KEYS}
KNOWN_KEYS: tuple[str, ...] = tuple(BY_NAME)
ENV_KEYS: Mapping[str, str] = {key.env: key.name for key in KEYS if key.env}

# NOTIFIER_* variables that are not settings but have a use: none of them gets a warning.
OTHER_VARIABLES: Mapping[str, str] = {
    "NOTIFIER_CONFIG": "the config file, instead of ./notifier.toml",
    "NOTIFIER_TEST_POSTGRES_URL": "tests only: the PostgreSQL server the tests use",
    "NOTIFIER_UPDATE_GOLDEN": "tests only: 1 rewrites the golden rendering files",
}


def default(name: str) -> Any:
    """The table's default for a key: what the settings dataclasses take as their own."""
    return BY_NAME[name].default


def pick(values: Mapping[str, Any], *sections: str) -> dict[str, Any]:
    """The values of the keys in these sections, by their attribute names: the arguments of the
    settings object the sections make up."""
    return {key.attribute: values[key.name] for key in KEYS if key.section in sections}

"""What templates see: plain, cleaned views of a notice, computed once per render.

Every string that comes from data is made single-line here (control characters and line breaks
become spaces), so no value can start a new line in a text body or a header. Markup escaping is
the HTML templates' job (autoescape); template syntax in values is never evaluated by Jinja.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from notifier.core.domain import Notice, Phase, Runtime
from notifier.core.health import event_arn

VARIANTS = (
    "deprecation_ahead",
    "deprecated",
    "create_blocked_soon",
    "create_blocked",
    "update_blocked_soon",
    "update_blocked",
)
_VARIANT_NAMES = {
    Phase.DEPRECATION: ("deprecation_ahead", "deprecated"),
    Phase.BLOCK_CREATE: ("create_blocked_soon", "create_blocked"),
    Phase.BLOCK_UPDATE: ("update_blocked_soon", "update_blocked"),
}
_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SHELL_SAFE = re.compile(r"[A-Za-z0-9._+-]+")
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
NAME_LIMIT = 120  # account and runtime names: longer ones are cut, so layouts hold
CODE_LIMIT = 256  # ARNs, Regions and other identifiers

POLICY_URL = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"
UPDATE_URL = "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
CLI_URL = "https://docs.aws.amazon.com/cli/latest/reference/lambda/list-functions.html"
HEALTH_URL = "https://health.aws.amazon.com/health/home#/account/dashboard/scheduled-changes"
HEALTH_EVENT_URL = "https://health.aws.amazon.com/health/home#/account/event-log?eventID={arn}"
ADVISOR_URL = "https://docs.aws.amazon.com/awssupport/latest/user/trusted-advisor.html"
SUPPORT_URL = "https://aws.amazon.com/support"
UPSTREAM_URLS = {
    "nodejs": "https://endoflife.date/nodejs",
    "python": "https://endoflife.date/python",
    "java": "https://endoflife.date/amazon-corretto",
    "dotnet": "https://endoflife.date/dotnet",
    "ruby": "https://endoflife.date/ruby",
    "go": "https://endoflife.date/go",
    "provided": "https://endoflife.date/amazon-linux",
}


def one_line(value: str, limit: int = CODE_LIMIT) -> str:
    """The value with every run of whitespace or control characters turned into one space, and
    cut to `limit` characters (ending in '…') so that no value can swamp a notice."""
    flat = _CONTROL.sub(" ", value).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ", limit - 20)
    return (cut[:space] if space > 0 else cut).rstrip() + "…"


def name_line(value: str) -> str:
    """A display name: one line, at most NAME_LIMIT characters."""
    return one_line(value, NAME_LIMIT)


@dataclass(frozen=True)
class AccountView:
    id: str
    name: str

    @property
    def label(self) -> str:
        """'"Acme" (123456789012)', or the bare id when the account has no name."""
        return f'"{self.name}" ({self.id})' if self.name else self.id


@dataclass(frozen=True)
class RuntimeView:
    id: str
    name: str
    family: str
    os: str

    @property
    def label(self) -> str:
        """'Python 3.12 (python3.12)', or the bare id when the name adds nothing."""
        return f"{self.name} ({self.id})" if self.name and self.name != self.id else self.id

    @classmethod
    def of(cls, runtime: Runtime) -> RuntimeView:
        return cls(
            one_line(runtime.identifier),
            name_line(runtime.name),
            name_line(runtime.family),
            name_line(runtime.os),
        )


@dataclass(frozen=True)
class PhaseView:
    """One dated stage. `status`: past, today, future or unannounced (then `date` is None)."""

    key: str
    date: date | None
    status: str
    is_current: bool


@dataclass(frozen=True)
class RegionView:
    name: str
    total: int
    shown: tuple[str, ...]
    hidden: int
    command: str
    health_event: str

    @property
    def event_url(self) -> str:
        """The event in the AWS Health Dashboard."""
        return HEALTH_EVENT_URL.format(arn=quote(self.health_event, safe=":/"))


@dataclass(frozen=True)
class AttachmentView:
    """The CSV file that carries the whole function list when the body lists only part of it."""

    filename: str
    rows: int


@dataclass(frozen=True)
class Footnote:
    number: int
    key: str
    url: str


def variant(notice: Notice) -> str:
    """The recipient's situation: a phase still ahead, or reached (days_before 0 or date passed)."""
    ahead, reached = _VARIANT_NAMES[notice.milestone.phase]
    return reached if is_reached(notice) else ahead


def phase_date(notice: Notice) -> date:
    """The notice's phase date: the calendar's, else the one its milestone was planned for."""
    m = notice.milestone
    return notice.runtime.phase_date(m.phase) or m.date + timedelta(days=m.days_before)


def is_reached(notice: Notice) -> bool:
    return notice.milestone.days_before == 0 or notice.as_of >= phase_date(notice)


def phases(notice: Notice) -> list[PhaseView]:
    views = []
    for phase in Phase:
        current = phase is notice.milestone.phase
        when = phase_date(notice) if current else notice.runtime.phase_date(phase)
        status = "unannounced" if when is None else _status(when, notice.as_of)
        views.append(PhaseView(phase.value, when, status, current))
    return views


def _status(when: date, as_of: date) -> str:
    return "today" if when == as_of else ("past" if when < as_of else "future")


def next_change(dated: list[PhaseView]) -> PhaseView | None:
    """The earliest stage still ahead of `as_of` (a stage starting today is not ahead)."""
    future = [p for p in dated if p.status == "future"]
    return min(future, key=lambda p: p.date or date.max) if future else None


def list_command(region: str, runtime_id: str) -> str:
    """The CLI command that lists the functions on a runtime in a Region, quoted for a shell."""
    query = f"Functions[?Runtime=='{runtime_id}'].FunctionArn"
    quoted = f'"{query}"' if _SHELL_SAFE.fullmatch(runtime_id) else shlex.quote(query)
    return (
        f"aws lambda list-functions --region {shlex.quote(region)} --output text --query {quoted}"
    )


def regions(notice: Notice, max_functions: int) -> list[RegionView]:
    """Functions by Region; at most `max_functions` listed in all, shared fairly between the
    Regions (a small Region is listed whole before a big one is cut), the rest counted."""
    grouped = notice.regions()
    quota = _shares({r: len(a) for r, a in grouped.items()}, max_functions)
    views, runtime_id = [], one_line(notice.runtime.identifier)
    for region, arns in grouped.items():
        shown = tuple(one_line(a) for a in arns[: quota[region]])
        name = one_line(region)
        arn = one_line(event_arn(notice.account.account_id, region, notice.runtime.identifier))
        command = list_command(name, runtime_id)
        views.append(RegionView(name, len(arns), shown, len(arns) - len(shown), command, arn))
    return views


def _shares(sizes: dict[str, int], budget: int) -> dict[str, int]:
    """Water-filling: each Region, smallest first, gets all it has or an even share of the rest."""
    shares, left = {}, budget
    ordered = sorted(sizes, key=lambda r: sizes[r])
    for index, region in enumerate(ordered):
        shares[region] = min(sizes[region], left // (len(ordered) - index))
        left -= shares[region]
    return shares


def list_filename(notice: Notice) -> str:
    """'functions-123456789012-python3.10.csv': safe as a file name on any system."""
    raw = f"functions-{notice.account.account_id}-{notice.runtime.identifier}"
    return _FILENAME_UNSAFE.sub("_", raw)[:120] + ".csv"


def attachment(notice: Notice, hidden: int) -> AttachmentView | None:
    """The function list travels as a CSV file only when the body cannot list every function."""
    return AttachmentView(list_filename(notice), len(notice.functions)) if hidden else None


def footnotes(runtime: Runtime) -> list[Footnote]:
    links = [("policy", POLICY_URL)]
    upstream = UPSTREAM_URLS.get(runtime.family)
    if upstream:
        links.append(("upstream", upstream))
    links += [
        ("update", UPDATE_URL),
        ("cli", CLI_URL),
        ("health", HEALTH_URL),
        ("advisor", ADVISOR_URL),
        ("support", SUPPORT_URL),
    ]
    return [Footnote(n, key, url) for n, (key, url) in enumerate(links, start=1)]


def build_context(notice: Notice, max_functions: int) -> dict[str, Any]:
    """Everything the templates may use; see templates/README.md for the full list."""
    dated = phases(notice)
    notes = footnotes(notice.runtime)
    grouped = regions(notice, max_functions)
    hidden = sum(r.hidden for r in grouped)
    return {
        "variant": variant(notice),
        "as_of": notice.as_of,
        "absolute": False,  # True for stored text (the health event): dates, never "in 17 days"
        "account": AccountView(one_line(notice.account.account_id), name_line(notice.account.name)),
        "runtime": RuntimeView.of(notice.runtime),
        "successor": RuntimeView.of(notice.successor) if notice.successor else None,
        "phase": notice.milestone.phase.value,
        "days_before": notice.milestone.days_before,
        "phase_date": phase_date(notice),
        "reached": is_reached(notice),
        "phases": dated,
        "next": next_change(dated),
        "regions": grouped,
        "functions_total": len(notice.functions),
        "functions_shown": len(notice.functions) - hidden,
        "functions_hidden": hidden,
        "attachment": attachment(notice, hidden),
        "recipients": [one_line(r) for r in notice.recipients],
        "footnotes": notes,
        "cite": {f.key: f"[{f.number}]" for f in notes},
        "links": {f.key: f.url for f in notes},
        "extra": {one_line(k, NAME_LIMIT): one_line(v) for k, v in notice.extra.items()},
    }

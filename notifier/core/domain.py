"""Domain types: runtimes and their calendar, accounts, functions, milestones and notices."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import NamedTuple

Day = date  # an alias, so a field may be called `date`


class Phase(StrEnum):
    """The three dated stages of a runtime's end of support, in the order they happen."""

    DEPRECATION = "deprecation"
    BLOCK_CREATE = "block_create"
    BLOCK_UPDATE = "block_update"

    @property
    def rank(self) -> int:
        return _PHASE_RANK[self]


_PHASE_RANK = {Phase.DEPRECATION: 0, Phase.BLOCK_CREATE: 1, Phase.BLOCK_UPDATE: 2}

CONTACT_TYPES = ("primary", "operations", "security", "billing")


@dataclass(frozen=True)
class Runtime:
    """One row of the deprecation calendar. Any of the three dates may be unannounced (None)."""

    identifier: str
    name: str
    family: str
    os: str = ""
    deprecation: date | None = None
    block_create: date | None = None
    block_update: date | None = None
    note: str = ""
    sources: str = ""

    def phase_date(self, phase: Phase) -> date | None:
        return {
            Phase.DEPRECATION: self.deprecation,
            Phase.BLOCK_CREATE: self.block_create,
            Phase.BLOCK_UPDATE: self.block_update,
        }[phase]

    @property
    def is_preview(self) -> bool:
        return "preview" in self.note.lower()

    @property
    def is_container_only(self) -> bool:
        return "container" in self.note.lower()

    def status_on(self, day: date) -> str:
        """The runtime's phase on `day`: supported, deprecated, create blocked or update blocked."""
        if self.is_preview:
            return "preview"
        status = "supported"
        for phase, label in _STATUS_LABELS:
            when = self.phase_date(phase)
            if when is not None and when <= day:
                status = label
        return status

    def out_of_order(self) -> list[str]:
        """Dates breaking the policy order: deprecation, then block create, then block update."""
        dates = [(p, self.phase_date(p)) for p in Phase]
        known = [(p, d) for p, d in dates if d is not None]
        return [
            f"{later.value} {later_d} is before {earlier.value} {earlier_d}"
            for i, (earlier, earlier_d) in enumerate(known)
            for later, later_d in known[i + 1 :]
            if later_d < earlier_d
        ]


_STATUS_LABELS = (
    (Phase.DEPRECATION, "deprecated"),
    (Phase.BLOCK_CREATE, "create blocked"),
    (Phase.BLOCK_UPDATE, "update blocked"),
)


@dataclass(frozen=True)
class Calendar:
    """All runtimes by identifier, in file order."""

    runtimes: Mapping[str, Runtime]

    def get(self, identifier: str) -> Runtime | None:
        return self.runtimes.get(identifier)

    def __iter__(self) -> Iterator[Runtime]:
        return iter(self.runtimes.values())

    def __len__(self) -> int:
        return len(self.runtimes)

    def successor(self, runtime: Runtime, as_of: date) -> Runtime | None:
        """The newest offered runtime of the family (or of the family its users move to) that is
        newer than `runtime` and not deprecated on `as_of`; None when there is none."""
        family = SUCCESSOR_FAMILY.get(runtime.family, runtime.family)
        candidates = [
            r
            for r in self.runtimes.values()
            if r.family == family
            and not r.is_preview
            and not r.is_container_only
            and (r.deprecation is None or r.deprecation > as_of)
            and (family != runtime.family or _newness(r) > _newness(runtime))
        ]
        return max(candidates, key=_newness, default=None)


# Families whose runtimes are retired without a same-family successor, and where users go.
SUCCESSOR_FAMILY = {"go": "provided"}


def _newness(runtime: Runtime) -> tuple[Day, tuple[int, ...], tuple[int, ...]]:
    """Later deprecation first; then the language version (python3.14 > python3.9), then the
    Amazon Linux generation (java8.al2023 > java8.al2, provided.al2023 > provided)."""
    base, _, os_part = runtime.identifier.partition(".al")
    return (runtime.deprecation or date.max, _numbers(base), _numbers(os_part))


def _numbers(text: str) -> tuple[int, ...]:
    found: list[int] = []
    current = ""
    for char in text + " ":
        if "0" <= char <= "9":
            current += char
        elif current:
            found.append(int(current))
            current = ""
    return tuple(found)


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str
    primary_email: str
    operations_email: str | None = None
    security_email: str | None = None
    billing_email: str | None = None

    def contact(self, kind: str) -> str | None:
        return {
            "primary": self.primary_email,
            "operations": self.operations_email,
            "security": self.security_email,
            "billing": self.billing_email,
        }[kind]

    def recipients(self, kinds: Sequence[str]) -> tuple[str, ...]:
        """The addresses of the given contact kinds, de-duplicated case-insensitively, sorted."""
        seen: dict[str, str] = {}
        for kind in kinds:
            address = self.contact(kind)
            if address:
                seen.setdefault(address.lower(), address)
        return tuple(sorted(seen.values()))


class Function(NamedTuple):
    """One function of an account's inventory. A NamedTuple, not a frozen dataclass: imports build
    a million of these, and a tuple is built four times faster while being just as immutable."""

    account_id: str
    region: str
    name: str
    runtime: str | None
    arn: str
    package_type: str = "Zip"
    last_modified: str | None = None

    @property
    def is_zip(self) -> bool:
        return self.package_type.lower() == "zip"


def function_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{account_id}:function:{name}"


@dataclass(frozen=True, order=True)
class Milestone:
    """A point `days_before` a phase date at which a notice goes out."""

    phase: Phase
    days_before: int

    def __str__(self) -> str:
        return f"{self.phase.value}:{self.days_before}"


@dataclass(frozen=True)
class DatedMilestone:
    phase: Phase
    days_before: int
    date: Day

    @property
    def milestone(self) -> Milestone:
        return Milestone(self.phase, self.days_before)

    @property
    def order_key(self) -> tuple[Day, int, int]:
        return (self.date, self.phase.rank, -self.days_before)


DEFAULT_SCHEDULE: tuple[Milestone, ...] = (
    *(Milestone(Phase.DEPRECATION, d) for d in (180, 90, 30, 7, 0)),
    *(Milestone(Phase.BLOCK_CREATE, d) for d in (30, 7, 0)),
    *(Milestone(Phase.BLOCK_UPDATE, d) for d in (30, 7, 0)),
)


@dataclass(frozen=True)
class NoticeKey:
    """The ledger's unit: one notice per account, runtime and milestone, ever."""

    account_id: str
    runtime: str
    phase: Phase
    days_before: int

    @property
    def token(self) -> str:
        raw = f"{self.account_id}/{self.runtime}/{self.phase.value}/{self.days_before}"
        return hashlib.sha256(raw.encode()).hexdigest()[:24]

    def message_id(self, domain: str) -> str:
        return f"<notice.{self.token}@{domain}>"


@dataclass(frozen=True)
class Notice:
    """Everything a notice says: who, which runtime, which milestone, which functions."""

    account: Account
    runtime: Runtime
    successor: Runtime | None
    milestone: DatedMilestone
    functions: tuple[str, ...]
    recipients: tuple[str, ...]
    as_of: date
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> NoticeKey:
        m = self.milestone
        return NoticeKey(self.account.account_id, self.runtime.identifier, m.phase, m.days_before)

    def regions(self) -> dict[str, tuple[str, ...]]:
        """Affected function ARNs grouped by Region (the ARN's fourth field), Regions sorted."""
        grouped: dict[str, list[str]] = {}
        for arn in self.functions:
            grouped.setdefault(region_of(arn), []).append(arn)
        return {r: tuple(grouped[r]) for r in sorted(grouped)}


def region_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 else ""

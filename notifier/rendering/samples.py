"""Sample notices for previews and template checks, read from `samples/notices.toml` beside the
templates (the user's templates folder first, then the bundled one). The bundled file documents
the format. Every problem is reported at once, as `file:line: field: what is expected`."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from notifier.core.domain import Account, Calendar, Milestone, Notice, Phase, function_arn
from notifier.core.errors import InputError, Problem
from notifier.core.names import is_account_id, is_region
from notifier.core.notices import milestone_notice
from notifier.resources import bundled

SAMPLES_FILE = "samples/notices.toml"
MAX_MADE_UP = 100_000
_PHASES = {p.value: p for p in Phase}
_NAME_WORDS = ("orders-api", "billing-worker", "reports-cron", "auth-handler", "ingest-stream")
_ACCOUNT_KEYS = ("id", "name", "primary_email", "operations_email", "security_email",
                 "billing_email")  # fmt: skip
_SAMPLE_KEYS = ("title", "runtime", "milestone", "as_of", "functions")
_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class Sample:
    name: str
    title: str
    notice: Notice


@dataclass(frozen=True)
class SampleSet:
    source: Path
    account: Account
    functions: tuple[str, ...]  # the default function ARNs
    samples: tuple[Sample, ...]


def samples_path(templates_dir: Path | None) -> Path:
    """The user's `samples/notices.toml` when their templates folder has one, else the bundled."""
    if templates_dir is not None and (templates_dir / SAMPLES_FILE).is_file():
        return templates_dir / SAMPLES_FILE
    return bundled("templates") / SAMPLES_FILE


def parse_milestone(text: str) -> Milestone:
    """'block_create:30' -> Milestone; ValueError saying what is expected otherwise."""
    phase, _, days = text.strip().partition(":")
    if phase not in _PHASES or not (days.isascii() and days.isdigit()):
        raise ValueError(
            f"expected PHASE:DAYS such as block_create:30, with PHASE one of "
            f"{', '.join(_PHASES)} and DAYS a whole number of days before it, got {text!r}"
        )
    return Milestone(_PHASES[phase], int(days))


def load_samples(path: Path, calendar: Calendar, recipient_kinds: Sequence[str]) -> SampleSet:
    """Read and check the whole file; InputError listing every problem."""
    reader = _Reader(path)
    account = reader.account()
    functions = reader.functions(reader.data.get("functions"), "functions", account.account_id)
    samples = reader.samples(account, functions, calendar, recipient_kinds)
    if reader.problems:
        raise InputError(reader.problems)
    return SampleSet(path, account, functions, tuple(samples))


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path, self.problems = path, list[Problem]()
        try:
            self.text = path.read_text(encoding="utf-8")
            self.data: dict[str, Any] = tomllib.loads(self.text)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise InputError([Problem(str(path), f"cannot read the samples: {error}")]) from error
        self.lines = self.text.splitlines()

    def bad(self, where: str, expected: str, got: object = None) -> None:
        shown = "" if got is None else f", got {got!r}"
        line = self._line_of(where)
        self.problems.append(Problem(str(self.path), f"expected {expected}{shown}", line, where))

    def _line_of(self, dotted: str) -> int | None:
        """The line of `key` in table `[a.b]` for 'a.b.key' (or of the table), when found."""
        table, _, key = dotted.rpartition(".")
        start = 0
        if table:
            headers = [i for i, t in enumerate(self.lines) if t.strip() == f"[{table}]"]
            if not headers:
                return None
            start = headers[0]
        for index in range(start, len(self.lines)):
            stripped = self.lines[index].strip()
            if index > start and stripped.startswith("["):
                break
            if re.match(rf"{re.escape(key)}\s*=", stripped):
                return index + 1
        return start + 1 if table else None

    def table(self, value: object, where: str, keys: Sequence[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.bad(where, "a table")
            return {}
        for key in value:
            if key not in keys:
                self.bad(f"{where}.{key}", "one of the keys " + ", ".join(keys))
        return value

    def account(self) -> Account:
        found = self.table(self.data.get("account"), "account", _ACCOUNT_KEYS)
        ident = str(found.get("id", ""))
        if not is_account_id(ident):
            self.bad("account.id", "a 12-digit account id as a string", found.get("id"))
        mails = {k: found.get(k) for k in _ACCOUNT_KEYS[2:]}
        for key, mail in mails.items():
            if (mail is not None or key == "primary_email") and "@" not in str(mail or ""):
                self.bad(f"account.{key}", "an email address", mail)
        optional = {k: str(v) if v else None for k, v in mails.items() if k != "primary_email"}
        name = found.get("name", "")
        return Account(ident, str(name), str(mails["primary_email"] or ""), **optional)

    def functions(self, value: object, where: str, account_id: str) -> tuple[str, ...]:
        """Function ARNs from {Region: [names] or a count}."""
        arns: list[str] = []
        for region, names in value.items() if isinstance(value, dict) else ():
            if not is_region(region):
                self.bad(f"{where}.{region}", "a Region such as us-east-1 as the key")
            arns += [function_arn(region, account_id, n) for n in self._names(names, where)]
        if not arns:
            self.bad(where, 'functions by Region: {us-east-1 = ["orders-api"]} or a count')
        return tuple(arns)

    def _names(self, names: object, where: str) -> list[str]:
        if isinstance(names, int) and not isinstance(names, bool) and 0 < names <= MAX_MADE_UP:
            return [f"{_NAME_WORDS[i % len(_NAME_WORDS)]}-{i + 1:03d}" for i in range(names)]
        if isinstance(names, list) and names and all(_is_name(n) for n in names):
            return [str(n) for n in names]
        self.bad(where, f"function names (letters, digits, - and _) or a count 1..{MAX_MADE_UP}")
        return []

    def samples(
        self,
        account: Account,
        functions: tuple[str, ...],
        calendar: Calendar,
        kinds: Sequence[str],
    ) -> list[Sample]:
        value = self.data.get("samples")
        found = self.table(value, "samples", list(value) if isinstance(value, dict) else [])
        built = []
        for name, value in found.items():
            fields = self.table(value, f"samples.{name}", _SAMPLE_KEYS)
            notice = self._sample_notice(name, fields, account, functions, calendar, kinds)
            if notice is not None:
                built.append(Sample(name, str(fields.get("title") or name), notice))
        if not found:
            self.bad("samples", "at least one [samples.<name>] table")
        return built

    def _sample_notice(
        self,
        name: str,
        fields: Mapping[str, Any],
        account: Account,
        default: tuple[str, ...],
        calendar: Calendar,
        kinds: Sequence[str],
    ) -> Notice | None:
        where = f"samples.{name}"
        runtime = calendar.get(str(fields.get("runtime", "")))
        if runtime is None:
            self.bad(
                f"{where}.runtime", "a runtime identifier of the calendar", fields.get("runtime")
            )
        milestone = self._milestone(fields.get("milestone"), f"{where}.milestone")
        day_ok, as_of = self._day(fields.get("as_of"), f"{where}.as_of")
        own = fields.get("functions")
        arns = (
            default
            if own is None
            else self.functions(own, f"{where}.functions", account.account_id)
        )
        if runtime is None or milestone is None or not day_ok:
            return None
        try:
            return milestone_notice(calendar, account, runtime, milestone, arns, kinds, as_of)
        except ValueError as error:
            self.bad(f"{where}.milestone", f"a phase with a date ({error})")
            return None

    def _milestone(self, value: object, where: str) -> Milestone | None:
        try:
            return parse_milestone(str(value or ""))
        except ValueError:
            self.bad(where, "PHASE:DAYS such as block_create:30", value)
            return None

    def _day(self, value: object, where: str) -> tuple[bool, date | None]:
        """(whether it is fine, the day): absent, a TOML date, or a 'YYYY-MM-DD' string."""
        if value is None:
            return True, None
        if isinstance(value, date) and not isinstance(value, datetime):
            return True, value
        try:
            return True, date.fromisoformat(str(value))
        except ValueError:
            self.bad(where, "a day as YYYY-MM-DD", value)
            return False, None


def _is_name(value: object) -> bool:
    return isinstance(value, str) and _FUNCTION_NAME.fullmatch(value) is not None

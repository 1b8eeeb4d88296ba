"""The bundled fictitious sample: it loads, it is realistic, and it is what its generator writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from notifier.core.domain import DEFAULT_SCHEDULE, Account, Calendar, Function
from notifier.core.planner import milestones_for
from notifier.core.snapshot import Snapshot
from notifier.parsing.accounts import load_accounts
from notifier.parsing.calendar import load_calendar
from notifier.parsing.inventory import load_inventory
from tests.scripts import load_script

DATA = Path(__file__).resolve().parents[1] / "data"
FIRST_RUN = date(2026, 11, 27)
EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")


@cache
def accounts() -> list[Account]:
    return load_accounts(DATA / "accounts.csv")


@cache
def inventory() -> Snapshot:
    return load_inventory([DATA / "inventory"])


@cache
def calendar() -> Calendar:
    return load_calendar(DATA / "calendar.csv")


def functions() -> Iterator[Function]:
    for listed in inventory().values():
        yield from listed


def test_the_sample_has_about_fifty_accounts_and_a_thousand_functions() -> None:
    assert 45 <= len(accounts()) <= 55
    assert 900 <= sum(1 for _ in functions()) <= 1100


def test_every_account_in_the_inventory_is_in_the_accounts_file() -> None:
    assert set(inventory()) <= {a.account_id for a in accounts()}


def test_the_issues_example_account_has_functions_on_deprecated_runtimes() -> None:
    runtimes = {f.runtime for f in inventory()["111122223333"] if f.is_zip and f.runtime}
    statuses = {
        found.status_on(FIRST_RUN) for r in runtimes if (found := calendar().get(r)) is not None
    }
    assert "deprecated" in statuses


def test_the_inventory_mixes_csv_files_and_list_functions_json_files() -> None:
    files = sorted(p.suffix for p in (DATA / "inventory").rglob("*") if p.is_file())
    assert set(files) == {".csv", ".json"}


def test_the_inventory_holds_the_awkward_cases() -> None:
    known = calendar().runtimes
    assert any(f.package_type == "Image" and f.runtime is None for f in functions())
    assert any(f.is_zip and f.runtime is None for f in functions())
    assert any(f.runtime is not None and f.runtime not in known for f in functions())
    assert len({f.region for f in functions()}) >= 5


def test_contact_addresses_are_fictitious_and_some_repeat_in_another_case() -> None:
    addresses = [a.contact(kind) for a in accounts() for kind in ("primary", "operations",
                 "security", "billing")]  # fmt: skip
    assert all(x.lower().endswith(EXAMPLE_DOMAINS) for x in addresses if x)
    assert any(same_mailbox_other_case(a.primary_email, a.operations_email) for a in accounts())


def same_mailbox_other_case(primary: str, other: str | None) -> bool:
    return other is not None and other != primary and other.lower() == primary.lower()


def sample_milestone_dates() -> list[date]:
    """Milestone dates from the first run on, for the runtimes the sample's Zip functions use."""
    used = {f.runtime for f in functions() if f.is_zip and f.runtime}
    runtimes = [r for r in calendar() if r.identifier in used]
    dated = {m.date for r in runtimes for m in milestones_for(r, DEFAULT_SCHEDULE)}
    return sorted(d for d in dated if d >= FIRST_RUN)


def test_notices_keep_falling_due_for_years_after_the_first_run() -> None:
    dates = sample_milestone_dates()
    assert {2027, 2028, 2029} <= {d.year for d in dates}
    gaps = [later - earlier for earlier, later in zip([FIRST_RUN, *dates], dates, strict=False)]
    assert max(gaps) <= timedelta(days=90)


def load_generator() -> ModuleType:
    return load_script(DATA / "make_sample.py", "make_sample")


def test_the_committed_sample_is_what_the_generator_writes(tmp_path: Path) -> None:
    generator = load_generator()
    rng = generator.random.Random(generator.SEED)
    made_accounts = generator.make_accounts(rng)
    generator.write_accounts(tmp_path / "accounts.csv", made_accounts)
    generator.write_inventory(tmp_path / "inventory", generator.make_functions(rng, made_accounts))
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    for relative in written:
        assert (DATA / relative).read_bytes() == (tmp_path / relative).read_bytes(), relative
    committed = sorted(p.relative_to(DATA) for p in (DATA / "inventory").rglob("*") if p.is_file())
    assert committed == [p for p in written if p.parts[0] == "inventory"]


@pytest.mark.parametrize("kind", ["operations", "security", "billing"])
def test_some_accounts_leave_each_alternate_contact_blank(kind: str) -> None:
    blanks = [a for a in accounts() if a.contact(kind) is None]
    assert 0 < len(blanks) < len(accounts())

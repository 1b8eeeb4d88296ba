"""Importing accounts and inventory snapshots into the store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from notifier.core.domain import Calendar
from notifier.core.records import InventorySummary
from notifier.parsing.accounts import read_accounts
from notifier.parsing.inventory import load_inventory
from notifier.resources import bundled
from notifier.service.ports import Accounts, Inventory, Stores


@dataclass(frozen=True)
class AccountsSummary:
    read: int
    inserted: int
    updated: int
    warnings: tuple[str, ...] = ()  # addresses accepted but worth a look: "file:line: ..."

    def to_json(self) -> dict[str, Any]:
        """Exactly what `notifier accounts import --json` prints."""
        return {**asdict(self), "warnings": list(self.warnings)}


def import_accounts(
    accounts: Accounts, path: Path, check_deliverability: bool = False, *, at: datetime
) -> AccountsSummary:
    """Parse every row first (all problems at once), then write in one transaction."""
    read, warnings = read_accounts(path, check_deliverability=check_deliverability)
    inserted, updated = accounts.upsert_accounts(read, at)
    return AccountsSummary(len(read), inserted, updated, tuple(map(str, warnings)))


def import_inventory(
    inventory: Inventory, paths: Sequence[Path], calendar: Calendar
) -> InventorySummary:
    """Each account present replaces its whole function list; a failed import changes nothing."""
    functions = load_inventory(paths)
    return inventory.replace_inventory(functions, set(calendar.runtimes))


def sample_paths() -> tuple[Path, Path]:
    data = bundled("data")
    return data / "accounts.csv", data / "inventory"


def sample_account_ids() -> list[str]:
    """The bundled sample's account ids."""
    accounts, _ = read_accounts(sample_paths()[0])
    return [account.account_id for account in accounts]


def seed_if_new(
    stores: Stores, calendar: Calendar, at: datetime
) -> tuple[AccountsSummary, InventorySummary] | None:
    """Seed the bundled sample into a brand-new store (no account, run, notice or function; the
    functions of a seed cut short aside); None, seeding nothing, for any other store."""
    if stores.accounts.holds_data(sample_account_ids()):
        return None
    return seed_sample(stores, calendar, at)


def seed_sample(
    stores: Stores, calendar: Calendar, at: datetime
) -> tuple[AccountsSummary, InventorySummary]:
    """Load the bundled fictitious sample into an empty store. The inventory goes first: a
    store is seeded when it holds no account, so a run killed between the two imports leaves
    a store the next run seeds again, never accounts without their functions."""
    accounts, inventory = sample_paths()
    functions = import_inventory(stores.inventory, [inventory], calendar)
    return import_accounts(stores.accounts, accounts, at=at), functions

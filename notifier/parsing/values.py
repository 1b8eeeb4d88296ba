"""Checks of single values shared by the readers: account ids, Regions, function ARNs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import itemgetter

from notifier.core.domain import Function
from notifier.core.names import is_account_id, is_region
from notifier.core.snapshot import Snapshot

_ARN = re.compile(r"arn:(aws[a-z-]*):lambda:([^:]*):([^:]*):function:([^:]+)(?::[^:]+)?")

_ACCOUNT = itemgetter(Function._fields.index("account_id"))

PACKAGE_TYPES = {"": "Zip", "zip": "Zip", "image": "Image"}
"""Accepted package types, lower-cased (empty means Zip), to the spelling Lambda uses."""


@dataclass
class Collected:
    """What the inventory readers fill: unqualified function ARN -> function (the last one seen
    wins, in the place of the first). An ARN names its account: the accounts, in the order first
    seen, are those of the functions in this order, listed once at the end."""

    by_arn: dict[str, Function] = field(default_factory=dict)

    def add(self, function: Function) -> None:
        self.by_arn[function.arn] = function

    def snapshot(self) -> Snapshot:
        accounts = dict.fromkeys(map(_ACCOUNT, self.by_arn.values()))
        return Snapshot(self.by_arn, accounts)


def parse_function_arn(arn: str) -> tuple[str, str, str, str] | None:
    """(unqualified ARN, Region, account id, function name), or None if not a function ARN.
    A version or alias qualifier (`:$LATEST`, `:prod`, `:7`) is dropped."""
    match = _ARN.fullmatch(arn)
    if match is None:
        return None
    partition, region, account, name = match.groups()
    return f"arn:{partition}:lambda:{region}:{account}:function:{name}", region, account, name


@dataclass
class Known:
    """Values already validated, each mapped to one shared string object (saves memory on
    large fleets, and validation runs once per distinct value)."""

    accounts: dict[str, str] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)
    runtimes: dict[str, str] = field(default_factory=lambda: {"": ""})

    def account(self, text: str) -> str | None:
        """The shared id string, or None when `text` is not an account id."""
        known = self.accounts.get(text)
        if known is None and is_account_id(text):
            known = self.accounts[text] = text
        return known

    def region(self, text: str) -> str | None:
        """The shared Region string, or None when `text` does not look like a Region."""
        known = self.regions.get(text)
        if known is None and is_region(text):
            known = self.regions[text] = text
        return known

    def runtime(self, text: str) -> str | None:
        """The shared runtime identifier; None for an empty one (any other text is kept)."""
        return self.runtimes.setdefault(text, text) or None

"""An inventory snapshot: the functions read, by account id, held flat for a fast bulk insert."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence, ValuesView
from functools import cached_property

from notifier.core.domain import Function


class Snapshot(Mapping[str, Sequence[Function]]):
    """Functions by account id (accounts and functions in the order first seen), as a read-only
    mapping. Held as one dict by ARN: readers add a chunk of functions with one dict update at
    C speed, and the store inserts `functions()` as they are, with no grouping by account (the
    groups are built only when the mapping is looked into)."""

    def __init__(self, by_arn: dict[str, Function], accounts: dict[str, None]) -> None:
        self._by_arn = by_arn
        self._accounts = accounts

    def functions(self) -> ValuesView[Function]:
        """Every function once, in the order first seen (each account's own ones in its order)."""
        return self._by_arn.values()

    def __getitem__(self, account_id: str) -> Sequence[Function]:
        return self._groups[account_id]

    def __contains__(self, account_id: object) -> bool:
        return account_id in self._accounts  # without building the groups

    def __iter__(self) -> Iterator[str]:
        return iter(self._accounts)

    def __len__(self) -> int:
        return len(self._accounts)

    @cached_property
    def _groups(self) -> dict[str, list[Function]]:
        groups: dict[str, list[Function]] = {account: [] for account in self._accounts}
        for function in self._by_arn.values():
            groups[function.account_id].append(function)
        return groups

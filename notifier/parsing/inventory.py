"""Reads function inventories: CSV files, `aws lambda list-functions` JSON files, or folders."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from notifier.core.errors import Problem
from notifier.core.snapshot import Snapshot
from notifier.parsing.csvio import raise_if_any
from notifier.parsing.inventory_csv import read_inventory_csv
from notifier.parsing.listfunctions import read_list_functions
from notifier.parsing.values import Collected, Known

SUFFIXES = (".csv", ".json")


def load_inventory(paths: Sequence[Path]) -> Snapshot:
    """Functions by account id (accounts and functions in the order first seen). The same
    function (ARN) seen again replaces the earlier one. Folders are searched recursively for
    *.csv and *.json files (hidden ones skipped), in sorted order. Raises InputError listing
    every problem found."""
    files, problems = expand(paths)
    collected = Collected()
    known = Known()
    with _gc_paused():
        for path in files:
            if path.suffix.lower() == ".json":
                problems.extend(read_list_functions(path, collected, known))
            else:
                problems.extend(read_inventory_csv(path, collected, known))
        raise_if_any(problems)
        return collected.snapshot()


def expand(paths: Sequence[Path]) -> tuple[list[Path], list[Problem]]:
    """The inventory files named by `paths` (folders expanded), and problems with the names."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if _wanted(p, path))
            files.extend(found)
            if not found:
                problems.append(Problem(source=str(path), message="no .csv or .json file inside"))
        elif not path.exists():
            problems.append(Problem(source=str(path), message="file not found"))
        elif path.suffix.lower() in SUFFIXES:
            files.append(path)
        else:
            problems.append(Problem(source=str(path), message="expected a .csv or .json file"))
    return files, problems


def _wanted(path: Path, folder: Path) -> bool:
    """A .csv or .json file, not hidden (editors' lock files, macOS `._` files, `.git/`)."""
    hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
    return not hidden and path.suffix.lower() in SUFFIXES and path.is_file()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Bulk loading builds millions of acyclic objects: the cyclic collector only slows it down
    (about a third of the time on a million rows), so it is paused meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

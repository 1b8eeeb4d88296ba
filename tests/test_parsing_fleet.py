"""bench/fleet.py writes deterministic fleets that the readers accept."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from types import ModuleType

from notifier.parsing.accounts import load_accounts
from notifier.parsing.inventory import load_inventory
from tests.scripts import load_script

FLEET = Path(__file__).resolve().parents[1] / "bench" / "fleet.py"


@cache
def fleet() -> ModuleType:
    return load_script(FLEET, "bench_fleet")


def test_a_generated_fleet_loads_without_problems(tmp_path: Path) -> None:
    accounts_csv, inventory_csv = fleet().generate(tmp_path, 40, 3000, 7)
    accounts = load_accounts(accounts_csv)
    inventory = load_inventory([inventory_csv])
    ids = [a.account_id for a in accounts]
    assert len(ids) == len(set(ids)) == 40
    assert all(len(i) == 12 and i.isdigit() for i in ids)
    assert set(inventory) <= set(ids)
    functions = [f for listed in inventory.values() for f in listed]
    assert len(functions) == 3000
    assert any(f.package_type == "Image" for f in functions)
    assert {"python3.9", "nodejs18.x", "python3.13"} <= {f.runtime for f in functions}


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    first = fleet().generate(tmp_path / "a", 10, 500, 1)
    again = fleet().generate(tmp_path / "b", 10, 500, 1)
    other = fleet().generate(tmp_path / "c", 10, 500, 2)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert first[1].read_bytes() != other[1].read_bytes()


def test_the_command_line_writes_into_the_given_folder(tmp_path: Path) -> None:
    fleet().main(["--accounts", "3", "--functions", "10", "--seed", "4", "--out", str(tmp_path)])
    lines = (tmp_path / "inventory.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "account_id,region,function_name,runtime,package_type,last_modified"
    assert len(lines) == 11

"""One clock: a run acts at one instant, and the health path takes every time from it."""

from __future__ import annotations

import ast
import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from notifier.core.instant import run_instant, start_of_day
from tests.cli_helpers import Cli

ROOT = Path(__file__).resolve().parent.parent / "notifier"
CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time")}


def clock_reads(path: Path) -> list[str]:
    """`datetime.now()`, `date.today()`, `time.time()`... calls in one source file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if (name, node.func.attr) in CLOCK_CALLS:
                found.append(f"{path}:{node.lineno}")
    return found


def test_nothing_below_the_composition_root_reads_the_clock() -> None:
    allowed = {ROOT / "bootstrap" / "clock.py"}  # the one clock, read at the top
    files = [p for p in ROOT.rglob("*.py") if p not in allowed and "cli" not in p.parts]
    assert [hit for p in files for hit in clock_reads(p)] == []


def test_the_clock_check_sees_the_calls_it_must_refuse(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("x = datetime.datetime.now(UTC)\ny = date.today()\nz = time.time()\n")
    assert len(clock_reads(probe)) == 3


def test_a_run_acts_at_the_real_time_today_and_at_the_start_of_any_other_day() -> None:
    zone, now = ZoneInfo("Europe/Berlin"), datetime(2027, 3, 1, 23, 30, tzinfo=UTC)
    assert run_instant(date(2027, 3, 1), zone, now) == start_of_day(date(2027, 3, 1), zone)
    assert run_instant(date(2027, 3, 2), zone, now) == now  # already the 2nd in Berlin
    assert start_of_day(date(2027, 3, 2), zone) == datetime(2027, 3, 1, 23, tzinfo=UTC)


@pytest.fixture
def cli(tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    calendar = tmp_path / "calendar.csv"
    calendar.write_text((ROOT.parent / "data" / "calendar.csv").read_text(encoding="utf-8"))
    env = {
        "NOTIFIER_DATABASE_URL": db_url,
        "NOTIFIER_OUTBOX_DIR": str(tmp_path / "outbox"),
        "NOTIFIER_CALENDAR": str(calendar),
        "NOTIFIER_HEALTH_JSON_DIR": str(tmp_path / "json"),
        "NOTIFIER_TIMEZONE": "UTC",
    }
    return Cli(tmp_path, capsys, env)


def events(cli: Cli, *extra: str) -> list[dict[str, str]]:
    found, token = [], None
    while True:
        more = ("--next-token", token) if token else ()
        answer = cli("--quiet", "health", "events", "--json", *extra, *more).json()
        found += answer["events"]
        if (token := answer.get("nextToken")) is None:
            return found


def instant(day: str) -> str:
    return f"{day}T00:00:00Z"


@pytest.mark.parametrize("days", [("2027-01-15", "2027-04-30", "2027-12-31")])
def test_runs_across_2027_open_every_started_event_at_the_runs_instant(
    cli: Cli, days: tuple[str, ...]
) -> None:
    for day in days:
        assert cli("--quiet", "run", "--as-of", day).code in (0, 1)
        found = events(cli)
        started = [e for e in found if e.get("startTime", "") <= instant(day)]
        assert started and all(e["statusCode"] != "upcoming" for e in started)
        assert max(e["lastUpdatedTime"] for e in found) == instant(day)
        assert all(e["lastUpdatedTime"] <= instant(day) for e in found)


def test_the_json_file_is_what_health_details_prints_after_the_days_refresh(cli: Cli) -> None:
    for day in ("2027-01-15", "2027-12-31"):
        assert cli("--quiet", "run", "--as-of", day).code in (0, 1)
    files = sorted((cli.folder / "json").rglob("*.json"))
    assert files
    for path in files[:20]:
        arn = json.loads(path.read_text(encoding="utf-8"))["successfulSet"][0]["event"]["arn"]
        assert path.read_text(encoding="utf-8") == cli("health", "details", "--json", arn).out


def test_a_moved_date_rewrites_the_description_and_metadata(cli: Cli) -> None:
    assert cli("--quiet", "run", "--as-of", "2027-01-15").code in (0, 1)
    moved = [e for e in events(cli, "--runtime", "nodejs22.x")]
    assert moved
    calendar = Path(cli.env["NOTIFIER_CALENDAR"])
    text = calendar.read_text(encoding="utf-8")
    calendar.write_text(text.replace("2027-04-30,2027-06-01", "2027-04-30,2027-06-15"))

    assert cli("--quiet", "run", "--as-of", "2027-01-16").code in (0, 1)

    arn = moved[0]["arn"]
    [item] = cli("health", "details", "--json", arn).json()["successfulSet"]
    assert item["eventMetadata"]["block_function_create_date"] == "2027-06-15"
    assert "Tuesday, 15 June 2027" in item["eventDescription"]["latestDescription"]
    assert "1 June 2027" not in item["eventDescription"]["latestDescription"]
    assert item["event"]["lastUpdatedTime"] == instant("2027-01-16")


def test_stored_descriptions_carry_absolute_dates_only(cli: Cli) -> None:
    assert cli("--quiet", "run", "--as-of", "2027-01-15").code in (0, 1)
    arns = [e["arn"] for e in events(cli)][:30]
    answer = cli("health", "details", "--json", *arns).json()
    for item in answer["successfulSet"]:
        text = item["eventDescription"]["latestDescription"]
        assert " days)" not in text and "(in " not in text and "ago)" not in text
        assert "today" not in text.lower() and "tomorrow" not in text


def test_health_events_as_of_a_later_day_shows_started_events_open(cli: Cli) -> None:
    assert cli("--quiet", "run", "--as-of", "2027-01-15").code in (0, 1)
    upcoming = events(cli, "--status", "upcoming")
    assert any(e["startTime"] <= instant("2027-12-31") for e in upcoming)

    later = events(cli, "--as-of", "2027-12-31", "--status", "upcoming")

    assert all(e["startTime"] > instant("2027-12-31") for e in later)
    seen = {e["arn"]: e["statusCode"] for e in events(cli, "--as-of", "2027-12-31")}
    assert all(seen[e["arn"]] == "open" for e in upcoming if e["startTime"] <= "2027-12-31")

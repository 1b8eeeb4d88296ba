"""`notifier health events|details|entities`: AWS Health's answer shapes, paging, filters."""

from __future__ import annotations

import re
import subprocess
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from notifier import bootstrap
from notifier.cli.main import main
from notifier.config import Settings
from notifier.service.lifecycle import refresh_health
from notifier.store.stores import SqlStores
from tests.cli_helpers import Cli
from tests.health_model import output_problems

DAY = "2026-11-27"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample sent its notices on DAY, and the burndown ran after it (once per module)."""
    here = tmp_path_factory.mktemp("health")
    url = f"sqlite:///{here / 'notifier.db'}"
    env = {"NOTIFIER_DATABASE_URL": url, "NOTIFIER_OUTBOX_DIR": str(here / "outbox")}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        patch.delenv("NOTIFIER_CONFIG", raising=False)
        patch.chdir(here)
        assert main(["--quiet", "run", "--as-of", DAY]) == 0
    store = SqlStores.open(url)
    try:
        now = datetime(2026, 11, 27, 12, tzinfo=UTC)
        refresh_health(store, bootstrap.calendar(Settings()), now)
    finally:
        store.close()
    return here


@pytest.fixture
def ran(folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.delenv("NOTIFIER_CONFIG", raising=False)
    return Cli(folder, capsys, {"NOTIFIER_DATABASE_URL": f"sqlite:///{folder / 'notifier.db'}"})


def test_the_model_check_catches_a_wrong_enum_an_unknown_member_and_a_wrong_type() -> None:
    answer = {"events": [{"arn": "x", "statusCode": "ongoing", "colour": "red", "startTime": 3}]}
    problems = output_problems("DescribeEvents", answer)
    assert len(problems) == 3


def test_events_json_is_describe_events_shaped(ran: Cli) -> None:
    result = ran("health", "events", "--json")
    assert result.code == 0, result.err
    answer = result.json()
    assert answer["events"], "the sample run must create events"
    assert output_problems("DescribeEvents", answer) == []
    first = answer["events"][0]
    assert first["eventTypeCode"] == "AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT"
    assert first["eventTypeCategory"] == "scheduledChange"
    assert first["arn"].startswith("arn:aws:health:")


def test_events_page_with_max_results_and_next_token_without_gaps(ran: Cli) -> None:
    first = ran("health", "events", "--max-results", "3", "--json").json()
    second = ran("health", "events", "--max-results", "3", "--next-token", first["nextToken"])
    assert len(first["events"]) == 3
    assert second.out.split()[4] > first["events"][-1]["arn"]
    seen: list[str] = []
    token: list[str] = []
    while True:
        answer = ran("health", "events", *token, "--json").json()
        assert output_problems("DescribeEvents", answer) == []
        seen += [e["arn"] for e in answer["events"]]
        if "nextToken" not in answer:
            break
        token = ["--next-token", answer["nextToken"]]
    assert seen == sorted(set(seen))
    assert len(seen) > 100, "the sample must need more than one page"


def test_events_filter_by_status_region_runtime_and_account(ran: Cli) -> None:
    everything = ran("health", "events", "--json").json()["events"]
    one = everything[0]
    filtered = ran(
        "health", "events", "--status", one["statusCode"], "--region", one["region"], "--json"
    ).json()["events"]
    assert one in filtered
    assert all(e["region"] == one["region"] for e in filtered)
    assert ran("health", "events", "--runtime", "no-such-runtime", "--json").json() == {
        "events": []
    }
    assert ran("health", "events", "--account", "000000000000", "--json").json() == {"events": []}


def test_details_json_is_describe_event_details_shaped_with_unknown_arns_failed(ran: Cli) -> None:
    arn = ran("health", "events", "--json").json()["events"][0]["arn"]
    result = ran("health", "details", arn, "arn:aws:health:us-east-1::event/NOPE", "--json")
    answer = result.json()
    assert output_problems("DescribeEventDetails", answer) == []
    [item] = answer["successfulSet"]
    assert item["event"]["arn"] == arn
    assert item["eventDescription"]["latestDescription"]
    assert set(item["eventMetadata"]) >= {"runtime", "deprecation_date", "successor"}
    assert [f["eventArn"] for f in answer["failedSet"]] == ["arn:aws:health:us-east-1::event/NOPE"]


def test_entities_json_is_describe_affected_entities_shaped_and_pages(ran: Cli) -> None:
    events = ran("health", "events", "--json").json()["events"]
    arn = events[0]["arn"]
    whole = ran("health", "entities", arn, "--json").json()
    assert output_problems("DescribeAffectedEntities", whole) == []
    assert whole["entities"] and all(e["statusCode"] == "PENDING" for e in whole["entities"])
    first = ran("health", "entities", arn, "--max-results", "1", "--json").json()
    assert first["entities"] == whole["entities"][:1]
    assert ("nextToken" in first) == (len(whole["entities"]) > 1)
    resolved = ran("health", "entities", arn, "--status", "RESOLVED", "--json").json()
    assert resolved == {"entities": []}


def test_bad_paging_input_is_one_line_error(ran: Cli) -> None:
    result = ran("health", "events", "--max-results", "101")
    assert result.code == 2
    result = ran("health", "entities", "arn:aws:health:us-east-1::event/NOPE")
    assert result.code == 2 and "no such event" in result.err
    assert "Traceback" not in result.err


def test_events_text_lists_one_line_per_event(ran: Cli) -> None:
    count = len(ran("health", "events", "--json").json()["events"])
    result = ran("health", "events")
    assert result.code == 0
    assert len(result.out.strip().splitlines()) == count


def test_dashboard_writes_the_site_and_serves_it_on_loopback(ran: Cli, folder: Path) -> None:
    result = ran("health", "dashboard", "--out", "site", "--as-of", DAY)
    assert result.code == 0, result.err
    events = len(list((folder / "site" / "events").glob("*.html")))
    assert f"{events} events" in result.out and events > 100
    server = ran.subprocess(
        "health", "dashboard", "--out", "site2", "--serve", "0", stderr=subprocess.PIPE
    )
    try:
        assert server.stderr is not None
        line = server.stderr.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert url, line
        with urllib.request.urlopen(url.group(0) + "index.html", timeout=10) as page:
            assert b"Runtime calendar" in page.read()
    finally:
        server.terminate()
        server.wait(timeout=10)

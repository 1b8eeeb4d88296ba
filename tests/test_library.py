"""notifier as a library: this file imports nothing of notifier's but the package itself."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import notifier
from notifier import ConfigError, InputError, Notifier

PUBLIC = [
    "AccountsSummary",
    "CalendarCheck",
    "CalendarView",
    "ChannelCheck",
    "ChannelDown",
    "ChannelStats",
    "ConfigError",
    "DashboardSummary",
    "DryRun",
    "FeedbackSummary",
    "Gallery",
    "History",
    "InputError",
    "InventorySummary",
    "Notifier",
    "NotifierError",
    "PlannedNotice",
    "Preview",
    "Problem",
    "Resend",
    "RunLockLost",
    "RunLockedError",
    "RunSummary",
    "Settings",
    "SetupCheck",
    "StoreError",
    "Suppressions",
    "TemplatesCheck",
    "__version__",
]
DAY = date(2027, 1, 15)
ACCOUNT = "111122223333"


@pytest.fixture
def nt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Notifier:
    """The library on a brand-new SQLite database in a scratch folder, writing to an outbox."""
    monkeypatch.chdir(tmp_path)
    return Notifier(database_url=f"sqlite:///{tmp_path / 'n.db'}", email={"outbox_dir": "out"})


def test_the_public_names_are_pinned_and_each_one_resolves() -> None:
    assert sorted(notifier.__all__) == sorted(PUBLIC)
    for name in PUBLIC:
        assert getattr(notifier, name) is not None
    with pytest.raises(AttributeError):
        notifier.NoSuchThing  # noqa: B018


def test_the_package_ships_its_type_information() -> None:
    assert (Path(notifier.__file__).parent / "py.typed").is_file()


def test_importing_notifier_does_not_load_the_database_or_the_channels() -> None:
    """`import notifier` stays cheap: every worker process imports it."""
    code = "import sys, notifier; print('sqlalchemy' in sys.modules, 'boto3' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.stdout.split() == ["False", "False"]


def test_the_readme_example_works_as_written(nt: Notifier, tmp_path: Path) -> None:
    plan = nt.dry_run(as_of=DAY, accounts=[ACCOUNT])
    assert plan.notices and all(n.account_id == ACCOUNT for n in plan.notices)
    first = plan.notices[0]
    assert first.subject in first.to_json()["subject"] and first.problem is None
    assert plan.to_json()["as_of"] == "2027-01-15"
    ran = nt.run(as_of=DAY)
    assert ran.exit_code == 0 and ran.to_json()["notices"] == ran.notices > 0
    sent = nt.history(accounts=[ACCOUNT]).to_json()["notices"]
    assert {n["subject"] for n in sent} == {n.subject for n in plan.notices}
    assert len(list((tmp_path / "out").rglob("*.eml"))) == ran.notices


def test_a_second_run_the_same_day_sends_nothing(nt: Notifier) -> None:
    assert nt.run(as_of=DAY).notices > 0
    assert nt.run(as_of=DAY).notices == 0


def test_imports_return_what_they_imported(nt: Notifier, tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text(
        "account_id,name,primary_email,operations_email,security_email,billing_email\n"
        f"{ACCOUNT},Payments,owner@example.com,ops@example.com,,\n"
    )
    (tmp_path / "inventory.csv").write_text(
        "account_id,region,function_name,runtime,package_type\n"
        f"{ACCOUNT},us-east-1,pay,python3.9,Zip\n"
    )
    assert nt.import_inventory(tmp_path / "inventory.csv").to_json()["in_scope"] == 1
    assert nt.import_accounts("accounts.csv").to_json() == {
        "read": 1,
        "inserted": 1,
        "updated": 0,
        "warnings": [],
    }
    assert [n.account_id for n in nt.dry_run(as_of=DAY).notices] == [ACCOUNT]


def test_keyword_overrides_set_any_setting_over_the_file(tmp_path: Path) -> None:
    (tmp_path / "notifier.toml").write_text('timezone = "UTC"\nworkers = 1\n')
    nt = Notifier(tmp_path / "notifier.toml", timezone="Asia/Tokyo", email={"channel": "smtp"})
    assert (nt.settings.timezone, nt.settings.workers) == ("Asia/Tokyo", 1)
    assert nt.settings.email_channel == "smtp"


def test_a_bad_override_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="workers"):
        Notifier(workers="many")


def test_every_day_the_library_acts_on_comes_from_its_clock(tmp_path: Path) -> None:
    clock = datetime(2027, 3, 1, 23, 30, tzinfo=UTC)
    nt = Notifier(timezone="Asia/Tokyo", clock=lambda: clock)
    assert nt.today() == date(2027, 3, 2)
    assert nt.calendar().as_of == date(2027, 3, 2)


def test_a_bad_account_id_names_the_argument(nt: Notifier) -> None:
    with pytest.raises(InputError, match="accounts: expected a 12-digit account id, got '12'"):
        nt.history(accounts=["12"])


def test_reads_on_a_new_database_write_nothing(nt: Notifier, tmp_path: Path) -> None:
    notes: list[str] = []
    quiet = Notifier(database_url=f"sqlite:///{tmp_path / 'n.db'}", on_note=notes.append)
    assert quiet.history().rows == ()
    assert quiet.suppressions().rows == ()
    assert quiet.calendar(DAY).runtimes
    assert quiet.dry_run(as_of=DAY).notices
    assert any("new database: showing the bundled sample" in n for n in notes)
    assert list(tmp_path.iterdir()) == []


def test_the_suppression_list_from_python(nt: Notifier) -> None:
    assert nt.suppress_add("Ops@Example.com", reason="hard bounce") is True
    assert nt.suppress_add("ops@example.com") is False
    assert [r.address for r in nt.suppressions().rows] == ["ops@example.com"]
    assert nt.suppress_remove("ops@example.com") is True
    assert nt.suppress_remove("ops@example.com") is False
    with pytest.raises(InputError, match="address: expected an email address"):
        nt.suppress_add("not an address")


def test_a_preview_of_a_sample_notice(nt: Notifier) -> None:
    shown = nt.preview("python3.9", "block_create:30")
    assert "Python 3.9" in shown.rendered.subject
    assert b"Message-ID:" in shown.message
    with pytest.raises(InputError, match=r"did you mean python3\.9"):
        nt.preview("python3.99", "block_create:30")


def test_a_run_far_ahead_is_refused_unless_forced(nt: Notifier) -> None:
    with pytest.raises(InputError, match="as_of: 9999-12-31 is more than 400 days"):
        nt.run(as_of=date(9999, 12, 31))


def test_the_readme_python_example_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Path(__file__).parents[1]
    readme = (repo / "README.md").read_text()
    block = readme.split("## Use from Python", 1)[1].split("```python\n", 1)[1].split("```")[0]
    shutil.copy(repo / "data" / "accounts.csv", tmp_path / "accounts.csv")
    shutil.copytree(repo / "data" / "inventory", tmp_path / "inventory")
    (tmp_path / "notifier.toml").write_text('[email]\noutbox_dir = "sent"\n')
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})
    assert "Python 3.9" in capsys.readouterr().out
    assert list((tmp_path / "sent").rglob("*.eml"))


def test_every_public_method_has_a_docstring_with_an_example() -> None:
    public = [name for name in dir(Notifier) if not name.startswith("_")]
    assert {"dry_run", "run", "history", "preview", "health_events"} <= set(public)
    for name in public:
        doc = getattr(Notifier, name).__doc__ or ""
        assert "Example:" in doc, name

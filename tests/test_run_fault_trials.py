"""Fault trials of whole runs: one bad notice, a full disk, a read-only database, two first runs,
a lost PostgreSQL lock, PostgreSQL going away mid-run. Nothing is lost and nothing sent twice."""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from notifier.store.engine import make_engine
from notifier.store.lock import _lock_key
from tests.cli_helpers import Cli
from tests.conftest import fresh_postgres_schema, postgres_url_or_skip
from tests.mounts import mounted_tmpfs, read_only_view
from tests.peers import SmtpPeer
from tests.proxy import Proxy, proxy_to
from tests.test_run_faults import DAY, write_fleet


def smtp_config(folder: Path, peer: SmtpPeer, timeout: int = 5, *smtp: str) -> None:
    """notifier.toml for the SMTP relay `peer`; `smtp` holds more lines of the [smtp] table."""
    lines = ["[email]", 'channel = "smtp"', "[smtp]", 'host = "127.0.0.1"', f"port = {peer.port}"]
    lines += ['security = "plain"', f"timeout = {timeout}", *smtp, "[delivery]", "max_attempts = 2"]
    lines += ["backoff_base = 0.01", "backoff_max = 0.02"]
    (folder / "notifier.toml").write_text("\n".join(lines) + "\n")


def fleet(folder: Path, capsys: pytest.CaptureFixture[str], url: str, accounts: int) -> Cli:
    write_fleet(folder, accounts)
    env = {"NOTIFIER_SAMPLE_DATA": "false", "NOTIFIER_DATABASE_URL": url, "NOTIFIER_WORKERS": "1"}
    cli = Cli(folder, capsys, env)
    assert cli("accounts", "import", "accounts.csv").code == 0
    assert cli("inventory", "import", "inventory.csv").code == 0
    return cli


def statuses(cli: Cli) -> Counter[str]:
    return Counter(
        status
        for n in cli("history", "--json").json()["notices"]
        for status in n["channels"].values()
    )


def test_a_notice_that_cannot_be_rendered_fails_alone_and_the_run_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = fleet(tmp_path, capsys, f"sqlite:///{tmp_path / 'n.db'}", 20)
    layout = tmp_path / "mine" / "layout"
    layout.mkdir(parents=True)
    (layout / "subject.txt").write_text(
        '{% if account.id == "500000000003" %}{{ account.missing.field }}{% endif %}'
        "[Action required] {% block headline %}{% endblock %}\n"
    )
    cli.env["NOTIFIER_TEMPLATES_DIR"] = str(tmp_path / "mine")
    planned = cli("dry-run", "--as-of", DAY, "--json")
    assert planned.code == 0, planned.err
    problems = [n for n in planned.json()["notices"] if "problem" in n]
    assert {n["account_id"] for n in problems} == {"500000000003"}
    result = cli("run", "--as-of", DAY, "--json")
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    history = cli("history", "--json").json()["notices"]
    broken = [n for n in history if n["account_id"] == "500000000003"]
    assert broken and all(set(n["channels"].values()) == {"failed"} for n in broken)
    others = [n for n in history if n["account_id"] != "500000000003"]
    assert len(others) == 19 * len(broken)
    assert all(set(n["channels"].values()) == {"delivered"} for n in others)
    reasons = result.json()["channels"]["outbox"]["reasons"]
    assert [r for r in reasons if r.startswith("cannot render this notice: ")] == list(reasons)
    assert all("layout/subject.txt:1: template failed" in r for r in reasons)
    again = cli("run", "--as-of", DAY)
    assert again.code == 0 and again.out.startswith(f"run for {DAY}: 0 new notices, 0 retried")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with mounted_tmpfs(tmp_path / "disk", size_kib=16384) as folder:
        yield folder


def fill(folder: Path) -> None:
    """Fill what is left of the disk under `folder`."""
    with (folder / "filler").open("wb") as stream:
        try:
            while True:
                stream.write(b"\0" * 65536)
                stream.flush()
        except OSError:
            pass


def test_a_full_disk_under_the_database_stops_the_run_and_never_resends_the_same_chunk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], small_disk: Path, smtp_peer: SmtpPeer
) -> None:
    cli = fleet(tmp_path, capsys, f"sqlite:///{small_disk / 'n.db'}", 150)
    smtp_config(tmp_path, smtp_peer)
    # the disk fills up while the relay takes the first chunk: its outcome cannot be recorded
    smtp_peer.recorder.on_message = lambda count: fill(small_disk) if count == 30 else None
    runs = [cli("run", "--as-of", DAY) for _ in range(4)]
    for result in runs:
        assert result.code == 2, result.err
        assert result.err.count("\n") == 1 and result.err.startswith("error: the database ")
        assert "Traceback" not in result.err
    handed_over = len(smtp_peer.recorder.messages)
    assert 30 <= handed_over <= 100  # one chunk, and no rerun sent it again
    (small_disk / "filler").unlink()
    final = cli("run", "--as-of", DAY)
    assert final.code == 0, final.err
    ids = Counter(smtp_peer.recorder.message_ids())
    assert sum(ids.values()) - len(ids) <= handed_over  # a lost outcome is resent once
    assert set(statuses(cli)) == {"delivered"}
    assert len(ids) == len(cli("history", "--json").json()["notices"])


def test_read_commands_work_on_a_read_only_database_and_run_says_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    cli = fleet(data, capsys, "sqlite:///notifier.db", 5)
    assert cli("run", "--as-of", DAY).code == 0
    with read_only_view(data, tmp_path / "view") as view:
        cli.folder = view
        for command in (
            ["history", "--json"],
            ["dry-run", "--as-of", "2027-06-01", "--json"],
            ["suppress", "list"],
            ["health", "events"],
            ["calendar", "--as-of", DAY],
        ):
            result = cli(*command)
            assert result.code == 0, (command, result.err)
            assert "Traceback" not in result.err
        assert len(cli("history", "--json").json()["notices"]) > 5
        outbox = cli("run", "--as-of", "2027-06-01")  # the set-up check meets the outbox first
        assert outbox.code == 2
        assert outbox.err.startswith("error: email.outbox_dir: outbox: cannot be written")
        cli.env["NOTIFIER_OUTBOX_DIR"] = str(tmp_path / "outbox")
        refused = cli("run", "--as-of", "2027-06-01")
        assert refused.code == 2
        assert refused.err.startswith(
            f"error: sqlite:///notifier.db: the folder {view} cannot be written"
        )
        assert refused.err.count("\n") == 1


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_two_first_runs_on_a_brand_new_database_never_crash_nor_send_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], backend: str
) -> None:
    for attempt in range(6):
        folder = tmp_path / f"try{attempt}"
        folder.mkdir()
        write_fleet(folder, 10)
        with _database(backend, folder) as url:
            cli = Cli(folder, capsys, {"NOTIFIER_DATABASE_URL": url, "NOTIFIER_WORKERS": "1"})
            runs = [
                cli.subprocess(
                    "run", "--as-of", DAY, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
                )
                for _ in range(2)
            ]
            outcomes = [(p.wait(60), p.communicate()[1]) for p in runs]
            for code, err in outcomes:
                assert "Traceback" not in err, err
                assert code == 0 or (code == 3 and err.startswith("error: another notifier run"))
            assert 0 in [code for code, _ in outcomes]
            files = list((folder / "outbox").rglob("*.eml"))
            history = cli("history", "--json").json()["notices"]
            assert len(files) == len(history) > 0


def _database(backend: str, folder: Path):  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        from contextlib import nullcontext

        return nullcontext(f"sqlite:///{folder / 'notifier.db'}")
    return fresh_postgres_schema(postgres_url_or_skip())


@pytest.mark.postgres
def test_a_run_whose_postgres_lock_connection_dies_never_sends_a_notice_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer
) -> None:
    with fresh_postgres_schema(postgres_url_or_skip()) as url:
        cli = fleet(tmp_path, capsys, url, 400)
        smtp_config(tmp_path, smtp_peer)
        gate = smtp_peer.recorder.gate = threading.Event()  # the relay holds the first message
        first = cli.subprocess(
            "--quiet", "run", "--as-of", DAY, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _wait_for(smtp_peer.recorder.held.is_set, 120)  # the first run waits on the relay
        assert _terminate_lock_holder(url) == 1
        second = cli.subprocess(
            "--quiet", "run", "--as-of", DAY, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _wait_for(lambda: _lock_holders(url) == 1, 60)  # the second run holds it now
        gate.set()
        first_err = first.communicate(timeout=180)[1]
        second_err = second.communicate(timeout=180)[1]
        assert first.returncode == 3, first_err
        assert first_err.startswith("error: this run lost its lock on ")
        assert second.returncode == 0, second_err
        ids = Counter(smtp_peer.recorder.message_ids())
        assert max(ids.values()) == 1  # every Message-ID once
        final = cli("run", "--as-of", DAY)
        assert final.code == 0 and "0 new notices, 0 retried" in final.out
        assert set(statuses(cli)) == {"delivered"}
        assert len(ids) == len(cli("history", "--json").json()["notices"])


def _wait_for(condition, seconds: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _lock_where(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            key = _lock_key(connection, "run")
    finally:
        engine.dispose()
    high, low = (key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF
    return (
        f"FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = {high}"
        f" AND objid = {low} AND objsubid = 1"
    )


def _lock_holders(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.exec_driver_sql(f"SELECT count(*) {_lock_where(url)}").scalar_one()
            )
    finally:
        engine.dispose()


def _terminate_lock_holder(url: str) -> int:
    """pg_terminate_backend on the connection that holds this schema's run lock."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            query = f"SELECT pg_terminate_backend(pid) {_lock_where(url)}"
            return len(connection.exec_driver_sql(query).all())
    finally:
        engine.dispose()


def through(proxy: Proxy, url: str) -> str:
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(False)


def _outage(proxy: Proxy, seconds: float) -> None:
    proxy.down()
    if seconds:
        threading.Timer(seconds, proxy.restore).start()


@pytest.mark.postgres
@pytest.mark.parametrize("outage", [1.0, 0.0], ids=["restart", "gone"])
def test_postgres_going_away_mid_run_is_survived_or_stops_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], smtp_peer: SmtpPeer, outage: float
) -> None:
    with fresh_postgres_schema(postgres_url_or_skip()) as direct:
        server = make_url(direct)
        with proxy_to(server.host or "127.0.0.1", server.port or 5432) as proxy:
            cli = fleet(tmp_path, capsys, through(proxy, direct), 200)
            smtp_config(tmp_path, smtp_peer)
            smtp_peer.recorder.on_message = lambda count: (
                _outage(proxy, outage) if count == 150 else None
            )
            result = cli("run", "--as-of", DAY)
            assert "Traceback" not in result.err
            assert proxy.cut >= 2  # the run lock's connection and the pool's, mid-run
            if outage:  # a restart: reconnect and go on
                assert result.code == 0, result.err
            else:  # the database stays away: one line, exit 2
                assert result.code == 2
                assert len(result.err.splitlines()) == 1
                assert result.err.startswith("error: the database postgresql")
                proxy.restore()
                assert cli("run", "--as-of", DAY).code == 0
            ids = Counter(smtp_peer.recorder.message_ids())
            assert sum(ids.values()) - len(ids) <= (0 if outage else 100)
            assert set(statuses(cli)) == {"delivered"}
            assert len(ids) == len(cli("history", "--json").json()["notices"])


@pytest.mark.postgres
def test_a_read_only_postgres_database_is_read_and_run_says_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with fresh_postgres_schema(postgres_url_or_skip()) as url:
        cli = fleet(tmp_path, capsys, url, 5)
        assert cli("run", "--as-of", DAY).code == 0
        options = make_url(url).query["options"]
        read_only = make_url(url).update_query_dict(
            {"options": f"{options} -cdefault_transaction_read_only=on"}
        )
        cli.env["NOTIFIER_DATABASE_URL"] = read_only.render_as_string(False)
        for command in (["history", "--json"], ["dry-run", "--as-of", "2027-06-01"]):
            result = cli(*command)
            assert result.code == 0, (command, result.err)
        refused = cli("run", "--as-of", "2027-06-01")
        assert refused.code == 2
        assert len(refused.err.splitlines()) == 1
        assert "read-only transaction" in refused.err and "Traceback" not in refused.err

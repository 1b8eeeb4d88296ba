"""Errors a user can act on: a database that cannot be opened, a bad output path or port, a bad
option value. Each is one `error:` line naming the thing and what to do, exit 2, no traceback."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

import notifier
from tests.cli_helpers import Cli, Result
from tests.conftest import postgres_url_or_skip
from tests.mounts import read_only_view

PY39 = ("--runtime", "python3.9", "--milestone", "block_create:30")


def one_error(result: Result) -> str:
    """The single `error:` line on stderr of a command that failed with exit code 2."""
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    errors = [line for line in result.err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.err
    return errors[0]


@pytest.fixture
def free_port() -> Iterator[int]:
    """A port on 127.0.0.1 nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    yield port


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 another program listens on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield int(taken.getsockname()[1])


def with_database(cli: Cli, url: str) -> Cli:
    return Cli(cli.folder, cli.capsys, {**cli.env, "NOTIFIER_DATABASE_URL": url})


@pytest.mark.parametrize("command", [["run"], ["history"], ["dry-run"], ["db", "upgrade"]])
def test_a_postgresql_server_that_is_down_is_one_line_saying_to_start_it(
    cli: Cli, free_port: int, command: list[str]
) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port}/notifier"

    line = one_error(with_database(cli, url)(*command))

    assert f"127.0.0.1:{free_port}/notifier" in line
    assert "Connection refused" in line and "start PostgreSQL there" in line


@pytest.mark.postgres
def test_a_postgresql_database_that_does_not_exist_is_one_line_saying_to_create_it(
    cli: Cli,
) -> None:
    name = f"missing_{uuid.uuid4().hex[:12]}"
    url = make_url(postgres_url_or_skip()).set(database=name).render_as_string(False)

    line = one_error(with_database(cli, url)("run"))

    assert f'database "{name}" does not exist' in line
    assert f"create it first (createdb {name})" in line


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://user@db.example.com/notices", "notifier does not support mysql"),
        ("postgresql+asyncpg://user@host/db", "the driver asyncpg is not supported"),
        ("not a database url", "not a database URL; expected sqlite:///"),
    ],
)
@pytest.mark.parametrize("command", [["run"], ["history"], ["health", "events"]])
def test_a_database_url_notifier_cannot_use_is_one_line_naming_it(
    cli: Cli, url: str, says: str, command: list[str]
) -> None:
    line = one_error(with_database(cli, url)(*command))

    assert line == f"error: {url}: {says}" or line.startswith(f"error: {url}: {says}")
    assert list(cli.folder.iterdir()) == []


@pytest.mark.parametrize("command", [["run"], ["history"], ["accounts", "import", "a.csv"]])
def test_a_missing_folder_for_the_sqlite_file_is_never_created(
    cli: Cli, tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "no" / "such" / "dir" / "x.db"
    (tmp_path / "a.csv").write_text("account_id,name,primary_email\n")

    line = one_error(with_database(cli, f"sqlite:///{path}")(*command))

    assert line == (
        f"error: sqlite:///{path}: the folder {path.parent} does not exist; create it first"
    )
    assert not (tmp_path / "no").exists()


def test_a_sqlite_path_under_a_file_is_one_line(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("a file\n")

    line = one_error(with_database(cli, f"sqlite:///{tmp_path / 'plain' / 'x.db'}")("run"))

    assert f"{tmp_path / 'plain'} is not a folder" in line


def test_a_sqlite_file_in_a_read_only_folder_is_one_line(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    with read_only_view(tmp_path / "data", tmp_path / "ro") as folder:
        line = one_error(with_database(cli, f"sqlite:///{folder / 'x.db'}")("run"))

    assert f"the folder {folder} cannot be written; choose a writable folder" in line
    assert list((tmp_path / "data").iterdir()) == []


def test_debug_shows_the_traceback_of_a_database_that_cannot_be_opened(
    cli: Cli, free_port: int
) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port}/notifier"

    result = with_database(cli, url).process("--debug", "run")

    assert result.code == 2
    assert "Traceback" in result.err and "OperationalError" in result.err
    assert result.err.rstrip().splitlines()[-1].startswith("error: ")


def test_a_dashboard_written_onto_a_file_is_one_line(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "site").write_text("not a folder\n")

    line = one_error(cli("health", "dashboard", "--out", "site"))

    assert line == "error: site: a file stands where a folder is needed; choose another path"


def test_a_preview_written_into_a_missing_folder_is_one_line(cli: Cli, tmp_path: Path) -> None:
    line = one_error(cli("preview", *PY39, "--html", "nodir/x.html"))

    assert line == "error: nodir/x.html: the folder nodir does not exist; create it first"
    assert not (tmp_path / "nodir").exists()


def test_a_gallery_written_onto_a_file_is_one_line(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "site").write_text("not a folder\n")

    line = one_error(cli("preview", "--gallery", "site"))

    assert line.startswith("error: site: ")
    assert (tmp_path / "site").read_text() == "not a folder\n"


@pytest.mark.parametrize(
    "command",
    [
        ["health", "dashboard", "--out", "site", "--serve"],
        ["preview", "--gallery", "site", "--serve"],
    ],
)
def test_a_busy_port_to_serve_on_is_one_line(cli: Cli, busy_port: int, command: list[str]) -> None:
    result = cli.process(*command, str(busy_port))

    line = one_error(result)
    assert line.startswith(f"error: 127.0.0.1:{busy_port}: cannot listen: ")
    assert line.endswith("pass another port, or 0 for any free one")


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(f.relative_to(folder)): f.read_bytes() for f in folder.rglob("*") if f.is_file()}


@pytest.mark.parametrize(
    "command",
    [
        ["health", "dashboard", "--out", "site", "--serve"],
        ["preview", "--gallery", "site", "--serve"],
    ],
)
def test_a_busy_port_is_refused_before_the_site_is_written(
    cli: Cli, tmp_path: Path, busy_port: int, command: list[str]
) -> None:
    line = one_error(cli(*command, str(busy_port)))
    assert line.startswith(f"error: 127.0.0.1:{busy_port}: cannot listen: ")
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["health", "dashboard", "--out", "site", "--serve"],
        ["preview", "--gallery", "site", "--serve"],
    ],
)
def test_a_busy_port_leaves_an_earlier_site_as_it_was(
    cli: Cli, tmp_path: Path, busy_port: int, command: list[str]
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / ".notifier-gallery").write_text("written by notifier preview --gallery\n")
    (site / "index.html").write_text("the earlier site")
    before = files_under(site)

    one_error(cli(*command, str(busy_port)))

    assert files_under(site) == before


@pytest.mark.parametrize("command", [["run"], ["dry-run"], ["calendar"], ["health", "dashboard"]])
def test_a_bad_as_of_is_one_line_naming_the_option(cli: Cli, command: list[str]) -> None:
    line = one_error(cli(*command, "--as-of", "2027-13-01"))

    assert line == "error: --as-of: '2027-13-01' is not a date (YYYY-MM-DD)"


def test_an_unknown_option_is_one_line_pointing_at_help(cli: Cli) -> None:
    line = one_error(cli("run", "--bogus"))

    assert line == "error: No such option: --bogus (see `notifier run --help`)"


def test_version_prints_the_version(cli: Cli) -> None:
    result = cli.process("--version")

    assert (result.code, result.out, result.err) == (0, f"notifier {notifier.__version__}\n", "")


def test_help_still_works(cli: Cli) -> None:
    result = cli("run", "--help")

    assert result.code == 0
    assert "--as-of" in result.out and "--force" in result.out


def test_a_run_more_than_max_future_days_ahead_is_refused_unless_forced(
    cli: Cli, tmp_path: Path
) -> None:
    line = one_error(cli("run", "--as-of", "9999-12-31"))

    assert line.startswith("error: --as-of: 9999-12-31 is more than 400 days from today")
    assert "--force" in line
    assert list(tmp_path.iterdir()) == []
    assert cli("--quiet", "run", "--as-of", "9999-12-31", "--force").code == 0


def test_max_future_days_sets_how_far_ahead_a_run_may_go(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "notifier.toml").write_text("max_future_days = 0\n")

    line = one_error(cli("run", "--as-of", "2999-01-01"))

    assert "more than 0 days from today (max_future_days)" in line


@pytest.mark.parametrize("command", [["dry-run"], ["preview", *PY39]])
def test_dry_run_and_preview_take_any_date(cli: Cli, command: list[str]) -> None:
    assert cli("--quiet", *command, "--as-of", "9999-12-31").code == 0

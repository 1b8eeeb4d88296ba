"""Bad values are refused at the door, as a user meets them from a shell: one `error:` line per
problem naming file:line or the config key, exit 2, no traceback, and nothing written."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from notifier.config import load_settings
from tests.cli_helpers import Cli, Result
from tests.test_run_faults import DAY, write_fleet

ACCOUNTS_HEADER = "account_id,name,primary_email\n"
INVENTORY_HEADER = "account_id,region,function_name,runtime\n"
ARABIC_INDIC = "١٢٣٤٥٦٧٨٩٠١٢"  # twelve digits to str.isdigit, no account id
FULL_WIDTH = "１２３４５６７８９０１２"


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A folder whose database holds a small fleet, due notices on DAY not yet sent."""
    for name in ("NOTIFIER_DATABASE_URL", "NOTIFIER_CONFIG", "NOTIFIER_EMAIL_SENDER"):
        monkeypatch.delenv(name, raising=False)
    write_fleet(tmp_path, 3)
    made = Cli(tmp_path, capsys, {"NOTIFIER_SAMPLE_DATA": "false"})
    assert made("accounts", "import", "accounts.csv").code == 0
    assert made("inventory", "import", "inventory.csv").code == 0
    return made


def rows(folder: Path) -> dict[str, int]:
    """Rows per table of the folder's database."""
    with closing(sqlite3.connect(folder / "notifier.db")) as db:
        tables = [
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def refused(cli: Cli, *args: str, env: dict[str, str] | None = None) -> list[str]:
    """Run the command in a child process; check it was refused and wrote nothing; its lines."""
    before = rows(cli.folder)
    result = cli.process(*args, env=env)
    assert_refused(result)
    assert rows(cli.folder) == before
    return result.err.splitlines()


def assert_refused(result: Result) -> None:
    assert "Traceback" not in result.err
    assert result.code == 2, result.err
    assert result.err.endswith("\n")
    assert all(line.startswith("error: ") for line in result.err.splitlines()), result.err


def write(folder: Path, name: str, text: str) -> str:
    (folder / name).write_text(text, encoding="utf-8")
    return name


@pytest.mark.parametrize("sender", ["notifier", "Notices <not an address>"])
def test_a_sender_that_is_not_an_address_is_refused_before_anything_is_sent(
    cli: Cli, sender: str
) -> None:
    write(cli.folder, "notifier.toml", f'[email]\nsender = "{sender}"\n')

    lines = refused(cli, "run", "--as-of", DAY)

    assert len(lines) == 1
    assert lines[0].startswith(f"error: notifier.toml: email.sender: {sender!r} is not an email")
    assert not (cli.folder / "outbox").exists()


@pytest.mark.parametrize(
    ("toml", "env", "expected"),
    [
        pytest.param(
            "", {"NOTIFIER_EMAIL_SENDER": "Notices <n@example.com>\r\nBcc: all@example.org"},
            "error: NOTIFIER_EMAIL_SENDER: email.sender: expected one line without control "
            "characters, got 'Notices <n@example.com>\\r\\nBcc: all@example.org'",
            id="CRLF in the sender, from the environment",
        ),
        pytest.param(
            '[email]\nsender = "Notices\\n <n@example.com>"\n', {},
            "error: notifier.toml: email.sender: expected one line without control characters",
            id="LF in the sender, from the file",
        ),
        pytest.param(
            '[email]\nmessage_id_domain = "example.com\\r\\nX-Evil: 1"\n', {},
            "error: notifier.toml: email.message_id_domain: expected one line without control",
            id="CRLF in the Message-ID domain",
        ),
        pytest.param(
            '[email]\nmessage_id_domain = "notices example.com"\n', {},
            "error: notifier.toml: email.message_id_domain: expected a domain name",
            id="not a domain",
        ),
    ],
)  # fmt: skip
def test_a_line_break_in_a_header_setting_is_refused_before_anything_is_written(
    cli: Cli, toml: str, env: dict[str, str], expected: str
) -> None:
    write(cli.folder, "notifier.toml", toml)

    lines = refused(cli, "run", "--as-of", DAY, env=env)

    assert len(lines) == 1
    assert lines[0].startswith(expected)


def test_an_international_message_id_domain_is_used_in_its_ascii_form(tmp_path: Path) -> None:
    config = tmp_path / "notifier.toml"
    config.write_text('[email]\nmessage_id_domain = "bücher.example"\n', encoding="utf-8")
    assert load_settings(config, {}).message_id_domain == "xn--bcher-kva.example"


@pytest.mark.parametrize(
    ("toml", "env", "expected"),
    [
        ("[smtp]\nport = 70000\n", {}, "notifier.toml: smtp.port:"),
        ("[smtp]\nport = 0\n", {}, "notifier.toml: smtp.port:"),
        ("", {"NOTIFIER_SMTP_PORT": "70000"}, "NOTIFIER_SMTP_PORT: smtp.port:"),
    ],
)
def test_a_port_out_of_range_is_refused_naming_the_key(
    cli: Cli, toml: str, env: dict[str, str], expected: str
) -> None:
    write(cli.folder, "notifier.toml", toml)

    lines = refused(cli, "run", "--as-of", DAY, env=env)

    assert lines == [f"error: {expected} expected a whole number from 1 to 65535, got " + (
        repr(env["NOTIFIER_SMTP_PORT"]) if env else toml.split("= ")[1].strip()
    )]  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [("health", "dashboard", "--out", "site", "--serve", "70000"),
     ("preview", "--gallery", "site", "--serve", "70000")],
    ids=["health dashboard", "preview gallery"],
)  # fmt: skip
def test_a_port_to_serve_on_out_of_range_is_a_usage_error(cli: Cli, args: tuple[str, ...]) -> None:
    result = cli.process(*args)

    assert (result.code, "Traceback" in result.err, "65535" in result.err) == (2, False, True)
    assert not (cli.folder / "site").exists()


@pytest.mark.parametrize(
    ("command", "text"),
    [
        (("accounts", "import"), f"{ACCOUNTS_HEADER}999988887777,{'x' * 200_000},a@example.com\n"),
        (("inventory", "import"), f"{INVENTORY_HEADER}500000000000,us-east-1,{'f' * 200_000},x\n"),
    ],
    ids=["accounts", "inventory"],
)
def test_a_csv_field_of_200_kb_is_refused_with_its_line(
    cli: Cli, command: tuple[str, ...], text: str
) -> None:
    name = write(cli.folder, "big.csv", text)

    lines = refused(cli, *command, name)

    assert lines == ["error: big.csv:2: field longer than 131072 characters"]


def test_json_nested_a_hundred_thousand_deep_is_refused(cli: Cli) -> None:
    name = write(cli.folder, "deep.json", '{"Functions": ' + "[" * 100_000)

    lines = refused(cli, "inventory", "import", name)

    assert lines == ["error: deep.json: invalid JSON: arrays or objects nested too deeply"]


@pytest.mark.parametrize(
    ("name", "shown"),
    [("Pay\x00ments", "'\\x00'"), ('"Pay\nments"', "'\\n'")],
    ids=["NUL", "line break"],
)
def test_a_control_character_in_an_account_name_is_refused(cli: Cli, name: str, shown: str) -> None:
    path = write(cli.folder, "named.csv", f"{ACCOUNTS_HEADER}999988887777,{name},a@example.com\n")

    lines = refused(cli, "accounts", "import", path)

    assert lines == [f"error: named.csv:2: name: expected no control characters, found {shown}"]


def test_a_tab_in_an_account_name_is_kept(cli: Cli) -> None:
    path = write(cli.folder, "tab.csv", f"{ACCOUNTS_HEADER}999988887777,Pay\tments,a@example.com\n")
    assert cli("accounts", "import", path).code == 0


@pytest.mark.parametrize(
    ("file", "args", "expected"),
    [
        pytest.param(
            ("ids.csv", f"{ACCOUNTS_HEADER}{ARABIC_INDIC},Team,a@example.com\n"),
            ("accounts", "import", "ids.csv"),
            f"error: ids.csv:2: account_id: expected 12 digits, found '{ARABIC_INDIC}'",
            id="accounts CSV",
        ),
        pytest.param(
            ("inv.csv", f"{INVENTORY_HEADER}{FULL_WIDTH},us-east-1,f,python3.9\n"),
            ("inventory", "import", "inv.csv"),
            f"error: inv.csv:2: account_id: expected 12 digits, found '{FULL_WIDTH}'",
            id="inventory CSV",
        ),
        pytest.param(
            ("fns.json", '{"Functions": [{"FunctionArn": '
             f'"arn:aws:lambda:us-east-1:{ARABIC_INDIC}:function:f", "Runtime": "python3.9"}}]}}'),
            ("inventory", "import", "fns.json"),
            "error: fns.json: Functions[0].FunctionArn: expected a 12-digit account id in the ARN,"
            f" found '{ARABIC_INDIC}'",
            id="list-functions ARN",
        ),
        pytest.param(
            None, ("history", "--account", ARABIC_INDIC),
            f"error: --account: expected a 12-digit account id, got '{ARABIC_INDIC}'",
            id="--account of history",
        ),
        pytest.param(
            None, ("dry-run", "--as-of", DAY, "--account", FULL_WIDTH),
            f"error: --account: expected a 12-digit account id, got '{FULL_WIDTH}'",
            id="--account of dry-run",
        ),
    ],
)  # fmt: skip
def test_digits_of_other_scripts_make_no_account_id_anywhere(
    cli: Cli, file: tuple[str, str] | None, args: tuple[str, ...], expected: str
) -> None:
    if file is not None:
        write(cli.folder, *file)

    lines = refused(cli, *args)

    assert lines == [expected]


@pytest.mark.parametrize("digits", ["٢", "²"])
def test_digits_of_other_scripts_make_no_number_setting(cli: Cli, digits: str) -> None:
    lines = refused(cli, "run", "--as-of", DAY, env={"NOTIFIER_WORKERS": digits})

    assert lines == [
        f"error: NOTIFIER_WORKERS: workers: expected a whole number >= 0, got {digits!r}"
    ]


def test_a_domain_mixing_latin_and_cyrillic_is_accepted_with_a_warning(cli: Cli) -> None:
    path = write(
        cli.folder,
        "intl.csv",
        "account_id,name,primary_email,operations_email\n"
        "999988887777,Books,user@bücher.example,ops@пример.рф\n"
        "999988886666,Lookalike,user@exаmple.com,\n",  # the a of exаmple is Cyrillic
    )

    result = cli.process("accounts", "import", path)

    assert result.code == 0, result.err
    assert result.err.splitlines() == [
        "warning: intl.csv:3: primary_email: the domain of 'user@exаmple.com' mixes Latin and "
        "Cyrillic letters"
    ]
    with closing(sqlite3.connect(cli.folder / "notifier.db")) as db:
        stored = db.execute(
            "SELECT primary_email, operations_email FROM account WHERE account_id LIKE '9999%'"
            " ORDER BY account_id"
        ).fetchall()
    assert stored == [("user@exаmple.com", None), ("user@bücher.example", "ops@пример.рф")]


def test_a_runtime_identifier_with_other_digits_is_refused_in_the_calendar(cli: Cli) -> None:
    calendar = load_settings(None, {}).calendar.read_text(encoding="utf-8")
    row = "python3²,Python 3²,python,Amazon Linux 2023,2026-01-01,2026-02-01,2026-03-01,,\n"
    write(cli.folder, "calendar.csv", calendar + row)
    line = len(calendar.splitlines()) + 1

    lines = refused(cli, "calendar", env={"NOTIFIER_CALENDAR": "calendar.csv"})

    assert lines == [
        f"error: calendar.csv:{line}: identifier: expected a runtime identifier such as "
        "python3.12, found 'python3²'"
    ]


def test_a_region_with_other_digits_is_refused_in_the_inventory(cli: Cli) -> None:
    name = write(cli.folder, "inv.csv", f"{INVENTORY_HEADER}500000000000,us-east-١,f,python3.9\n")

    lines = refused(cli, "inventory", "import", name)

    assert lines == [
        "error: inv.csv:2: region: expected a Region such as us-east-1, found 'us-east-١'"
    ]

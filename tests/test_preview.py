"""`notifier preview`: one notice exactly as a run would send it, from sample or real data."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from notifier.core.planner import Affected, PlanContext, plan
from notifier.parsing.inventory import load_inventory
from notifier.service import preview as previews
from tests.cli_helpers import Cli
from tests.rendering_helpers import calendar

DATA = Path(__file__).resolve().parents[1] / "data"
PY39 = ("--runtime", "python3.9", "--milestone", "block_create:30")


def test_a_sample_preview_prints_recipients_subject_and_text(cli: Cli, tmp_path: Path) -> None:
    result = cli("preview", *PY39)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "To: cloud-owners@acme.example, platform-ops@acme.example"
    assert lines[1] == (
        "Subject: [Action required] AWS Lambda refuses new Python 3.9 (python3.9) functions "
        "from Monday, 1 February 2027"
    )
    assert lines[2:4] == ["", "Hello,"]
    assert "Starting Monday, 1 February 2027 (in 30 days): requests to create" in " ".join(lines)
    assert "arn:aws:lambda:us-east-1:123456789012:function:orders-api" in result.out
    assert "sample data from" in result.err and "samples/notices.toml" in result.err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_as_of_moves_the_day_the_notice_is_written_for(cli: Cli) -> None:
    result = cli("preview", *PY39, "--as-of", "2027-01-22")
    assert result.code == 0, result.err
    assert "Starting Monday, 1 February 2027 (in 10 days)" in " ".join(result.out.split())


def test_an_account_preview_uses_its_real_contacts_and_functions(cli: Cli, tmp_path: Path) -> None:
    assert cli("accounts", "import", str(DATA / "accounts.csv")).code == 0
    assert cli("inventory", "import", str(DATA / "inventory")).code == 0
    expected = sorted(
        f.arn
        for f in load_inventory([DATA / "inventory"])["111122223333"]
        if f.runtime == "python3.9" and f.is_zip
    )
    result = cli("preview", *PY39, "--account", "111122223333")
    assert result.code == 0, result.err
    listed = sorted(line.strip() for line in result.out.splitlines() if ":function:" in line)
    assert listed == expected
    assert '"Payments Platform" (111122223333)' in " ".join(result.out.split())
    assert result.out.startswith("To: aws-payments-platform@example.com, ")


def test_an_account_preview_writes_nothing_even_on_an_empty_database(
    cli: Cli, tmp_path: Path
) -> None:
    result = cli("preview", *PY39, "--account", "111122223333")
    assert result.code == 0, result.err
    assert "showing the bundled sample data" in result.err
    assert list(tmp_path.iterdir()) == []


def test_html_and_eml_files_hold_the_body_and_the_complete_message(
    cli: Cli, tmp_path: Path
) -> None:
    result = cli("preview", *PY39, "--html", "notice.html", "--eml", "notice.eml")
    assert result.code == 0, result.err
    message = email.message_from_bytes(
        (tmp_path / "notice.eml").read_bytes(), policy=email.policy.default
    )
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == result.out.splitlines()[1].removeprefix("Subject: ")
    html = message.get_body(("html",))
    assert html is not None
    assert html.get_content() == (tmp_path / "notice.html").read_text(encoding="utf-8")


def test_a_long_list_preview_says_the_message_attaches_it(cli: Cli, tmp_path: Path) -> None:
    samples = tmp_path / "mine" / "samples"
    samples.mkdir(parents=True)
    bundled = Path(__file__).resolve().parents[1] / "templates" / "samples" / "notices.toml"
    text = bundled.read_text(encoding="utf-8").replace(
        'us-east-1 = ["orders-api", "orders-worker", "invoice-renderer"]', "us-east-1 = 75"
    )
    (samples / "notices.toml").write_text(text, encoding="utf-8")
    cli.env["NOTIFIER_TEMPLATES_DIR"] = "mine"
    result = cli("preview", *PY39, "--eml", "long.eml")
    assert result.code == 0, result.err
    assert "attaches every function as functions-123456789012-python3.9.csv" in result.err
    message = email.message_from_bytes((tmp_path / "long.eml").read_bytes())
    assert message.get_content_type() == "multipart/mixed"


USAGE = [
    (["--runtime", "python3.99", "--milestone", "block_create:30"],
     "'python3.99' is not a runtime of the calendar; did you mean python3.9"),
    (["--runtime", "python3.9", "--milestone", "block_creat:30"],
     "expected PHASE:DAYS such as block_create:30"),
    (["--runtime", "python3.9", "--milestone", "block_create:-1"],
     "expected PHASE:DAYS such as block_create:30"),
    (["--runtime", "python3.15", "--milestone", "deprecation:30"],
     "python3.15 has no deprecation date in the calendar"),
    (["--runtime", "python3.9"], "Missing option '--milestone'"),
    ([], "Missing option '--runtime'"),
    ([*PY39, "--account", "1234"], "expected a 12-digit account id"),
    ([*PY39, "--serve"], "--serve [PORT] goes with --gallery DIR"),
    (["--gallery", "site", *PY39], "--gallery renders every sample notice"),
    (["--gallery", "site", "8080"], "PORT goes with --serve"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), USAGE, ids=[m for _, m in USAGE])
def test_bad_usage_says_what_is_wrong_with_exit_code_2(
    cli: Cli, args: list[str], message: str
) -> None:
    result = cli("preview", *args)
    assert result.code == 2
    assert message in " ".join(result.err.split())
    assert "Traceback" not in result.err


def test_an_unknown_account_is_an_error(cli: Cli) -> None:
    result = cli("preview", *PY39, "--account", "999999999999")
    assert result.code == 2
    assert "error: --account 999999999999: not in the database" in result.err


def test_an_account_without_functions_on_the_runtime_says_what_it_has(cli: Cli) -> None:
    result = cli("preview", "--runtime", "java25", "--milestone", "deprecation:30",
                 "--account", "111122223333")  # fmt: skip
    assert result.code == 2
    assert "error: --account 111122223333: no in-scope functions on java25 (it has some on " in (
        result.err
    )


def test_a_preview_sample_is_built_by_the_same_rule_as_a_planned_notice() -> None:
    kinds = ("primary", "operations")
    found = previews.load_samples(None, calendar(), kinds)
    for sample in found.samples:
        shown = sample.notice
        context = PlanContext(shown.as_of, calendar(), (shown.milestone.milestone,), kinds)
        functions = tuple(reversed(shown.functions))
        affected = Affected(shown.account, shown.runtime.identifier, functions)
        assert list(plan(context, [affected], {})) == [shown], sample.name

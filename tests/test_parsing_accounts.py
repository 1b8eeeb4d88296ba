"""The accounts reader: ids, names and contact addresses, and every problem at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from email_validator import EmailNotValidError, validate_email

from notifier.core.domain import Account
from notifier.core.errors import InputError
from notifier.parsing.accounts import load_accounts

HEADER = "account_id,name,primary_email,operations_email,security_email,billing_email"
GOOD = "111122223333,Payments,aws-payments@example.com,,,"


def problems(load: Callable[[], object]) -> list[str]:
    with pytest.raises(InputError) as caught:
        load()
    return caught.value.lines()


def reason(address: str) -> str:
    """What email-validator says about a bad address (its wording is its own)."""
    with pytest.raises(EmailNotValidError) as caught:
        validate_email(address, check_deliverability=False)
    return str(caught.value)


def write(tmp_path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "accounts.csv"
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(
            "11112222333,Payments,a@example.com,,,",
            ":2: account_id: expected 12 digits, found '11112222333'",
            id="eleven digits",
        ),
        pytest.param(
            "1111-2222-3333,Payments,a@example.com,,,",
            ":2: account_id: expected 12 digits, found '1111-2222-3333'",
            id="dashes",
        ),
        pytest.param(
            "111122223333,,a@example.com,,,",
            ":2: name: expected the account's name",
            id="no name",
        ),
        pytest.param(
            "111122223333,Payments,,,,",
            ":2: primary_email: expected the primary contact's email address",
            id="no primary address",
        ),
        pytest.param(
            "111122223333,Payments,payments.example.com,,,",
            ":2: primary_email: 'payments.example.com' is not a valid email address: "
            + reason("payments.example.com"),
            id="no at-sign",
        ),
        pytest.param(
            "111122223333,Payments,a@example.com,ops@,,",
            ":2: operations_email: 'ops@' is not a valid email address: " + reason("ops@"),
            id="bad alternate address",
        ),
    ],
)
def test_a_wrong_account_row_is_refused_with_file_line_and_column(
    tmp_path: Path, row: str, expected: str
) -> None:
    path = write(tmp_path, HEADER, row)
    assert problems(lambda: load_accounts(path)) == [f"{path}{expected}"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(
            HEADER + ",phone",
            ":1: phone: unknown column; expected account_id, name, primary_email,"
            " operations_email, security_email, billing_email",
            id="unknown column",
        ),
        pytest.param(
            "account_id,name,operations_email",
            ":1: primary_email: missing required column",
            id="missing column",
        ),
    ],
)
def test_a_wrong_header_is_refused(tmp_path: Path, header: str, expected: str) -> None:
    path = write(tmp_path, header)
    assert problems(lambda: load_accounts(path)) == [f"{path}{expected}"]


def test_a_duplicate_account_id_names_the_line_it_was_first_on(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, GOOD, "444455556666,Checkout,c@example.com,,,", GOOD)
    assert problems(lambda: load_accounts(path)) == [
        f"{path}:4: account_id: duplicate account id 111122223333; first on line 2"
    ]


def test_every_problem_in_the_accounts_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER,
        "1234,,not-an-address,,,",
        GOOD,
        GOOD,
        "444455556666,Checkout,c@example.com,,sec urity@example.com,",
    )
    assert problems(lambda: load_accounts(path)) == [
        f"{path}:2: account_id: expected 12 digits, found '1234'",
        f"{path}:2: name: expected the account's name",
        f"{path}:2: primary_email: 'not-an-address' is not a valid email address: "
        + reason("not-an-address"),
        f"{path}:4: account_id: duplicate account id 111122223333; first on line 3",
        f"{path}:5: security_email: 'sec urity@example.com' is not a valid email address: "
        + reason("sec urity@example.com"),
    ]


def test_accounts_load_with_ids_kept_as_text_and_addresses_normalised(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER,
        '012345678901,"Research, Labs",Labs@EXAMPLE.ORG, AWS-Labs@Example.org ,,'
        "billing@example.net",
    )
    assert load_accounts(path) == [
        Account(
            account_id="012345678901",
            name="Research, Labs",
            primary_email="Labs@example.org",
            operations_email="AWS-Labs@example.org",
            security_email=None,
            billing_email="billing@example.net",
        )
    ]


def test_alternate_contact_columns_may_be_left_out(tmp_path: Path) -> None:
    path = write(tmp_path, "account_id,name,primary_email", "111122223333,Payments,a@example.com")
    assert load_accounts(path) == [Account("111122223333", "Payments", "a@example.com")]


def test_a_byte_order_mark_and_blank_lines_are_tolerated(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, "", GOOD, "", encoding="utf-8-sig")
    assert [a.account_id for a in load_accounts(path)] == ["111122223333"]


def test_text_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes((HEADER + "\n111122223333,Caf\xe9,a@example.com,,,\n").encode("latin-1"))
    assert problems(lambda: load_accounts(path)) == [
        f"{path}: expected UTF-8 text: invalid continuation byte"
    ]


def test_the_same_address_in_another_case_collapses_to_one_recipient(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, "111122223333,Payments,ops@example.com,OPS@EXAMPLE.COM,,")
    (account,) = load_accounts(path)
    assert account.recipients(("primary", "operations")) == ("ops@example.com",)

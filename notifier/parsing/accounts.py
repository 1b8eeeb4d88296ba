"""Reads the accounts CSV (ids, names, contact addresses); every problem at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from notifier.config.reader import control_character
from notifier.core.domain import Account
from notifier.core.errors import Problem
from notifier.core.names import is_account_id
from notifier.parsing.csvio import raise_if_any, read_table
from notifier.parsing.scripts import mixed_scripts, spoken_list

REQUIRED = ("account_id", "name", "primary_email")
OPTIONAL = ("operations_email", "security_email", "billing_email")
EMAIL_COLUMNS = ("primary_email", *OPTIONAL)


_Reporter = Callable[[str, str], None]


class _Addresses:
    """Validates and normalises addresses, remembering each answer: teams share addresses."""

    def __init__(self, check_deliverability: bool) -> None:
        self._check = check_deliverability
        self._seen: dict[str, str | EmailNotValidError] = {}

    def normalize(self, address: str) -> str:
        """The normalised address; EmailNotValidError when it is not a usable address."""
        answer = self._seen.get(address)
        if answer is None:
            answer = self._validate(address)
            self._seen[address] = answer
        if isinstance(answer, EmailNotValidError):
            raise answer
        return answer

    def _validate(self, address: str) -> str | EmailNotValidError:
        try:
            return validate_email(address, check_deliverability=self._check).normalized
        except EmailNotValidError as exc:
            return exc


def load_accounts(path: Path, check_deliverability: bool = False) -> list[Account]:
    """The accounts in file order. Raises InputError listing every problem found."""
    return read_accounts(path, check_deliverability)[0]


def read_accounts(
    path: Path, check_deliverability: bool = False
) -> tuple[list[Account], list[Problem]]:
    """The accounts in file order, and warnings about addresses that are valid but look like
    another (a domain mixing scripts). Raises InputError listing every problem found."""
    rows, problems = read_table(path, REQUIRED, OPTIONAL)
    source = str(path)
    addresses = _Addresses(check_deliverability)
    accounts: list[Account] = []
    first_seen: dict[str, int] = {}
    for line, values in rows:
        account_id = values["account_id"]
        if account_id in first_seen:
            problems.append(_duplicate(source, line, account_id, first_seen[account_id]))
        elif account_id:
            first_seen[account_id] = line
        account, row_problems = _account(source, line, values, addresses)
        problems.extend(row_problems)
        if account is not None and first_seen.get(account_id) == line:
            accounts.append(account)
    raise_if_any(problems)
    return accounts, list(_lookalikes(source, rows, accounts))


def _lookalikes(
    source: str, rows: list[tuple[int, dict[str, str]]], accounts: list[Account]
) -> Iterator[Problem]:
    """A warning for each address whose domain mixes scripts, in the form it is stored."""
    lines = {values["account_id"]: line for line, values in reversed(rows)}
    for account in accounts:
        for column in EMAIL_COLUMNS:
            address = getattr(account, column)
            scripts = mixed_scripts(address.rpartition("@")[2]) if address else ()
            if scripts:
                message = f"the domain of {address!r} mixes {spoken_list(scripts)} letters"
                yield Problem(source, message, line=lines[account.account_id], field=column)


def _account(
    source: str, line: int, values: dict[str, str], addresses: _Addresses
) -> tuple[Account | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(source=source, line=line, field=column, message=message))

    if not is_account_id(values["account_id"]):
        problem("account_id", f"expected 12 digits, found {values['account_id']!r}")
    if not values["name"]:
        problem("name", "expected the account's name")
    elif (char := control_character(values["name"])) is not None:
        problem("name", f"expected no control characters, found {char!r}")
    emails: dict[str, str | None] = {}
    for column in EMAIL_COLUMNS:
        emails[column] = _email(values[column], column, addresses, problem)
    primary = emails["primary_email"]
    if problems or primary is None:
        return None, problems
    account = Account(
        account_id=values["account_id"],
        name=values["name"],
        primary_email=primary,
        operations_email=emails["operations_email"],
        security_email=emails["security_email"],
        billing_email=emails["billing_email"],
    )
    return account, []


def _email(raw: str, column: str, addresses: _Addresses, problem: _Reporter) -> str | None:
    if not raw:
        if column == "primary_email":
            problem(column, "expected the primary contact's email address")
        return None
    try:
        return addresses.normalize(raw)
    except EmailNotValidError as exc:
        problem(column, f"{raw!r} is not a valid email address: {exc}")
        return None


def _duplicate(source: str, line: int, account_id: str, first: int) -> Problem:
    return Problem(
        source=source,
        line=line,
        field="account_id",
        message=f"duplicate account id {account_id}; first on line {first}",
    )

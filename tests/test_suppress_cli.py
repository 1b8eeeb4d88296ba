"""`notifier suppress add|remove|list`: the suppression list as the user manages it."""

from __future__ import annotations

from tests.cli_helpers import Cli


def test_added_addresses_are_listed_lower_cased_with_their_reason(cli: Cli) -> None:
    assert cli("suppress", "add", "Ops@Example.COM", "--reason", "hard bounce").code == 0
    assert cli("suppress", "add", "a@example.org").code == 0
    listed = cli("suppress", "list", "--json").json()["suppressed"]
    assert [(s["address"], s["reason"]) for s in listed] == [
        ("a@example.org", "manual"),
        ("ops@example.com", "hard bounce"),
    ]
    text = cli("suppress", "list").out
    assert "ops@example.com" in text and "hard bounce" in text and "2 suppressed" in text


def test_adding_an_address_again_updates_its_reason(cli: Cli) -> None:
    cli("suppress", "add", "a@example.org", "--reason", "bounce")
    again = cli("suppress", "add", "A@example.org", "--reason", "complaint")
    assert again.code == 0 and "already suppressed" in again.err
    assert [s["reason"] for s in cli("suppress", "list", "--json").json()["suppressed"]] == [
        "complaint"
    ]


def test_removing_an_address_lets_notices_reach_it_again(cli: Cli) -> None:
    cli("suppress", "add", "a@example.org")
    assert cli("suppress", "remove", "A@EXAMPLE.ORG").code == 0
    assert cli("suppress", "list", "--json").json() == {"suppressed": []}


def test_removing_an_address_not_on_the_list_exits_1(cli: Cli) -> None:
    result = cli("suppress", "remove", "nobody@example.org")
    assert result.code == 1 and "not suppressed" in result.err


def test_a_malformed_address_is_an_input_error(cli: Cli) -> None:
    result = cli("suppress", "add", "not-an-address")
    assert result.code == 2 and result.err.startswith("error: ADDRESS: expected an email address")

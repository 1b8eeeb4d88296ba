"""Checks of the addresses that go into every message's headers: the sender and the domain of
Message-IDs. A bad one would be written into every message of every run."""

from __future__ import annotations

import re
from email.utils import parseaddr

from email_validator import EmailNotValidError, validate_email

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_NAMED = re.compile(r"(?P<name>[^<>]*?)\s*<(?P<address>[^<>]*)>")
MAX_DOMAIN = 253


def check_sender(sender: str) -> str | None:
    """What is wrong with a From value (`Name <address>` or an address), or None. The address
    is checked as email-validator does (no DNS); an ASCII name as RFC 5322 has it, since it is
    written into the header as given (another is encoded, and quoted where needed)."""
    named = _NAMED.fullmatch(sender.strip())
    address = named["address"] if named else sender.strip()
    try:
        validate_email(address, check_deliverability=False)
        if sender.isascii():
            validate_email(sender, allow_display_name=True, check_deliverability=False)
    except EmailNotValidError as exc:
        return f"{sender!r} is not an email address: {exc}"
    if parseaddr(sender)[1] != address:
        return f"{sender!r} is not an email address: expected Name <address> or an address"
    return None


def check_domain(domain: str) -> str | None:
    """The domain in ASCII (an international one IDNA-encoded), or None when it is not a plain
    domain name: letters, digits and hyphens in labels separated by dots."""
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if len(ascii_domain) > MAX_DOMAIN or not _DOMAIN.fullmatch(ascii_domain):
        return None
    return ascii_domain

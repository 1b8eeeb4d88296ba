"""Internationalised email addresses (RFC 6530) on the wire: a domain in Unicode can always be
written in its ASCII form (IDNA, "punycode"); a local part in Unicode cannot, and only reaches a
mail server that takes SMTPUTF8."""

from __future__ import annotations

import idna


def split_address(address: str) -> tuple[str, str]:
    """The local part and the domain (after the last "@"; empty when there is none)."""
    local, at, domain = address.rpartition("@")
    return (local, domain) if at else (address, "")


def has_ascii_local_part(address: str) -> bool:
    return split_address(address)[0].isascii()


def with_ascii_domain(address: str) -> str:
    """The address with its domain in IDNA form (`user@xn--bcher-kva.example`), the local part
    as it is. Raises ValueError (a UnicodeError) when the domain is not a valid IDNA name."""
    local, domain = split_address(address)
    if domain.isascii():
        return address
    return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"

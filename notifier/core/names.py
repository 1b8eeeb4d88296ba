"""The shapes of AWS names the whole project checks: account ids and Region names."""

from __future__ import annotations

import re

_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}")  # \d would match other scripts' digits


def is_account_id(text: str) -> bool:
    """Exactly twelve ASCII digits (leading zeros are part of the id)."""
    return len(text) == 12 and text.isascii() and text.isdigit()


def is_region(text: str) -> bool:
    """Looks like a Region name: us-east-1, eu-central-2, us-gov-west-1, ..."""
    return _REGION.fullmatch(text) is not None

"""The whole function list of a notice as a CSV file, for notices whose body lists only part.

A notice lists at most `max_functions` ARNs in its body; when it has more, the renderer returns a
`WithFunctionList` and the message carries every function in a CSV attachment
(account_id, region, function_arn, runtime), one row per function, in the notice's order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from notifier.core.domain import Notice
from notifier.rendering.types import RenderedNotice

CSV_COLUMNS = ("account_id", "region", "function_arn", "runtime")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN = re.compile(r"[^=+\-@\t\r,\"\n][^,\"\r\n]*")  # needs neither quotes nor an apostrophe
_QUOTE = re.compile(r"[,\"\r\n]")
# ARNs whose every cell is plain: a Region starting with a letter, no comma, quote or line break
_PLAIN_ARNS = re.compile(
    r"(?:arn:[^:,\"\r\n\x00]*:[^:,\"\r\n\x00]*:[a-z][^:,\"\r\n\x00]*:[^,\"\r\n\x00]*(?:\x00|$))*"
)


@dataclass(frozen=True)
class WithFunctionList(RenderedNotice):
    """A rendered notice whose message attaches the whole function list as `list_filename`.

    A subclass, because RenderedNotice (rendering/types.py) has no field for attachments yet;
    everything that takes a RenderedNotice takes this one unchanged.
    """

    list_filename: str = ""


def list_filename_of(rendered: RenderedNotice) -> str | None:
    """The CSV file name the message must attach, or None when the body lists every function."""
    if isinstance(rendered, WithFunctionList) and rendered.list_filename:
        return rendered.list_filename
    return None


def function_list_csv(notice: Notice) -> bytes:
    """UTF-8 CSV with CRLF line ends (RFC 4180), a header row, then one row per function.

    A cell starting with a formula character gets a leading apostrophe, so a spreadsheet shows
    it as text instead of evaluating it (ARNs never start so; hostile inventory data might).
    Written by hand: the cells are nearly always plain, and the csv module took half the time
    of building a long notice's message.
    """
    account, runtime = _cell(notice.account.account_id), _cell(notice.runtime.identifier)
    arns = notice.functions
    if _PLAIN_ARNS.fullmatch("\x00".join(arns)):  # the usual case: checked in one C call
        rows = [f"{account},{a.split(':', 4)[3]},{a},{runtime}" for a in arns]
    else:
        rows = [f"{account},{_cell(_region(a))},{_cell(a)},{runtime}" for a in arns]
    return "\r\n".join([",".join(CSV_COLUMNS), *rows, ""]).encode("utf-8")


def _region(arn: str) -> str:
    parts = arn.split(":", 4)
    return parts[3] if len(parts) > 3 else ""


def _cell(value: str) -> str:
    if _PLAIN.fullmatch(value):
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return '"' + value.replace('"', '""') + '"' if _QUOTE.search(value) else value

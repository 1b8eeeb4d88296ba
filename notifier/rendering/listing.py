"""The whole function list of a notice as a CSV file, for notices whose body lists only part.

A notice lists at most `max_functions` ARNs in its body; when it has more, the renderer returns a
`WithFunctionList` and the message carries every function in a CSV attachment
(account_id, region, function_arn, runtime), one row per function, in the notice's order.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from notifier.core.domain import Notice, region_of
from notifier.rendering.types import RenderedNotice

CSV_COLUMNS = ("account_id", "region", "function_arn", "runtime")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    account, runtime = _cell(notice.account.account_id), _cell(notice.runtime.identifier)
    writer.writerows((account, _cell(region_of(a)), _cell(a), runtime) for a in notice.functions)
    return out.getvalue().encode("utf-8")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value

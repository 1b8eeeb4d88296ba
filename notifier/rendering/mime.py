"""The RFC 5322 message of a rendered notice: text and HTML alternatives in UTF-8, and the whole
function list as a CSV attachment when the body lists only part of it:

    multipart/alternative (text/plain, text/html)                  every function listed
    multipart/mixed (multipart/alternative (...), text/csv)        a longer list, cut in the body

The bytes are what the compat32 classes (`MIMEMultipart` + `MIMENonMultipart` + `as_bytes()`)
produce for the same message, to the byte (a test holds the two side by side). Headers are folded
and encoded by compat32's own `Header`; the MIME structure around the base64 parts, which is fixed,
is written directly, since the generator's per-line loop was the slowest step of a run.
"""

from __future__ import annotations

import base64
import hashlib
from contextlib import suppress
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr

from notifier.core.addresses import with_ascii_domain
from notifier.core.domain import Notice
from notifier.rendering.listing import function_list_csv, list_filename_of
from notifier.rendering.types import RenderedNotice

NOTICE_HEADER = "X-Notifier-Notice"
MAX_LINE = 78  # where compat32 folds header lines
_BASE64_LINE = 76


def build_message(
    notice: Notice,
    rendered: RenderedNotice,
    *,
    message_id: str,
    sender: str,
    sent_at: datetime,
) -> bytes:
    """The message's bytes. Raises ValueError when a header value holds CR or LF.

    An address's domain is written in its ASCII (IDNA) form; a local part in Unicode stays as it
    is, in UTF-8 (RFC 6532): only a relay taking SMTPUTF8 can carry such an address anyway."""
    headers: dict[str, str | Header] = {
        "From": _address(sender),
        "To": _address_list([_address(r) for r in notice.recipients]),
        "Subject": _encoded(rendered.subject),
        "Date": format_datetime(sent_at),
        "Message-ID": message_id,
        NOTICE_HEADER: f"{notice.key.account_id}/{notice.key.runtime}/{notice.milestone.milestone}",
    }
    for name, value in headers.items():
        _refuse_line_breaks(name, str(value))
    filename = list_filename_of(rendered)
    if filename is None:
        content_type, body = _alternative(rendered, _boundary(message_id, "alt"))
    else:
        content_type, body = _mixed(notice, rendered, filename, message_id)
    top = [_folded("Content-Type", content_type), "MIME-Version: 1.0"]
    lines = [*top, *(_folded(n, v) for n, v in headers.items()), ""]
    return "\n".join(lines).encode("utf-8") + b"\n" + b"".join(body)


def _alternative(rendered: RenderedNotice, boundary: str) -> tuple[str, list[bytes]]:
    parts = [
        _text_part(rendered.text.encode("utf-8"), "plain"),
        _text_part(rendered.html.encode("utf-8"), "html"),
    ]
    return f'multipart/alternative; boundary="{boundary}"', _multipart(boundary, parts)


def _mixed(
    notice: Notice, rendered: RenderedNotice, filename: str, message_id: str
) -> tuple[str, list[bytes]]:
    """The alternatives, then the CSV file (a safe ASCII name: see context.list_filename)."""
    alt_type, alt_body = _alternative(rendered, _boundary(message_id, "alt"))
    alternative = [(_folded("Content-Type", alt_type) + "\n\n").encode("ascii"), *alt_body]
    csv_headers = (
        'Content-Type: text/csv; charset="utf-8"; header="present"\n'
        "Content-Transfer-Encoding: base64\n"
        + _folded("Content-Disposition", f'attachment; filename="{filename}"')
        + "\n\n"
    )
    attached = [csv_headers.encode("ascii"), _base64(function_list_csv(notice))]
    boundary = _boundary(message_id, "mixed")
    return f'multipart/mixed; boundary="{boundary}"', _multipart(boundary, [alternative, attached])


def _text_part(body: bytes, subtype: str) -> list[bytes]:
    head = f'Content-Type: text/{subtype}; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n'
    return [head.encode("ascii"), _base64(body)]


def _multipart(boundary: str, parts: list[list[bytes]]) -> list[bytes]:
    """Each part after a boundary line, then the closing boundary, as compat32 lays them out."""
    delimiter = f"--{boundary}\n".encode("ascii")
    between = f"\n--{boundary}\n".encode("ascii")
    out = [delimiter]
    for index, part in enumerate(parts):
        if index:
            out.append(between)
        out.extend(part)
    out.append(f"\n--{boundary}--\n".encode("ascii"))
    return out


def _base64(data: bytes) -> bytes:
    """Base64 in lines of 76 with a final line break, as base64.encodebytes, but in one C call."""
    encoded = base64.b64encode(data)
    lines = [encoded[i : i + _BASE64_LINE] for i in range(0, len(encoded), _BASE64_LINE)]
    return b"\n".join(lines) + b"\n"


def _boundary(message_id: str, kind: str) -> str:
    """Fixed per message, so the same notice builds the same bytes; '=_' never occurs in base64.
    96 bits of hash keep the Content-Type header on one line (folding it costs time)."""
    return f"=_{kind}_" + hashlib.sha256(message_id.encode()).hexdigest()[:24]


def _folded(name: str, value: str | Header) -> str:
    """One header as compat32 writes it: short ASCII as is, else folded by `Header.encode`.
    A value already in its final form (an address list holding a UTF-8 local part) as it is."""
    if isinstance(value, str) and len(name) + 2 + len(value) <= MAX_LINE and value.isascii():
        return f"{name}: {value}"
    if isinstance(value, _Final):
        return _folded_at_commas(f"{name}: {value}")
    found = value if isinstance(value, Header) else Header(value, header_name=name)
    return f"{name}: " + found.encode(linesep="\n", maxlinelen=MAX_LINE)


def _folded_at_commas(line: str) -> str:
    """A header holding UTF-8 addresses, folded after a comma where it runs past MAX_LINE
    (`Header` would turn it into encoded words, which RFC 2047 forbids in an address)."""
    lines = [""]
    for piece in line.split(", "):
        if lines[-1] and len(lines[-1]) + 2 + len(piece) > MAX_LINE:
            lines[-1] += ","
            lines.append(" " + piece)
        else:
            lines[-1] += ", " + piece if lines[-1] else piece
    return "\n".join(lines)


def _refuse_line_breaks(name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise ValueError(f"header {name} must not contain a line break: {value!r}")


def _encoded(value: str) -> str | Header:
    """ASCII as it is; anything else as an RFC 2047 encoded word."""
    return value if value.isascii() else Header(value, "utf-8")


class _Final(str):
    """A header value written as it is, never encoded or folded again."""


def _address(value: str) -> str:
    """An address as given; a non-ASCII display name RFC 2047 encoded, a non-ASCII domain in
    IDNA form, a non-ASCII local part as it is (a `_Final` value, UTF-8 in the header)."""
    _refuse_line_breaks("address", value)
    if value.isascii():
        return value
    name, address = parseaddr(value)
    if not address:
        return value
    with suppress(ValueError):  # not a valid IDNA name: kept, for the channel to refuse
        address = with_ascii_domain(address)
    if address.isascii():
        return formataddr((name, address), charset="utf-8")
    shown = formataddr((name, "@"), charset="utf-8").removesuffix("<@>") if name else ""
    return _Final(f"{shown}<{address}>" if shown else address)


def _address_list(addresses: list[str]) -> str:
    joined = ", ".join(addresses)
    return joined if joined.isascii() else _Final(joined)

"""The RFC 5322 message of a rendered notice: multipart/alternative, text then HTML, UTF-8.

Built with the compat32 classes (MIMEMultipart + MIMENonMultipart), about three times faster than
`email.message.EmailMessage` for the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import format_datetime, formataddr, parseaddr

from notifier.core.domain import Notice
from notifier.rendering.types import RenderedNotice

NOTICE_HEADER = "X-Notifier-Notice"


def build_message(
    notice: Notice,
    rendered: RenderedNotice,
    *,
    message_id: str,
    sender: str,
    sent_at: datetime,
) -> bytes:
    """The message's bytes. Raises ValueError when a header value holds CR or LF."""
    headers: dict[str, str | Header] = {
        "From": _address(sender),
        "To": ", ".join(_address(r) for r in notice.recipients),
        "Subject": _encoded(rendered.subject),
        "Date": format_datetime(sent_at),
        "Message-ID": message_id,
        NOTICE_HEADER: f"{notice.key.account_id}/{notice.key.runtime}/{notice.milestone.milestone}",
    }
    for name, value in headers.items():
        _refuse_line_breaks(name, str(value))
    message = MIMEMultipart("alternative", boundary=_boundary(message_id))
    for name, value in headers.items():
        message[name] = value  # type: ignore[assignment]  # compat32 takes Header objects too
    message.attach(_part(rendered.text, "plain"))
    message.attach(_part(rendered.html, "html"))
    return message.as_bytes()


def _part(body: str, subtype: str) -> MIMENonMultipart:
    """A UTF-8 text part, base64 encoded in one C call (email's own encoder loops per line)."""
    part = MIMENonMultipart("text", subtype, charset="utf-8")
    del part["MIME-Version"]
    part["Content-Transfer-Encoding"] = "base64"
    part.set_payload(base64.encodebytes(body.encode("utf-8")).decode("ascii"))
    return part


def _boundary(message_id: str) -> str:
    """Fixed per message, so the same notice builds the same bytes; '=_' never occurs in base64."""
    return "=_" + hashlib.sha256(message_id.encode()).hexdigest()[:32]


def _refuse_line_breaks(name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise ValueError(f"header {name} must not contain a line break: {value!r}")


def _encoded(value: str) -> str | Header:
    """ASCII as it is; anything else as an RFC 2047 encoded word."""
    return value if value.isascii() else Header(value, "utf-8")


def _address(value: str) -> str:
    """An address as given; a non-ASCII display name RFC 2047 encoded."""
    _refuse_line_breaks("address", value)
    if value.isascii():
        return value
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if address else value

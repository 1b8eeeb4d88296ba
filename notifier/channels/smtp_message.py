"""One message over an open SMTP connection: the envelope (internationalised addresses as the
relay can take them), MAIL, RCPT and DATA, and what the relay's refusals mean."""

from __future__ import annotations

import re
import smtplib
from email.utils import parseaddr

from notifier.channels.base import DeliveryError, OutgoingEmail, Refusal, ascii_address

_EOL = re.compile(rb"\r\n|\r(?!\n)|\n")
_ENHANCED = re.compile(r"^\s*5\.(\d{1,3})\.\d{1,3}\b")
_NO_MAILBOX = re.compile(
    r"no such (user|mailbox|recipient)|(user|recipient|mailbox) unknown|unknown (user|recipient)"
    r"|mailbox (is )?unavailable|mailbox not found|does not exist",
    re.IGNORECASE,
)


def send(connection: smtplib.SMTP, message: OutgoingEmail) -> tuple[str, tuple[Refusal, ...]]:
    """MAIL, RCPT for each recipient, DATA; returns the server's reply to DATA (its queue id)
    and the recipients refused while others accepted the message."""
    sender, recipients, options = envelope(connection, message)
    code, reply = connection.mail(sender, options)
    if code != 250:
        connection.rset()
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refusals: dict[str, tuple[int, bytes]] = {}
    for address, recipient in zip(message.recipients, recipients, strict=True):
        code, reply = connection.rcpt(recipient)
        if code not in (250, 251):
            refusals[address] = (code, reply)
    if len(refusals) == len(message.recipients):
        connection.rset()
        raise smtplib.SMTPRecipientsRefused(refusals)
    code, reply = connection.data(_crlf(message.data))
    if code != 250:
        connection.rset()
        raise smtplib.SMTPDataError(code, reply)
    return reply_text(reply), tuple(_refusal(a, c, r) for a, (c, r) in refusals.items())


def envelope(connection: smtplib.SMTP, message: OutgoingEmail) -> tuple[str, list[str], list[str]]:
    """The sender, the recipients and the MAIL options: Unicode addresses as they are with
    SMTPUTF8 when the relay offers it, else with their domains in IDNA form."""
    sender = parseaddr(message.sender)[1] or message.sender
    addresses = [sender, *message.recipients]
    if all(a.isascii() for a in addresses):
        return sender, list(message.recipients), []
    if connection.has_extn("smtputf8"):
        options = ["SMTPUTF8", *(["BODY=8BITMIME"] if connection.has_extn("8bitmime") else [])]
        return sender, list(message.recipients), options
    written = [_ascii(a) for a in addresses]
    return written[0], written[1:], []


def _ascii(address: str) -> str:
    return ascii_address(
        address, "smtp", "a local part in Unicode needs SMTPUTF8, which the relay does not offer"
    )


def _crlf(data: bytes) -> bytes:
    """SMTP carries lines ending in CRLF; messages are built with LF (smtplib only fixes str)."""
    return _EOL.sub(b"\r\n", data)


def _refusal(address: str, code: int, reply: bytes) -> Refusal:
    """A refused recipient; permanent when the reply says the mailbox does not exist (550, 551,
    553, 5.1.x, "user unknown"...), not for 4xx nor for a 5xx of policy (5.7.1 relay denied)."""
    text = reply_text(reply)
    enhanced = _ENHANCED.match(text)
    if not 500 <= code < 600:
        permanent = False
    elif _NO_MAILBOX.search(text):
        permanent = True
    else:
        permanent = enhanced.group(1) == "1" if enhanced else code in (550, 551, 553)
    return Refusal(address, f"{code} {text}".strip(), permanent)


THROTTLING = (421, 454)  # "try again later", "too many": the relay asks to slow down


def refused(exc: smtplib.SMTPResponseException) -> DeliveryError:
    """A 5xx is permanent, a refused sender's too: the same refusal of every message then
    stops the channel for the run (the breaker) and leaves the rest for the next run."""
    text = reply_text(exc.smtp_error)
    what = "sender refused" if isinstance(exc, smtplib.SMTPSenderRefused) else "refused"
    permanent = 500 <= exc.smtp_code < 600
    reason = f"smtp: {what}: {exc.smtp_code} {text}".strip()
    return DeliveryError(reason, retryable=not permanent, throttled=exc.smtp_code in THROTTLING)


def all_refused(exc: smtplib.SMTPRecipientsRefused) -> DeliveryError:
    """Its kind holds the relay's replies without the list of recipients: the same reply to
    every recipient of every message ("relaying denied") is the set-up's fault, unless each
    says the mailbox does not exist."""
    codes = [code for code, _ in exc.recipients.values()]
    listed = ", ".join(f"{r} ({c})" for r, (c, _) in sorted(exc.recipients.items()))
    replies = sorted({f"{c} {reply_text(r)}".strip() for c, r in exc.recipients.values()})
    transient = any(400 <= code < 500 for code in codes)
    unknown = all(_refusal(a, c, r).permanent for a, (c, r) in exc.recipients.items())
    return DeliveryError(
        f"smtp: every recipient refused: {listed}",
        retryable=transient,
        kind="smtp: every recipient refused: " + "; ".join(replies),
        of_message=unknown,  # "no such user" to each: these addresses', not the relay's
    )


def reply_text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)

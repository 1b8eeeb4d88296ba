"""The SMTP channel: smtplib over STARTTLS, implicit TLS or plain, with AUTH.

One connection per thread, reused across messages: the runner may deliver from a small pool of
threads, each then holding its own connection. A connection that failed is dropped and opened
again on the next message. Replies 4xx are transient, 5xx to a message are permanent; failures to
connect, greet, start TLS or log in are transient (a relay that is down or misconfigured must not
turn every notice into a permanent failure). The password is never logged or put in a reason.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
import threading
from email.utils import parseaddr

from notifier.channels.base import DeliveryError, DeliveryResult, OutgoingEmail
from notifier.config.delivery import SmtpSettings
from notifier.core.errors import ConfigError, Problem

_EOL = re.compile(rb"\r\n|\r(?!\n)|\n")


class SmtpChannel:
    name = "smtp"

    def __init__(self, settings: SmtpSettings, context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.context = context or _context(settings)
        self._local = threading.local()
        self._open: set[smtplib.SMTP] = set()
        self._lock = threading.Lock()

    def deliver(self, message: OutgoingEmail) -> DeliveryResult:
        connection = self._connection()
        try:
            reply = _send(connection, message)
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code in (421, -1):
                self._drop(connection)
            raise _refused(exc) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise _all_refused(exc) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._drop(connection)
            raise DeliveryError(f"smtp: connection lost: {_plain(exc)}", retryable=True) from exc
        return DeliveryResult(provider_id=reply or None)

    def close(self) -> None:
        with self._lock:
            connections, self._open = list(self._open), set()
        for connection in connections:
            _quit(connection)

    def _connection(self) -> smtplib.SMTP:
        connection: smtplib.SMTP | None = getattr(self._local, "connection", None)
        if connection is not None:
            return connection
        try:
            connection = self._connect()
        except (smtplib.SMTPException, OSError) as exc:
            where = f"{self.settings.host}:{self.settings.port}"
            raise DeliveryError(
                f"smtp: cannot connect to {where}: {_plain(exc)}", retryable=True
            ) from exc
        self._local.connection = connection
        with self._lock:
            self._open.add(connection)
        return connection

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "tls":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout, context=self.context
            )
        else:
            connection = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            # Without it, Nagle's algorithm and delayed ACKs cost ~40 ms on each TLS message.
            if connection.sock is not None:
                connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection.ehlo()
            if s.security == "starttls":
                connection.starttls(context=self.context)
                connection.ehlo()
            if s.username:
                connection.login(s.username, s.password or "")
        except BaseException:
            _quit(connection)
            raise
        return connection

    def _drop(self, connection: smtplib.SMTP) -> None:
        self._local.connection = None
        with self._lock:
            self._open.discard(connection)
        _quit(connection)


def _context(settings: SmtpSettings) -> ssl.SSLContext:
    if settings.ca_file is None:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cafile=str(settings.ca_file))
    except (OSError, ssl.SSLError) as exc:
        problem = Problem(str(settings.ca_file), f"cannot load CA certificates: {exc}")
        raise ConfigError([problem]) from exc


def _send(connection: smtplib.SMTP, message: OutgoingEmail) -> str:
    """MAIL, RCPT for each recipient, DATA; returns the server's reply to DATA (its queue id).
    Some recipients refused while others accepted: delivered to those accepted."""
    sender = parseaddr(message.sender)[1] or message.sender
    code, reply = connection.mail(sender)
    if code != 250:
        connection.rset()
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for recipient in message.recipients:
        code, reply = connection.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
    if len(refused) == len(message.recipients):
        connection.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = connection.data(_crlf(message.data))
    if code != 250:
        connection.rset()
        raise smtplib.SMTPDataError(code, reply)
    return reply.decode("utf-8", "replace")


def _crlf(data: bytes) -> bytes:
    """SMTP carries lines ending in CRLF; messages are built with LF (smtplib only fixes str)."""
    return _EOL.sub(b"\r\n", data)


def _refused(exc: smtplib.SMTPResponseException) -> DeliveryError:
    text = (
        exc.smtp_error.decode("utf-8", "replace")
        if isinstance(exc.smtp_error, bytes)
        else str(exc.smtp_error)
    )
    what = "sender refused" if isinstance(exc, smtplib.SMTPSenderRefused) else "refused"
    # A refused sender is the relay's configuration, the same for every message: transient.
    permanent = 500 <= exc.smtp_code < 600 and not isinstance(exc, smtplib.SMTPSenderRefused)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        what, permanent = "login refused", False
    return DeliveryError(f"smtp: {what}: {exc.smtp_code} {text}".strip(), retryable=not permanent)


def _all_refused(exc: smtplib.SMTPRecipientsRefused) -> DeliveryError:
    codes = [code for code, _ in exc.recipients.values()]
    listed = ", ".join(f"{r} ({c})" for r, (c, _) in sorted(exc.recipients.items()))
    transient = any(400 <= code < 500 for code in codes)
    return DeliveryError(f"smtp: every recipient refused: {listed}", retryable=transient)


def _plain(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _quit(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()

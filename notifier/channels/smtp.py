"""The SMTP channel: smtplib over STARTTLS, implicit TLS or plain, with AUTH.

One connection per thread, reused across messages: the runner may deliver from a small pool of
threads, each then holding its own connection. Connections are opened one at a time, so a set-up
fault is met once. A connection that failed is dropped and opened again on the next message.
Replies 4xx are transient, 5xx to a message are permanent; a relay that cannot be reached is
transient. A set-up fault (login refused, STARTTLS not offered, a TLS handshake or certificate
failure) is ChannelDown, naming the setting to fix; a relay that stops answering within
`smtp.timeout` (at any step: connect, greeting, each command, DATA) is ChannelStalled. Either
holds for the rest of the run: later messages fail at once, without connecting again.

An internationalised address goes as it is, with SMTPUTF8, to a relay offering it; otherwise its
domain goes in IDNA form, and a local part in Unicode fails the message permanently. A recipient
refused while others took the message is reported in `DeliveryResult.refused`. The password is
never logged or put in a reason.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import threading

from notifier.channels.base import (
    ChannelDown,
    ChannelStalled,
    DeliveryError,
    DeliveryResult,
    OutgoingEmail,
)
from notifier.channels.smtp_message import all_refused, refused, reply_text, send
from notifier.config.delivery import SmtpSettings
from notifier.core.errors import ConfigError, Problem

_MECHANISMS = ("CRAM-MD5", "PLAIN", "LOGIN")  # smtplib's order; only the first offered is tried


class SmtpChannel:
    name = "smtp"

    def __init__(self, settings: SmtpSettings, context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.context = context or _context(settings)
        self._local = threading.local()
        self._open: set[smtplib.SMTP] = set()
        self._lock = threading.Lock()
        self._setup = threading.Lock()  # one connection set-up at a time: one failed login
        self._halted: ChannelDown | ChannelStalled | None = None

    @property
    def halted(self) -> ChannelDown | ChannelStalled | None:
        """Why the channel fails every message for the rest of the run, if it does."""
        return self._halted

    def deliver(self, message: OutgoingEmail) -> DeliveryResult:
        self._check()
        connection = self._connection()
        try:
            reply, refusals = send(connection, message)
        except (smtplib.SMTPException, OSError, UnicodeError) as exc:
            raise self._failure(connection, exc) from exc
        return DeliveryResult(provider_id=reply or None, refused=refusals)

    def check(self) -> str:
        """Connect, EHLO, STARTTLS or implicit TLS, AUTH when smtp.username is set, then QUIT:
        what a run's first message meets, with the same lines naming the setting to fix."""
        try:
            connection = self._open_connection()
        except ChannelDown:
            raise
        except ChannelStalled as exc:
            reason = (
                f"smtp: {self._where()} does not answer (no reply within smtp.timeout = "
                f"{self.settings.timeout:g} s); check smtp.host and smtp.port"
            )
            raise ChannelDown(reason, setting="smtp.host") from exc
        except DeliveryError as exc:
            reason = f"{exc.reason}; check smtp.host and smtp.port"
            raise ChannelDown(reason, setting="smtp.host") from exc
        _quit(connection)
        return self._checked()

    def _checked(self) -> str:
        s = self.settings
        how = {"starttls": "STARTTLS", "tls": "implicit TLS", "plain": "no TLS"}[s.security]
        trusted = ", certificate trusted" if s.security != "plain" else ""
        login = f", login as {s.username} accepted" if s.username else ", no login"
        return f"{self._where()} answers, {how}{trusted}{login}"

    def close(self) -> None:
        with self._lock:
            connections, self._open = list(self._open), set()
        for connection in connections:
            _quit(connection)

    def _failure(self, connection: smtplib.SMTP, exc: Exception) -> DeliveryError:
        """What a failed message means; the connection dropped unless it can serve the next."""
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            return all_refused(exc)
        if isinstance(exc, smtplib.SMTPResponseException):
            if exc.smtp_code in (421, -1):
                self._drop(connection)
            if exc.smtp_code == 530:  # "authentication required", to MAIL: the set-up's fault
                return self._halt(self._login_required(exc))
            return refused(exc)
        self._drop(connection, polite=False)
        if isinstance(exc, UnicodeError):  # an address smtplib cannot write: the message's fault
            return DeliveryError(f"smtp: cannot send: {_plain(exc)}", retryable=False)
        if _timed_out(exc):
            return self._halt(ChannelStalled(self._stalled_reason()))
        return DeliveryError(f"smtp: connection lost: {_plain(exc)}", retryable=True)

    def _check(self) -> None:
        halted = self._halted
        if isinstance(halted, ChannelDown):
            raise ChannelDown(halted.reason, setting=halted.setting) from halted
        if halted is not None:
            raise ChannelStalled(halted.reason) from halted

    def _halt(self, error: ChannelDown | ChannelStalled) -> ChannelDown | ChannelStalled:
        with self._lock:
            self._halted = self._halted or error
        return error

    def _connection(self) -> smtplib.SMTP:
        connection: smtplib.SMTP | None = getattr(self._local, "connection", None)
        if connection is not None:
            return connection
        with self._setup:
            self._check()  # another thread's set-up may have failed meanwhile
            connection = self._open_connection()
        self._local.connection = connection
        with self._lock:
            self._open.add(connection)
        return connection

    def _open_connection(self) -> smtplib.SMTP:
        try:
            return self._connect()
        except (ChannelDown, ChannelStalled) as exc:
            self._halt(exc)
            raise
        except (smtplib.SMTPException, OSError) as exc:
            error = self._setup_error(exc)
            if isinstance(error, ChannelDown | ChannelStalled):
                self._halt(error)
            raise error from exc

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
                self._require(connection, "starttls", "smtp.security")
                connection.starttls(context=self.context)
                connection.ehlo()
            if s.username:
                self._login(connection, s.username, s.password or "")
        except smtplib.SMTPResponseException:
            _quit(connection)  # the relay answers: a polite QUIT costs nothing
            raise
        except BaseException:
            _close(connection)
            raise
        return connection

    def _login(self, connection: smtplib.SMTP, username: str, password: str) -> None:
        """One AUTH command with the best mechanism offered (smtplib's `login` would try each
        in turn: with a wrong password, two or three refused logins per connection)."""
        plain = self.settings.security == "plain"
        self._require(connection, "auth", "smtp.security" if plain else "smtp.username")
        offered = connection.esmtp_features["auth"].upper().split()
        mechanism = next((m for m in _MECHANISMS if m in offered), None)
        if mechanism is None:
            raise ChannelDown(
                f"smtp: {self._where()} offers none of the login mechanisms "
                f"{', '.join(_MECHANISMS)} (it offers {' '.join(offered) or 'none'})",
                setting="smtp.username",
            )
        connection.user, connection.password = username, password
        method = getattr(connection, "auth_" + mechanism.lower().replace("-", "_"))
        connection.auth(mechanism, method)  # SMTPAuthenticationError unless 235 (or 503)

    def _require(self, connection: smtplib.SMTP, extension: str, setting: str) -> None:
        if not connection.has_extn(extension):
            raise ChannelDown(
                f"smtp: {self._where()} does not offer {extension.upper()} "
                f"(smtp.security = {self.settings.security!r}): check {setting}",
                setting=setting,
            )

    def _setup_error(self, exc: smtplib.SMTPException | OSError) -> DeliveryError:
        """What a failed connection set-up means: the set-up's fault, a stall, or an outage."""
        where = self._where()
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            reply = reply_text(exc.smtp_error)
            return ChannelDown(
                self._hidden(
                    f"smtp: login to {where} refused: {exc.smtp_code} {reply}; "
                    "check smtp.username and smtp.password"
                ),
                setting="smtp.password",
            )
        if isinstance(exc, ssl.SSLError):
            return self._tls_error(exc)
        if _timed_out(exc):
            return ChannelStalled(self._stalled_reason())
        return DeliveryError(f"smtp: cannot connect to {where}: {_plain(exc)}", retryable=True)

    def _tls_error(self, exc: ssl.SSLError) -> ChannelDown:
        where = self._where()
        if isinstance(exc, ssl.SSLCertVerificationError):
            name = "hostname" in str(exc.verify_message).lower()
            setting = "smtp.host" if name else "smtp.ca_file"
            return ChannelDown(
                f"smtp: the TLS certificate of {where} is not trusted: {_plain(exc)}; "
                f"check {setting}",
                setting=setting,
            )
        return ChannelDown(
            f"smtp: TLS with {where} failed: {_plain(exc)}; check smtp.security "
            f"(now {self.settings.security!r}: 'tls' is for port 465, 'starttls' for 587)",
            setting="smtp.security",
        )

    def _login_required(self, exc: smtplib.SMTPResponseException) -> ChannelDown:
        return ChannelDown(
            f"smtp: {self._where()} wants a login: {exc.smtp_code} {reply_text(exc.smtp_error)}; "
            "set smtp.username and smtp.password",
            setting="smtp.username",
        )

    def _stalled_reason(self) -> str:
        return (
            f"smtp: {self._where()} stopped answering (no reply within smtp.timeout = "
            f"{self.settings.timeout:g} s); the rest waits for the next run"
        )

    def _hidden(self, reason: str) -> str:
        password = self.settings.password
        return reason.replace(password, "(hidden)") if password else reason

    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def _drop(self, connection: smtplib.SMTP, *, polite: bool = True) -> None:
        self._local.connection = None
        with self._lock:
            self._open.discard(connection)
        if polite:
            _quit(connection)
        else:
            _close(connection)


def _context(settings: SmtpSettings) -> ssl.SSLContext:
    if settings.ca_file is None:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cafile=str(settings.ca_file))
    except (OSError, ssl.SSLError) as exc:
        problem = Problem(str(settings.ca_file), f"cannot load CA certificates: {exc}")
        raise ConfigError([problem]) from exc


def _timed_out(exc: BaseException) -> bool:
    """Whether a timeout caused it: smtplib turns a timed-out read into SMTPServerDisconnected."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _plain(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _quit(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()


def _close(connection: smtplib.SMTP) -> None:
    """Without QUIT: a relay that stalled or broke TLS would only make it wait another timeout."""
    connection.close()

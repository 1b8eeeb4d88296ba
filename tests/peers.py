"""Real peers for the delivery tests: an aiosmtpd server (plain, or STARTTLS with AUTH, with a
self-signed certificate made here; with or without SMTPUTF8; one refusing every login; one
stalling in DATA), a TCP server that accepts and never answers, and moto's SES in server mode,
each on a free 127.0.0.1 port."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USER, PASSWORD = "notifier", "s3cret-pa55"
# Replies the recording server gives: a recipient -> an RCPT reply, or a callable deciding.
Rule = Callable[[str], str | None]


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes
    mail_options: list[str] = field(default_factory=list)

    @property
    def message_id(self) -> str:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        return str(parsed["Message-ID"])


@dataclass
class Recorder:
    """The aiosmtpd handler: keeps every accepted message; `rcpt_rule` may refuse recipients;
    `data_stall` seconds of silence after DATA's content (a relay that stalls)."""

    messages: list[Received] = field(default_factory=list)
    rcpt_rule: Rule | None = None
    data_stall: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    gate: threading.Event | None = None  # when given, each message waits until it is set
    held: threading.Event = field(default_factory=threading.Event)  # a message waits at the gate
    on_message: Callable[[int], None] | None = None  # called with the count of messages so far
    mail_rule: Rule | None = None  # a sender -> a MAIL reply refusing it, or None to accept
    mails: int = 0  # MAIL commands received: the messages the relay was asked to take

    async def handle_MAIL(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        with self.lock:
            self.mails += 1
        reply = self.mail_rule(address) if self.mail_rule else None
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        reply = self.rcpt_rule(address) if self.rcpt_rule else None
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        if self.data_stall:
            await asyncio.sleep(self.data_stall)
        while self.gate is not None and not self.gate.is_set():
            self.held.set()
            await asyncio.sleep(0.01)
        content = envelope.original_content or b""
        options = list(envelope.mail_options or [])
        with self.lock:
            self.messages.append(
                Received(str(envelope.mail_from), list(envelope.rcpt_tos), bytes(content), options)
            )
            number = len(self.messages)
        if self.on_message is not None:
            self.on_message(number)
        return f"250 2.0.0 Ok: queued as Q{number}"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m.message_id for m in self.messages]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Logins:
    """An aiosmtpd authenticator that refuses every login and counts the attempts."""

    def __init__(self) -> None:
        self.attempts = 0
        self.lock = threading.Lock()

    def __call__(
        self, server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        with self.lock:
            self.attempts += 1
        return AuthResult(success=False, handled=False)


class SmtpPeer:
    """An aiosmtpd Controller that can be stopped and started again on the same port.
    `smtputf8`: offers SMTPUTF8; `logins`: offers AUTH without TLS and refuses every login."""

    def __init__(
        self,
        recorder: Recorder,
        tls: ssl.SSLContext | None = None,
        *,
        smtputf8: bool = False,
        logins: Logins | None = None,
    ) -> None:
        self.recorder, self.tls, self.port = recorder, tls, free_port()
        self.smtputf8, self.logins = smtputf8, logins
        self.controller: Controller | None = None

    def start(self) -> None:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # the server's own chatter
        options: dict[str, Any] = {"enable_SMTPUTF8": self.smtputf8}
        if self.tls is not None:
            options |= {
                "tls_context": self.tls,
                "require_starttls": True,
                "auth_required": True,
                "authenticator": _authenticate,
            }
        if self.logins is not None:
            options |= {"authenticator": self.logins, "auth_require_tls": False}
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class SilentPeer:
    """A TCP server on 127.0.0.1 that accepts connections and never writes a byte: a relay that
    stalled. Counts the connections it accepted."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = int(self.listener.getsockname()[1])
        self.accepted: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.accepted.append(connection)

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(5)
        self.listener.close()
        for connection in self.accepted:
            connection.close()


def _authenticate(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


def make_certificate(folder: Path) -> Certificate:
    """A self-signed certificate for `localhost` (SAN), valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    paths = Certificate(folder / "cert.pem", folder / "key.pem")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp_peer() -> Iterator[SmtpPeer]:
    """A plain SMTP server recording what it accepts."""
    peer = SmtpPeer(Recorder())
    peer.start()
    try:
        yield peer
    finally:
        peer.stop()


@pytest.fixture
def silent_peer() -> Iterator[SilentPeer]:
    peer = SilentPeer()
    try:
        yield peer
    finally:
        peer.close()


@contextmanager
def running(peer: SmtpPeer) -> Iterator[SmtpPeer]:
    peer.start()
    try:
        yield peer
    finally:
        peer.stop()


@pytest.fixture
def tls_smtp_peer(certificate: Certificate) -> Iterator[SmtpPeer]:
    """An SMTP server that requires STARTTLS, then AUTH as USER/PASSWORD."""
    peer = SmtpPeer(Recorder(), tls=certificate.server_context())
    peer.start()
    try:
        yield peer
    finally:
        peer.stop()


class SesPeer:
    """moto's SES in server mode: identities, sent messages, a reset."""

    def __init__(self, url: str) -> None:
        self.url = url

    def reset(self) -> None:
        requests.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()

    def raw_messages(self) -> list[dict[str, Any]]:
        data = requests.get(f"{self.url}/moto-api/data.json", timeout=10).json()
        return list(data.get("ses", {}).get("RawMessage", []))

    def verify(self, identity: str) -> None:
        import boto3

        boto3.client("sesv2", endpoint_url=self.url).create_email_identity(EmailIdentity=identity)


@contextmanager
def moto_server() -> Iterator[str]:
    """moto in server mode on a free port of 127.0.0.1; yields its URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@contextmanager
def served_folder(site: Path) -> Iterator[str]:
    """notifier's own gallery server over `site`, on a free port, in a thread; yields its URL."""
    from notifier.service.serving import listening

    with listening(site, 0) as listener:
        assert listener is not None
        thread = threading.Thread(target=listener.serve, args=(lambda _: None,), daemon=True)
        thread.start()
        try:
            yield listener.url.rstrip("/")
        finally:
            listener.server.shutdown()
            thread.join(5)


@pytest.fixture(scope="session")
def ses_server() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def ses_peer(ses_server: str, monkeypatch: pytest.MonkeyPatch) -> SesPeer:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    peer = SesPeer(ses_server)
    peer.reset()
    return peer

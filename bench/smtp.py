"""SMTP delivery throughput: notifier's channel and sender next to a bare smtplib loop.

    python bench/smtp.py --messages 1000 --repeats 3 --out bench/results/smtp.json

A local aiosmtpd server runs in its own process (so it does not share the client's GIL), plain
and then STARTTLS with AUTH. The messages are the bundled sample's real notices, built once: each
row times the hand-over only. The reference is a bare `smtplib` loop over one connection to the
same server in the same run (as is, and with TCP_NODELAY, which STARTTLS needs: without it
Nagle's algorithm and delayed ACKs cost ~40 ms a message); ratios are to the faster of the two.
The target is >= 0.8x with one connection. Each figure is the median of --repeats timings.
"""

from __future__ import annotations

import argparse
import json
import platform
import smtplib
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from notifier import bootstrap  # noqa: E402
from notifier.channels.base import OutgoingEmail  # noqa: E402
from notifier.channels.smtp import SmtpChannel  # noqa: E402
from notifier.channels.smtp_message import _crlf  # noqa: E402
from notifier.config import load_settings  # noqa: E402
from notifier.config.delivery import SmtpSettings  # noqa: E402
from notifier.core.records import PendingDelivery  # noqa: E402
from notifier.service.compose import Prepared  # noqa: E402
from notifier.service.queries import dry_run  # noqa: E402
from notifier.service.sending import EmailSender, Job  # noqa: E402
from tests.peers import PASSWORD, USER, free_port, make_certificate  # noqa: E402

SERVER = """
import sys, time, ssl
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
options = {}
if cert:
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    options = dict(tls_context=tls, require_starttls=True, auth_required=True,
                   authenticator=lambda *a: AuthResult(success=True, handled=False))
Controller(Sink(), hostname="127.0.0.1", port=port, **options).start()
print("ready", flush=True)
sys.stdin.read()
"""


def sample_messages(count: int) -> list[OutgoingEmail]:
    settings = load_settings(None, {"NOTIFIER_SAMPLE_DATA": "true"})
    cal = bootstrap.calendar(settings)
    composer = bootstrap.composer(settings)
    with bootstrap.reading_store(settings, cal) as (store, _):
        inputs = bootstrap.plan_inputs(settings, cal, date(2026, 11, 27))
        built = [composer.email(p) for p in dry_run(store, inputs, composer, None)]
    return [replace(built[i % len(built)]) for i in range(count)]


def bare_loop(messages: list[OutgoingEmail], connect: Any, nodelay: bool = False) -> float:
    """The reference: one smtplib connection, sendmail per message."""
    started = time.perf_counter()
    connection = connect()
    if nodelay and connection.sock is not None:
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for m in messages:
        connection.sendmail("notices@example.com", list(m.recipients), _crlf(m.data))
    connection.quit()
    return len(messages) / (time.perf_counter() - started)


@dataclass(frozen=True)
class _Built:
    message: OutgoingEmail
    error: str | None = None


def notifier_rate(messages: list[OutgoingEmail], settings: SmtpSettings, context: Any) -> float:
    """notifier's path: SmtpChannel behind EmailSender (pool of `connections` workers)."""
    channel = SmtpChannel(settings, context)
    # Each job carries its built message in place of a Prepared: only the hand-over is timed.
    jobs: list[Job] = [
        (PendingDelivery(i, "smtp", i, m.key, 0, "pending"), cast(Prepared, _Built(m)))
        for i, m in enumerate(messages)
    ]
    sender = EmailSender(channel, lambda p: cast(_Built, p).message, parallel=settings.connections)
    started = time.perf_counter()
    with sender.running():
        outcomes = sender.send(jobs)
    rate = len(messages) / (time.perf_counter() - started)
    assert all(o.status == "delivered" for o in outcomes), outcomes[:3]
    return rate


def run_mode(
    mode: str, messages: list[OutgoingEmail], folder: Path, repeats: int
) -> list[dict[str, Any]]:
    port = free_port()
    cert = make_certificate(folder) if mode == "starttls" else None
    args = [str(port), str(cert.cert) if cert else "", str(cert.key) if cert else ""]
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == b"ready"
        context = cert.client_context() if cert else ssl.create_default_context()
        host = "localhost" if cert else "127.0.0.1"

        def connect() -> smtplib.SMTP:
            connection = smtplib.SMTP(host, port, timeout=30)
            if cert:
                connection.starttls(context=context)
                connection.login(USER, PASSWORD)
            return connection

        variants: dict[str, Any] = {
            "bare smtplib, 1 connection": lambda: bare_loop(messages, connect),
            "bare smtplib + TCP_NODELAY": lambda: bare_loop(messages, connect, True),
        }
        for connections in (1, 2, 4):
            settings = SmtpSettings(
                host=host,
                port=port,
                security=mode,
                username=USER if cert else None,
                password=PASSWORD if cert else None,
                connections=connections,
            )
            variants[f"notifier, {connections} connection(s)"] = partial(
                notifier_rate, messages, settings, context
            )
        timings: dict[str, list[float]] = {what: [] for what in variants}
        for _ in range(repeats):  # interleaved, so that load on the machine hits all alike
            for what, measure in variants.items():
                timings[what].append(measure())
        rows = [
            {"mode": mode, "what": what, "rate": statistics.median(rates), "runs": rates}
            for what, rates in timings.items()
        ]
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)
    bare = max(rows[0]["rate"], rows[1]["rate"])  # the faster of the two bare loops
    for row in rows:
        row["vs_bare"] = row["rate"] / bare
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3, help="median of this many timings")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "smtp.json")
    args = parser.parse_args()
    messages = sample_messages(args.messages)
    size = sum(len(m.data) for m in messages) / len(messages)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        for mode in ("plain", "starttls"):
            rows += run_mode(mode, messages, Path(folder), args.repeats)
    print(f"{len(messages)} messages, {size / 1024:.1f} KiB on average, server in its own process")
    print(f"{'mode':<9} {'path':<28} {'msg/s':>8} {'x bare':>7}")
    for row in rows:
        print(f"{row['mode']:<9} {row['what']:<28} {row['rate']:>8.0f} {row['vs_bare']:>7.2f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "messages": len(messages),
        "average_bytes": round(size),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "rows": rows,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

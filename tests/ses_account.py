"""SES's GetAccount, which moto does not implement, answered by a small local HTTP endpoint in
front of moto: GET /v2/email/account gets `account` as JSON, every other request goes on to
moto unchanged. boto3 does all the talking, through `url`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from tests.peers import SesPeer

PRODUCTION = {
    "SendingEnabled": True,
    "ProductionAccessEnabled": True,
    "SendQuota": {"Max24HourSend": 50000.0, "MaxSendRate": 200.0, "SentLast24Hours": 0.0},
}
VERIFIED = {
    "IdentityType": "DOMAIN",
    "VerifiedForSendingStatus": True,
    "VerificationStatus": "SUCCESS",
}
_HOP = {"host", "content-length", "connection", "transfer-encoding"}


class AccountEndpoint:
    def __init__(self, moto_url: str) -> None:
        self.moto_url = moto_url
        self.account: dict[str, Any] = json.loads(json.dumps(PRODUCTION))
        self.asked = 0  # GetAccount calls answered
        self.claim_verified = False  # answer GetEmailIdentity "verified" whatever moto holds
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def _handler(endpoint: AccountEndpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/v2/email/account":
                endpoint.asked += 1
                self._answer(200, json.dumps(endpoint.account).encode(), {})
            elif endpoint.claim_verified and path.startswith("/v2/email/identities/"):
                self._answer(200, json.dumps(VERIFIED).encode(), {})
            else:
                self._forward()

        def do_POST(self) -> None:
            self._forward()

        def do_PUT(self) -> None:
            self._forward()

        def do_DELETE(self) -> None:
            self._forward()

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            url = endpoint.moto_url + self.path
            reply = requests.request(self.command, url, data=body, headers=headers, timeout=30)
            kept = {k: v for k, v in reply.headers.items() if k.lower() not in _HOP}
            self._answer(reply.status_code, reply.content, kept)

        def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            headers.setdefault("Content-Type", "application/json")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def ses_account(ses_peer: SesPeer) -> Iterator[AccountEndpoint]:
    """moto's SES behind an endpoint that answers GetAccount (production access by default)."""
    endpoint = AccountEndpoint(ses_peer.url)
    try:
        yield endpoint
    finally:
        endpoint.close()

"""A static site (the preview gallery, the health dashboard) served on 127.0.0.1.

The port is taken before the site is written: `listening` makes the server, which binds and
listens on it at once (or refuses it, naming it), and the same server serves once the site is
written; so nothing is written for a site that cannot be served, and no other program can
take the port in between (no check-then-bind)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from notifier.core.errors import InputError, Problem

HINT = "pass another port, or 0 for any free one"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the terminal."""


@contextmanager
def static_server(folder: Path, port: int) -> Iterator[ThreadingHTTPServer]:
    """An HTTP server for `folder` on 127.0.0.1 only (port 0: any free port), listening but not
    yet serving; `folder` need not exist yet. A port that cannot be had (busy, privileged) is
    an InputError naming it."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputError([Problem(f"127.0.0.1:{port}", f"cannot listen: {reason}; {HINT}")]) from (
            error
        )
    with server:
        yield server


@dataclass(frozen=True)
class Listener:
    """A server listening for a site not yet written (or being rewritten)."""

    server: ThreadingHTTPServer

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def serve(self, ready: Callable[[str], None]) -> None:
        """Serve until Ctrl-C (or `server.shutdown()`); `ready` gets the URL first."""
        ready(self.url)
        with suppress(KeyboardInterrupt):
            self.server.serve_forever()


@contextmanager
def listening(folder: Path, port: int | None) -> Iterator[Listener | None]:
    """Take 127.0.0.1:`port` for `folder` before anything is written there; None without a
    port (nothing to serve). The port is released on leaving."""
    if port is None:
        yield None
        return
    with static_server(folder, port) as server:
        yield Listener(server)

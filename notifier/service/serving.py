"""A static site (the preview gallery, the health dashboard) served on 127.0.0.1."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from notifier.core.errors import InputError, Problem


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the terminal."""


@contextmanager
def static_server(folder: Path, port: int) -> Iterator[ThreadingHTTPServer]:
    """An HTTP server for `folder` on 127.0.0.1 only (port 0: any free port), not yet serving.
    A port that cannot be had (busy, privileged) is an InputError naming it."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as error:
        hint = "pass another port, or 0 for any free one"
        raise InputError(
            [Problem(f"127.0.0.1:{port}", f"cannot listen: {error.strerror}; {hint}")]
        ) from error
    with server:
        yield server


def serve(folder: Path, port: int, ready: Callable[[str], None]) -> None:
    """Serve `folder` until Ctrl-C; `ready` gets the URL once the server listens."""
    with static_server(folder, port) as server:
        ready(f"http://127.0.0.1:{server.server_address[1]}/")
        with suppress(KeyboardInterrupt):
            server.serve_forever()

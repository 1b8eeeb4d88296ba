"""The static server behind `preview --gallery --serve` and `health dashboard --serve`: the port
is taken before the site is written, and the site written afterwards is what it serves."""

from __future__ import annotations

import socket
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from notifier.core.errors import InputError
from notifier.service.serving import Listener, listening


@contextmanager
def serving_in_a_thread(listener: Listener) -> Iterator[str]:
    """`listener.serve` in a thread, as the CLI runs it; yields the URL it announced."""
    announced: list[str] = []
    ready = threading.Event()

    def say(url: str) -> None:
        announced.append(url)
        ready.set()

    thread = threading.Thread(target=listener.serve, args=(say,), daemon=True)
    thread.start()
    try:
        assert ready.wait(10)
        yield announced[0]
    finally:
        listener.server.shutdown()
        thread.join(10)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return bytes(response.read())


def test_a_site_written_after_its_port_was_taken_is_served(tmp_path: Path) -> None:
    site = tmp_path / "site"
    with listening(site, 0) as listener:
        assert listener is not None and not site.exists()
        (site / "events").mkdir(parents=True)
        (site / "index.html").write_text("<h1>index</h1>", encoding="utf-8")
        (site / "events" / "one.html").write_text("<p>one</p>", encoding="utf-8")
        with serving_in_a_thread(listener) as url:
            assert url == listener.url and url.startswith("http://127.0.0.1:")
            assert fetch(url + "index.html") == b"<h1>index</h1>"
            assert fetch(url + "events/one.html") == b"<p>one</p>"


def test_the_port_is_held_from_the_start_so_no_one_else_can_take_it(tmp_path: Path) -> None:
    with listening(tmp_path, 0) as listener:
        assert listener is not None
        port = listener.server.server_address[1]
        with socket.socket() as other, pytest.raises(OSError):
            other.bind(("127.0.0.1", port))


def test_a_busy_port_is_an_input_error_naming_the_port_and_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(InputError) as raised, listening(tmp_path, port):
            pass
    (problem,) = raised.value.problems
    assert str(problem).startswith(f"127.0.0.1:{port}: cannot listen: ")
    assert "pass another port" in str(problem)


def test_without_a_port_nothing_listens(tmp_path: Path) -> None:
    with listening(tmp_path, None) as listener:
        assert listener is None

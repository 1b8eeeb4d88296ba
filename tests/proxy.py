"""A TCP proxy on 127.0.0.1 in front of a real server, to take that server away and bring it back
as a restart or an outage looks to a client: every connection cut, new ones refused."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress


class Proxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = int(self.listener.getsockname()[1])
        self.up = threading.Event()
        self.up.set()
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.open: list[socket.socket] = []
        self.cut = 0  # connections cut by `down`
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def down(self) -> None:
        """Cut every connection and refuse new ones until `restore`."""
        self.up.clear()
        with self.lock:
            connections, self.open = self.open, []
            self.cut += len(connections) // 2
        for connection in connections:
            _close(connection)

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.stopping.set()
        self.down()
        self.thread.join(5)
        self.listener.close()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            if not self.up.is_set():
                _close(client)
                continue
            self._pair(client)

    def _pair(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self.target, timeout=5)
        except OSError:
            _close(client)
            return
        server.settimeout(None)
        with self.lock:
            self.open += [client, server]
        for source, sink in ((client, server), (server, client)):
            threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _close(source)
        _close(sink)


def _close(connection: socket.socket) -> None:
    with suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()


@contextmanager
def proxy_to(host: str, port: int) -> Iterator[Proxy]:
    proxy = Proxy((host, port))
    try:
        yield proxy
    finally:
        proxy.close()

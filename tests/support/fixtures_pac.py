"""A PAC file server on loopback, for tests: well-behaved, huge, dripping or silent.

`pac_server.publish(path, script)` serves `script` at ``http://127.0.0.1:<port>/<path>``;
`behaviour="drip"` sends the answer one byte every 0.2 s (each read gets a byte, so only a
total deadline ends it), `"silent"` accepts the connection and never answers. Every request is
counted per path (`hits`), so a test can tell a download from a cached answer.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator

import pytest


@dataclass
class PacServer:
    port: int
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)

    def publish(self, path: str, script: str | bytes, behaviour: str = "normal") -> str:
        body = script.encode("utf-8") if isinstance(script, str) else script
        self.files["/" + path.lstrip("/")] = (body, behaviour)
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"


def _answer(server: PacServer, conn: socket.socket, stop: threading.Event) -> None:
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            return
        head += chunk
    path = head.split(b" ", 2)[1].decode("latin-1") if head.count(b" ") >= 2 else "/"
    server.hits[path] += 1
    body, behaviour = server.files.get(path, (b"", "missing"))
    if behaviour == "silent":
        stop.wait(120)
        return
    if behaviour == "missing":
        conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        return
    reply = (b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ns-proxy-autoconfig\r\n"
             b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)) + body
    if behaviour == "drip":
        for byte in reply:
            if stop.wait(0.2):
                return
            conn.sendall(bytes([byte]))
        return
    if behaviour == "chunked-huge":  # no Content-Length: the size is only found out while reading
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ns-proxy-autoconfig\r\nConnection: close\r\n\r\n")
        block = b"// " + b"x" * 65530 + b"\n"
        for _ in range(64):  # 4 MiB
            if stop.is_set():
                return
            conn.sendall(block)
        return
    conn.sendall(reply)


@pytest.fixture
def pac_server() -> Iterator[PacServer]:
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    server = PacServer(listener.getsockname()[1])
    accepted: list[socket.socket] = []

    def handle(conn: socket.socket) -> None:
        try:
            _answer(server, conn, stop)
        except OSError:
            pass
        finally:
            conn.close()

    def accept() -> None:
        while True:
            try:
                conn = listener.accept()[0]
            except OSError:
                return
            accepted.append(conn)
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield server
    stop.set()
    listener.close()
    for conn in accepted:
        try:
            conn.close()
        except OSError:
            pass

"""Peers that answer, but never finish: a proxy or vault that drips bytes, or answers garbage."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Callable

import pytest

# A TLS record header announcing a 16 KiB handshake record, then zeros one at a time: a TLS
# client keeps reading (each byte resets its per-read timeout) and never completes.
TLS_RECORD_HEAD = b"\x16\x03\x03\x40\x00"


def _serve(answer: Callable[[socket.socket, threading.Event], None]) -> Iterator[int]:
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    accepted: list[socket.socket] = []

    def handle(conn: socket.socket) -> None:
        try:
            answer(conn, stop)
        except OSError:
            pass

    def accept() -> None:
        while True:
            try:
                conn = server.accept()[0]
            except OSError:
                return
            accepted.append(conn)
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    stop.set()
    server.close()
    for conn in accepted:
        conn.close()


def _drip(conn: socket.socket, stop: threading.Event, data: bytes, every: float = 0.3) -> None:
    for byte in data:
        if stop.wait(every):
            return
        conn.sendall(bytes([byte]))
    while not stop.wait(every):
        conn.sendall(b"\x00")


def _read_head(conn: socket.socket) -> bytes:
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = conn.recv(4096)
        if not chunk:
            break
        head += chunk
    return head


@pytest.fixture
def dripping_vault() -> Iterator[int]:
    """A 'vault' whose TLS handshake arrives one byte every 0.3 s, for ever."""
    yield from _serve(lambda conn, stop: _drip(conn, stop, TLS_RECORD_HEAD))


@pytest.fixture
def dripping_proxy() -> Iterator[int]:
    """A proxy that answers CONNECT one byte every 0.3 s and never finishes its status line."""
    def answer(conn: socket.socket, stop: threading.Event) -> None:
        _read_head(conn)
        _drip(conn, stop, b"HTTP/1.1 200 Connection established\r\nVia: drip")

    yield from _serve(answer)


@pytest.fixture
def garbage_proxy() -> Iterator[int]:
    """A proxy that accepts the tunnel and then answers the TLS handshake with garbage."""
    def answer(conn: socket.socket, stop: threading.Event) -> None:
        _read_head(conn)
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        conn.recv(4096)  # the ClientHello
        conn.sendall(b"<html>This is not the vault you are looking for.</html>\r\n")
        stop.wait(30)

    yield from _serve(answer)

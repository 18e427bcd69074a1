"""Stop a vault client's network I/O from another thread, at once.

Why: Cancel on the Register page must not wait for a stalled proxy or a silent vault to run
into its timeouts (10 s to connect, 30 s to read, and again for each safe retry). httpx has
no way to interrupt a blocking request: closing the client from another thread leaves the
request waiting for its timeout. Shutting the sockets down does wake it, so the client's
connections are opened through a network backend that remembers its sockets.

How: `install_abort(client)` puts `AbortableBackend` under the client's connection pool and
returns its `abort`; after `abort()` every socket it opened is shut down (a blocked read or
write fails at once) and every new connection is refused. The request then fails with an
ordinary network error, which the caller, knowing it cancelled, reports as cancelled.
httpx keeps its pool's backend in a private attribute, so a client whose pool has none is
left as it is (`install_abort` returns None) and a cancel waits for the current step again.
"""

from __future__ import annotations

import socket
import threading
from typing import Any, Callable, Iterable, Protocol

import httpcore
import httpx


class AbortableBackend(httpcore.SyncBackend):
    """httpcore's own blocking backend, plus `abort()` for every socket it opened."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._aborted = False

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        self._refuse_if_aborted()
        stream = super().connect_tcp(host, port, timeout=timeout, local_address=local_address,
                                     socket_options=socket_options)
        sock = stream.get_extra_info("socket")
        with self._lock:
            if isinstance(sock, socket.socket):
                self._sockets.append(sock)
            aborted = self._aborted
        if aborted:  # abort() ran while this connection was being opened
            shut_down(sock)
            self._refuse_if_aborted()
        return stream

    def abort(self) -> None:
        """Shut down every socket opened so far; refuse new ones. Safe from any thread, idempotent."""
        with self._lock:
            self._aborted = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            shut_down(sock)

    def _refuse_if_aborted(self) -> None:
        if self._aborted:
            raise httpcore.ConnectError("the connection was stopped (cancelled)")


class _Cancellable(Protocol):
    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]: ...


def stop_on_cancel(client: httpx.Client, cancel: _Cancellable) -> Callable[[], None]:
    """Abort `client`'s I/O when `cancel` is cancelled; returns the function that stops watching.
    A client whose pool cannot be aborted is left to its timeouts."""
    abort = install_abort(client)
    return cancel.on_cancel(abort) if abort is not None else (lambda: None)


def install_abort(client: httpx.Client) -> Callable[[], None] | None:
    """Route `client`'s new connections through an `AbortableBackend`; its `abort`, or None."""
    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    if pool is None or not isinstance(getattr(pool, "_network_backend", None), httpcore.SyncBackend):
        return None
    backend = AbortableBackend()
    pool._network_backend = backend
    return backend.abort


def shut_down(sock: object) -> None:
    """Wake whatever blocks on `sock` (its reads and writes fail at once)."""
    try:
        sock.shutdown(socket.SHUT_RDWR)  # type: ignore[attr-defined]
    except OSError:
        pass  # already closed or never connected: nothing is waiting on it

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

import os
import socket
import threading
from typing import Any, Callable, Iterable, Protocol

import httpcore
import httpx


class AbortableBackend(httpcore.SyncBackend):
    """httpcore's own blocking backend, plus `abort()` and `interrupt()` for every socket it opened.

    Sockets are known by their descriptor, not their Python object: TLS (`wrap_socket`) detaches
    the plain socket object, so shutting that down did nothing during or after a handshake. A
    descriptor stays tracked until its stream is closed (under the lock), so it is never one the
    process reused for something else.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[int] = set()
        self._aborted = False

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        self._refuse_if_aborted()
        stream = super().connect_tcp(host, port, timeout=timeout, local_address=local_address,
                                     socket_options=socket_options)
        sock = stream.get_extra_info("socket")
        if not isinstance(sock, socket.socket):
            return stream
        fd = sock.fileno()
        with self._lock:
            self._open.add(fd)
            aborted = self._aborted
        tracked = _TrackedStream(stream, self, fd)
        if aborted:  # abort() ran while this connection was being opened
            tracked.close()
            self._refuse_if_aborted()
        return tracked

    def abort(self) -> None:
        """Shut down every socket opened so far; refuse new ones. Safe from any thread, idempotent."""
        with self._lock:
            self._aborted = True
            self._shut_down_all()

    def interrupt(self) -> None:
        """Shut down every socket opened so far, but let new connections open (a deadline passed:
        the request in flight fails, the client stays usable). Safe from any thread."""
        with self._lock:
            self._shut_down_all()

    def _shut_down_all(self) -> None:
        for fd in self._open:
            try:
                dup = socket.socket(fileno=os.dup(fd))
            except OSError:
                continue
            with dup:
                shut_down(dup)

    def _closing(self, fd: int, close: Callable[[], None]) -> None:
        with self._lock:
            self._open.discard(fd)
            close()

    def _refuse_if_aborted(self) -> None:
        if self._aborted:
            raise httpcore.ConnectError("the connection was stopped (cancelled)")


class _TrackedStream(httpcore.NetworkStream):
    """A stream whose descriptor its backend can shut down until the stream is closed."""

    def __init__(self, inner: httpcore.NetworkStream, backend: AbortableBackend, fd: int) -> None:
        self._inner = inner
        self._backend = backend
        self._fd = fd

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._backend._closing(self._fd, self._inner.close)

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        # The TLS stream keeps the same descriptor (wrap_socket takes it over).
        try:
            return _TrackedStream(self._inner.start_tls(ssl_context, server_hostname, timeout), self._backend,
                                  self._fd)
        except Exception:
            self.close()
            raise

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Cancellable(Protocol):
    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]: ...


def stop_on_cancel(client: httpx.Client, cancel: _Cancellable) -> Callable[[], None]:
    """Abort `client`'s I/O when `cancel` is cancelled; returns the function that stops watching.
    A client whose pool cannot be aborted is left to its timeouts."""
    abort = install_abort(client)
    return cancel.on_cancel(abort) if abort is not None else (lambda: None)


def install_abort(client: httpx.Client) -> Callable[[], None] | None:
    """Route `client`'s new connections through an `AbortableBackend`; its `abort`, or None."""
    backend = abortable_backend(client)
    return backend.abort if backend is not None else None


def abortable_backend(client: httpx.Client) -> AbortableBackend | None:
    """`client`'s `AbortableBackend`, installed on first use (one per client, so a cancel and a
    deadline see the same sockets); None when the client's pool has no backend to replace."""
    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, AbortableBackend):
        return backend
    if pool is None or not isinstance(backend, httpcore.SyncBackend):
        return None
    backend = AbortableBackend()
    pool._network_backend = backend
    return backend


def shut_down(sock: object) -> None:
    """Wake whatever blocks on `sock` (its reads and writes fail at once)."""
    try:
        sock.shutdown(socket.SHUT_RDWR)  # type: ignore[attr-defined]
    except OSError:
        pass  # already closed or never connected: nothing is waiting on it

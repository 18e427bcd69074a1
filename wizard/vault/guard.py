"""Keeping the vault up when clients are slow, silent or hostile.

uvicorn's own timers start only after a first response, so a client that finishes TLS and then
sends nothing (or drips its request a byte at a time) held its descriptor for ever, and a few
hundred of them locked every machine out. The guard owns each connection from `accept`:

- **Head deadline**: from accept (TLS handshake included) or from the first byte of a kept-alive
  connection's next request to the end of the request head (`head_seconds`).
- **Body deadline**: from the end of the head to the end of the body (`body_seconds`; bodies are
  capped at `wire.MAX_BODY_BYTES`, so this is also a minimum rate).
- **Connection cap**, derived from the descriptor limit (`RLIMIT_NOFILE`) so `accept` never runs
  out of descriptors. When the cap is reached a new connection takes the place of the oldest
  one that is not being answered (still in its head or body, or idle between requests); a
  legitimate client therefore always gets in while hostile ones come and go.

TLS is started here (as `loop.start_tls` would) rather than by the listening server, because a
connection that never completes its handshake must count and be evictable like any other.
Limits can be lowered through the environment (for tests and small machines).
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
import time
from asyncio import sslproto
from dataclasses import dataclass
from typing import Any, Mapping

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)

# Descriptors kept free for the database, the log, the TLS files and the listening socket.
RESERVED_DESCRIPTORS = 48
HEAD_SECONDS = 20.0
BODY_SECONDS = 30.0
ENV_HEAD = "REGISTER_SERVER_VAULT_HEAD_SECONDS"
ENV_BODY = "REGISTER_SERVER_VAULT_BODY_SECONDS"
ENV_MAX_CONNECTIONS = "REGISTER_SERVER_VAULT_MAX_CONNECTIONS"


def descriptor_limit() -> int:
    """The soft RLIMIT_NOFILE (1024 where the platform has no such limit, as Windows)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return 1024
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 65536


def connection_cap(soft_limit: int) -> int:
    """How many connections fit under `soft_limit` descriptors with room left for the service."""
    return max(8, soft_limit - RESERVED_DESCRIPTORS)


@dataclass(frozen=True)
class GuardLimits:
    """The deadlines and the connection cap the vault enforces."""

    head_seconds: float
    body_seconds: float
    max_connections: int

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> "GuardLimits":
        env = os.environ if environ is None else environ
        cap = connection_cap(descriptor_limit())

        def number(name: str, default: float) -> float:
            try:
                value = float(env.get(name, default))
            except ValueError:
                return default
            return value if value > 0 else default

        return cls(head_seconds=number(ENV_HEAD, HEAD_SECONDS), body_seconds=number(ENV_BODY, BODY_SECONDS),
                   max_connections=min(cap, int(number(ENV_MAX_CONNECTIONS, cap))))


class ConnectionGuard:
    """Every open connection, its phase and since when; admits, evicts and expires them."""

    def __init__(self, limits: GuardLimits, ssl_context: ssl.SSLContext) -> None:
        self.limits = limits
        self.ssl_context = ssl_context
        self.gates: set[Gate] = set()
        self.evicted = 0
        self.expired = 0

    def admit(self, gate: "Gate") -> bool:
        """Make room for `gate` (evicting the oldest connection not being answered) or refuse it."""
        if len(self.gates) >= self.limits.max_connections:
            victims = [g for g in self.gates if g.evictable]
            if not victims:
                return False
            victim = min(victims, key=lambda g: g.phase_started)
            self.evicted += 1
            log.info("connection limit %d reached: closed the oldest idle or incomplete connection",
                     self.limits.max_connections)
            victim.close()
        self.gates.add(gate)
        return True

    def forget(self, gate: "Gate") -> None:
        self.gates.discard(gate)


class GuardedH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, reporting its request's progress to its `Gate`."""

    gate: "Gate"

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self.gate.observe()

    def on_response_complete(self) -> None:
        self.gate.answered()
        super().on_response_complete()
        self.gate.observe()

    def connection_lost(self, exc: Exception | None) -> None:
        self.gate.lost()
        if self.transport is None:  # the TLS handshake never completed
            return
        super().connection_lost(exc)


class Gate(asyncio.Protocol):
    """The protocol a listening socket hands each accepted connection to: TLS, deadlines, then HTTP.

    uvicorn builds it with the keyword arguments it gives any HTTP protocol class; `guard` is
    bound by `guarded_protocol`.
    """

    guard: ConnectionGuard

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.loop = _loop or asyncio.get_event_loop()
        self.http = GuardedH11(config=config, server_state=server_state, app_state=app_state, _loop=self.loop)
        self.http.gate = self
        self.raw: asyncio.Transport | None = None
        self.phase = "head"
        self.phase_started = time.monotonic()
        self.timer: asyncio.TimerHandle | None = None

    @property
    def evictable(self) -> bool:
        """Not in the middle of being answered: a request that arrived whole is never cut off."""
        return self.phase != "answering"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.raw = transport
        # Nothing may reach this plain protocol: start_tls takes the bytes from here on.
        transport.pause_reading()
        if not self.guard.admit(self):
            log.warning("connection refused: %d connections are being answered", self.guard.limits.max_connections)
            transport.abort()
            return
        self._arm("head", self.guard.limits.head_seconds)
        # What loop.start_tls does, but with the HTTP protocol told of the connection by the TLS
        # layer itself once the handshake is done, so no request byte can reach it before that.
        waiter = self.loop.create_future()
        waiter.add_done_callback(self._handshake_done)
        tls = sslproto.SSLProtocol(self.loop, self.http, self.guard.ssl_context, waiter, server_side=True,
                                   call_connection_made=True,
                                   ssl_handshake_timeout=self.guard.limits.head_seconds)
        transport.set_protocol(tls)
        tls.connection_made(transport)
        transport.resume_reading()

    def _handshake_done(self, waiter: "asyncio.Future[None]") -> None:
        if waiter.cancelled() or waiter.exception() is not None:
            # A peer's failed handshake ends only that connection (and is not worth a traceback).
            log.info("TLS handshake failed: %s", type(waiter.exception()).__name__ if not waiter.cancelled() else "cancelled")
            self.close()

    def _arm(self, phase: str, seconds: float | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.phase = phase
        self.phase_started = time.monotonic()
        if seconds is not None:
            self.timer = self.loop.call_later(seconds, self._expire)

    def _expire(self) -> None:
        self.timer = None
        self.guard.expired += 1
        log.info("closed a connection whose request %s took longer than its deadline", self.phase)
        self.close()

    def observe(self) -> None:
        """Follow the client's side of the HTTP exchange and move the deadline with it."""
        state = self.http.conn.their_state
        limits = self.guard.limits
        if state is h11.IDLE:
            if self.phase == "idle" and self.http.conn.trailing_data[0]:
                self._arm("head", limits.head_seconds)
        elif state is h11.SEND_BODY:
            if self.phase != "body":
                self._arm("body", limits.body_seconds)
        elif self.phase != "answering" and self.http.cycle is not None and not self.http.cycle.response_complete:
            self._arm("answering", None)

    def answered(self) -> None:
        """A response went out: the connection idles under uvicorn's keep-alive timer."""
        self._arm("idle", None)

    def lost(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.guard.forget(self)
        self.raw = None

    def close(self) -> None:
        raw, self.raw = self.raw, None
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.guard.forget(self)
        if raw is not None:
            raw.abort()


def guarded_protocol(guard: ConnectionGuard) -> type[Gate]:
    """A `Gate` class bound to `guard`, to pass to uvicorn as its HTTP protocol."""
    return type("BoundGate", (Gate,), {"guard": guard})

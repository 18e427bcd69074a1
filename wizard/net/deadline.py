"""Total deadlines for a request and for a whole procedure, whatever the peer does.

httpx's timeouts are per operation: a read that gets one byte every few seconds never times
out, so a vault or proxy that drips its answer held a registration at "connecting" for ever.
A `Deadline` is a point in (monotonic) time; `watch` arms a timer that interrupts the client's
sockets when it passes, and the failed request is then reported as `network.timeout` naming the
deadline (the procedure adds the step). The defaults fit a slow WAN: 90 s for one request
(retries included), 300 s for a whole registration; both can be changed through the
environment (tests, links slower still).
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

REQUEST_SECONDS = 90.0
PROCEDURE_SECONDS = 300.0
ENV_REQUEST = "REGISTER_SERVER_REQUEST_DEADLINE"
ENV_PROCEDURE = "REGISTER_SERVER_PROCEDURE_DEADLINE"


def _seconds(name: str, default: float, environ: Mapping[str, str] | None) -> float:
    env = os.environ if environ is None else environ
    try:
        value = float(env.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def request_seconds(environ: Mapping[str, str] | None = None) -> float:
    """How long one request (with its retries) may take in total."""
    return _seconds(ENV_REQUEST, REQUEST_SECONDS, environ)


@dataclass(frozen=True)
class Deadline:
    """A moment by which something must be done; `what` names it in messages ("request", "registration")."""

    at: float
    seconds: float
    what: str
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def after(cls, seconds: float, what: str, clock: Callable[[], float] = time.monotonic) -> "Deadline":
        return cls(clock() + seconds, seconds, what, clock)

    @classmethod
    def for_procedure(cls, environ: Mapping[str, str] | None = None) -> "Deadline":
        return cls.after(_seconds(ENV_PROCEDURE, PROCEDURE_SECONDS, environ), "registration")

    def remaining(self) -> float:
        return max(0.0, self.at - self.clock())

    @property
    def passed(self) -> bool:
        return self.remaining() <= 0


def earliest(*deadlines: Deadline | None) -> Deadline:
    """The deadline that comes first (at least one must be given)."""
    given = [d for d in deadlines if d is not None]
    return min(given, key=lambda d: d.at)


class Watch:
    """Whether a watched deadline fired."""

    fired = False


@contextmanager
def watch(deadline: Deadline, interrupt: Callable[[], None]) -> Iterator[Watch]:
    """Call `interrupt` (from a timer thread) if `deadline` passes before the block ends."""
    state = Watch()

    def fire() -> None:
        state.fired = True
        interrupt()

    timer = threading.Timer(deadline.remaining(), fire)
    timer.daemon = True
    timer.start()
    try:
        yield state
    finally:
        timer.cancel()

"""Logging that a flood of connections cannot turn into a flood of log lines.

Every hostile connection can make asyncio, uvicorn or the guard log something (a failed
handshake, an expired deadline, an invalid request), some with a traceback; unbounded, that
wrote tens of megabytes in seconds. `RateLimit` lets through a few records of each kind (logger
and message template) per window, drops the rest, and reports how many it dropped when the kind
next appears in a new window. Tracebacks are kept only for the first record of a kind.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Callable, TextIO

PER_WINDOW = 5
WINDOW_SECONDS = 10.0


class RateLimit(logging.Filter):
    """Pass at most `per_window` records of one kind each `window` seconds."""

    def __init__(self, per_window: int = PER_WINDOW, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.per_window = per_window
        self.window = window
        self.clock = clock
        # kind -> [window start, passed in window, dropped since last report, traceback shown]
        self.kinds: dict[tuple[str, str], list[float | int | bool]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        kind = (record.name, str(record.msg))
        now = self.clock()
        state = self.kinds.get(kind)
        if state is None:
            if len(self.kinds) > 1000:  # messages with varying templates must not grow this for ever
                self.kinds.clear()
            state = self.kinds[kind] = [now, 0, 0, False]
        if now - float(state[0]) >= self.window:
            dropped = int(state[2])
            state[0], state[1], state[2] = now, 0, 0
            if dropped:
                record.msg = f"{record.msg} [{dropped} similar messages suppressed]"
        if int(state[1]) >= self.per_window:
            state[2] = int(state[2]) + 1
            return False
        state[1] = int(state[1]) + 1
        if record.exc_info and state[3]:
            record.exc_info = None
            record.exc_text = None
        elif record.exc_info:
            state[3] = True
        return True


def install(stream: TextIO | None = None, level: int = logging.WARNING) -> logging.Handler:
    """One stderr handler on the root logger, rate limited; the service's loggers all reach it."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RateLimit())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "asyncio"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    return handler

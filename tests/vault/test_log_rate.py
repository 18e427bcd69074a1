"""The vault's log filter: a flood of one message becomes a few lines and a count."""

from __future__ import annotations

import logging

from wizard.vault.log_rate import RateLimit


def _record(msg: str, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise OSError("boom")
        except OSError:
            import sys

            exc_info = sys.exc_info()
    return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, msg, None, exc_info)


def test_a_flood_of_one_kind_passes_a_few_then_reports_how_many_were_dropped() -> None:
    now = [0.0]
    limit = RateLimit(per_window=3, window=10, clock=lambda: now[0])
    passed = [limit.filter(_record("accept failed", exc=True)) for _ in range(10_000)]
    assert passed.count(True) == 3
    now[0] = 11
    record = _record("accept failed", exc=True)
    assert limit.filter(record)
    assert "9997 similar messages suppressed" in record.getMessage()
    assert record.exc_info is None, "only the first record of a kind keeps its traceback"


def test_kinds_are_limited_separately() -> None:
    limit = RateLimit(per_window=1, window=10, clock=lambda: 0.0)
    assert limit.filter(_record("one"))
    assert limit.filter(_record("two"))
    assert not limit.filter(_record("one"))

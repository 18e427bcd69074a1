"""Saving state safely: what atomicity and durability cost, against floors measured in the same run.

Floors (same data, same directory, same run):
  * plain   — open, write, close: no durability, no atomicity (what a naive program does);
  * fsync   — open, write, fsync, close: durable but not atomic (a crash can tear the file).
Measured: `atomic_write_bytes` (temp file, fsync, rename, directory fsync) with overwrite,
without overwrite (the passphrase-file path), and `StateStore.save_registration` of a
realistic record; and the state lock's acquire+release. Ratios to the fsync floor show what
atomicity adds on top of durability, which any correct saver must pay.

Usage: .venv/bin/python benchmarks/bench_storage.py [--repeats N] [--dir DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from _rows import Row

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wizard.core.storage import StateStore, atomic_write_bytes  # noqa: E402

RECORD = {"vault": {"name": "contoso-backup", "resource_id": "0" * 36}, "machine": {"id": "m" * 36, "name": "SRV01"},
          "settings": {"proxy": {"mode": "custom", "host": "proxy.contoso.com", "port": 3128, "username": "svc",
                                 "password": "keyring:proxy-password"},
                       "throttling": {"enabled": True, "work_days": ["mon", "tue", "wed", "thu", "fri"]}}}
DATA = json.dumps(RECORD, indent=2).encode()


def _median_ms(action: Callable[[int], None], repeats: int) -> float:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(repeats: int = 200, directory: str | None = None) -> dict[str, float]:
    """Medians in ms, and the two ratios."""
    with tempfile.TemporaryDirectory(dir=directory) as folder:
        base = Path(folder)

        def plain(i: int) -> None:
            with open(base / "plain.json", "wb") as handle:
                handle.write(DATA)

        def fsync(i: int) -> None:
            with open(base / "fsync.json", "wb") as handle:
                handle.write(DATA)
                handle.flush()
                os.fsync(handle.fileno())

        store = StateStore(base / "state")
        store.ensure()
        results = {
            "plain_ms": _median_ms(plain, repeats),
            "fsync_ms": _median_ms(fsync, repeats),
            "atomic_ms": _median_ms(lambda i: atomic_write_bytes(base / "atomic.json", DATA), repeats),
            "atomic_no_overwrite_ms": _median_ms(
                lambda i: atomic_write_bytes(base / f"new-{i}.txt", DATA, overwrite=False), repeats),
            "save_registration_ms": _median_ms(lambda i: store.save_registration(RECORD), repeats),
            "lock_ms": _median_ms(lambda i: _lock_once(store), repeats),
        }
    results["atomic_over_fsync"] = results["atomic_ms"] / results["fsync_ms"]
    results["atomic_over_plain"] = results["atomic_ms"] / results["plain_ms"]
    return results


def rows(repeats: int = 200) -> list[Row]:
    r = measure(repeats)
    floor = "open+write+fsync+close"
    return [Row("storage", "atomic write (temp, fsync, rename, dir fsync), median", r["atomic_ms"], "ms", floor,
                r["fsync_ms"]),
            Row("storage", "save the registration record, median", r["save_registration_ms"], "ms", floor,
                r["fsync_ms"])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--dir", help="folder to write in (default: a temp folder)")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    results = measure(args.repeats, args.dir)
    for key, value in results.items():
        print(f"{key:24} {value:8.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


def _lock_once(store: StateStore) -> None:
    with store.lock():
        pass


if __name__ == "__main__":
    main()

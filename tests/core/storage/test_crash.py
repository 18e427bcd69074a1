"""SIGKILL at random points while saving: the state is always the old or the new, never partial.

Each round forks a child (the real saving code, already imported, so a round costs
milliseconds, not an interpreter start-up) that first writes a passphrase file and then
saves the registration in a tight loop with growing generations and payloads of random
size. The parent kills it with SIGKILL after a random delay and checks what is on disk:

- registration.json is absent (never saved yet) or a complete, self-consistent document
  whose generation is not older than the last one seen (old or new, never partial);
- the passphrase file is absent or byte-for-byte complete.

A control run with a naive writer (`json.dump` into the open target) shows the same
harness does catch torn files, so a pass means something.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import select
import signal
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pytest

from wizard.core.passphrase_file import render, write_passphrase_file
from wizard.core.secret import Secret
from wizard.core.storage import StateStore, atomic

pytestmark = [pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork() and SIGKILL (POSIX)"),
              pytest.mark.slow]

ROUNDS = 200
PASSPHRASE = Secret("crash-test passphrase that is long enough")
CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
EXPECTED_PASSPHRASE_FILE = render(PASSPHRASE, vault_name="vault-a", machine_name="SRV01", created=CREATED).encode()


def _document(generation: int, rng: random.Random) -> dict:
    payload = rng.randbytes(rng.randint(1, 32 * 1024)).hex()
    return {"generation": generation, "payload": payload, "sha256": hashlib.sha256(payload.encode()).hexdigest()}


def _atomic_saver(store: StateStore, document: dict) -> None:
    store.save_registration(document)


def _naive_saver(store: StateStore, document: dict) -> None:
    with open(store.path("registration.json"), "w", encoding="utf-8") as handle:
        json.dump(document, handle)


def _child(home: Path, passphrase_path: Path, ready: int, save: Callable[[StateStore, dict], None]) -> None:
    code = 0
    try:
        store = StateStore(home)
        store.ensure()
        try:
            current = store.load_registration()
        except Exception:
            current = None
        generation = current["generation"] if current else 0
        rng = random.Random(os.getpid())
        os.write(ready, b"r")
        write_passphrase_file(passphrase_path, PASSPHRASE, vault_name="vault-a", machine_name="SRV01",
                              created=CREATED)
        while True:
            generation += 1
            save(store, _document(generation, rng))
    except BaseException:
        code = 3
    finally:
        os._exit(code)


def _check_state(home: Path) -> int | None:
    """The generation on disk; fails on anything partial or inconsistent."""
    path = home / "registration.json"
    if not path.exists():
        return None
    document = json.loads(path.read_text(encoding="utf-8"))  # raises on a torn file
    assert hashlib.sha256(document["payload"].encode()).hexdigest() == document["sha256"]
    return int(document["generation"])


def _run(tmp_path: Path, rounds: int, save: Callable[[StateStore, dict], None]) -> Counter:
    home = tmp_path / "state"
    rng = random.Random(20261125)
    outcome: Counter = Counter()
    last_generation = 0
    for index in range(rounds):
        passphrase_path = tmp_path / f"passphrase-{index}.txt"
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            os.close(read_end)
            _child(home, passphrase_path, write_end, save)
        os.close(write_end)
        ready, _, _ = select.select([read_end], [], [], 30)
        os.close(read_end)
        if not ready:  # a child stuck before it even started saving: fail clearly, never hang
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the forked saver did not start within 30 s")
        # Half the kills land early (in or around the passphrase write), half in the save loop.
        time.sleep(rng.uniform(0, 0.0015) if index % 2 else rng.uniform(0, 0.02))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, "the saver failed on its own"
        try:
            generation = _check_state(home)
        except (ValueError, KeyError, AssertionError):
            outcome["torn state"] += 1
            (home / "registration.json").unlink()  # start the next round from scratch
            last_generation = 0
            continue
        if generation is not None:
            assert generation >= last_generation, "state went back to an older generation"
            outcome["state advanced" if generation > last_generation else "state unchanged"] += 1
            last_generation = generation
        if passphrase_path.exists():
            assert passphrase_path.read_bytes() == EXPECTED_PASSPHRASE_FILE, "partial passphrase file"
            outcome["passphrase file complete"] += 1
        else:
            outcome["passphrase file absent"] += 1
    outcome["leftover temp files"] = len(list(home.glob(".*.tmp"))) + len(list(tmp_path.glob(".*.tmp")))
    return outcome


@pytest.mark.parametrize("strategy", ["anonymous-temp", "named-temp"])
def test_sigkill_while_saving_never_leaves_partial_state(tmp_path: Path, strategy: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    if strategy == "named-temp":  # the portable path (Windows, macOS, FAT): a named temporary file
        monkeypatch.setattr(atomic, "_open_anonymous", lambda directory, mode: None)
    outcome = _run(tmp_path, ROUNDS, _atomic_saver)
    print(f"\ncrash test ({strategy}), {ROUNDS} SIGKILLs: {dict(outcome)}")
    assert outcome["torn state"] == 0
    # The harness really killed in both phases (otherwise it would not test the passphrase write).
    assert outcome["passphrase file absent"] > 0 and outcome["passphrase file complete"] > 0
    assert outcome["state advanced"] > 0


def test_harness_detects_a_naive_writer(tmp_path: Path) -> None:
    """Control: the same kills against `json.dump` into the target do produce torn files."""
    outcome = _run(tmp_path, 60, _naive_saver)
    print(f"\nnaive writer, 60 SIGKILLs: {dict(outcome)}")
    assert outcome["torn state"] > 0

"""200 unattended registrations in parallel processes against one local vault, each with its own
--home: all succeed, 200 distinct machines, no duplicate (issue 6)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.commands.test_unattended import PASSPHRASE, answer_file

# 200 processes each start an interpreter and import the client: about 1.2 s of CPU each, so on
# two cores the run itself needs about 2-4 minutes; the suite-wide 300 s per-test timeout is too
# close to that for a correctness test (this test asserts outcomes, never a duration).
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(720)]

MACHINES = 200
AT_ONCE = 25


def test_two_hundred_parallel_processes_register(vault_service, auth_proxy, secret_service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vault = vault_service.create_vault(max_machines=MACHINES)
    creds = vault_service.issue(vault, tmp_path)
    env = {**os.environ, "PROXY_PASSWORD": auth_proxy.password, "BACKUP_PASSPHRASE": PASSPHRASE}
    jobs = []
    for n in range(MACHINES):
        folder = tmp_path / f"m{n:03d}"
        folder.mkdir()
        answers = answer_file(folder, creds, vault_service.ca_file, auth_proxy, name=f"server-{n:03d}")
        jobs.append((n, answers, folder / "home"))

    running: list[tuple[int, subprocess.Popen[str]]] = []
    results: dict[int, tuple[int, str, str]] = {}
    deadline = time.monotonic() + 600
    while jobs or running:
        while jobs and len(running) < AT_ONCE:
            n, answers, home = jobs.pop()
            command = [sys.executable, "-m", "wizard", "register", "--answers", str(answers), "--json",
                       "--home", str(home)]
            running.append((n, subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                text=True, env=env)))
        n, process = running.pop(0)
        out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
        results[n] = (process.returncode, out, err)

    # The last JSON line whole (its code and reason say which failure), then the stderr's tail.
    failures = {n: (code, (out.strip().splitlines() or [""])[-1][:1500], err[-300:])
                for n, (code, out, err) in results.items() if code != 0}
    assert failures == {}
    machine_ids = {json.loads(out.splitlines()[-1])["machine_id"] for _, out, _ in results.values()}
    assert len(machine_ids) == MACHINES
    names = [m.name for m in vault_service.admin.machines(vault)]
    assert sorted(names) == sorted(f"server-{n:03d}" for n in range(MACHINES))

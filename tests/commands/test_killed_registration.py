"""`register` killed with SIGKILL at random points of a real registration, then run again.

After every kill the state is either "not registered" or a complete registration, the
passphrase file is absent or complete, and no partial file is left; the next `register`
always succeeds, and the vault never holds two records for the machine.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.commands.test_unattended import PASSPHRASE, answer_file, cli
from wizard.core.passphrase_file import read_passphrase_file
from wizard.core.registration.record import missing_fields

pytestmark = pytest.mark.e2e

ROUNDS = 12
STEPS = ["checking_credentials", "preparing_recovery_folder", "saving_passphrase", "connecting", "authenticating",
         "registering", "saving"]


def _register_until_killed(answers: Path, home: Path, env: dict[str, str], step: str, delay: float) -> bool:
    """Start `register --json`; SIGKILL it `delay` s after it reports `step`. True if it was killed."""
    process = subprocess.Popen([sys.executable, "-m", "wizard", "register", "--answers", str(answers), "--json",
                                "--home", str(home)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env={**os.environ, **env}, stdin=subprocess.DEVNULL)
    assert process.stdout is not None
    try:
        for line in process.stdout:
            event = json.loads(line)
            if event.get("event") == "progress" and event.get("step") == step:
                time.sleep(delay)
                process.send_signal(signal.SIGKILL)
                break
    finally:
        process.stdout.close()
        code = process.wait(timeout=60)
    return code == -signal.SIGKILL


def _assert_whole(home: Path, passphrase_file: Path) -> None:
    record_path = home / "registration.json"
    if record_path.exists():
        record = json.loads(record_path.read_text())  # complete JSON, never a torn file
        assert missing_fields(record) == []
    if passphrase_file.exists():
        assert read_passphrase_file(passphrase_file).reveal() == PASSPHRASE
    leftovers = [p.name for p in home.iterdir() if p.name.endswith(".tmp")] if home.exists() else []
    leftovers += [p.name for p in passphrase_file.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_killed_registrations_leave_whole_state_and_the_next_one_succeeds(
        vault_service, auth_proxy, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    vault = vault_service.create_vault()
    creds = vault_service.issue(vault, tmp_path)
    env = {"PROXY_PASSWORD": auth_proxy.password, "BACKUP_PASSPHRASE": PASSPHRASE}
    answers = answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy)
    home = tmp_path / "home"
    passphrase_file = tmp_path / "secure" / "server01.passphrase.txt"
    rng = random.Random(int(os.environ.get("KILL_SEED", "20261201")))
    killed_at = []
    for _ in range(ROUNDS):
        step, delay = rng.choice(STEPS), rng.uniform(0, 0.05)
        if _register_until_killed(answers, home, env, step, delay):
            killed_at.append(step)
        _assert_whole(home, passphrase_file)
        assert len([m for m in vault_service.admin.machines(vault) if m.name == "server01"]) <= 1
    assert len(set(killed_at)) >= 3, f"the kills should land in several steps: {killed_at}"

    done = cli("register", "--answers", str(answers), "--json", "--home", str(home), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [m.name for m in vault_service.admin.machines(vault)] == ["server01"]
    status = json.loads(cli("status", "--json", "--home", str(home)).stdout)
    assert status["registered"] and status["vault"]["name"] == vault
    _assert_whole(home, passphrase_file)

"""A passphrase change (and an unregistration) SIGKILLed at every step, then settled by the next run.

`tests.support.kill_at_step` kills the `settings` (or `unregister`) process the moment the change
reaches each point `wizard.registration.journal` marks, in turn. The next run - `status`,
`settings` or `register`, rotating - settles the journal first by asking the vault what is in
force. After each round the passphrase in force at the vault, the keyring, the record and the
passphrase files agree, no journal is left, and no passphrase file holds a passphrase that was
never in force. The vault requires security PINs, so settling must work without resending.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.commands.test_unattended import PASSPHRASE, answer_file, cli
from tests.support.recovery_cert import make_pair
from wizard.core.passphrase_file import read_passphrase_file
from wizard.core.registration.protocol import passphrase_verifier
from wizard.core.secret import Secret
from wizard.registration.journal import JOURNAL, PASSPHRASE_STEPS, UNREGISTER_STEPS

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
FACES = ("status", "settings", "register")


def _killed_at(step: str, *args: str, env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "tests.support.kill_at_step", step, *args], cwd=REPO,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, f"not killed at {step}: {done.stdout}{done.stderr}"


def _in_force_at_vault(vault_service, machine_id: str, record: dict, passphrase: str) -> bool:  # type: ignore[no-untyped-def]
    verifier = passphrase_verifier(Secret(passphrase), resource_id=record["vault"]["resource_id"],
                                   machine_name=record["machine"]["name"])
    digest = hashlib.sha256(__import__("base64").urlsafe_b64decode(verifier + "==")).digest()
    return vault_service.admin.storage.verifier_matches(machine_id, digest)


def _keyring(home: Path) -> str | None:
    from wizard.core.secrets.store import BACKUP_PASSPHRASE, SecretStore

    value = SecretStore.for_state_dir(home).get(BACKUP_PASSPHRASE)
    return value.reveal() if value is not None else None


@pytest.fixture
def registered(vault_service, auth_proxy, secret_service, tmp_path):  # type: ignore[no-untyped-def]
    vault = vault_service.create_vault()
    vault_service.admin.set_recovery_certificate(vault, make_pair().certificate_pem)
    creds = vault_service.issue(vault, tmp_path)
    env = {"PROXY_PASSWORD": auth_proxy.password, "BACKUP_PASSPHRASE": PASSPHRASE}
    home = tmp_path / "home"
    done = cli("register", "--answers", str(answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy)),
               "--json", "--home", str(home), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    vault_service.admin.set_pin_required(vault, True)  # from now on a change needs a PIN; settling must not
    return vault, home, env


def _settle(face: str, vault_service, auth_proxy, vault: str, home: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
            in_force: str, in_force_file: Path, env: dict[str, str], round_: int) -> dict | None:
    """Run one reconciling face; the status face's report of what it settled (None for the others)."""
    if face == "status":
        done = cli("status", "--json", "--home", str(home))
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout).get("pending_change")
    if face == "settings":
        change = tmp_path / f"throttle-{round_}.toml"
        change.write_text("[throttling]\nenabled = false\n")
        done = cli("settings", "--answers", str(change), "--json", "--home", str(home))
    else:
        creds = vault_service.issue(vault, tmp_path)
        answers = answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy,
                              passphrase_to=in_force_file.name)
        done = cli("register", "--answers", str(answers), "--json", "--home", str(home),
                   env={**env, "BACKUP_PASSPHRASE": in_force})
    assert done.returncode == 0, done.stdout + done.stderr  # a re-registration proves the passphrase in force
    return None


def test_passphrase_change_killed_at_every_step_is_settled_by_the_next_run(
        registered, vault_service, auth_proxy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    vault, home, env = registered
    secure = tmp_path / "secure"
    in_force, in_force_file = PASSPHRASE, secure / "server01.passphrase.txt"
    ever_in_force = {PASSPHRASE}
    settled = []
    for round_, step in enumerate(PASSPHRASE_STEPS):
        new, new_file = f"round {round_} passphrase for server01!", secure / f"round-{round_}.passphrase.txt"
        change = tmp_path / f"change-{round_}.toml"
        change.write_text(f'[encryption]\npassphrase_env = "NEW_PASSPHRASE"\nsave_passphrase_to = "{new_file}"\n'
                          '[security]\npin_env = "PIN"\n')
        pin, _ = vault_service.admin.issue_pin(vault)
        _killed_at(step, "settings", "--answers", str(change), "--json", "--home", str(home),
                   env={**env, "NEW_PASSPHRASE": new, "PIN": pin})
        took = PASSPHRASE_STEPS.index(step) >= PASSPHRASE_STEPS.index("vault_answered")
        assert (home / JOURNAL).exists() == (step != "journal_removed")
        if took:
            in_force, in_force_file = new, new_file
            ever_in_force.add(new)

        face = FACES[round_ % len(FACES)]
        report = _settle(face, vault_service, auth_proxy, vault, home, tmp_path, in_force, in_force_file, env, round_)
        if face == "status" and step != "journal_removed":
            assert report is not None and report["resolved"], report
            assert report["outcome"] == ("finished" if took else "rolled_back")
        settled.append((step, face))

        _assert_agreement(vault_service, vault, home, secure, in_force, in_force_file, ever_in_force, f"{step}/{face}")
        assert new_file.exists() == took, f"{step}/{face}: a never-in-force passphrase file is left"
    assert [s for s, _ in settled] == list(PASSPHRASE_STEPS)

    # The settling run killed too (after it set the keyring, before the record): the next one finishes.
    new, new_file = "the settled-twice passphrase!", secure / "twice.passphrase.txt"
    change = tmp_path / "change-twice.toml"
    change.write_text(f'[encryption]\npassphrase_env = "NEW_PASSPHRASE"\nsave_passphrase_to = "{new_file}"\n'
                      '[security]\npin_env = "PIN"\n')
    pin, _ = vault_service.admin.issue_pin(vault)
    _killed_at("vault_answered", "settings", "--answers", str(change), "--json", "--home", str(home),
               env={**env, "NEW_PASSPHRASE": new, "PIN": pin})
    _killed_at("keyring_set", "status", "--json", "--home", str(home), env={})
    assert (home / JOURNAL).exists()
    assert json.loads(cli("status", "--json", "--home", str(home)).stdout)["pending_change"]["outcome"] == "finished"
    ever_in_force.add(new)
    _assert_agreement(vault_service, vault, home, secure, new, new_file, ever_in_force, "settled twice")


def _assert_agreement(vault_service, vault: str, home: Path, secure: Path, in_force: str, in_force_file: Path,  # type: ignore[no-untyped-def]
                      ever_in_force: set[str], where: str) -> None:
    """Vault, keyring, record and passphrase files agree on `in_force`; nothing pending; no file of a
    passphrase that was never in force; the record's escrow version is the vault's newest."""
    record = json.loads((home / "registration.json").read_text())
    assert not (home / JOURNAL).exists(), f"{where}: journal left"
    assert _in_force_at_vault(vault_service, record["machine"]["id"], record, in_force), f"{where}: vault disagrees"
    assert _keyring(home) == in_force, f"{where}: keyring disagrees"
    assert Path(record["settings"]["encryption"]["passphrase_file"]) == in_force_file, where
    assert read_passphrase_file(in_force_file).reveal() == in_force, where
    for kept in secure.iterdir():
        assert read_passphrase_file(kept).reveal() in ever_in_force, f"{where}: {kept.name} was never in force"
    newest = vault_service.admin.envelopes(vault, "server01")[-1]
    assert record["escrow"]["in_force"] and record["escrow"]["version"] == newest.version, where


def test_unregister_killed_at_every_step_is_settled_by_the_next_run(
        registered, vault_service, auth_proxy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    vault, home, env = registered
    for round_, step in enumerate(UNREGISTER_STEPS):
        pin, _ = vault_service.admin.issue_pin(vault)
        _killed_at(step, "unregister", "--yes", "--json", "--home", str(home), "--pin-env", "PIN",
                   env={**env, "PIN": pin})
        removed = step != "unregister_journal_written"
        status = json.loads(cli("status", "--json", "--home", str(home)).stdout)
        assert not (home / JOURNAL).exists(), step
        assert status["registered"] is not removed, step
        assert bool([m for m in vault_service.admin.machines(vault) if m.name == "server01"]) is not removed, step
        if removed:
            assert _keyring(home) is None and not (home / "machine-key.json").exists(), step
            creds = vault_service.issue(vault, tmp_path)
            again = cli("register", "--answers", str(answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy)),
                        "--json", "--home", str(home), env=env)
            assert again.returncode == 0, again.stdout + again.stderr

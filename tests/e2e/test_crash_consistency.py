"""Changes that touch the vault and local state stay consistent when the answer is lost or the disk fills.

Real vault, real keyring, in-process use cases. A passphrase change whose answer is lost asks
the vault what is in force and finishes; when the vault cannot be asked either, the change is
left journalled (`state.change_unresolved`) and the next `status` settles it. A registration
whose local save fails after the vault accepted it says so (`state.registered_not_saved`), `status`
says so, and the same registration run again finishes it.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import httpx
import pytest

from tests.commands.test_unattended import cli
from tests.e2e.helpers import PASSPHRASE, make_settings
from wizard.core.answers import load_answers
from wizard.core.errors import RegisterServerError
from wizard.core.exit_codes import ExitCode
from wizard.core.passphrase_file import read_passphrase_file
from wizard.core.secrets.store import BACKUP_PASSPHRASE, SecretStore
from wizard.registration import run_registration
from wizard.registration.journal import JOURNAL
from wizard.registration.machine_calls import default_transport
from wizard.registration.maintenance import change_settings

pytestmark = pytest.mark.e2e

NEW = "the new passphrase after a lost answer"


@pytest.fixture
def registered(vault_service, secret_service, tmp_path: Path):  # type: ignore[no-untyped-def]
    vault = vault_service.create_vault()
    settings = make_settings(vault_service.issue(vault, tmp_path), ca_bundle=vault_service.ca_file,
                             passphrase_dir=tmp_path)
    home = tmp_path / "home"
    run_registration(settings, home=home)
    return vault, settings, home


def _losing_answers(*lost: str):  # type: ignore[no-untyped-def]
    """A transport factory whose clients get the vault's answer to `lost` requests ("PUT", "POST"), then drop it."""
    def factory(settings, url):  # type: ignore[no-untyped-def]
        client = default_transport(settings, url)

        def drop(response: httpx.Response) -> None:
            if response.request.method in lost:
                raise httpx.ReadError("connection reset after the request", request=response.request)
        client.event_hooks = {"request": [], "response": [drop]}
        return client
    return factory


def _change(tmp_path: Path, home: Path, new_file: Path, transport_factory):  # type: ignore[no-untyped-def]
    answers = tmp_path / "change.toml"
    answers.write_text(f'[encryption]\npassphrase_env = "NEW"\nsave_passphrase_to = "{new_file}"\n')
    return change_settings(load_answers(answers), home=home, environ={"NEW": NEW},
                           transport_factory=transport_factory)


def _record(home: Path) -> dict:
    return json.loads((home / "registration.json").read_text())


def test_a_lost_answer_to_a_passphrase_change_is_settled_by_asking_the_vault(registered, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, _, home = registered
    new_file = tmp_path / "new.passphrase.txt"
    done = _change(tmp_path, home, new_file, _losing_answers("PUT"))
    assert done.passphrase_file == new_file  # the vault had taken it: finished, not reported as failed
    assert SecretStore.for_state_dir(home).get(BACKUP_PASSPHRASE).reveal() == NEW
    assert _record(home)["settings"]["encryption"]["passphrase_file"] == str(new_file)
    assert read_passphrase_file(new_file).reveal() == NEW and not (home / JOURNAL).exists()


def test_a_change_the_vault_cannot_be_asked_about_stays_journalled_until_status_settles_it(
        registered, vault_service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vault, settings, home = registered
    old_file = settings.encryption.save_to
    new_file = tmp_path / "new.passphrase.txt"
    with pytest.raises(RegisterServerError) as caught:
        _change(tmp_path, home, new_file, _losing_answers("PUT", "POST"))
    assert caught.value.code == "state.change_unresolved" and caught.value.exit_code == ExitCode.NETWORK
    # Nothing decided here: the new file is kept (the vault has it in force), keyring and record untouched.
    assert (home / JOURNAL).exists() and new_file.exists()
    assert SecretStore.for_state_dir(home).get(BACKUP_PASSPHRASE).reveal() == PASSPHRASE
    assert _record(home)["settings"]["encryption"]["passphrase_file"] == str(old_file)

    status = cli("status", "--json", "--home", str(home))
    assert status.returncode == 0, status.stdout + status.stderr
    pending = json.loads(status.stdout)["pending_change"]
    assert (pending["resolved"], pending["kind"], pending["outcome"]) == (True, "passphrase_change", "finished")
    assert SecretStore.for_state_dir(home).get(BACKUP_PASSPHRASE).reveal() == NEW
    assert _record(home)["settings"]["encryption"]["passphrase_file"] == str(new_file)
    assert not (home / JOURNAL).exists()


def test_unregister_local_only_is_the_way_out_while_the_vault_cannot_be_asked(registered, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from wizard.registration.maintenance import unregister

    _, _, home = registered
    new_file = tmp_path / "new.passphrase.txt"
    with pytest.raises(RegisterServerError):
        _change(tmp_path, home, new_file, _losing_answers("PUT", "POST"))
    done = unregister(home=home, local_only=True)
    assert not done.removed_from_vault and not (home / JOURNAL).exists()
    assert not (home / "registration.json").exists()
    assert new_file.exists()  # it may be the passphrase in force at the vault: the user's to keep


def test_a_disk_that_fills_after_the_vault_accepted_says_so_and_the_next_run_finishes(
        vault_service, secret_service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    vault = vault_service.create_vault()
    settings = make_settings(vault_service.issue(vault, tmp_path), ca_bundle=vault_service.ca_file,
                             passphrase_dir=tmp_path)
    home = tmp_path / "home"
    full: list[bool] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if full:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(RegisterServerError) as caught:
        run_registration(settings, home=home, on_progress=lambda e: full.append(True) if e.step == "saving" else None)
    error = caught.value
    assert (error.code, error.reason) == ("state.registered_not_saved", "disk_full")
    assert "The vault registered this server" in error.message and "Nothing was changed" not in error.message
    assert "register again" in error.fix or "`register-server register` again" in error.fix
    assert [m.name for m in vault_service.admin.machines(vault)] == ["server01"]
    assert not (home / "registration.json").exists()

    status = cli("status", "--json", "--home", str(home))
    assert status.returncode == ExitCode.LOCAL_STATE
    pending = json.loads(status.stdout)["pending_change"]
    assert pending["resolved"] is False and pending["error"]["code"] == "state.registered_not_saved"

    full.clear()  # space freed
    again = run_registration(settings, home=home)
    assert again.re_registration and [m.name for m in vault_service.admin.machines(vault)] == ["server01"]
    assert _record(home)["machine"]["id"] == again.machine_id and not (home / JOURNAL).exists()

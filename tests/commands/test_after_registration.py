"""After registration: settings changes and unregistering, end to end through the real vault and proxy,
signed with the machine's own key (the credentials file is gone by then)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.commands.test_unattended import PASSPHRASE, answer_file, cli, events
from wizard.core.exit_codes import ExitCode

pytestmark = pytest.mark.e2e


@pytest.fixture
def registered(vault_service, auth_proxy, secret_service, tmp_path):  # type: ignore[no-untyped-def]
    vault = vault_service.create_vault()
    creds = vault_service.issue(vault, tmp_path)
    env = {"PROXY_PASSWORD": auth_proxy.password, "BACKUP_PASSPHRASE": PASSPHRASE}
    home = str(tmp_path / "home")
    done = cli("register", "--answers", str(answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy)),
               "--json", "--home", home, env=env)
    assert done.returncode == 0, done.stderr
    creds.unlink()  # after registration the machine proves itself with its own key
    return vault, home, env


def test_passphrase_change_writes_new_file_then_vault_accepts_only_the_new_one(
        registered, vault_service, auth_proxy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vault, home, env = registered
    change = tmp_path / "change.toml"
    new_file = tmp_path / "secure" / "server01.new.passphrase.txt"
    change.write_text(f'[encryption]\npassphrase_env = "NEW_PASSPHRASE"\nsave_passphrase_to = "{new_file}"\n')
    new = "the new fleet passphrase 2026!"
    done = cli("settings", "--answers", str(change), "--json", "--home", home, env={**env, "NEW_PASSPHRASE": new})
    assert done.returncode == 0, done.stderr + done.stdout
    assert json.loads(done.stdout)["changed"] == ["encryption"]
    assert new in new_file.read_text()
    status = json.loads(cli("status", "--json", "--home", home).stdout)
    assert status["settings"]["encryption"]["passphrase_file"] == str(new_file)

    # The vault now holds the new verifier: re-registering with the old passphrase is refused.
    creds = vault_service.issue(vault, tmp_path)
    again = answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy, passphrase_to="server01.passphrase.txt")
    old = cli("register", "--answers", str(again), "--json", "--home", home, env=env)
    assert old.returncode == ExitCode.VAULT_REFUSED
    assert events(old.stdout)[-1]["error"]["code"] == "passphrase.mismatch"


def test_failed_passphrase_change_leaves_no_new_file(registered, auth_proxy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, home, env = registered
    auth_proxy.stop()  # the vault cannot be reached: the change must not be half-done
    new_file = tmp_path / "secure" / "never.txt"
    change = tmp_path / "change.toml"
    change.write_text(f'[encryption]\npassphrase_env = "NEW_PASSPHRASE"\nsave_passphrase_to = "{new_file}"\n')
    done = cli("settings", "--answers", str(change), "--json", "--home", home,
               env={**env, "NEW_PASSPHRASE": "another new passphrase 2026!"})
    assert done.returncode == ExitCode.NETWORK
    assert json.loads(done.stdout)["error"]["code"] == "proxy.unreachable"
    assert not new_file.exists()


def test_throttling_and_proxy_change_locally_and_vault_and_machine_are_refused(registered, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, home, env = registered
    change = tmp_path / "change.toml"
    change.write_text('[throttling]\nenabled = true\nwork_days = ["saturday"]\nwork_start = "22:00"\nwork_end = "06:00"\n'
                      'work_bandwidth = "512 Kbps"\nnon_work_bandwidth = "1,023 Mbps"\n[proxy]\nmode = "none"\n')
    done = cli("settings", "--answers", str(change), "--home", home, env=env)
    assert done.returncode == 0, done.stderr
    status = json.loads(cli("status", "--json", "--home", home).stdout)
    assert status["settings"]["throttling"]["work_days"] == ["saturday"]
    assert status["settings"]["proxy"]["mode"] == "none"
    bad = tmp_path / "bad.toml"
    bad.write_text('[vault]\ncredentials_file = "/x.VaultCredentials"\n[throttling]\nwork_bandwidth = "1 Mbps"\n')
    refused = cli("settings", "--answers", str(bad), "--json", "--home", home)
    assert refused.returncode == ExitCode.INVALID_SETTINGS
    assert json.loads(refused.stdout)["error"]["code"] == "answers.not_changeable"


def test_unregister_removes_the_machine_from_the_vault_and_forgets_locally(registered, vault_service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vault, home, env = registered
    assert len(vault_service.admin.machines(vault)) == 1
    done = cli("unregister", "--yes", "--json", "--home", home)
    assert done.returncode == 0, done.stderr + done.stdout
    assert json.loads(done.stdout)["removed_from_vault"] is True
    assert vault_service.admin.machines(vault) == []
    assert cli("status", "--home", home).returncode == ExitCode.LOCAL_STATE
    assert not (Path(home) / "machine-key.json").exists()
    assert (tmp_path / "secure" / "server01.passphrase.txt").exists()  # the user's file stays
    again = cli("unregister", "--home", home)
    assert again.returncode == ExitCode.LOCAL_STATE and "state.not_registered" in again.stderr


def test_identity_replaced_or_removed_elsewhere_is_named_not_try_again_later(
        registered, vault_service, auth_proxy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The same name registered again from another state folder gets a new key; the first folder's
    key is retired. Its later calls must say so (and what to do), not 'vault.error: try again later'."""
    vault, home, env = registered
    other = tmp_path / "other"
    other.mkdir()
    creds = vault_service.issue(vault, other)
    taken = cli("register", "--answers", str(answer_file(other, creds, vault_service.ca_file, auth_proxy)),
                "--json", "--home", str(other / "home"), env=env)
    assert taken.returncode == 0, taken.stderr + taken.stdout
    assert events(taken.stdout)[-1]["re_registration"] is True

    change = tmp_path / "change.toml"
    change.write_text('[encryption]\npassphrase_env = "NEW_PASSPHRASE"\n'
                      f'save_passphrase_to = "{tmp_path / "secure" / "new.txt"}"\n')
    refused = cli("settings", "--answers", str(change), "--json", "--home", home,
                  env={**env, "NEW_PASSPHRASE": "another new passphrase 2026!"})
    assert refused.returncode == ExitCode.VAULT_REFUSED
    assert json.loads(refused.stdout)["error"]["code"] == "machine.key_unknown"
    assert not (tmp_path / "secure" / "new.txt").exists()
    human = cli("unregister", "--yes", "--home", home)
    assert human.returncode == ExitCode.VAULT_REFUSED and "machine.key_unknown" in human.stderr
    assert "--local-only" in human.stderr
    assert [m.name for m in vault_service.admin.machines(vault)] == ["server01"]  # the other one's record stays

    vault_service.admin.remove_machine(vault, "server01")
    gone = cli("settings", "--answers", str(change), "--json", "--home", str(other / "home"),
               env={**env, "NEW_PASSPHRASE": "another new passphrase 2026!"})
    assert gone.returncode == ExitCode.VAULT_REFUSED
    assert json.loads(gone.stdout)["error"]["code"] == "machine.not_found"
    forgotten = cli("unregister", "--yes", "--json", "--home", str(other / "home"))
    assert forgotten.returncode == 0 and json.loads(forgotten.stdout)["removed_from_vault"] is False


def test_unregister_without_a_terminal_or_yes_refuses_with_exit_2_and_changes_nothing(
        registered, vault_service) -> None:  # type: ignore[no-untyped-def]
    vault, home, _ = registered
    refused = cli("unregister", "--json", "--home", home, stdin="")
    assert refused.returncode == ExitCode.USAGE == 2
    error = json.loads(refused.stdout)["error"]
    assert error["code"] == "unregister.confirmation_required" and "--yes" in error["fix"]
    assert len(vault_service.admin.machines(vault)) == 1
    assert cli("status", "--home", home).returncode == 0


def _on_a_terminal(answer: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI with a pseudo-terminal as stdin, typing `answer`."""
    primary, secondary = pty.openpty()
    try:
        os.write(primary, answer.encode() + b"\n")
        return subprocess.run([sys.executable, "-m", "wizard", *args], stdin=secondary, capture_output=True,
                              text=True, timeout=120)
    finally:
        os.close(primary)
        os.close(secondary)


def test_unregister_on_a_terminal_asks_naming_machine_and_vault(registered, vault_service) -> None:  # type: ignore[no-untyped-def]
    vault, home, _ = registered
    kept = _on_a_terminal("n", "unregister", "--home", home)
    assert kept.returncode == ExitCode.CANCELLED, kept.stderr
    assert f"Remove server01 (" in kept.stderr and f"from vault {vault}" in kept.stderr and "[y/N]" in kept.stderr
    assert len(vault_service.admin.machines(vault)) == 1

    gone = _on_a_terminal("y", "unregister", "--home", home)
    assert gone.returncode == 0, gone.stderr
    assert vault_service.admin.machines(vault) == []

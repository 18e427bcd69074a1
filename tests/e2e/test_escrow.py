"""The passphrase's whole life through the real faces: a vault with a recovery certificate, a
registration that seals the passphrase to it, the administrator's export, recovery with the
offline key, a passphrase change that adds a version, the recovery sheet - and the passphrase
nowhere else but the passphrase files, the sheet, the recovered copies asked for and the keyring."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.commands.test_unattended import PASSPHRASE, answer_file, cli, events
from tests.support.leak_scan import find_leaks
from tests.support.recovery_cert import make_pair
from wizard.core.exit_codes import ExitCode

pytestmark = pytest.mark.e2e
NEW_PASSPHRASE = "the second escrowed passphrase, 2026!"


def _with_escrow(answers: Path, value: str) -> Path:
    text = answers.read_text()
    assert text.count("[encryption]\n") == 1
    answers.write_text(text.replace("[encryption]\n", f"[encryption]\nescrow = {value}\n"))
    return answers


def _recover(envelope: Path, cert: Path, key: Path, out: Path) -> str:
    done = cli("passphrase", "recover", "--envelope", str(envelope), "--key-file", str(key), "--certificate",
               str(cert), "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out.read_text().rstrip("\n")


def test_escrow_register_export_recover_change_and_sheet(vault_service, auth_proxy, secret_service,  # type: ignore[no-untyped-def]
                                                         tmp_path: Path) -> None:
    data = ["--data", str(vault_service.data_dir)]
    vault = vault_service.create_vault()
    offline = tmp_path / "offline"  # the recovery key never goes near the server or the vault
    offline.mkdir()
    cert, key = make_pair().write(offline)
    set_cert = cli("vault", "recovery-certificate", vault, str(cert), "--json", *data)
    assert set_cert.returncode == 0, set_cert.stderr
    fingerprint = json.loads(set_cert.stdout)["fingerprint"]

    creds = vault_service.issue(vault, tmp_path)
    env = {"PROXY_PASSWORD": auth_proxy.password, "BACKUP_PASSPHRASE": PASSPHRASE}
    home = str(tmp_path / "home")
    answers = _with_escrow(answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy), "true")
    done = cli("register", "--answers", str(answers), "--json", "--home", home, env=env)
    assert done.returncode == 0, done.stderr + done.stdout
    status = json.loads(cli("status", "--json", "--home", home).stdout)
    assert status["escrow"] == {"in_force": True, "version": 1, "certificate_fingerprint": fingerprint}
    assert "Escrow:          in force, version 1" in cli("status", "--home", home).stdout

    exports, recovered = tmp_path / "exports", tmp_path / "recovered"
    exports.mkdir()
    recovered.mkdir()
    first = exports / "v1.der"
    exported = cli("vault", "escrow", vault, "server01", "--out", str(first), *data)
    assert exported.returncode == 0, exported.stderr
    assert _recover(first, cert, key, recovered / "v1.txt") == PASSPHRASE

    # A passphrase change adds version 2, sealed to the same certificate; version 1 stays.
    new_file = tmp_path / "secure" / "server01.new.passphrase.txt"
    change = tmp_path / "change.toml"
    change.write_text(f'[encryption]\npassphrase_env = "NEW_PASSPHRASE"\nsave_passphrase_to = "{new_file}"\n')
    changed = cli("settings", "--answers", str(change), "--json", "--home", home,
                  env={**env, "NEW_PASSPHRASE": NEW_PASSPHRASE})
    assert changed.returncode == 0, changed.stderr + changed.stdout
    listed = json.loads(cli("vault", "escrow", vault, "server01", "--list", "--json", *data).stdout)
    assert [v["version"] for v in listed["versions"]] == [1, 2]
    assert listed["name"] == f"AzBackup-server01-{vault}"
    second = exports / "v2.der"
    assert cli("vault", "escrow", vault, "server01", "--out", str(second), *data).returncode == 0
    assert _recover(second, cert, key, recovered / "v2.txt") == NEW_PASSPHRASE
    older = exports / "v1-again.der"
    assert cli("vault", "escrow", vault, "server01", "--version", "1", "--out", str(older), *data).returncode == 0
    assert older.read_bytes() == first.read_bytes()
    assert json.loads(cli("status", "--json", "--home", home).stdout)["escrow"]["version"] == 2

    # openssl alone opens what the vault exported: recovery never depends on this product.
    opened = subprocess.run(["openssl", "cms", "-decrypt", "-inform", "DER", "-in", str(second), "-inkey", str(key)],
                            capture_output=True, text=True, check=True)
    assert opened.stdout == NEW_PASSPHRASE

    sheet = tmp_path / "sheets" / "server01.pdf"
    sheet.parent.mkdir()
    printed = cli("passphrase", "sheet", "--out", str(sheet), "--home", home)
    assert printed.returncode == 0, printed.stderr
    text = subprocess.run(["pdftotext", str(sheet), "-"], capture_output=True, text=True, check=True).stdout
    assert "server01" in text and vault in text and "sealed in the vault" in text

    everything_else = [Path(home), vault_service.data_dir, exports, tmp_path / "change.toml", answers]
    outputs = [done.stdout, done.stderr, changed.stdout, changed.stderr, printed.stdout, printed.stderr,
               exported.stdout, exported.stderr]
    assert find_leaks([PASSPHRASE, NEW_PASSPHRASE], everything_else, outputs) == []


def test_escrow_required_but_no_recovery_certificate_registers_nothing(vault_service, auth_proxy, secret_service,  # type: ignore[no-untyped-def]
                                                                       tmp_path: Path) -> None:
    vault = vault_service.create_vault()
    creds = vault_service.issue(vault, tmp_path)
    env = {"PROXY_PASSWORD": auth_proxy.password, "BACKUP_PASSPHRASE": PASSPHRASE}
    home = str(tmp_path / "home")
    answers = _with_escrow(answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy), "true")
    done = cli("register", "--answers", str(answers), "--json", "--home", home, env=env)
    assert done.returncode == ExitCode.VAULT_REFUSED
    error = events(done.stdout)[-1]["error"]
    assert error["code"] == "escrow.not_configured" and "recovery-certificate" in error["fix"]
    assert vault_service.admin.machines(vault) == []
    assert list((tmp_path / "secure").iterdir()) == []  # the passphrase file of this run was taken back
    assert cli("status", "--home", home).returncode == ExitCode.LOCAL_STATE

    # Unset, escrow follows the vault: none here, and the registration goes on without it.
    plain = answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy)
    again = cli("register", "--answers", str(plain), "--json", "--home", home, env=env)
    assert again.returncode == 0, again.stderr + again.stdout
    assert json.loads(cli("status", "--json", "--home", home).stdout)["escrow"] == {"in_force": False}


def test_a_vault_that_requires_a_pin_refuses_changes_without_one_and_nothing_changes(  # type: ignore[no-untyped-def]
        vault_service, auth_proxy, secret_service, tmp_path: Path) -> None:
    from wizard.core.secrets import SecretStore
    from wizard.core.secrets.store import BACKUP_PASSPHRASE
    from wizard.core.storage import StateStore

    data = ["--data", str(vault_service.data_dir)]
    vault = vault_service.create_vault()
    cert, key = make_pair().write(tmp_path)
    assert cli("vault", "recovery-certificate", vault, str(cert), *data).returncode == 0
    assert cli("vault", "require-pin", vault, "on", *data).returncode == 0
    creds = vault_service.issue(vault, tmp_path)
    env = {"PROXY_PASSWORD": auth_proxy.password, "BACKUP_PASSPHRASE": PASSPHRASE}
    home = str(tmp_path / "home")
    registered = cli("register", "--answers", str(answer_file(tmp_path, creds, vault_service.ca_file, auth_proxy)),
                     "--json", "--home", home, env=env)
    assert registered.returncode == 0, registered.stderr + registered.stdout  # registering needs no PIN
    before = json.loads(cli("status", "--json", "--home", home).stdout)
    assert before["escrow"]["in_force"]  # unset escrow follows the vault's certificate

    new_file = tmp_path / "secure" / "server01.new.passphrase.txt"
    change = tmp_path / "change.toml"
    change_env = {**env, "NEW_PASSPHRASE": NEW_PASSPHRASE}
    change.write_text(f'[encryption]\npassphrase_env = "NEW_PASSPHRASE"\nsave_passphrase_to = "{new_file}"\n')

    def unchanged() -> None:
        assert not new_file.exists()
        assert json.loads(cli("status", "--json", "--home", home).stdout) == before
        assert SecretStore.for_state_dir(StateStore(home).root).get(BACKUP_PASSPHRASE).reveal() == PASSPHRASE
        listed = json.loads(cli("vault", "escrow", vault, "server01", "--list", "--json", *data).stdout)
        assert [v["version"] for v in listed["versions"]] == [1]

    refused = cli("settings", "--answers", str(change), "--json", "--home", home, env=change_env)
    assert refused.returncode == ExitCode.VAULT_REFUSED
    error = json.loads(refused.stdout)["error"]
    assert error["code"] == "security.pin_required" and "vault security-pin" in error["fix"]
    unchanged()

    change.write_text(change.read_text() + '\n[security]\npin_env = "VAULT_PIN"\n')
    wrong = cli("settings", "--answers", str(change), "--json", "--home", home, env={**change_env, "VAULT_PIN": "0"})
    assert wrong.returncode == ExitCode.VAULT_REFUSED
    assert json.loads(wrong.stdout)["error"]["code"] == "security.pin_invalid"
    unchanged()

    issued = json.loads(cli("vault", "security-pin", vault, "--json", *data).stdout)
    assert len(issued["pin"]) == 8 and issued["pin"].isdigit() and issued["pin_required"]
    done = cli("settings", "--answers", str(change), "--json", "--home", home,
               env={**change_env, "VAULT_PIN": issued["pin"]})
    assert done.returncode == 0, done.stderr + done.stdout
    second = tmp_path / "v2.der"
    assert cli("vault", "escrow", vault, "server01", "--out", str(second), *data).returncode == 0
    assert _recover(second, cert, key, tmp_path / "v2.txt") == NEW_PASSPHRASE
    assert issued["pin"] not in done.stdout + done.stderr

    # A PIN is good for one operation: unregistering needs another.
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text(issued["pin"] + "\n")
    again = cli("unregister", "--yes", "--json", "--pin-file", str(pin_file), "--home", home)
    assert again.returncode == ExitCode.VAULT_REFUSED
    assert json.loads(again.stdout)["error"]["code"] == "security.pin_invalid"
    assert len(vault_service.admin.machines(vault)) == 1
    pin_file.write_text(json.loads(cli("vault", "security-pin", vault, "--json", *data).stdout)["pin"])
    gone = cli("unregister", "--yes", "--json", "--pin-file", str(pin_file), "--home", home)
    assert gone.returncode == 0, gone.stderr + gone.stdout
    assert vault_service.admin.machines(vault) == []

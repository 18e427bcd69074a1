"""Leak test: a full unattended registration with known secrets, then look everywhere.

Real parts throughout: the `register-server` command in its own process, the local vault
over HTTPS, an authenticating tinyproxy, the real Secret Service. Afterwards every file
under the state directory (logs included), the answer file's folder, the diagnostics
bundle (and its zip members), the vault service's data folder (the passphrase never goes to
the vault), the argv the OS showed for both commands and any child while they ran (read
from /proc, not the list the test passed) and their output are scanned for every secret
in plain, base64, hex, percent-encoded, UTF-16 and JSON-escaped forms.
The passphrase file is the one place the passphrase must be, so it is checked separately.
"""

from __future__ import annotations

import json
import os
import secrets as random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.leak_scan import find_leaks, private_key_secrets, run_watching_argv

pytestmark = pytest.mark.e2e


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def _cli_watched(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run the command; also the argv the OS showed for it (and any child) while it ran."""
    result, argvs = run_watching_argv([sys.executable, "-m", "wizard", *args], env=env)
    assert any(" ".join(args) in argv for argv in argvs), "the argv watcher saw nothing: it proves nothing"
    return result, argvs


def test_unattended_registration_leaks_no_secret(vault_service, auth_proxy, secret_service,  # type: ignore[no-untyped-def]
                                                 tmp_path: Path) -> None:
    from wizard.core.passphrase_file import read_passphrase_file
    from wizard.core.secrets import SecretStore
    from wizard.core.secrets.machine_key import load_private_key
    from wizard.core.secrets.store import MACHINE_KEY_PREFIX
    from wizard.core.storage import StateStore

    vault = vault_service.create_vault()
    creds = vault_service.issue(vault, tmp_path / "downloads")
    passphrase = f"leak test {random.token_urlsafe(18)} horse"
    home, answers_dir, keep = tmp_path / "home", tmp_path / "answers", tmp_path / "usb"
    for folder in (answers_dir, keep, tmp_path / "recovery"):
        folder.mkdir()
    answers = answers_dir / "server.toml"
    answers.write_text(f"""
[machine]
name = "leaktest01"

[proxy]
mode = "custom"
host = "{auth_proxy.host}"
port = {auth_proxy.port}
username = "{auth_proxy.username}"
password_env = "LEAK_PROXY_PASSWORD"

[vault]
credentials_file = "{creds}"
ca_bundle = "{vault_service.ca_file}"

[recovery]
folder = "{tmp_path / 'recovery'}"

[encryption]
passphrase_env = "LEAK_PASSPHRASE"
save_passphrase_to = "{keep / 'leaktest01.passphrase.txt'}"
""")
    env = {**os.environ, "LEAK_PASSPHRASE": passphrase, "LEAK_PROXY_PASSWORD": auth_proxy.password,
           "REGISTER_SERVER_DEBUG": "1"}  # the most talkative logging: DEBUG to the file and stderr
    register_argv = ["register", "--answers", str(answers), "--home", str(home), "--json"]
    registered, register_argvs = _cli_watched(register_argv, env)
    assert registered.returncode == 0, registered.stdout + registered.stderr
    assert json.loads(registered.stdout.strip().splitlines()[-1])["ok"] is True
    bundle = tmp_path / "diag" / "diagnostics.zip"
    bundle.parent.mkdir()
    diagnostics_argv = ["diagnostics", "--out", str(bundle), "--home", str(home)]
    diagnosed, diagnostics_argvs = _cli_watched(diagnostics_argv, env)
    assert diagnosed.returncode == 0, diagnosed.stderr

    # The secrets really are where they belong (so the scan is looking for real values).
    assert read_passphrase_file(keep / "leaktest01.passphrase.txt").reveal() == passphrase
    store, keyring = StateStore(home), SecretStore.for_state_dir(home)
    assert keyring.require("backup-passphrase").reveal() == passphrase
    assert keyring.require("proxy-password").reveal() == auth_proxy.password
    key_id = store.load_json("machine-key.json")["key_id"]
    protection = keyring.require(f"{MACHINE_KEY_PREFIX}.{key_id}").reveal()
    private_pem = load_private_key(store, keyring)
    log_text = (home / "logs" / "register-server.log").read_text()
    assert "DEBUG" in log_text and "started: register" in log_text  # the log exists, at DEBUG level

    known = [passphrase, auth_proxy.password, protection, *private_key_secrets(private_pem)]
    texts = [*register_argvs, *diagnostics_argvs, registered.stdout, registered.stderr,
             diagnosed.stdout, diagnosed.stderr]
    passphrase_file = keep / "leaktest01.passphrase.txt"
    everything_else = [p for p in tmp_path.rglob("*") if p.is_file() and p != passphrase_file]
    for expected in (bundle, home / "registration.json", home / "logs" / "register-server.log", answers):
        assert expected in everything_else, expected  # the scan covers the places that matter
    assert find_leaks(known, everything_else, texts) == []
    assert find_leaks(known, [vault_service.data_dir]) == []  # nor anything the vault keeps
    # The passphrase file holds the passphrase (by design) and nothing else secret.
    assert find_leaks(known, [passphrase_file]) == [f"{passphrase_file}: secret[0] as plain"]


def test_without_keyring_registration_stops_clearly_and_stores_nothing_in_plain_text(  # type: ignore[no-untyped-def]
        vault_service, no_keyring, tmp_path: Path) -> None:
    from wizard.core.errors import info

    vault = vault_service.create_vault()
    creds = vault_service.issue(vault, tmp_path / "downloads")
    passphrase = f"headless {random.token_urlsafe(18)} server"
    home = tmp_path / "home"
    (tmp_path / "recovery").mkdir()
    (tmp_path / "usb").mkdir()
    answers = tmp_path / "server.toml"
    answers.write_text(f"""
[machine]
name = "headless01"
[vault]
credentials_file = "{creds}"
ca_bundle = "{vault_service.ca_file}"
[recovery]
folder = "{tmp_path / 'recovery'}"
[encryption]
passphrase_env = "LEAK_PASSPHRASE"
save_passphrase_to = "{tmp_path / 'usb' / 'headless01.txt'}"
""")
    env = {**os.environ, "LEAK_PASSPHRASE": passphrase}
    result = _cli(["register", "--answers", str(answers), "--home", str(home), "--json"], env)
    final = json.loads(result.stdout.strip().splitlines()[-1])
    assert final["ok"] is False and final["error"]["code"] == "secrets.unavailable", result.stdout
    assert result.returncode == int(info("secrets.unavailable").exit_code)
    assert "Traceback" not in result.stderr
    assert vault_service.admin.machines(vault) == []  # nothing registered without a place for the secrets
    passphrase_file = tmp_path / "usb" / "headless01.txt"
    others = [p for p in tmp_path.rglob("*") if p.is_file() and p != passphrase_file]
    assert find_leaks([passphrase], others, [result.stdout, result.stderr]) == []

"""The systemd-creds store end to end on a headless server: no session bus, no keyring, real everything.

The real `register-server` process in a shell without DBUS_SESSION_BUS_ADDRESS or
XDG_RUNTIME_DIR (as over SSH), the real local vault over HTTPS and the real
`/usr/bin/systemd-creds`: register with `[secrets] store = "systemd-creds"`, then `status`,
`settings` (a passphrase change) and `unregister` find the secrets without being told where
(the record says). Without that store the same shell has no secret store at all, so any
keyring use would fail the run. Afterwards every file, the argv of every process (children
included, read from /proc) and all output are scanned for every secret.
"""

from __future__ import annotations

import json
import os
import secrets as random
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.leak_scan import find_leaks, private_key_secrets, run_watching_argv

pytestmark = pytest.mark.e2e  # needs root and systemd-creds (scripts/setup.sh installs systemd)


def _headless_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "PYTHON_KEYRING_BACKEND", "DISPLAY")}
    env["HOME"] = str(tmp_path / "root-home")  # no keyring configuration of the user running the tests
    env["REGISTER_SERVER_DEBUG"] = "1"         # the most talkative logging: DEBUG to the file and stderr
    return {**env, **extra}


def _cli(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    result, argvs = run_watching_argv([sys.executable, "-m", "wizard", *args], env=env)
    assert any(" ".join(args) in argv for argv in argvs), "the argv watcher saw nothing: it proves nothing"
    return result, argvs


def test_headless_register_status_settings_unregister_with_systemd_creds(vault_service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from wizard.core.secrets.machine_key import load_private_key
    from wizard.core.secrets.store import MACHINE_KEY_PREFIX, SecretStore
    from wizard.core.storage import StateStore

    vault = vault_service.create_vault()
    creds = vault_service.issue(vault, tmp_path / "downloads")
    passphrase = f"headless creds {random.token_urlsafe(18)} one"
    new_passphrase = f"headless creds {random.token_urlsafe(18)} two"
    home, keep = tmp_path / "state", tmp_path / "usb"
    for folder in (keep, tmp_path / "recovery", tmp_path / "root-home"):
        folder.mkdir()
    answers = tmp_path / "server.toml"
    answers.write_text(f"""
[machine]
name = "creds01"
[vault]
credentials_file = "{creds}"
ca_bundle = "{vault_service.ca_file}"
[recovery]
folder = "{tmp_path / 'recovery'}"
[encryption]
passphrase_env = "CREDS_PASSPHRASE"
save_passphrase_to = "{keep / 'creds01.passphrase.txt'}"
[secrets]
store = "systemd-creds"
""")
    env = _headless_env(tmp_path, CREDS_PASSPHRASE=passphrase, NEW_PASSPHRASE=new_passphrase)
    registered, argvs = _cli(["register", "--answers", str(answers), "--home", str(home), "--json"], env)
    assert registered.returncode == 0, registered.stdout + registered.stderr
    outputs = [registered.stdout, registered.stderr]

    # The secrets are blobs in the state folder's own 0700 folder, each 0600, and the record names the store.
    blobs = home / "systemd-creds"
    assert stat.S_IMODE(blobs.lstat().st_mode) == 0o700 and not blobs.is_symlink()
    names = sorted(p.name for p in blobs.iterdir())
    assert "backup-passphrase.cred" in names and any(n.startswith(MACHINE_KEY_PREFIX) for n in names), names
    assert all(stat.S_IMODE(p.lstat().st_mode) == 0o600 for p in blobs.iterdir())
    status, more = _cli(["status", "--json", "--home", str(home)], env)
    argvs += more
    outputs += [status.stdout, status.stderr]
    assert status.returncode == 0 and json.loads(status.stdout)["secret_store"] == "systemd-creds", status.stdout
    store, secrets = StateStore(home), SecretStore.for_state_dir(home)  # the record says systemd-creds
    assert secrets.require("backup-passphrase").reveal() == passphrase
    old_protection = secrets.require(f"{MACHINE_KEY_PREFIX}.{store.load_json('machine-key.json')['key_id']}").reveal()
    private_pem = load_private_key(store, secrets)

    # A passphrase change signs with the machine key whose protection systemd-creds holds.
    change = tmp_path / "change.toml"
    new_file = keep / "creds01.new.passphrase.txt"
    change.write_text(f'[encryption]\npassphrase_env = "NEW_PASSPHRASE"\nsave_passphrase_to = "{new_file}"\n')
    changed, more = _cli(["settings", "--answers", str(change), "--json", "--home", str(home)], env)
    argvs += more
    outputs += [changed.stdout, changed.stderr]
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert secrets.require("backup-passphrase").reveal() == new_passphrase
    record = store.load_registration()
    assert record["secret_store"] == "systemd-creds"  # a settings change keeps the store and says where:
    assert record["settings"]["encryption"]["passphrase"] == "systemd-creds:backup-passphrase"

    scanned = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != keep]
    assert home / "registration.json" in scanned and home / "logs" / "register-server.log" in scanned
    assert blobs / "backup-passphrase.cred" in scanned  # the blobs themselves hold no readable secret
    known = [passphrase, new_passphrase, old_protection, *private_key_secrets(private_pem)]
    assert find_leaks(known, scanned) == []  # before unregister removes the record and the blobs

    done, more = _cli(["unregister", "--yes", "--json", "--home", str(home)], env)
    argvs += more
    outputs += [done.stdout, done.stderr]
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["removed_from_vault"] is True
    assert vault_service.admin.machines(vault) == []
    assert list(blobs.iterdir()) == [] and not (home / "registration.json").exists()

    remaining = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != keep]
    assert home / "logs" / "register-server.log" in remaining
    assert find_leaks(known, remaining, [*argvs, *outputs]) == []
    assert find_leaks(known, [vault_service.data_dir]) == []


def test_self_test_probes_the_chosen_store_in_a_shell_without_a_session_bus(tmp_path: Path) -> None:
    (tmp_path / "root-home").mkdir()
    env = _headless_env(tmp_path, REGISTER_SERVER_SELF_TEST_CHECKS="secret-store")
    run = [sys.executable, "-m", "wizard", "--self-test", "--home", str(tmp_path / "state")]
    keyring = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120)
    assert keyring.returncode != 0 and "FAIL secret-store: secrets.unavailable" in keyring.stdout  # no keyring here
    chosen = subprocess.run([*run, "--secret-store", "systemd-creds"], capture_output=True, text=True, env=env,
                            timeout=120)
    assert chosen.returncode == 0, chosen.stdout + chosen.stderr
    assert "ok   secret-store: systemd-creds seals and opens a secret" in chosen.stdout
    assert not (tmp_path / "state").exists()  # the probe wrote nothing
    wizard = subprocess.run([sys.executable, "-m", "wizard", "--secret-store", "systemd-creds"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert wizard.returncode == 2 and "only goes with --self-test" in wizard.stderr  # never silently ignored


def test_blobs_this_machine_cannot_open_are_named_and_the_documented_way_back_works(vault_service,  # type: ignore[no-untyped-def]
                                                                                   tmp_path: Path) -> None:
    """Blobs this host cannot open (host key replaced, state folder restored from another server): the commands
    that need a secret say `secrets.undecryptable`, and its fix, `unregister --local-only --yes`, works."""
    from wizard.core.errors import info
    from wizard.core.secrets.systemd_creds import FOLDER

    vault = vault_service.create_vault()
    creds = vault_service.issue(vault, tmp_path / "downloads")
    (tmp_path / "root-home").mkdir()
    (tmp_path / "usb").mkdir()
    answers = tmp_path / "server.toml"
    answers.write_text(f'[machine]\nname = "creds02"\n[vault]\ncredentials_file = "{creds}"\n'
                       f'ca_bundle = "{vault_service.ca_file}"\n[recovery]\nfolder = "{tmp_path / "downloads"}"\n[encryption]\npassphrase_env = "CREDS_PASSPHRASE"\n'
                       f'save_passphrase_to = "{tmp_path / "usb" / "creds02.txt"}"\n')
    home = tmp_path / "state"
    env = _headless_env(tmp_path, CREDS_PASSPHRASE="a passphrase for the way back")
    run = [sys.executable, "-m", "wizard"]
    registered = subprocess.run([*run, "register", "--answers", str(answers), "--home", str(home), "--json",
                                 "--secret-store", "systemd-creds"], capture_output=True, text=True, env=env,
                                timeout=120)
    assert registered.returncode == 0, registered.stdout + registered.stderr
    for blob in (home / FOLDER).iterdir():  # its authentication fails, as under another host key (never replaced
        data = blob.read_bytes()             # here: /var/lib/systemd/credential.secret is the machine's)
        blob.write_bytes(data[:40] + b"A" * 40 + data[80:])
    sheet = subprocess.run([*run, "passphrase", "sheet", "--out", str(tmp_path / "sheet.pdf"), "--home", str(home),
                            "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert sheet.returncode == int(info("secrets.undecryptable").exit_code), sheet.stdout + sheet.stderr
    error = json.loads(sheet.stdout)["error"]
    assert error["code"] == "secrets.undecryptable" and "unregister --local-only --yes" in error["fix"]
    assert "Traceback" not in sheet.stderr and not (tmp_path / "sheet.pdf").exists()
    forgotten = subprocess.run([*run, "unregister", "--local-only", "--yes", "--json", "--home", str(home)],
                               capture_output=True, text=True, env=env, timeout=120)
    assert forgotten.returncode == 0, forgotten.stdout + forgotten.stderr
    assert list((home / FOLDER).iterdir()) == [] and not (home / "registration.json").exists()

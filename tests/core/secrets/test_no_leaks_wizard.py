"""Leak test through the wizard: click through every page with known secrets, register, look everywhere.

Same real parts as the unattended leak test (vault over HTTPS, authenticating tinyproxy,
Secret Service), driven through the Qt wizard the way a person does it (typing into the
fields). Logging is configured as the app does and at DEBUG, the answer file is saved
from the summary page, and a diagnostics bundle is made; then every file is scanned, with
the vault's data folder, this process's argv (as /proc shows it) and everything it wrote
to stdout and stderr.

The passphrase's whole life is in it: the vault has a recovery certificate, so the wizard
seals the passphrase to it (the envelope the vault keeps must not reveal it), a recovery sheet
is printed from the Encryption page and typed back, and the characters asked are typed back
from the passphrase file on the Summary. The passphrase may then be in the passphrase file,
the sheet that was asked for and the keyring, and nowhere else.
"""

from __future__ import annotations

import secrets as random
from pathlib import Path
from typing import Any

import pytest

from tests.support.leak_scan import find_leaks, private_key_secrets, own_argv
from tests.support.recovery_cert import make_pair

pytestmark = pytest.mark.e2e


def test_wizard_registration_leaks_no_secret(qtbot: Any, monkeypatch: pytest.MonkeyPatch, vault_service: Any,
                                             auth_proxy: Any, secret_service: Any, tmp_path: Path,
                                             capfd: pytest.CaptureFixture[str]) -> None:
    from PySide6.QtCore import Qt

    from tests.ui.helpers import (click_next, fill_encryption, fill_recovery, fill_vault, find,
                                  install_dialog_stubs, type_back_from_file, type_into)
    from wizard.commands.diagnostics import build_bundle
    from wizard.core.flow import Step
    from wizard.core.logs import configure_logging, stop_logging
    from wizard.core.secrets import SecretStore
    from wizard.core.secrets.machine_key import load_private_key
    from wizard.core.secrets.store import MACHINE_KEY_PREFIX
    from wizard.core.storage import StateStore
    from wizard.ui.app import application
    from wizard.ui.wizard import create_wizard
    from wizard.ui.worker import Task

    dialogs = install_dialog_stubs(monkeypatch)
    home = tmp_path / "home"
    monkeypatch.setenv("REGISTER_SERVER_DEBUG", "1")
    configure_logging(home)
    passphrase = f"wizard leak {random.token_urlsafe(18)} test"
    vault = vault_service.create_vault()
    vault_service.admin.set_recovery_certificate(vault, make_pair().certificate_pem)  # escrow: on by default
    credentials = vault_service.issue(vault, tmp_path / "downloads")

    application()
    wizard = create_wizard(home=str(home))
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    try:
        find(wizard, "proxy.mode.custom").setChecked(True)
        type_into(qtbot, find(wizard, "proxy.host"), auth_proxy.host)
        type_into(qtbot, find(wizard, "proxy.port"), str(auth_proxy.port))
        type_into(qtbot, find(wizard, "proxy.username"), auth_proxy.username)
        type_into(qtbot, find(wizard, "proxy.password"), auth_proxy.password)
        click_next(qtbot, wizard, expect=Step.VAULT)
        fill_vault(qtbot, wizard, credentials, vault_service.ca_file)
        click_next(qtbot, wizard, expect=Step.THROTTLING)
        click_next(qtbot, wizard, expect=Step.RECOVERY)
        (tmp_path / "recovery").mkdir()
        fill_recovery(qtbot, wizard, tmp_path / "recovery")
        click_next(qtbot, wizard, expect=Step.ENCRYPTION)
        (tmp_path / "keys").mkdir()
        passphrase_file = tmp_path / "keys" / "passphrase.txt"
        sheet = tmp_path / "sheets" / "server.recovery-sheet.pdf"
        fill_encryption(qtbot, wizard, passphrase_file, passphrase)
        (tmp_path / "sheets").mkdir()
        dialogs.answers["save"] = str(sheet)
        qtbot.mouseClick(find(wizard, "encryption.print_sheet"), Qt.MouseButton.LeftButton)
        assert sheet.exists()
        type_back = find(wizard, "encryption.type_back")
        for box, position in zip(type_back.boxes, type_back.positions):
            qtbot.keyClicks(box, passphrase[position - 1])
        click_next(qtbot, wizard, expect=Step.REGISTER)
        click_next(qtbot, wizard)  # Register
        qtbot.waitUntil(lambda: wizard.currentId() == int(Step.SUMMARY), timeout=60_000)
        type_back_from_file(qtbot, wizard)
        dialogs.answers["save"] = str(tmp_path / "answers" / "server.toml")
        (tmp_path / "answers").mkdir()
        qtbot.mouseClick(find(wizard, "summary.save_answers"), Qt.MouseButton.LeftButton)
        assert (tmp_path / "answers" / "server.toml").exists()
    finally:
        Task.wait_all(10_000)
        wizard.close()
        stop_logging()
    bundle = tmp_path / "diag.zip"
    build_bundle(bundle, home=home)

    store, keyring = StateStore(home), SecretStore.for_state_dir(home)
    assert keyring.require("backup-passphrase").reveal() == passphrase
    assert keyring.require("proxy-password").reveal() == auth_proxy.password
    protection = keyring.require(f"{MACHINE_KEY_PREFIX}.{store.load_json('machine-key.json')['key_id']}").reveal()
    private_pem = load_private_key(store, keyring)
    assert "DEBUG" in (home / "logs" / "register-server.log").read_text()

    known = [passphrase, auth_proxy.password, protection, *private_key_secrets(private_pem)]
    record = store.load_json("registration.json")
    assert record["escrow"]["in_force"] and vault_service.admin.envelopes(vault, record["machine"]["name"])
    everything_else = [p for p in tmp_path.rglob("*") if p.is_file() and p not in (passphrase_file, sheet)]
    for expected in (bundle, home / "registration.json", home / "logs" / "register-server.log",
                     tmp_path / "answers" / "server.toml"):
        assert expected in everything_else, expected  # the scan covers the places that matter
    output = capfd.readouterr()
    argv = own_argv()
    assert argv, "no argv read from /proc: the argv check would prove nothing"
    assert find_leaks(known, everything_else, [argv, output.out, output.err]) == []
    assert find_leaks(known, [vault_service.data_dir]) == []  # nor anything the vault keeps
    assert find_leaks(known, [passphrase_file]) == [f"{passphrase_file}: secret[0] as plain"]

"""Change settings on a vault that requires a security PIN: refused without one (nothing changes),
saved with the PIN typed on the Save page. Real vault, real keyring, the wizard driven like a person."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.e2e.helpers import make_settings
from tests.ui.helpers import click_when_enabled, find, walk_to_save_a_new_passphrase

pytestmark = pytest.mark.e2e
NEW = "a brand new passphrase behind a PIN 2026!"


def test_a_passphrase_change_needs_the_pin_typed_on_the_save_page(make_wizard, qtbot, vault_service,  # type: ignore[no-untyped-def]
                                                                  secret_service, tmp_path: Path) -> None:
    from wizard.core.secrets.store import BACKUP_PASSPHRASE, SecretStore
    from wizard.registration import run_registration

    vault = vault_service.create_vault()
    creds = vault_service.issue(vault, tmp_path)
    home = str(tmp_path / "home")
    settings = make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path)
    run_registration(settings, home=home)
    vault_service.admin.set_pin_required(vault, True)
    old = SecretStore.for_state_dir(home).get(BACKUP_PASSPHRASE)

    wizard = make_wizard(home=home)
    new_file = tmp_path / "new.passphrase.txt"
    walk_to_save_a_new_passphrase(qtbot, wizard, new_file, NEW)
    page = wizard.currentPage()

    click_when_enabled(qtbot, wizard, "save_settings.save")
    qtbot.waitUntil(lambda: "security.pin_required" in find(wizard, "save_settings.status").text(), timeout=15_000)
    assert not page.saved and not new_file.exists()
    assert SecretStore.for_state_dir(home).get(BACKUP_PASSPHRASE) == old

    pin, _ = vault_service.admin.issue_pin(vault)
    find(wizard, "security.pin").setText(pin)
    qtbot.waitUntil(find(wizard, "save_settings.save").isEnabled, timeout=30_000)
    qtbot.keyClick(find(wizard, "security.pin"), Qt.Key.Key_Return)  # Enter in the PIN box saves
    qtbot.waitUntil(lambda: page.saved, timeout=15_000)
    assert SecretStore.for_state_dir(home).get(BACKUP_PASSPHRASE).reveal() == NEW
    assert pin not in find(wizard, "save_settings.status").text()
    status = json.loads(subprocess.run([sys.executable, "-m", "wizard", "status", "--json", "--home", home],
                                       capture_output=True, text=True, timeout=60).stdout)
    assert status["settings"]["encryption"]["passphrase_file"] == str(new_file)

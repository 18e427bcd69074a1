"""A registered state folder opens to its registration: the view, Change settings, Register again,
Unregister, and a Cancel that tells the truth. Real vault, real keyring, the wizard driven like a person."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.e2e.helpers import make_settings
from tests.ui.helpers import click_next, click_when_enabled, find, message, type_into
from wizard.core.errors import info
from wizard.core.flow import Step

pytestmark = pytest.mark.e2e


@pytest.fixture
def registered_home(vault_service, secret_service, tmp_path: Path) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    from wizard.registration import run_registration

    vault = vault_service.create_vault()
    creds = vault_service.issue(vault, tmp_path)
    home = tmp_path / "home"
    run_registration(make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path), home=home)
    return vault, str(home)


def _registered_page(qtbot: Any, wizard: Any) -> Any:
    from wizard.ui.registered_page import REGISTERED_ID

    assert wizard.currentId() == REGISTERED_ID
    return wizard.currentPage()


def test_opens_to_the_registration_with_vault_and_machine(make_wizard, qtbot, registered_home, dialogs) -> None:  # type: ignore[no-untyped-def]
    vault, home = registered_home
    wizard = make_wizard(home=home)
    _registered_page(qtbot, wizard)
    assert find(wizard, "registered.vault").text() == vault
    assert find(wizard, "registered.machine").text() == "server01"
    record = json.loads((Path(home) / "registration.json").read_text())
    assert find(wizard, "registered.machine_id").text() == record["machine"]["id"]
    assert find(wizard, "registered.throttling").text().startswith("Off")
    from datetime import datetime

    zone = datetime.fromisoformat(record["registered_at"]).astimezone().strftime("%Z")
    assert find(wizard, "registered.since").text().endswith(f" {zone}")  # times say their time zone
    wizard.reject()  # nothing changes in the view: it closes without a question
    assert dialogs.asked == []


def test_change_settings_saves_throttling_that_status_then_shows(make_wizard, qtbot, registered_home,  # type: ignore[no-untyped-def]
                                                                  dialogs) -> None:
    vault, home = registered_home
    wizard = make_wizard(home=home)
    qtbot.mouseClick(find(wizard, "registered.change_settings"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentId() == int(Step.PROXY), timeout=15_000)
    click_next(qtbot, wizard, expect=Step.THROTTLING)  # the vault cannot change here: its page is skipped
    find(wizard, "throttling.enabled").setChecked(True)
    type_into(qtbot, find(wizard, "throttling.work_bandwidth"), "4")
    click_next(qtbot, wizard, expect=Step.RECOVERY)
    click_next(qtbot, wizard, expect=Step.ENCRYPTION)  # empty passphrase: the one in force stays

    dialogs.answers["confirm"] = False  # "Stay"
    wizard.reject()  # Cancel before saving: the truth is "still registered, settings unchanged"
    assert dialogs.asked[-1][1][1].startswith(f"Close without saving? This server stays registered to vault {vault}")

    from wizard.ui.registered_page import SAVE_SETTINGS_ID

    click_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == SAVE_SETTINGS_ID)
    assert "Throttling: 4 Mbps" in find(wizard, "save_settings.changes").text()
    assert "passphrase" not in find(wizard, "save_settings.changes").text()
    click_when_enabled(qtbot, wizard, "save_settings.save")
    qtbot.waitUntil(lambda: wizard.currentPage().saved, timeout=15_000)
    status = subprocess.run([sys.executable, "-m", "wizard", "status", "--json", "--home", home],
                            capture_output=True, text=True, timeout=60)
    throttling = json.loads(status.stdout)["settings"]["throttling"]
    assert throttling["enabled"] is True and throttling["work_bandwidth_bps"] == 4 * 1024 ** 2


def test_register_again_refuses_another_vaults_file_on_its_page(make_wizard, qtbot, registered_home, vault_service,  # type: ignore[no-untyped-def]
                                                                 tmp_path: Path) -> None:
    _, home = registered_home
    other = vault_service.create_vault()
    other_file = vault_service.issue(other, tmp_path)
    wizard = make_wizard(home=home)
    qtbot.mouseClick(find(wizard, "registered.register_again"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentId() == int(Step.PROXY), timeout=15_000)
    click_next(qtbot, wizard, expect=Step.VAULT)
    type_into(qtbot, find(wizard, "vault.credentials_file"), str(other_file))
    page = wizard.currentPage()
    qtbot.waitUntil(lambda: page.credentials() is not None, timeout=15_000)
    page.refresh()
    shown = message(wizard, "vault.credentials_file")
    assert shown.startswith(info("vault.wrong_vault").message) and other in shown
    assert not page.isComplete()


def test_unregister_asks_then_removes_and_offers_a_new_registration(make_wizard, qtbot, registered_home,  # type: ignore[no-untyped-def]
                                                                     vault_service, dialogs) -> None:
    vault, home = registered_home
    wizard = make_wizard(home=home)
    dialogs.answers["confirm"] = False
    qtbot.mouseClick(find(wizard, "registered.unregister"), Qt.MouseButton.LeftButton)
    assert "Unregister server01 from vault" in dialogs.asked[-1][1][1]
    assert len(vault_service.admin.machines(vault)) == 1  # "Keep" kept it

    dialogs.answers["confirm"] = True
    qtbot.mouseClick(find(wizard, "registered.unregister"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.record is None, timeout=15_000)
    assert vault_service.admin.machines(vault) == []
    assert find(wizard, "registered.status").text().startswith(f"Unregistered from vault {vault}")
    assert not find(wizard, "registered.change_settings").isEnabled()


def test_change_settings_puts_a_new_passphrase_in_force_through_the_settings_use_case(
        make_wizard, qtbot, registered_home, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.ui.helpers import type_back_from_file, walk_to_save_a_new_passphrase
    from wizard.core.passphrase_file import read_passphrase_file
    from wizard.core.secrets.store import BACKUP_PASSPHRASE, SecretStore

    _, home = registered_home
    wizard = make_wizard(home=home)
    new_file = tmp_path / "new.passphrase.txt"
    walk_to_save_a_new_passphrase(qtbot, wizard, new_file, "a brand new passphrase 2026!")
    assert find(wizard, "save_settings.changes").text() == f"A new passphrase, saved to {new_file}"
    click_when_enabled(qtbot, wizard, "save_settings.save")
    qtbot.waitUntil(lambda: wizard.currentPage().saved, timeout=15_000)
    assert read_passphrase_file(new_file).reveal() == "a brand new passphrase 2026!"
    page = wizard.currentPage()
    assert not page.isComplete()  # Finish waits for characters typed back from the new file
    assert str(new_file) in find(wizard, "save_settings.type_back.prompt").text()
    type_back_from_file(qtbot, wizard, "save_settings.type_back", new_file)
    assert page.isComplete()
    assert SecretStore.for_state_dir(home).get(BACKUP_PASSPHRASE).reveal() == "a brand new passphrase 2026!"
    status = json.loads(subprocess.run([sys.executable, "-m", "wizard", "status", "--json", "--home", home],
                                       capture_output=True, text=True, timeout=60).stdout)
    assert status["settings"]["encryption"]["passphrase_file"] == str(new_file)

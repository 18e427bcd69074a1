"""The wizard without a secret store: its first page says so at once, with this system's fix and
a Recheck button; Register is not offered and nothing is written; once a store is running,
Recheck clears the notice and the same wizard registers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.support.fixtures_keyring import reset_keyring_choice
from tests.ui.helpers import click_next, find, next_button, walk_to_register
from wizard.core.flow import Step
from tests.support.secret_service import SecretService

pytestmark = pytest.mark.e2e


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_no_store_is_shown_on_the_first_page_and_register_waits_for_a_recheck(
        no_keyring: None, make_wizard: Any, qtbot: Any, vault_service: Any, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    vault = vault_service.create_vault()
    credentials = vault_service.issue(vault, tmp_path / "downloads")
    wizard = make_wizard()
    notice = find(wizard, "secrets.notice")
    assert wizard.page(int(Step.PROXY)).isAncestorOf(notice)  # the first page, not the last
    qtbot.waitUntil(notice.isVisible, timeout=30_000)
    message, fix = find(wizard, "secrets.notice.message").text(), find(wizard, "secrets.notice.fix").text()
    assert "cannot be registered yet" in message and "No secure secret store" in fix
    assert "dbus-run-session -- bash" in fix and "gnome-keyring-daemon" in fix  # the command for this system
    assert "Credential Manager" not in fix  # not the other system's sentence
    assert notice.accessibleName() == "Secret store problem" and fix in notice.accessibleDescription()
    assert find(wizard, "secrets.notice.recheck").isEnabled()

    before = _files_under(tmp_path / "downloads")
    walk_to_register(qtbot, wizard, credentials=credentials, ca_file=vault_service.ca_file, tmp=tmp_path)
    register_notice = find(wizard, "register.secrets_notice")
    assert register_notice.isVisible()
    assert not next_button(wizard).isEnabled()  # Register is not offered
    qtbot.mouseClick(next_button(wizard), Qt.MouseButton.LeftButton)  # a click on the disabled button does nothing
    assert wizard.currentId() == int(Step.REGISTER) and wizard.register_page().result is None
    assert not (tmp_path / "keys" / "passphrase.txt").exists()  # nothing written
    assert not (tmp_path / "home" / "registration.json").exists()
    assert _files_under(tmp_path / "downloads") == before

    # The administrator starts a Secret Service (here: a private one), then clicks Recheck.
    service = SecretService(tmp_path / "secret-service", "the-keyring-password").start()
    try:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", service.address)
        reset_keyring_choice()
        qtbot.mouseClick(register_notice.recheck, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not register_notice.isVisible() and next_button(wizard).isEnabled(), timeout=30_000)
        assert not notice.isVisibleTo(wizard.page(int(Step.PROXY)))
        click_next(qtbot, wizard)
        qtbot.waitUntil(lambda: wizard.currentId() == int(Step.SUMMARY), timeout=90_000)
        assert (tmp_path / "keys" / "passphrase.txt").exists()
    finally:
        service.stop()


def test_change_settings_without_a_store_shows_the_notice_and_offers_no_save(
        make_wizard: Any, qtbot: Any, vault_service: Any, secret_service: Any, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    """Registered while a store ran; opened again from a shell without one (as over SSH)."""
    from tests.e2e.helpers import make_settings
    from wizard.registration import run_registration
    from wizard.ui.registered_page import SAVE_SETTINGS_ID

    vault = vault_service.create_vault()
    home = tmp_path / "home"
    run_registration(make_settings(vault_service.issue(vault, tmp_path), ca_bundle=vault_service.ca_file,
                                   passphrase_dir=tmp_path), home=home)
    record = (home / "registration.json").read_bytes()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
    reset_keyring_choice()

    wizard = make_wizard(home=str(home))
    qtbot.waitUntil(lambda: wizard.secret_store.checked, timeout=30_000)
    qtbot.mouseClick(find(wizard, "registered.change_settings"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentId() == int(Step.PROXY), timeout=15_000)
    assert find(wizard, "secrets.notice").isVisible()  # told on the first page of the change
    click_next(qtbot, wizard, expect=Step.THROTTLING)
    find(wizard, "throttling.enabled").setChecked(True)
    click_next(qtbot, wizard, expect=Step.RECOVERY)
    click_next(qtbot, wizard, expect=Step.ENCRYPTION)
    click_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == SAVE_SETTINGS_ID)
    notice = find(wizard, "save_settings.secrets_notice")
    assert notice.isVisible() and "dbus-run-session" in find(wizard, "save_settings.secrets_notice.fix").text()
    assert "Throttling" in find(wizard, "save_settings.changes").text()
    assert not find(wizard, "save_settings.save").isEnabled()  # Save is not offered
    assert (home / "registration.json").read_bytes() == record

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service.address)  # the store is back
    reset_keyring_choice()
    qtbot.mouseClick(find(wizard, "save_settings.secrets_notice.recheck"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: find(wizard, "save_settings.save").isEnabled(), timeout=30_000)
    assert not notice.isVisible()

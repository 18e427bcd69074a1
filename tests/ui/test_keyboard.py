"""The wizard from the keyboard alone: mnemonics, Tab, Space and Enter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWizard

from tests.ui.helpers import find, next_button
from wizard.core.flow import Step

ALT = Qt.KeyboardModifier.AltModifier


def focused() -> str:
    widget = QApplication.focusWidget()
    return widget.objectName() if widget is not None else ""


def test_proxy_page_and_next_from_the_keyboard(make_wizard: Any, qtbot: Any) -> None:
    wizard = make_wizard()
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    qtbot.keyClick(QApplication.focusWidget() or wizard, Qt.Key.Key_U, ALT)  # c&ustom
    qtbot.waitUntil(find(wizard, "proxy.mode.custom").isChecked)  # a mnemonic "animates" the click
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_A, ALT)  # &Address
    assert focused() == "proxy.host"
    qtbot.keyClicks(QApplication.focusWidget(), "proxy.contoso.com")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert focused() == "proxy.port"
    qtbot.keyClicks(QApplication.focusWidget(), "3128")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # the default button: Next
    qtbot.waitUntil(lambda: wizard.currentId() == int(Step.VAULT))
    assert wizard.settings.proxy.host == "proxy.contoso.com" and wizard.settings.proxy.port == 3128


def test_throttling_page_from_the_keyboard(make_wizard: Any, qtbot: Any) -> None:
    wizard = make_wizard()
    wizard.setStartId(int(Step.THROTTLING))
    wizard.restart()
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    start = QApplication.focusWidget() or wizard
    qtbot.keyClick(start, Qt.Key.Key_L, ALT)  # &Limit ...
    qtbot.waitUntil(find(wizard, "throttling.enabled").isChecked)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_A, ALT)  # S&at
    qtbot.waitUntil(find(wizard, "throttling.work_days.saturday").isChecked)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_K, ALT)  # Wor&k hours limit
    assert focused() == "throttling.work_bandwidth"
    field = QApplication.focusWidget()
    field.selectAll()
    qtbot.keyClicks(field, "4")
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert focused() == "throttling.work_bandwidth.unit"  # the unit follows its number in Tab order
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.currentId() == int(Step.RECOVERY))
    assert str(wizard.settings.throttling.work_bandwidth) == "4 Mbps"


def test_encryption_generate_and_checkbox_from_the_keyboard(make_wizard: Any, qtbot: Any, tmp_path: Any) -> None:
    wizard = make_wizard()
    wizard.setStartId(int(Step.ENCRYPTION))
    wizard.restart()
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    qtbot.keyClick(QApplication.focusWidget() or wizard, Qt.Key.Key_G, ALT)  # &Generate
    qtbot.waitUntil(lambda: len(find(wizard, "encryption.passphrase").text()) >= 16)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, ALT)  # &Save passphrase file to
    assert focused() == "encryption.save_passphrase_to"
    qtbot.keyClicks(QApplication.focusWidget(), str(tmp_path / "p.txt"))
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_K, ALT)  # I will &keep ...
    qtbot.waitUntil(find(wizard, "encryption.stored_safely").isChecked)
    qtbot.waitUntil(lambda: wizard.button(wizard.WizardButton.NextButton).isEnabled())


def key(qtbot: Any, which: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """One key press to whatever has the focus, as a person at the keyboard would."""
    qtbot.keyClick(QApplication.focusWidget(), which, modifier)


@pytest.mark.e2e
def test_the_whole_wizard_from_the_keyboard_alone(make_wizard: Any, qtbot: Any, vault_service: Any,
                                                  secret_service: Any, tmp_path: Path) -> None:
    """No mouse and no widget setters: mnemonics, typing and Enter, from Proxy to Finish."""
    vault = vault_service.create_vault()
    credentials = vault_service.issue(vault, tmp_path / "downloads")
    (tmp_path / "recovery").mkdir()
    (tmp_path / "keys").mkdir()
    wizard = make_wizard()
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)

    def enter_when_ready(expect: Step) -> None:
        qtbot.waitUntil(lambda: next_button(wizard).isEnabled(), timeout=15_000)
        key(qtbot, Qt.Key.Key_Return)
        try:
            qtbot.waitUntil(lambda: wizard.currentId() == int(expect), timeout=60_000)
        except Exception:
            raise AssertionError(f"Enter on {Step(wizard.currentId()).name} with the focus on {focused()!r} "
                                 f"did not lead to {expect.name}; page error: {getattr(wizard.currentPage(), 'error', None)!r}") from None

    enter_when_ready(Step.VAULT)  # "Connect directly" is the default
    key(qtbot, Qt.Key.Key_C, ALT)  # &Credentials file
    assert focused() == "vault.credentials_file"
    qtbot.keyClicks(QApplication.focusWidget(), str(credentials))
    key(qtbot, Qt.Key.Key_T, ALT)  # Trusted CA cer&tificate
    assert focused() == "vault.ca_bundle"
    qtbot.keyClicks(QApplication.focusWidget(), str(vault_service.ca_file))
    enter_when_ready(Step.THROTTLING)
    enter_when_ready(Step.RECOVERY)  # throttling off by default
    key(qtbot, Qt.Key.Key_F, ALT)  # Recovery &folder
    assert focused() == "recovery.folder"
    qtbot.keyClicks(QApplication.focusWidget(), str(tmp_path / "recovery"))
    enter_when_ready(Step.ENCRYPTION)
    key(qtbot, Qt.Key.Key_G, ALT)  # &Generate
    qtbot.waitUntil(lambda: len(find(wizard, "encryption.passphrase_confirm").text()) >= 16)
    key(qtbot, Qt.Key.Key_S, ALT)  # &Save passphrase file to
    qtbot.keyClicks(QApplication.focusWidget(), str(tmp_path / "keys" / "passphrase.txt"))
    key(qtbot, Qt.Key.Key_K, ALT)  # I will &keep ...
    qtbot.waitUntil(find(wizard, "encryption.stored_safely").isChecked)
    enter_when_ready(Step.REGISTER)
    enter_when_ready(Step.SUMMARY)  # Enter is "Register"; success moves on by itself
    assert len(vault_service.admin.machines(vault)) == 1
    # Before Finish, the characters asked are typed back from the passphrase file: the focus is
    # already in the first box, Tab goes to the next, and Enter in the last one is Finish (not the
    # first button on the page, "Save answer file...").
    from wizard.core.passphrase_file import read_passphrase_file

    type_back = find(wizard, "summary.type_back")
    qtbot.waitUntil(lambda: bool(type_back.boxes) and QApplication.focusWidget() is type_back.boxes[0])
    saved = read_passphrase_file(tmp_path / "keys" / "passphrase.txt").reveal()
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    for index, position in enumerate(type_back.positions):
        if index:
            key(qtbot, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is type_back.boxes[index]
        assert not finish.isEnabled()
        qtbot.keyClicks(QApplication.focusWidget(), saved[position - 1])
    qtbot.waitUntil(finish.isEnabled)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not wizard.isVisible())
    assert wizard.result is not None


@pytest.mark.e2e
def test_enter_after_test_connection_tests_again_and_stays_on_the_page(make_wizard: Any, qtbot: Any,
                                                                       vault_service: Any, tmp_path: Path) -> None:
    """The button disables itself while it works; the focus must not fall to "< Back" (Enter
    would then go back) nor anywhere Enter means Next: it comes back to Test connection."""
    vault = vault_service.create_vault()
    credentials = vault_service.issue(vault, tmp_path / "downloads")
    wizard = make_wizard()
    wizard.setStartId(int(Step.VAULT))
    wizard.restart()
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    key(qtbot, Qt.Key.Key_C, ALT)  # &Credentials file
    qtbot.keyClicks(QApplication.focusWidget(), str(credentials))
    key(qtbot, Qt.Key.Key_T, ALT)  # Trusted CA cer&tificate
    qtbot.keyClicks(QApplication.focusWidget(), str(vault_service.ca_file))
    button = find(wizard, "vault.test_connection")
    qtbot.waitUntil(button.isEnabled, timeout=15_000)
    status = find(wizard, "vault.test_status")
    for attempt in range(2):  # Alt+O first, then Enter on the button it left the focus on
        key(qtbot, Qt.Key.Key_O, ALT) if attempt == 0 else key(qtbot, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not button.isEnabled() or status.text() == "The vault can be reached.", timeout=15_000)
        assert focused() not in ("", "qt_wizard_back") and QApplication.focusWidget() is not \
            wizard.button(QWizard.WizardButton.BackButton)
        qtbot.waitUntil(lambda: status.text() == "The vault can be reached.", timeout=30_000)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is button)
        assert wizard.currentId() == int(Step.VAULT)
        assert button.accessibleDescription() == "The vault can be reached."  # said with the button


def test_enter_on_a_page_that_cannot_go_on_focuses_the_first_problem(make_wizard: Any, qtbot: Any) -> None:
    """Next is disabled while something blocks; Enter says why by moving to the field and its message."""
    wizard = make_wizard()
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    qtbot.keyClick(QApplication.focusWidget() or wizard, Qt.Key.Key_U, ALT)  # c&ustom: the address is required
    qtbot.waitUntil(find(wizard, "proxy.mode.custom").isChecked)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_O, ALT)  # P&ort
    qtbot.keyClicks(QApplication.focusWidget(), "99999")
    key(qtbot, Qt.Key.Key_Return)
    assert wizard.currentId() == int(Step.PROXY)
    assert focused() == "proxy.host"  # the first field in page order with a blocking problem
    assert find(wizard, "proxy.host").accessibleDescription() != ""

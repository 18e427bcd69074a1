"""The wizard from the keyboard alone: mnemonics, Tab, Space and Enter."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.helpers import find
from wizard.core.flow import Step

ALT = Qt.KeyboardModifier.AltModifier


def focused() -> str:
    widget = QApplication.focusWidget()
    return widget.accessibleName() if widget is not None else ""


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

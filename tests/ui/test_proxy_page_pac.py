"""The Proxy page's PAC choice and bypass list: by keyboard, with human names, checked as typed."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.helpers import find, message, type_into
from wizard.core.errors import info
from wizard.core.flow import Step
from wizard.core.model import ProxyMode, ProxySettings, RegistrationSettings
from wizard.ui.accessible import spoken_name

ALT = Qt.KeyboardModifier.AltModifier


def _focused() -> str:
    widget = QApplication.focusWidget()
    return widget.objectName() if widget is not None else ""


def test_pac_and_bypass_from_the_keyboard_then_next(make_wizard: Any, qtbot: Any) -> None:
    wizard = make_wizard()
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    assert not find(wizard, "proxy.pac_url").isVisible()  # only the chosen mode's fields are offered
    qtbot.keyClick(QApplication.focusWidget() or wizard, Qt.Key.Key_T, ALT)  # scrip&t (PAC file)
    qtbot.waitUntil(find(wizard, "proxy.mode.pac").isChecked)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_D, ALT)  # PAC file a&ddress
    assert _focused() == "proxy.pac_url"
    qtbot.keyClicks(QApplication.focusWidget(), "http://wpad.contoso.com/wpad.dat")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert _focused() == "proxy.bypass"
    qtbot.keyClicks(QApplication.focusWidget(), "*.corp.contoso.com, 10.0.0.0/8; <local>")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # Next
    qtbot.waitUntil(lambda: wizard.currentId() == int(Step.VAULT))
    assert wizard.settings.proxy == ProxySettings(ProxyMode.PAC, pac_url="http://wpad.contoso.com/wpad.dat",
                                                  bypass=("*.corp.contoso.com", "10.0.0.0/8", "<local>"))


def test_people_hear_labels_not_keys(make_wizard: Any) -> None:
    wizard = make_wizard()
    assert spoken_name(find(wizard, "proxy.pac_url")) == "PAC file address"
    assert spoken_name(find(wizard, "proxy.bypass")) == "Bypass the proxy for"
    assert spoken_name(find(wizard, "proxy.mode.pac")) == "Use an automatic configuration script (PAC file)"


def test_bad_pac_address_and_bypass_entries_are_explained_after_leaving(make_wizard: Any, qtbot: Any) -> None:
    wizard = make_wizard()
    find(wizard, "proxy.mode.pac").setChecked(True)
    type_into(qtbot, find(wizard, "proxy.pac_url"), "wpad.contoso.com/wpad.dat")
    assert message(wizard, "proxy.pac_url") == info("proxy.pac_url_invalid").message
    type_into(qtbot, find(wizard, "proxy.bypass"), "ok.example, 10.0.0.0/33")
    assert message(wizard, "proxy.bypass").startswith(info("proxy.bypass_invalid").message)
    assert "'10.0.0.0/33'" in message(wizard, "proxy.bypass")
    assert not wizard.button(wizard.WizardButton.NextButton).isEnabled()
    type_into(qtbot, find(wizard, "proxy.pac_url"), "http://wpad.contoso.com/wpad.dat")
    type_into(qtbot, find(wizard, "proxy.bypass"), "ok.example, 10.0.0.0/8")
    assert message(wizard, "proxy.pac_url") == message(wizard, "proxy.bypass") == ""
    qtbot.waitUntil(wizard.button(wizard.WizardButton.NextButton).isEnabled)


def test_the_bypass_list_belongs_to_custom_and_pac_and_loads_back(make_wizard: Any, qtbot: Any) -> None:
    settings = RegistrationSettings(proxy=ProxySettings(ProxyMode.CUSTOM, host="proxy.contoso.com", port=3128,
                                                        bypass=("*.corp.contoso.com", "10.0.0.0/8")))
    wizard = make_wizard(settings=settings)
    bypass = find(wizard, "proxy.bypass")
    assert bypass.isVisible() and bypass.text() == "*.corp.contoso.com, 10.0.0.0/8"
    find(wizard, "proxy.mode.system").setChecked(True)
    assert not bypass.isVisible() and not find(wizard, "proxy.pac_url").isVisible()
    find(wizard, "proxy.mode.pac").setChecked(True)
    assert bypass.isVisible() and find(wizard, "proxy.pac_url").isVisible()

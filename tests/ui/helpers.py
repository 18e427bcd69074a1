"""Driving the wizard like a person: type, tab away, click Next; and stubs for dialogs."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget, QWizard

from wizard.core.flow import Step


def install_dialog_stubs(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """Every dialog returns what the test put in `answers` (default: cancel / yes)."""
    from wizard.ui import dialogs

    state = SimpleNamespace(answers={}, asked=[])

    def answer(kind: str, default: Any) -> Any:
        def stub(*args: Any, **kwargs: Any) -> Any:
            state.asked.append((kind, args[1:] if len(args) > 1 else ()))
            return state.answers.get(kind, default)
        return stub

    monkeypatch.setattr(dialogs, "choose_open_file", answer("open", ""))
    monkeypatch.setattr(dialogs, "choose_save_file", answer("save", ""))
    monkeypatch.setattr(dialogs, "choose_folder", answer("folder", ""))
    monkeypatch.setattr(dialogs, "confirm", answer("confirm", True))
    return state


def find(wizard: QWizard, name: str) -> Any:
    """The widget whose objectName is `name` (the answer-file key; people hear its label instead)."""
    found = [w for w in wizard.findChildren(QWidget) if w.objectName() == name]
    assert len(found) == 1, f"{len(found)} widgets are named {name!r}"
    return found[0]


def type_into(qtbot: Any, widget: QLineEdit, text: str, *, leave: bool = True) -> None:
    """Focus, clear, type key by key, then leave the field (focus-out) like a person would."""
    widget.setFocus()
    widget.clear()
    qtbot.keyClicks(widget, text)
    if leave:
        leave_field(widget)


def leave_field(widget: QWidget) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QFocusEvent
    from PySide6.QtWidgets import QApplication

    widget.clearFocus()
    QApplication.sendEvent(widget, QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.TabFocusReason))


def next_button(wizard: QWizard) -> Any:
    button = wizard.button(QWizard.WizardButton.CommitButton) if wizard.currentPage().isCommitPage() \
        else wizard.button(QWizard.WizardButton.NextButton)
    return button


def click_next(qtbot: Any, wizard: QWizard, *, expect: Step | None = None, timeout: int = 15_000) -> None:
    # Register waits for the wizard's secret-store check, as a person would; Next is enabled or not at once.
    _click_offered(qtbot, wizard, next_button(wizard), timeout=timeout if wizard.currentPage().isCommitPage() else 0,
                   what=f"Next on {Step(wizard.currentId()).name}")
    if expect is not None:
        qtbot.waitUntil(lambda: wizard.currentId() == int(expect), timeout=timeout)


def click_when_enabled(qtbot: Any, wizard: QWizard, name: str, *, timeout: int = 30_000) -> None:
    """Click the button `name` once it is offered, as a person would: Save and Register wait for
    the wizard's background secret-store check, which can take seconds on a busy machine."""
    _click_offered(qtbot, wizard, find(wizard, name), timeout=timeout, what=f"{name} on {wizard.currentPage().objectName()}")


def _click_offered(qtbot: Any, wizard: QWizard, button: Any, *, timeout: int, what: str) -> None:
    if timeout:
        try:
            qtbot.waitUntil(button.isEnabled, timeout=timeout)
        except Exception:
            pass  # the assertion below says why
    assert button.isEnabled(), f"{what} is not offered: {issues_of(wizard)}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def issues_of(wizard: QWizard) -> list[str]:
    page = wizard.currentPage()
    return [f"{i.field}: {i.code}" for i in getattr(page, "issues", lambda: [])()]


def message(wizard: QWizard, field: str) -> str:
    """The inline message shown under `field` ("" when none is visible)."""
    widget = find(wizard, f"{field}.message")
    return widget.text() if widget.isVisibleTo(wizard) else ""


def fill_proxy_none(qtbot: Any, wizard: QWizard) -> None:
    find(wizard, "proxy.mode.none").setChecked(True)


def fill_vault(qtbot: Any, wizard: QWizard, credentials: Path, ca_file: Path | None) -> None:
    type_into(qtbot, find(wizard, "vault.credentials_file"), str(credentials))
    if ca_file is not None:
        type_into(qtbot, find(wizard, "vault.ca_bundle"), str(ca_file))
    page = wizard.currentPage()
    qtbot.waitUntil(lambda: page.credentials() is not None, timeout=15_000)


def fill_recovery(qtbot: Any, wizard: QWizard, folder: Path) -> None:
    type_into(qtbot, find(wizard, "recovery.folder"), str(folder))


PASSPHRASE = "correct horse battery staple 42"


def fill_encryption(qtbot: Any, wizard: QWizard, save_to: Path, passphrase: str = PASSPHRASE) -> None:
    type_into(qtbot, find(wizard, "encryption.passphrase"), passphrase)
    type_into(qtbot, find(wizard, "encryption.passphrase_confirm"), passphrase)
    type_into(qtbot, find(wizard, "encryption.save_passphrase_to"), str(save_to))
    find(wizard, "encryption.stored_safely").setChecked(True)


def walk_to_save_a_new_passphrase(qtbot: Any, wizard: QWizard, new_file: Path, passphrase: str) -> None:
    """From the registered view: Change settings, keep proxy/throttling/recovery, type a new
    passphrase saved to `new_file`, and stop on the Save settings page."""
    from wizard.ui.registered_page import SAVE_SETTINGS_ID

    qtbot.mouseClick(find(wizard, "registered.change_settings"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentId() == int(Step.PROXY), timeout=15_000)
    click_next(qtbot, wizard, expect=Step.THROTTLING)
    click_next(qtbot, wizard, expect=Step.RECOVERY)
    click_next(qtbot, wizard, expect=Step.ENCRYPTION)
    fill_encryption(qtbot, wizard, new_file, passphrase=passphrase)
    click_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == SAVE_SETTINGS_ID, timeout=15_000)


def type_back_from_file(qtbot: Any, wizard: QWizard, page_key: str = "summary.type_back",
                        passphrase_file: Path | None = None) -> None:
    """Type back the characters asked, read from the passphrase file as a person would (its
    passphrase line), box by box with Tab; then the page offers Finish."""
    from wizard.core.passphrase_file import read_passphrase_file

    type_back = find(wizard, page_key)
    qtbot.waitUntil(lambda: bool(type_back.boxes), timeout=30_000)
    saved = passphrase_file or wizard.settings.encryption.save_to
    passphrase = read_passphrase_file(saved).reveal()
    type_back.boxes[0].setFocus()
    for box, position in zip(type_back.boxes, type_back.positions):
        qtbot.waitUntil(box.hasFocus, timeout=30_000)
        qtbot.keyClicks(box, passphrase[position - 1])
        qtbot.keyClick(box, Qt.Key.Key_Tab)
    qtbot.waitUntil(type_back.passed, timeout=30_000)


def fill_proxy_custom(qtbot: Any, wizard: QWizard, port: int, username: str, password: str) -> None:
    find(wizard, "proxy.mode.custom").setChecked(True)
    type_into(qtbot, find(wizard, "proxy.host"), "127.0.0.1")
    type_into(qtbot, find(wizard, "proxy.port"), str(port))
    type_into(qtbot, find(wizard, "proxy.username"), username)
    type_into(qtbot, find(wizard, "proxy.password"), password)


def walk_to_register(qtbot: Any, wizard: QWizard, *, credentials: Path, ca_file: Path | None, tmp: Path,
                     proxy: tuple[int, str, str] | None = None, keep_proxy: bool = False) -> None:
    """Fill every settings page with valid values and stop on the Register page (`keep_proxy`:
    the Proxy page as the test filled it)."""
    if keep_proxy:
        pass
    elif proxy is None:
        fill_proxy_none(qtbot, wizard)
    else:
        fill_proxy_custom(qtbot, wizard, *proxy)
    click_next(qtbot, wizard, expect=Step.VAULT)
    fill_vault(qtbot, wizard, credentials, ca_file)
    click_next(qtbot, wizard, expect=Step.THROTTLING)
    click_next(qtbot, wizard, expect=Step.RECOVERY)
    (tmp / "recovery").mkdir(exist_ok=True)
    fill_recovery(qtbot, wizard, tmp / "recovery")
    click_next(qtbot, wizard, expect=Step.ENCRYPTION)
    (tmp / "keys").mkdir(exist_ok=True)
    fill_encryption(qtbot, wizard, tmp / "keys" / "passphrase.txt")
    click_next(qtbot, wizard, expect=Step.REGISTER)


def drop_path(widget: QWidget, path: Path | str) -> bool:
    """Drag `path` onto `widget` and drop it, with the mime data file managers send (a URL list
    and, as Linux ones do, the file:// URL as text). True when the widget accepted the drag."""
    from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    data.setText(QUrl.fromLocalFile(str(path)).toString())
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    drop = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier, QEvent.Type.Drop)
    QApplication.sendEvent(widget, drop)
    return enter.isAccepted() and drop.isAccepted()

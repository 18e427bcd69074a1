"""The few dialogs the wizard opens, each behind a small function tests can replace.

Message boxes are for confirmations only; errors are shown inline. Tests monkeypatch
these functions (e.g. `dialogs.choose_folder = lambda *a: "/tmp/x"`), so no test ever
blocks on a modal dialog.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from wizard.ui.platform_look import native_path


def choose_open_file(parent: QWidget, caption: str, start: str, file_filter: str) -> str:
    """A path chosen in an open-file dialog, or "" when cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, caption, start, file_filter)
    return native_path(path)


def choose_save_file(parent: QWidget, caption: str, start: str, file_filter: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, caption, start, file_filter)
    return native_path(path)


def choose_folder(parent: QWidget, caption: str, start: str) -> str:
    return native_path(QFileDialog.getExistingDirectory(parent, caption, start))


def confirm(parent: QWidget, title: str, text: str, *, yes: str | None = None, no: str | None = None) -> bool:
    """A yes/no confirmation; the safe answer (No) is the default. Button texts default to
    Yes / No in the administrator's language."""
    from wizard.core.i18n import _

    yes = _("&Yes") if yes is None else yes
    no = _("&No") if no is None else no
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.YesRole)
    no_button = box.addButton(no, QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(no_button)
    box.setEscapeButton(no_button)  # Escape and the title bar's close answer No too
    box.exec()
    return box.clickedButton() is yes_button

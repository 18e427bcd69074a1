"""The masked entry edits like a QLineEdit, while Qt (and so AT-SPI) only ever holds masks."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QLineEdit

from wizard.ui.secret_entry import MASK, SecretEntry


def qt_text(entry: SecretEntry) -> str:
    """What Qt itself holds (the C++ text), which is what its accessibility bridge reads and sends."""
    return QLineEdit.text(entry)


def make(qtbot: Any) -> SecretEntry:
    entry = SecretEntry()
    qtbot.addWidget(entry)
    entry.show()
    entry.setFocus()
    return entry


def test_typing_editing_and_pasting_keep_the_secret_out_of_qt(qtbot: Any) -> None:
    entry = make(qtbot)
    changes: list[str] = []
    entry.textChanged.connect(lambda _: changes.append(entry.text()))
    qtbot.keyClicks(entry, "s3cret pass")
    assert entry.text() == "s3cret pass" and qt_text(entry) == MASK * 11
    qtbot.keyClick(entry, Qt.Key.Key_Backspace)
    qtbot.keyClick(entry, Qt.Key.Key_Home)
    qtbot.keyClick(entry, Qt.Key.Key_Delete)
    assert entry.text() == "3cret pas"
    qtbot.keyClick(entry, Qt.Key.Key_End, Qt.KeyboardModifier.ShiftModifier)  # select all from the start
    qtbot.keyClicks(entry, "AB")
    assert entry.text() == "AB" and qt_text(entry) == MASK * 2
    QApplication.clipboard().setText("pasted!")
    qtbot.keyClick(entry, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert entry.text() == "ABpasted!" and qt_text(entry) == MASK * 9
    assert changes[-1] == "ABpasted!"  # listeners read the secret that is current, not a stale one
    interface = QAccessible.queryAccessibleInterface(entry)
    assert "pasted" not in interface.textInterface().text(0, -1)


def test_showing_the_secret_shows_it_and_hiding_masks_it_again(qtbot: Any) -> None:
    entry = make(qtbot)
    entry.setText("visible on demand")
    entry.setEchoMode(QLineEdit.EchoMode.Normal)
    assert qt_text(entry) == "visible on demand"
    qtbot.keyClicks(entry, "!")
    entry.setEchoMode(QLineEdit.EchoMode.Password)
    assert entry.text() == "visible on demand!" and qt_text(entry) == MASK * 18
    entry.clear()
    assert entry.text() == "" and qt_text(entry) == ""


def test_text_set_through_the_accessibility_interface_becomes_the_secret(qtbot: Any) -> None:
    """A screen reader (or automation) may set the text with EditableText: it must not stay in Qt."""
    entry = make(qtbot)
    seen: list[str] = []
    entry.textChanged.connect(lambda _: seen.append(entry.text()))
    editable = QAccessible.queryAccessibleInterface(entry).editableTextInterface()
    editable.replaceText(0, 0, "set from outside")
    assert entry.text() == "set from outside" and qt_text(entry) == MASK * 16
    assert seen[-1] == "set from outside"
    editable.insertText(3, "XY")
    assert entry.text() == "setXY from outside" and qt_text(entry) == MASK * 18


def test_a_one_character_box_keeps_its_limit_and_reports_every_change(qtbot: Any) -> None:
    """The type-back boxes: typing past the maximum is refused (as QLineEdit does), and a new
    character of the same length still says it changed (the masks alone did not change)."""
    entry = make(qtbot)
    entry.setMaxLength(1)
    changes: list[str] = []
    entry.textChanged.connect(lambda _: changes.append(entry.text()))
    qtbot.keyClicks(entry, "ab")
    assert entry.text() == "a" and qt_text(entry) == MASK
    entry.setText("z")
    assert entry.text() == "z" and changes == ["a", "z"]
    entry.setText("z")
    assert changes == ["a", "z"]  # nothing changed, nothing said

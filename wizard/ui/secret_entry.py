"""A password line edit whose typed characters never reach assistive technology.

Why: measured with an AT-SPI client on Qt 6 (PySide6-Essentials 6.12, xcb): a QLineEdit in
Password echo mode reports "password text" and its text as bullets, but every keystroke
still goes out as an `object:text-changed:insert` event carrying the real character (Qt's
line control sends QAccessibleTextInsertEvent with the inserted string, whatever the echo
mode), and Orca speaks it. So while the entry is masked, the QLineEdit itself only ever holds
mask characters, and the secret lives in this object: what is inserted, announced and read
back through AT-SPI is "●". Python callers see the secret through `text()`/`setText()`.
When the user chooses to show the passphrase (Normal echo), the entry holds the real text:
what is on the screen may be read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLineEdit, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QContextMenuEvent, QKeyEvent

MASK = "\u25cf"


class SecretEntry(QLineEdit):
    """A QLineEdit for secrets: masked text inside Qt, the secret only in Python."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._secret = ""
        super().setEchoMode(QLineEdit.EchoMode.Password)
        self.setDragEnabled(False)
        self.setAcceptDrops(False)
        # Connected first, so it runs before any page's slot: text set from outside Python
        # (a screen reader's or automation's EditableText.setTextContents) becomes the secret.
        self._syncing = False
        self.textChanged.connect(self._take_outside_edit)

    def contextMenuEvent(self, event: "QContextMenuEvent") -> None:
        # The context menu's Paste/Undo would edit the masked text behind our back. (Not
        # setContextMenuPolicy: the Qt namespace costs ~30 ms and this is on the first page.)
        if self.masked():
            event.ignore()
        else:
            super().contextMenuEvent(event)

    def masked(self) -> bool:
        return self.echoMode() != QLineEdit.EchoMode.Normal

    # --- the secret, for Python callers -----------------------------------------------------
    def text(self) -> str:  # type: ignore[override]
        return self._secret if self.masked() else super().text()

    def setText(self, text: str) -> None:  # type: ignore[override]
        changed = text != self._secret
        self._secret = text
        shown = MASK * len(text) if self.masked() else text
        if changed and self.masked() and super().text() == shown:
            self.textChanged.emit(shown)  # same masks, so Qt sees no change; the secret did change
        else:
            super().setText(shown)

    def clear(self) -> None:  # type: ignore[override]
        self.setText("")

    def insert(self, text: str) -> None:  # type: ignore[override]
        """Insert at the cursor (replacing the selection), as QLineEdit.insert does."""
        if self.masked():
            self._insert(text)
        else:
            super().insert(text)

    def setEchoMode(self, mode: QLineEdit.EchoMode) -> None:  # type: ignore[override]
        current = self.text()
        super().setEchoMode(mode)
        self.setText(current)

    # --- editing while masked ---------------------------------------------------------------
    def keyPressEvent(self, event: "QKeyEvent") -> None:
        if not self.masked():
            super().keyPressEvent(event)
            return
        from PySide6.QtCore import Qt  # off the start-up path, like page_base
        from PySide6.QtGui import QKeySequence
        from PySide6.QtWidgets import QApplication

        if event.matches(QKeySequence.StandardKey.Paste):
            self._insert(QApplication.clipboard().text())
            event.accept()
            return
        if event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo):
            event.accept()  # an undo would restore masks without their secret
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape, Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            super().keyPressEvent(event)  # Enter still reaches the default button
            return
        typed = event.text()
        control = event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier)
        if typed and typed.isprintable() and not control:
            self._insert(typed)
            event.accept()
            return
        # Moving, selecting, deleting: Qt does it on the masks; the secret follows the deletion.
        before = len(super().text())
        self.blockSignals(True)
        try:
            super().keyPressEvent(event)
        finally:
            self.blockSignals(False)
        removed = before - len(super().text())
        if removed > 0:
            start = self.cursorPosition()
            self._secret = self._secret[:start] + self._secret[start + removed:]
            self.textEdited.emit(super().text())
            self.textChanged.emit(super().text())

    def _take_outside_edit(self, shown: str) -> None:
        """Qt's text holds something other than masks: an edit that did not come through us."""
        if self._syncing or not self.masked() or set(shown) <= {MASK}:
            return
        old = len(self._secret)
        head = min(len(shown) - len(shown.lstrip(MASK)), old)
        tail = min(len(shown) - len(shown.rstrip(MASK)), old - head, len(shown) - head)
        self._secret = self._secret[:head] + shown[head:len(shown) - tail] + self._secret[old - tail:]
        cursor = self.cursorPosition()
        self._syncing = True
        try:
            self.blockSignals(True)
            super().setText(MASK * len(self._secret))  # what Qt holds (and says) is masks again
            self.setCursorPosition(min(cursor, len(self._secret)))
        finally:
            self.blockSignals(False)
            self._syncing = False

    def _insert(self, chars: str) -> None:
        chars = "".join(c for c in chars if c.isprintable())
        if not chars:
            return
        if self.hasSelectedText():
            start, length = self.selectionStart(), len(self.selectedText())
        else:
            start, length = self.cursorPosition(), 0
        secret = self._secret[:start] + chars + self._secret[start + length:]
        if len(secret) > self.maxLength():
            return  # as QLineEdit refuses typing past its maximum (a one-character type-back box)
        self._secret = secret
        super().insert(MASK * len(chars))  # emits textChanged: the secret is already updated

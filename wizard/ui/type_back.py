"""Type back a few characters of the passphrase from random positions, as read from the paper.

Why: ticking "I will keep it safe" proves nothing about the page just printed. Asking for,
say, the 5th, 12th and 27th characters shows the person holds a readable copy (a sheet that
printed badly, or one left in the printer tray, fails here, not at restore time years later).
Positions are drawn with `secrets`, new ones each time a sheet is saved, and never include a
space (a space is printed as a dot, which is easy to type wrongly for no good reason).
"""

from __future__ import annotations

import secrets

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from wizard.ui.page_base import name_input

HOW_MANY = 3


def choose_positions(passphrase: str, how_many: int = HOW_MANY) -> list[int]:
    """Distinct 1-based positions of non-space characters, in increasing order."""
    candidates = [i + 1 for i, ch in enumerate(passphrase) if ch != " "]
    rng = secrets.SystemRandom()
    return sorted(rng.sample(candidates, min(how_many, len(candidates))))


class TypeBack(QWidget):
    """"Type characters 5, 12 and 27 from the sheet": one one-character box per position."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("encryption.type_back")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.prompt = QLabel(self)
        self.prompt.setWordWrap(True)
        self._layout.addWidget(self.prompt, 1)
        self.boxes: list[QLineEdit] = []
        self._expected: list[str] = []
        self.setVisible(False)

    def ask(self, passphrase: str) -> None:
        """Ask for new random positions of `passphrase` (called when a sheet was saved)."""
        for box in self.boxes:
            box.deleteLater()
        self.boxes = []
        positions = choose_positions(passphrase)
        self._expected = [passphrase[p - 1] for p in positions]
        self.prompt.setText("From the printed sheet, type characters "
                            + ", ".join(str(p) for p in positions[:-1]) + f" and {positions[-1]}:")
        for index, position in enumerate(positions, start=1):
            box = QLineEdit(self)
            name_input(box, f"encryption.type_back.{index}")
            box.setAccessibleName(f"Character {position}")
            box.setMaxLength(1)
            box.setFixedWidth(32)
            box.setEchoMode(QLineEdit.EchoMode.Password)
            box.textChanged.connect(lambda _: self.changed.emit())
            self._layout.addWidget(box)
            self.boxes.append(box)
        self.setVisible(True)
        self.changed.emit()

    @property
    def asked(self) -> bool:
        return bool(self._expected)

    def passed(self) -> bool:
        """True when nothing was asked, or every box holds its character."""
        return all(box.text() == want for box, want in zip(self.boxes, self._expected))

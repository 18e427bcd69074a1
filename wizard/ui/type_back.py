"""Type back a few characters of the passphrase from random positions, as read from the paper.

Why: ticking "I will keep it safe" proves nothing about the page just printed. Asking for,
say, the 5th, 12th and 27th characters shows the person holds a readable copy (a sheet that
printed badly, or one left in the printer tray, fails here, not at restore time years later).
Positions are drawn with `secrets`, new ones each time a sheet is saved, and never include a
space (a space is printed as a dot, which is easy to type wrongly for no good reason).
The same widget asks after the passphrase *file* was written (the Summary after Register,
Save settings after a passphrase change): the copy the administrator promised to keep must be
one they can open and read from where it was saved.

For people using a keyboard or a screen reader: each box is named "Character 5 of the
passphrase" and described by the whole request (where to read it), and Tab walks the boxes in
order. The boxes are `SecretEntry`s: what is typed back is part of the passphrase, and a plain
Password-mode QLineEdit hands each typed character to assistive technology.
"""

from __future__ import annotations

import secrets

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from wizard.ui.page_base import name_input
from wizard.core.i18n import _
from wizard.ui.secret_entry import SecretEntry

HOW_MANY = 3


def choose_positions(passphrase: str, how_many: int = HOW_MANY) -> list[int]:
    """Distinct 1-based positions of non-space characters, in increasing order."""
    candidates = [i + 1 for i, ch in enumerate(passphrase) if ch != " "]
    rng = secrets.SystemRandom()
    return sorted(rng.sample(candidates, min(how_many, len(candidates))))


class TypeBack(QWidget):
    """"Type characters 5, 12 and 27 from the sheet": one one-character box per position."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, key: str = "encryption.type_back") -> None:
        super().__init__(parent)
        self.setObjectName(key)
        self._key = key
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.prompt = QLabel(self)
        self.prompt.setObjectName(f"{key}.prompt")
        self.prompt.setWordWrap(True)
        self._layout.addWidget(self.prompt, 1)
        self.boxes: list[SecretEntry] = []
        self._expected: list[str] = []
        self.positions: list[int] = []
        self.setVisible(False)

    def ask(self, passphrase: str, saved_to: object | None = None) -> None:
        """Ask for new random positions of `passphrase`, read from the sheet just saved, or from
        the passphrase file `saved_to` (two whole sentences, so each language words both)."""
        for box in self.boxes:
            box.deleteLater()
        self.boxes = []
        positions = choose_positions(passphrase)
        self.positions = positions
        self._expected = [passphrase[p - 1] for p in positions]
        numbers = _("{list} and {last}").format(list=", ".join(str(p) for p in positions[:-1]), last=positions[-1]) \
            if len(positions) > 1 else str(positions[0])
        if saved_to is None:
            request = _("From the printed sheet, type characters {positions} of the passphrase:").format(
                positions=numbers)
        else:
            request = _("From the passphrase file saved to {path}, type characters {positions} of the passphrase:"
                        ).format(path=saved_to, positions=numbers)
        self.prompt.setText(request)
        previous: QWidget | None = None
        for index, position in enumerate(positions, start=1):
            box = SecretEntry(self)  # a typed character goes to assistive technology as a mask only
            name_input(box, f"{self._key}.{index}")
            box.setAccessibleName(_("Character {position} of the passphrase").format(position=position))
            box.setAccessibleDescription(request)
            box.setMaxLength(1)
            box.setFixedWidth(32)
            box.textChanged.connect(lambda _text: self.changed.emit())
            self._layout.addWidget(box)
            if previous is not None:
                QWidget.setTabOrder(previous, box)
            previous = box
            self.boxes.append(box)
        self.setVisible(True)
        self.changed.emit()

    def clear(self) -> None:
        """Nothing asked any more (the page starts over)."""
        for box in self.boxes:
            box.deleteLater()
        self.boxes, self._expected, self.positions = [], [], []
        self.prompt.setText("")
        self.setVisible(False)
        self.changed.emit()

    @property
    def asked(self) -> bool:
        return bool(self._expected)

    def filled(self) -> bool:
        """Every box holds a character (right or wrong): the moment to say whether they match."""
        return all(box.text() for box in self.boxes)

    def passed(self) -> bool:
        """True when nothing was asked, or every box holds its character."""
        return all(box.text() == want for box, want in zip(self.boxes, self._expected))

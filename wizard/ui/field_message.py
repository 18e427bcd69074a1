"""The inline message under a field: an icon and a sentence, or nothing.

Vorta's pattern: the message appears under the field it is about, after the user has
left the field (or tried to go on), and the field gets an error border. The text comes
from the core's `Issue`; this widget only chooses which one to show.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from wizard.core.issues import Issue, Severity
from wizard.ui.assets import pixmap

_ICON = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}
_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
# Dark enough for WCAG AA contrast on the page background.
_COLOUR = {Severity.ERROR: QColor("#b42318"), Severity.WARNING: QColor("#8a5a00"), Severity.INFO: QColor("#2c5282")}


def most_important(issues: list[Issue]) -> Issue | None:
    """Errors before warnings before information; the first one found of that kind."""
    return min(issues, key=lambda i: _ORDER[i.severity], default=None)


class FieldMessage(QWidget):
    """Shows the most important of a field's issues; hidden when there is none."""

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.setObjectName(f"{field}.message")
        self.setAccessibleName(f"{field}.message")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 2)
        layout.setSpacing(6)
        self._icon = QLabel(self)
        self._icon.setFixedSize(16, 16)
        self._text = QLabel(self)
        self._text.setWordWrap(True)
        self._text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout.addWidget(self._icon, 0)
        layout.addWidget(self._text, 1)
        self._shown: Issue | None = None
        self.hide()

    @property
    def issue(self) -> Issue | None:
        return self._shown

    def text(self) -> str:
        return self._text.text() if self._shown else ""

    def show_issues(self, issues: list[Issue]) -> None:
        chosen = most_important(issues)
        if chosen == self._shown:
            return
        self._shown = chosen
        if chosen is None:
            self.hide()
            return
        self._icon.setPixmap(pixmap(_ICON[chosen.severity]))
        self._text.setText(chosen.message)
        palette = self._text.palette()
        palette.setColor(QPalette.ColorRole.WindowText, _COLOUR[chosen.severity])
        self._text.setPalette(palette)
        self._text.setProperty("messageKind", chosen.severity.value)
        self.setAccessibleDescription(chosen.message)
        self.show()

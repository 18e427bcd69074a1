"""The panel on the wizard's left: every step in order, the current one marked.

Titles and order come from `wizard.core.flow`, so the panel, the pages and the docs
never disagree about what the steps are called.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from wizard.core.flow import ORDER, TITLES, Step
from wizard.ui.assets import pixmap

PANEL_WIDTH = 220
BACKGROUND = QColor("#edf2f7")
CURRENT = QColor("#1a365d")
OTHER = QColor("#2d3748")
PENDING = QColor("#4a5568")


class SidePanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidePanel")
        self.setAccessibleName("Steps")
        self.setFixedWidth(PANEL_WIDTH)
        # A style sheet on this frame alone: QWizard repaints its side widget's background
        # itself, and painting it by hand would load the whole Qt namespace before first paint.
        self.setStyleSheet(f"QFrame#sidePanel {{ background: {BACKGROUND.name()}; "
                           f"border: none; border-right: 1px solid #cbd5e0; }}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 16, 8, 12)
        layout.setSpacing(10)
        title = QLabel("Steps", self)
        title.setObjectName("sidePanelTitle")
        self._style(title, CURRENT, bold=True)
        layout.addWidget(title)
        self._icons: dict[Step, QLabel] = {}
        self._titles: dict[Step, QLabel] = {}
        for step in ORDER:
            row = QHBoxLayout()
            row.setSpacing(8)
            icon = QLabel(self)
            icon.setFixedSize(16, 16)
            text = QLabel(TITLES[step], self)
            text.setWordWrap(True)
            text.setObjectName(f"wizard.steps.{step.name.lower()}")
            row.addWidget(icon)
            row.addWidget(text, 1)
            layout.addLayout(row)
            self._icons[step] = icon
            self._titles[step] = text
        layout.addStretch(1)
        self._current: Step | None = None
        self.set_current(ORDER[0])

    @staticmethod
    def _style(label: QLabel, colour: QColor, *, bold: bool) -> None:
        palette = label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        label.setPalette(palette)
        font = label.font()
        font.setBold(bold)
        label.setFont(font)

    def current(self) -> Step | None:
        return self._current

    def state_of(self, step: Step) -> str:
        return str(self._titles[step].property("stepState"))

    def set_current(self, current: Step) -> None:
        self._current = current
        position = ORDER.index(current)
        for index, step in enumerate(ORDER):
            state = "current" if index == position else "done" if index < position else "pending"
            label = self._titles[step]
            label.setProperty("stepState", state)
            self._style(label, {"current": CURRENT, "done": OTHER, "pending": PENDING}[state], bold=state == "current")
            label.setAccessibleDescription(state)
            self._icons[step].setPixmap(pixmap(f"step-{state}"))
            self._icons[step].setAccessibleName(state)  # an icon with a name, not an unnamed image
        self.setAccessibleDescription(f"Step {position + 1} of {len(ORDER)}: {TITLES[current]}")

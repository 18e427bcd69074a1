"""The panel on the wizard's left: every step in order, the current one marked.

Titles and order come from `wizard.core.flow`, so the panel, the pages and the docs
never disagree about what the steps are called.

The steps are a `QListWidget`, not a column of labels: assistive technology then gets what a
person sees, a list ("Steps", 7 items) whose current item is *selected* (AT-SPI state
selected, UIA SelectionItem), and a selection event when it moves. The list is only a
display: it never takes the focus or a click (the steps are reached with Next and Back).
"""

from __future__ import annotations

import functools

from PySide6.QtGui import QFont, QIcon, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from wizard.core.flow import ORDER, Step, step_heading, title
from wizard.core.i18n import _
from wizard.ui.assets import icon
from wizard.ui.contrast import Scheme, scheme_for

PANEL_WIDTH = 220
# Qt::AccessibleTextRole / AccessibleDescriptionRole, as ints: the Qt namespace costs ~30 ms to
# load and the panel is built before the first paint.
_ACCESSIBLE_NAME_ROLE = 11
_ACCESSIBLE_DESCRIPTION_ROLE = 12
# Qt::ForegroundRole: a QColor set as data is drawn like a brush. QListWidgetItem.setForeground
# takes a QBrush, and PySide6 building one from a QColor loads the Qt namespace (~80 ms here).
_FOREGROUND_ROLE = 9


@functools.cache
def _step_icon(state: str) -> QIcon:
    """The icon of a step state, rendered once per process (set_current runs on every page change)."""
    return _untinted(icon(f"step-{state}"))


def _untinted(original: QIcon) -> QIcon:
    """The icon as drawn, also for the selected item (a style tints selected icons with the
    highlight colour: on the high-contrast palette the yellow made the current step's icon murky)."""
    shown = QIcon()
    for size in (16, 24, 32):
        pixmap = original.pixmap(size, size)
        shown.addPixmap(pixmap, QIcon.Mode.Normal)
        shown.addPixmap(pixmap, QIcon.Mode.Selected)
    return shown


class StepList(QListWidget):
    """The steps as a list a reader can read; the mouse and keyboard pass through it."""

    def mousePressEvent(self, event: object) -> None:
        event.ignore()  # type: ignore[attr-defined]

    mouseReleaseEvent = mouseDoubleClickEvent = mouseMoveEvent = wheelEvent = mousePressEvent

    def keyPressEvent(self, event: object) -> None:
        event.ignore()  # type: ignore[attr-defined]


class SidePanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidePanel")
        self.setAccessibleName(_("Steps"))
        self.setFixedWidth(PANEL_WIDTH)
        self.scheme: Scheme = scheme_for(self.palette())
        scheme = self.scheme
        # A style sheet on this frame alone: QWizard repaints its side widget's background
        # itself, and painting it by hand would load the whole Qt namespace before first paint.
        self.setStyleSheet(f"QFrame#sidePanel {{ background: {scheme.panel_background.name()}; "
                           f"border: none; border-right: 1px solid {scheme.panel_border.name()}; }}")
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, scheme.panel_background)  # what the text is read against
        self.setPalette(palette)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 16, 8, 12)
        layout.setSpacing(6)
        heading = QLabel(_("Steps"), self)
        heading.setObjectName("sidePanelTitle")
        title_palette = heading.palette()
        title_palette.setColor(QPalette.ColorRole.WindowText, scheme.step_current)
        heading.setPalette(title_palette)
        bold = heading.font()
        bold.setBold(True)
        heading.setFont(bold)
        layout.addWidget(heading)
        self.steps = StepList(self)
        self.steps.setObjectName("wizard.steps")
        self.steps.setAccessibleName(_("Steps"))
        self.steps.setFrameShape(QFrame.Shape.NoFrame)
        self.steps.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.steps.setWordWrap(True)
        self.steps.setSpacing(4)
        list_palette = self.steps.palette()
        for role, colour in ((QPalette.ColorRole.Base, scheme.panel_background),
                             (QPalette.ColorRole.Window, scheme.panel_background),
                             (QPalette.ColorRole.Highlight, scheme.step_highlight),
                             (QPalette.ColorRole.HighlightedText, scheme.step_current)):
            list_palette.setColor(role, colour)
        self.steps.setPalette(list_palette)
        self._items: dict[Step, QListWidgetItem] = {}
        for step in ORDER:
            shown = title(step)
            item = QListWidgetItem(shown, self.steps)
            item.setData(_ACCESSIBLE_NAME_ROLE, shown)
            self._items[step] = item
        layout.addWidget(self.steps, 1)
        self._current: Step | None = None
        self.set_current(ORDER[0])

    def finish(self) -> None:
        """After the first paint: the list never takes the focus (Tab goes from the buttons to the page).
        Deferred because it needs the Qt namespace."""
        from PySide6.QtCore import Qt

        self.steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def current(self) -> Step | None:
        return self._current

    def state_of(self, step: Step) -> str:
        return str(self._items[step].data(_ACCESSIBLE_DESCRIPTION_ROLE))

    def set_current(self, current: Step) -> None:
        self._current = current
        position = ORDER.index(current)
        for index, step in enumerate(ORDER):
            state = "current" if index == position else "done" if index < position else "pending"
            item = self._items[step]
            item.setData(_ACCESSIBLE_DESCRIPTION_ROLE, state)
            item.setData(_FOREGROUND_ROLE, {"current": self.scheme.step_current, "done": self.scheme.step_done,
                                            "pending": self.scheme.step_pending}[state])
            font = QFont(self.steps.font())
            font.setBold(state == "current")
            item.setFont(font)
            item.setIcon(_step_icon(state))
        # Selected, never "current": Qt reports the view's current item as focused to assistive
        # technology even while the list has no focus, and a reader would follow it here.
        self.steps.clearSelection()
        self._items[current].setSelected(True)
        self.setAccessibleDescription(step_heading(current))

"""The inline message under a field: an icon and a sentence, or nothing.

Vorta's pattern: the message appears under the field it is about, after the user has
left the field (or tried to go on), and the field gets an error border. The text comes
from the core's `Issue`; this widget only chooses which one to show.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QPalette, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from wizard.core.issues import Issue, Severity
from wizard.ui.assets import pixmap
from wizard.ui.contrast import scheme_for

_ICON = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}
_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _colour(severity: Severity, palette: QPalette) -> QColor:
    """WCAG AA on the page background, light or high contrast (wizard.ui.contrast checks both)."""
    scheme = scheme_for(palette)
    return {Severity.ERROR: scheme.error, Severity.WARNING: scheme.warning, Severity.INFO: scheme.info}[severity]


def most_important(issues: list[Issue]) -> Issue | None:
    """Errors before warnings before information; the first one found of that kind."""
    return min(issues, key=lambda i: _ORDER[i.severity], default=None)


class FieldMessage(QWidget):
    """Shows the most important of a field's issues; hidden when there is none."""

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.setObjectName(f"{field}.message")
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
        # What to do about it, on a line under the message, for the troubleshooting cases (a
        # bad credentials file...) where the message alone leaves the user stuck.
        self.show_fix = False
        self._fix = ""
        self._shown: Issue | None = None
        self.hide()

    # A form row takes this widget's sizeHint height, which for word-wrapped text is the height
    # at the label's preferred (narrow) width: a two-line message got a three-line row, centred
    # in it with gaps. Answer with the height at the width the row actually gives us instead.
    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self.width() > hint.width() and self.layout().hasHeightForWidth():
            hint.setHeight(self.layout().heightForWidth(self.width()))
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the height wanted depends on the width just given

    @property
    def issue(self) -> Issue | None:
        return self._shown

    def text(self) -> str:
        """The message shown ("" when hidden), without its fix."""
        return self._shown.message if self._shown else ""

    def fix_text(self) -> str:
        """The advice shown under the message ("" when none)."""
        return self._fix if self._shown else ""

    def show_issues(self, issues: list[Issue]) -> None:
        chosen = most_important(issues)
        if chosen == self._shown:
            return
        self._shown = chosen
        if chosen is None:
            self.hide()
            return
        self._icon.setPixmap(pixmap(_ICON[chosen.severity]))
        self._fix = chosen.fix if self.show_fix and chosen.severity is not Severity.INFO else ""
        if self._fix:
            from html import escape

            from PySide6.QtCore import Qt  # the Qt namespace stays off the start-up path

            normal = self.palette().color(QPalette.ColorRole.WindowText).name()
            self._text.setTextFormat(Qt.TextFormat.RichText)
            self._text.setText(f"{escape(chosen.message)}<br><span style='color:{normal}'>{escape(self._fix)}</span>")
            self.layout().setAlignment(self._icon, Qt.AlignmentFlag.AlignTop)  # beside the first line
        else:
            if self.show_fix:
                from PySide6.QtCore import Qt

                self._text.setTextFormat(Qt.TextFormat.PlainText)
            self._text.setText(chosen.message)
        palette = self._text.palette()
        palette.setColor(QPalette.ColorRole.WindowText, _colour(chosen.severity, palette))
        self._text.setPalette(palette)
        self._text.setProperty("messageKind", chosen.severity.value)
        self.setAccessibleDescription(f"{chosen.message} {self._fix}".strip())
        self.show()

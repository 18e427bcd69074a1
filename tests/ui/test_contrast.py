"""High contrast: white on black, and every text, icon and the week grid still readable.

The colours the wizard picks itself come from `wizard.ui.contrast`; these tests hold them to
WCAG 2.2 (text 4.5:1, graphics 3:1) on the palette the wizard runs with, and read the widgets
of every page to check each text's colour against what it is drawn on. The rendered pages are
looked at by tests/ui/test_layout.py (white on black, nothing clipped) and by a person.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from PySide6.QtCore import QTime
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from tests.ui.helpers import find
from wizard.core.flow import ORDER, Step
from wizard.ui import contrast


def test_both_colour_sets_meet_wcag_on_their_palette() -> None:
    from wizard.ui.app import application

    assert contrast.problems(application().palette()) == []
    assert contrast.problems(contrast.high_contrast_palette()) == []
    assert contrast.scheme_for(contrast.high_contrast_palette()) is contrast.HIGH_CONTRAST
    # the ratio itself, against WCAG's own examples
    assert contrast.ratio(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21)
    assert contrast.ratio(QColor("#767676"), QColor("#ffffff")) == pytest.approx(4.54, abs=0.01)


@pytest.fixture
def white_on_black() -> Iterator[QApplication]:
    from PySide6.QtCore import QEvent

    from wizard.ui.app import application

    app = application()
    palette, sheet = QPalette(app.palette()), app.styleSheet()

    def gone() -> None:
        # No widget may outlive a style sheet change: one deleted later, under a style that no longer
        # exists (or re-polished while it is being destroyed), crashed the next test.
        for widget in app.topLevelWidgets():
            widget.close()
            widget.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()

    gone()  # an earlier test's wizard, closed but not yet deleted
    contrast.use_high_contrast(app)
    try:
        yield app
    finally:
        gone()
        app.setStyleSheet(sheet)
        for kind in ("QCheckBox", "QRadioButton"):
            app.setPalette(palette, kind)
        app.setPalette(palette)


def _background(widget: QWidget) -> QColor:
    """What `widget` is drawn on: the nearest ancestor (or itself) that paints its own background."""
    side_panel = widget.window().findChild(QWidget, "sidePanel")
    if side_panel is not None and side_panel.isAncestorOf(widget):
        return side_panel.palette().color(QPalette.ColorRole.Window)
    painted: QWidget | None = widget
    while painted is not None and not painted.autoFillBackground():
        painted = painted.parentWidget()
    return (painted or widget.window()).palette().color(QPalette.ColorRole.Window)


def _unreadable(root: QWidget) -> list[str]:
    found = []
    for widget in root.findChildren(QLabel) + root.findChildren(QAbstractButton):
        if not widget.isVisibleTo(root) or not widget.text() or not widget.isEnabled():
            continue
        colour = widget.palette().color(widget.foregroundRole())
        behind = _background(widget)
        if contrast.ratio(colour, behind) < contrast.TEXT_MINIMUM:
            found.append(f"{widget.objectName() or widget.text()[:30]!r}: {colour.name()} on {behind.name()}")
    steps = root.findChild(QWidget, "wizard.steps")
    if steps is not None:
        for row in range(steps.count()):
            item = steps.item(row)
            colour = steps.palette().color(QPalette.ColorRole.HighlightedText) if item.isSelected() \
                else item.foreground().color()
            behind = steps.palette().color(QPalette.ColorRole.Highlight if item.isSelected() else QPalette.ColorRole.Base)
            if contrast.ratio(colour, behind) < contrast.TEXT_MINIMUM:
                found.append(f"step {item.text()!r}: {colour.name()} on {behind.name()}")
    return found


def test_every_text_on_every_page_is_readable_white_on_black(white_on_black: QApplication, make_wizard: Any,
                                                            qtbot: Any) -> None:
    wizard = make_wizard()
    assert contrast.is_dark(wizard.palette())
    found = []
    for step in ORDER:
        wizard.setStartId(int(step))
        wizard.restart()
        page = wizard.currentPage()
        if hasattr(page, "reveal_all"):
            page.reveal_all()  # every message shown: errors, warnings and notes in their colours
        qtbot.wait(10)
        found += [f"{step.name}: {problem}" for problem in _unreadable(wizard)]
    assert not found, found


def test_the_week_grid_is_told_apart_white_on_black(white_on_black: QApplication, make_wizard: Any,
                                                    qtbot: Any) -> None:
    """Read back from the rendered grid: work hours, other hours and the window differ by 3:1."""
    wizard = make_wizard()
    wizard.setStartId(int(Step.THROTTLING))
    wizard.restart()
    find(wizard, "throttling.enabled").setChecked(True)
    find(wizard, "throttling.work_start").setTime(QTime(9, 0))
    find(wizard, "throttling.work_end").setTime(QTime(18, 0))
    preview = find(wizard, "throttling.week_preview")
    qtbot.waitUntil(lambda: preview.grid()[0][12] is True, timeout=30_000)
    image = preview.grab().toImage()
    ratio = image.width() / preview.width()
    metrics = preview.fontMetrics()
    label_width = max(metrics.horizontalAdvance(d) for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")) + 8
    header = metrics.height() + 2
    cell_w, cell_h = (preview.width() - label_width - 1) / 24, (preview.height() - header - 1) / 7

    def cell(day: int, hour: int) -> QColor:
        x, y = label_width + (hour + 0.5) * cell_w, header + (day + 0.5) * cell_h
        return image.pixelColor(int(x * ratio), int(y * ratio))

    work, other = cell(0, 12), cell(0, 3)
    window = wizard.palette().color(QPalette.ColorRole.Window)
    assert contrast.ratio(work, other) >= contrast.GRAPHICS_MINIMUM, (work.name(), other.name())
    assert contrast.ratio(work, window) >= contrast.GRAPHICS_MINIMUM and \
        contrast.ratio(other, window) >= contrast.GRAPHICS_MINIMUM, (work.name(), other.name(), window.name())

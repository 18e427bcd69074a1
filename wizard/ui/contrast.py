"""The colours the wizard paints with, chosen for the palette in use, and their WCAG contrast.

Why one module: the side panel, inline messages and the week grid used fixed dark-on-light
colours, which on a high-contrast (white on black) palette became dark grey on black. Every
colour a widget picks by hand now comes from `scheme_for(palette)`: the light set on a light
palette, a high-contrast set on a dark one (ours from `--high-contrast`, or the platform's own,
e.g. Windows' high-contrast themes). `problems()` computes the WCAG 2.2 contrast ratio of every
pair a widget draws - text 4.5:1 (1.4.3), graphics a person must tell apart 3:1 (1.4.11) - so a
test can hold both sets to it instead of someone looking once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

TEXT_MINIMUM = 4.5  # WCAG 1.4.3, normal-size text
GRAPHICS_MINIMUM = 3.0  # WCAG 1.4.11, parts of graphics needed to understand the content


def luminance(colour: QColor) -> float:
    """WCAG relative luminance of an sRGB colour (0 = black, 1 = white)."""
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def ratio(first: QColor, second: QColor) -> float:
    """WCAG contrast ratio, 1 (same) to 21 (black on white); order does not matter."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def is_dark(palette: QPalette) -> bool:
    """A palette whose windows are dark (light text): high contrast, or a dark theme."""
    return luminance(palette.color(QPalette.ColorRole.Window)) < 0.2


@dataclass(frozen=True)
class Scheme:
    """Every colour the wizard chooses itself (the rest is the palette's)."""

    panel_background: QColor
    panel_border: QColor
    step_current: QColor
    step_done: QColor
    step_pending: QColor
    step_highlight: QColor  # behind the current step (it is the list's selected item)
    error: QColor
    warning: QColor
    info: QColor
    week_work: QColor
    week_other: QColor
    week_off: QColor
    week_lines: QColor


LIGHT = Scheme(
    panel_background=QColor("#edf2f7"), panel_border=QColor("#cbd5e0"),
    step_current=QColor("#1a365d"), step_done=QColor("#2d3748"), step_pending=QColor("#4a5568"),
    step_highlight=QColor("#d3e2f2"),
    error=QColor("#b42318"), warning=QColor("#8a5a00"), info=QColor("#2c5282"),
    week_work=QColor("#2b6cb0"), week_other=QColor("#bee3f8"), week_off=QColor("#e2e8f0"), week_lines=QColor("#ffffff"),
)

# White on black; yellow and cyan where a second colour must say something (current step, the
# work-hours cells), as Windows' high-contrast themes do.
HIGH_CONTRAST = Scheme(
    panel_background=QColor("#000000"), panel_border=QColor("#ffffff"),
    step_current=QColor("#ffff00"), step_done=QColor("#ffffff"), step_pending=QColor("#d0d0d0"),
    step_highlight=QColor("#000000"),
    error=QColor("#ff8080"), warning=QColor("#ffd75e"), info=QColor("#8cc8ff"),
    week_work=QColor("#ffff00"), week_other=QColor("#3d7fbf"), week_off=QColor("#6e6e6e"), week_lines=QColor("#000000"),
)


def scheme_for(palette: QPalette | None = None) -> Scheme:
    """The colours for `palette` (the application's by default)."""
    if palette is None:
        from PySide6.QtWidgets import QApplication

        palette = QApplication.palette()
    return HIGH_CONTRAST if is_dark(palette) else LIGHT


def high_contrast_palette() -> QPalette:
    """White on black for every role Fusion paints with; yellow selection, cyan links."""
    black, white, grey = QColor("#000000"), QColor("#ffffff"), QColor("#a6a6a6")
    palette = QPalette(white, black)  # button text, button background: derives the 3D shades
    role = QPalette.ColorRole
    for which, colour in ((role.Window, black), (role.WindowText, white), (role.Base, black),
                          (role.AlternateBase, QColor("#1a1a1a")), (role.Text, white), (role.Button, black),
                          (role.ButtonText, white), (role.BrightText, QColor("#ffff00")),
                          (role.Highlight, QColor("#ffff00")), (role.HighlightedText, black),
                          (role.Link, QColor("#00ffff")), (role.LinkVisited, QColor("#ff80ff")),
                          (role.ToolTipBase, black), (role.ToolTipText, white),
                          (role.PlaceholderText, grey), (role.Light, white), (role.Midlight, grey),
                          (role.Mid, grey), (role.Dark, grey), (role.Shadow, white)):
        palette.setColor(which, colour)
    disabled = QPalette.ColorGroup.Disabled
    for which in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(disabled, which, grey)  # still 8.8:1 on black: "unavailable", yet readable
    palette.setColor(disabled, role.Highlight, grey)
    return palette


def pairs(palette: QPalette) -> list[tuple[str, QColor, QColor, float]]:
    """(what, foreground, background, minimum ratio) for everything the wizard draws on `palette`."""
    scheme = scheme_for(palette)
    role, disabled = QPalette.ColorRole, QPalette.ColorGroup.Disabled
    window, base = palette.color(role.Window), palette.color(role.Base)
    found = [
        ("window text", palette.color(role.WindowText), window, TEXT_MINIMUM),
        ("input text", palette.color(role.Text), base, TEXT_MINIMUM),
        ("button text", palette.color(role.ButtonText), palette.color(role.Button), TEXT_MINIMUM),
        ("placeholder", palette.color(role.PlaceholderText), base, TEXT_MINIMUM),
        ("step, current", scheme.step_current, scheme.step_highlight, TEXT_MINIMUM),
        ("step, done", scheme.step_done, scheme.panel_background, TEXT_MINIMUM),
        ("step, pending", scheme.step_pending, scheme.panel_background, TEXT_MINIMUM),
        ("panel title", scheme.step_current, scheme.panel_background, TEXT_MINIMUM),
        ("error message", scheme.error, window, TEXT_MINIMUM),
        ("warning message", scheme.warning, window, TEXT_MINIMUM),
        ("information message", scheme.info, window, TEXT_MINIMUM),
        ("week grid, work vs other hours", scheme.week_work, scheme.week_other, GRAPHICS_MINIMUM),
        ("week grid, work hours vs window", scheme.week_work, window, GRAPHICS_MINIMUM),
        ("week grid, cell lines vs work hours", scheme.week_lines, scheme.week_work, GRAPHICS_MINIMUM),
        ("error frame", QColor(_frame_colour(error_frame(palette))), base, GRAPHICS_MINIMUM),
    ]
    if is_dark(palette):
        # Ours: selection and unavailable controls readable too (on the light palette these are the
        # platform's, and WCAG 1.4.3 exempts inactive controls). On black every cell kind must stand
        # out from the window (on white the pale cells are told apart by the work-hours blue).
        found += [("selected text", palette.color(role.HighlightedText), palette.color(role.Highlight), TEXT_MINIMUM),
                  ("disabled text", palette.color(disabled, role.WindowText), window, TEXT_MINIMUM),
                  ("week grid, other hours vs window", scheme.week_other, window, GRAPHICS_MINIMUM),
                  ("week grid, throttling off vs window", scheme.week_off, window, GRAPHICS_MINIMUM)]
    return found


def _frame_colour(style: str) -> str:
    found = re.search(r"solid (#[0-9a-fA-F]{6})", style)
    return found.group(1) if found else "#000000"


def problems(palette: QPalette) -> list[str]:
    """Every pair below its WCAG minimum, with its ratio; empty when all is readable."""
    return [f"{what}: {fg.name()} on {bg.name()} is {ratio(fg, bg):.2f}:1, needs {minimum}:1"
            for what, fg, bg, minimum in pairs(palette) if ratio(fg, bg) < minimum]


# Fusion draws input frames a shade darker than the window: on black they vanish. White frames,
# and a yellow one on the focused control (WCAG 1.4.11 and 2.4.7), on the high-contrast palette only.
HIGH_CONTRAST_STYLE_SHEET = """
QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit, QTextEdit {
    border: 1px solid #ffffff; padding: 2px; background: #000000; color: #ffffff;
}
QLineEdit:focus, QAbstractSpinBox:focus, QComboBox:focus, QPlainTextEdit:focus, QTextEdit:focus,
QPushButton:focus { border: 2px solid #ffff00; }
QLineEdit:disabled, QAbstractSpinBox:disabled, QComboBox:disabled { border: 1px solid #a6a6a6; color: #a6a6a6; }
QPushButton { border: 1px solid #ffffff; padding: 4px 12px; background: #000000; color: #ffffff; }
QPushButton:disabled { border: 1px solid #a6a6a6; color: #a6a6a6; }
QProgressBar { border: 1px solid #ffffff; background: #000000; }
QProgressBar::chunk { background: #ffff00; }
QToolTip { border: 1px solid #ffffff; background: #000000; color: #ffffff; }
"""


def error_frame(palette: QPalette) -> str:
    """The style sheet of an input while it has an error: the red frame of wizard.qss, or on a dark
    palette the high-contrast error colour (the dark red frame was 2.4:1 on black)."""
    from wizard.ui.assets import style_sheet

    if not is_dark(palette):
        return style_sheet()
    return f"border: 2px solid {HIGH_CONTRAST.error.name()}; padding: 1px 0px;"


def use_high_contrast(app: "QApplication") -> None:  # noqa: F821 - QtWidgets imported by the caller
    """White on black for the whole application: the palette, and frames that stay visible."""
    palette = high_contrast_palette()
    app.setPalette(palette)
    # Fusion outlines check boxes and radio buttons a shade darker than their Window colour: with a
    # white Window (never painted by these widgets) the box is grey on black instead of invisible.
    boxes = QPalette(palette)
    boxes.setColor(QPalette.ColorRole.Window, QColor("#ffffff"))
    for kind in ("QCheckBox", "QRadioButton"):
        app.setPalette(boxes, kind)
    app.setStyleSheet(HIGH_CONTRAST_STYLE_SHEET)

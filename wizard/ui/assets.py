"""Icons and the style sheet, found the same way from a source tree, a wheel or a frozen build.

They live in `wizard/resources/` (declared as package data). A PyInstaller build unpacks
data files under `sys._MEIPASS`; the spec copies the folder to `wizard/resources` there,
so both layouts resolve through one function.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon, QPixmap


def resources_dir() -> Path:
    """The folder holding `icons/` and `wizard.qss`."""
    here = Path(__file__).resolve().parent.parent / "resources"
    if here.is_dir():
        return here
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "wizard" / "resources"
    return here  # pragma: no cover - a broken install; callers get empty icons, not a crash


def resource_path(name: str) -> Path:
    return resources_dir() / name


@cache
def icon(name: str) -> QIcon:
    """`icons/<name>.svg` as a QIcon (scales crisply at any DPI)."""
    return QIcon(str(resource_path(f"icons/{name}.svg")))


def pixmap(name: str, size: int = 16) -> QPixmap:
    return icon(name).pixmap(QSize(size, size))


@cache
def style_sheet() -> str:
    """The error frame put on an input while it has an error (see wizard.qss)."""
    try:
        return resource_path("wizard.qss").read_text(encoding="utf-8")
    except OSError:  # pragma: no cover - missing resources: plain look rather than a crash
        return ""

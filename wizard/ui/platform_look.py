"""What the wizard looks like on the OS it runs on: native on Windows, one fixed look elsewhere.

Why: on Windows an administrator expects a Windows wizard (the platform's own style and
QWizard's Aero look, the way installers and MMC wizards look); elsewhere there is no native
wizard convention, so Fusion + Modern keep every Linux desktop and every screenshot of the
guide the same. Paths follow the OS too: Qt's file dialogs and drops hand back
forward slashes even on Windows (``C:/Recovery``), which a Windows administrator reads as
wrong, so every path the wizard shows goes through `native_path`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from PySide6.QtWidgets import QWizard

FIXED_STYLE = "Fusion"


def this_system() -> str:
    """"Windows" on Windows, else `sys.platform` ("linux"...): all the look asks is "Windows or not".

    Why not `platform.system()`: importing `platform` costs ~3 ms before the first paint.
    """
    return "Windows" if sys.platform == "win32" else sys.platform


@dataclass(frozen=True)
class Look:
    """`app_style` None means: keep the platform's default style (windows11 / windowsvista)."""

    app_style: str | None
    wizard_style: QWizard.WizardStyle


def look_for(system: str | None = None) -> Look:
    """The look for `system` (`this_system()` by default)."""
    if (system or this_system()) == "Windows":
        return Look(None, QWizard.WizardStyle.AeroStyle)
    return Look(FIXED_STYLE, QWizard.WizardStyle.ModernStyle)


def native_path(text: str, system: str | None = None) -> str:
    """`text` with the OS's separators (backslashes on Windows); "" stays ""."""
    if (system or this_system()) == "Windows":
        return text.replace("/", "\\")
    return text


def example_folder(system: str | None = None) -> str:
    """A recovery-folder placeholder a user of this OS recognises."""
    return "C:\\Recovery" if (system or this_system()) == "Windows" else "/var/tmp/recovery"

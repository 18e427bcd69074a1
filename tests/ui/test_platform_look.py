"""Native on Windows (platform style + Aero, Windows paths), Fusion + Modern elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QWizard

from wizard.core.flow import Step
from wizard.ui import platform_look
from wizard.ui.platform_look import example_folder, look_for, native_path


def test_windows_keeps_the_platform_style_and_uses_the_aero_wizard() -> None:
    assert look_for("Windows") == platform_look.Look(None, QWizard.WizardStyle.AeroStyle)
    assert look_for("Linux") == platform_look.Look("Fusion", QWizard.WizardStyle.ModernStyle)
    assert look_for("Darwin").app_style == "Fusion"


def test_paths_are_shown_with_the_os_separators() -> None:
    assert native_path("C:/Users/alice/vault.credentials", "Windows") == "C:\\Users\\alice\\vault.credentials"
    assert native_path("/var/tmp/recovery", "Linux") == "/var/tmp/recovery"
    assert native_path("", "Windows") == ""
    assert example_folder("Windows") == "C:\\Recovery" and example_folder("Linux") == "/var/tmp/recovery"


def test_on_windows_the_wizard_is_aero_with_windows_placeholders_and_dialog_paths(
        make_wizard: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    from wizard.ui import dialogs

    monkeypatch.setattr(platform_look, "this_system", lambda: "Windows")
    wizard = make_wizard()
    assert wizard.wizardStyle() == QWizard.WizardStyle.AeroStyle
    assert wizard.page_for(Step.RECOVERY).folder.placeholderText() == "C:\\Recovery"


def test_file_dialogs_hand_back_windows_paths_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Qt's dialogs return forward slashes even on Windows (C:/Recovery)."""
    from PySide6.QtWidgets import QFileDialog

    from wizard.ui import dialogs

    monkeypatch.setattr(platform_look, "this_system", lambda: "Windows")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a: "D:/Backups/Recovery"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a: ("C:/keys/v.credentials", "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: ("E:/p.txt", "")))
    assert dialogs.choose_folder(None, "", "") == "D:\\Backups\\Recovery"  # type: ignore[arg-type]
    assert dialogs.choose_open_file(None, "", "", "") == "C:\\keys\\v.credentials"  # type: ignore[arg-type]
    assert dialogs.choose_save_file(None, "", "", "") == "E:\\p.txt"  # type: ignore[arg-type]

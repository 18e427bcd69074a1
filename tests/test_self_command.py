"""How the product starts itself again: `python -m wizard` from source, the executable when frozen."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from wizard import self_command as module
from wizard.self_command import self_command, self_environment


def test_from_source_it_is_this_interpreter_with_the_package() -> None:
    assert self_command() == [sys.executable, "-m", "wizard"]
    assert "PYINSTALLER_RESET_ENVIRONMENT" not in self_environment({"PATH": "/bin"})


def test_frozen_it_is_the_executable_itself(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    exe = tmp_path / "register-server"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert self_command() == [str(exe)]
    assert self_environment({"PATH": "/bin"}) == {"PATH": "/bin", "PYINSTALLER_RESET_ENVIRONMENT": "1"}


def test_the_windowed_windows_build_hands_over_to_the_console_build(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    """register-server-gui.exe has no console streams; a child whose output is read must be the
    console build beside it (and the GUI build itself when that one is missing)."""
    gui = tmp_path / "register-server-gui.exe"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(gui))
    monkeypatch.setattr(module.sys, "platform", "win32")
    assert self_command() == [str(gui)]
    (tmp_path / "register-server.exe").write_bytes(b"MZ")
    assert self_command() == [str(tmp_path / "register-server.exe")]

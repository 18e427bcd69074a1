"""The installer's file lists: the uninstaller removes exactly what the installer wrote."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("nsis_lists", ROOT / "packaging/windows/nsis_lists.py")
assert _spec and _spec.loader
nsis_lists = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nsis_lists)


def _app(tmp_path: Path) -> Path:
    app = tmp_path / "register-server"
    for rel in ("register-server.exe", "_internal/python311.dll", "_internal/PySide6/plugins/platforms/qwindows.dll",
                "_internal/wizard/resources/icons/logo.svg"):
        (app / rel).parent.mkdir(parents=True, exist_ok=True)
        (app / rel).write_bytes(b"x")
    (app / "_internal/empty").mkdir()
    return app


def test_every_file_is_installed_into_its_folder(tmp_path: Path) -> None:
    app = _app(tmp_path)
    install, uninstall = tmp_path / "files.nsh", tmp_path / "unfiles.nsh"
    assert nsis_lists.write_lists(app, install, uninstall)[0] == 4
    lines = install.read_text().splitlines()
    exe = lines.index(f'File "{app / "register-server.exe"}"')
    assert lines[exe - 1] == 'SetOutPath "$INSTDIR"'
    at = lines.index('SetOutPath "$INSTDIR\\_internal\\PySide6\\plugins\\platforms"')
    assert lines[at + 1] == f'File "{app / "_internal/PySide6/plugins/platforms/qwindows.dll"}"'
    assert sum(line.startswith("File ") for line in lines) == 4


def test_uninstall_deletes_each_file_then_folders_deepest_first_and_never_recursively(tmp_path: Path) -> None:
    app = _app(tmp_path)
    install, uninstall = tmp_path / "files.nsh", tmp_path / "unfiles.nsh"
    nsis_lists.write_lists(app, install, uninstall)
    lines = uninstall.read_text().splitlines()
    deletes = [line for line in lines if line.startswith("Delete ")]
    assert 'Delete "$INSTDIR\\_internal\\wizard\\resources\\icons\\logo.svg"' in deletes and len(deletes) == 4
    rmdirs = [line for line in lines if line.startswith("RMDir ")]
    assert all("/r" not in line for line in rmdirs)
    order = [line.split('"')[1].count("\\") for line in rmdirs]
    assert order == sorted(order, reverse=True)
    assert 'RMDir "$INSTDIR\\_internal\\empty"' in rmdirs
    assert lines.index(deletes[-1]) < lines.index(rmdirs[0])  # files first, then folders

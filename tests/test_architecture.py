"""The core never imports Qt: checked on the source, and on a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import wizard.core

CORE = Path(wizard.core.__file__).parent
FORBIDDEN = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "wizard.ui")


def _imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_core_module_names_qt_in_an_import() -> None:
    offenders = {
        str(path.relative_to(CORE)): sorted(n for n in _imported_names(path) if n.startswith(FORBIDDEN))
        for path in CORE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_every_core_module_loads_no_qt() -> None:
    modules = sorted(
        "wizard.core." + ".".join(p.relative_to(CORE).with_suffix("").parts).removesuffix(".__init__")
        for p in CORE.rglob("*.py")
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m.rstrip('.'))\n"
        f"bad = sorted(m for m in sys.modules if m.startswith({FORBIDDEN!r}))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


WIZARD = CORE.parent
FACES = ("ui", "commands", "docs", "cli.py", "self_test.py")
# The registration's steps: only the registration layer runs them, in its order and with its
# undo; a face that called one directly would compose its own registration again (the bug
# where the wizard never created the recovery folder the command line created).
PROCEDURE_STEPS = {"prepare_recovery_folder", "write_passphrase_file", "RegistrationClient", "new_machine_key",
                   "passphrase_verifier", "protect_private_key", "save_registration", "build_record",
                   "check_settings_on_disk"}


def _face_files() -> list[Path]:
    files: list[Path] = []
    for face in FACES:
        target = WIZARD / face
        files += sorted(target.rglob("*.py")) if target.is_dir() else [target]
    return files


def _step_uses(path: Path) -> list[str]:
    used = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if isinstance(node, ast.ImportFrom):
            used += [alias.name for alias in node.names if alias.name in PROCEDURE_STEPS]
        elif name in PROCEDURE_STEPS:
            used.append(name)
    return used


def test_no_face_runs_a_step_of_the_registration_itself() -> None:
    assert len(_face_files()) > 20  # the scan sees the faces
    offenders = {str(p.relative_to(WIZARD)): sorted(set(_step_uses(p))) for p in _face_files()}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_step_scan_sees_a_face_that_composes_its_own_registration(tmp_path: Path) -> None:
    face = tmp_path / "page.py"
    face.write_text("from wizard.core.recovery_folder import prepare_recovery_folder\n"
                    "def go(s):\n    prepare_recovery_folder(s.recovery)\n")
    assert _step_uses(face) == ["prepare_recovery_folder", "prepare_recovery_folder"]

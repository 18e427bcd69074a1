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


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _import_graph() -> dict[str, set[str]]:
    import grimp  # import-linter's own graph builder; type-checking-only imports are included

    graph = grimp.build_graph("wizard", cache_dir=None)
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def _sibling_cycles(modules: dict[str, set[str]]) -> dict[str, list[list[str]]]:
    """Per package, cycles among its children, where a child stands for everything under it.

    Stricter than module cycles: `a.x -> b.y` and `b.z -> a.w` are no module cycle, but the
    packages `a` and `b` then depend on each other, and neither can be understood first.
    """
    found: dict[str, list[list[str]]] = {}
    parents = {".".join(m.split(".")[:depth]) for m in modules for depth in range(1, m.count(".") + 1)}
    for parent in sorted(parents):
        def child(module: str) -> str | None:
            if not module.startswith(parent + "."):
                return None
            return parent + "." + module[len(parent) + 1:].split(".")[0]

        edges: dict[str, set[str]] = {}
        for module, imported in modules.items():
            source = child(module)
            if source is None:
                continue
            edges.setdefault(source, set()).update(
                target for target in map(child, imported) if target is not None and target != source)
        if cycles := _cycles(edges):
            found[parent] = cycles
    return found


def test_no_import_cycle_between_modules_or_sibling_packages() -> None:
    modules = _import_graph()
    assert len(modules) > 100
    assert _cycles(modules) == []
    assert _sibling_cycles(modules) == {}


def test_the_cycle_finders_find_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _sibling_cycles({"p.a.x": {"p.b.y"}, "p.b.z": {"p.a.w"}, "p.a.w": set(), "p.b.y": set()}) == \
        {"p": [["p.a", "p.b"]]}

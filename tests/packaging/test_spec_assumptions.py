"""What the PyInstaller spec assumes about the product, checked on the source.

The spec drops PyInstaller's multiprocessing run-time hook to save start-up time. Without it a
frozen app that starts a multiprocessing child re-runs its own command line in the child
(on Windows, every time). If the product ever needs worker processes, put the hook back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import wizard

PACKAGE = Path(wizard.__file__).parent
PROCESS_POOLS = ("multiprocessing", "concurrent.futures.process")


def test_the_product_starts_no_multiprocessing_children() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names] \
                if isinstance(node, ast.ImportFrom) else []
            if any(n == p or n.startswith(p + ".") for n in names for p in PROCESS_POOLS) or \
                    any(n == "concurrent.futures.ProcessPoolExecutor" for n in names):
                offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == [], "restore pyi_rth_multiprocessing in packaging/register-server.spec"


def test_the_spec_drops_only_the_hooks_it_documents() -> None:
    spec = (PACKAGE.parent / "packaging/register-server.spec").read_text(encoding="utf-8")
    assert 'DROPPED_RTHOOKS = {"pyi_rth_pyside6", "pyi_rth_inspect", "pyi_rth_multiprocessing"}' in spec
    assert "pyi_rth_qt_paths.py" in spec  # the replacement that tells Qt where its plugins are

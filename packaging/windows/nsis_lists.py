"""Write the NSIS install and uninstall file lists for a one-folder app.

Why explicit lists instead of `File /r` and `RMDir /r`: the uninstaller must remove exactly
the files the installer added and nothing else (an administrator may install into a folder
that already holds other files). The lists are generated from the built folder on every
build, so they never go stale.
Usage: python nsis_lists.py <app folder> <install.nsh> <uninstall.nsh>
"""

from __future__ import annotations

import sys
from pathlib import Path


def _win(rel: Path) -> str:
    return "\\".join(rel.parts)


def write_lists(app: Path, install: Path, uninstall: Path) -> tuple[int, int]:
    files = sorted(p for p in app.rglob("*") if p.is_file())
    dirs = sorted({p.parent for p in files} | {d for d in app.rglob("*") if d.is_dir()})
    lines: list[str] = []
    current: Path | None = None
    for path in files:
        rel_dir = path.parent.relative_to(app)
        if rel_dir != current:
            target = "$INSTDIR" + ("\\" + _win(rel_dir) if rel_dir.parts else "")
            lines.append(f'SetOutPath "{target}"')
            current = rel_dir
        lines.append(f'File "{path.resolve()}"')
    lines.append('SetOutPath "$INSTDIR"')
    install.write_text("\n".join(lines) + "\n", encoding="utf-8")

    un = [f'Delete "$INSTDIR\\{_win(p.relative_to(app))}"' for p in files]
    for d in sorted((d for d in dirs if d != app), key=lambda d: len(d.parts), reverse=True):
        un.append(f'RMDir "$INSTDIR\\{_win(d.relative_to(app))}"')
    uninstall.write_text("\n".join(un) + "\n", encoding="utf-8")
    return len(files), len(dirs)


if __name__ == "__main__":
    count, folders = write_lists(Path(sys.argv[1]).resolve(), Path(sys.argv[2]), Path(sys.argv[3]))
    print(f"nsis_lists: {count} files in {folders} folders")

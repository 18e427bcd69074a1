"""Icons: every one the pages ask for exists as an SVG and renders (a missing file or a missing
SVG image plugin, e.g. in a frozen build, would otherwise give silently empty icons)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from wizard.ui import assets
from wizard.ui.field_message import _ICON

UI = Path(assets.__file__).parent


def names_in_source() -> set[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in UI.glob("*.py"))
    literal = set(re.findall(r'pixmap\("([a-z-]+)"', text))
    chosen = set(re.findall(r'pixmap\("([a-z-]+)" if .+? else "([a-z-]+)"', text))
    step_icons = set(re.findall(r'_set_step\([^,]+, "([a-z-]+)"\)', text))
    return literal | {n for pair in chosen for n in pair} | step_icons


def test_every_icon_the_ui_names_is_an_svg_that_renders(qtbot: Any) -> None:
    from wizard.ui.app import application

    application()
    names = names_in_source() | set(_ICON.values()) | {f"step-{s}" for s in ("pending", "current", "done")}
    assert {"logo", "ok", "error", "running", "step-done", "warning", "info"} <= names, names  # the scan works
    for name in sorted(names):
        path = assets.resource_path(f"icons/{name}.svg")
        assert path.is_file(), path
        image = assets.pixmap(name, 16).toImage()
        assert not image.isNull(), name
        assert any(image.pixelColor(x, y).alpha() > 0 for x in range(16) for y in range(16)), f"{name} renders blank"

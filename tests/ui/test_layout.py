"""No clipped or overlapping text on any page: at the default size, at 1280x720, at the minimum size
(800x600) and at 150 % scale. `tests/ui/layout_check.py` measures each text widget's needed size
against its shown size; the first tests prove it catches what it must."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from tests.ui.layout_check import problems

ROOT = Path(__file__).resolve().parents[2]


def _window(qtbot: Any, *labels: QLabel, fixed: tuple[int, int] | None = None) -> QWidget:
    window = QWidget()
    layout = QVBoxLayout(window)
    for label in labels:
        layout.addWidget(label)
    qtbot.addWidget(window)
    window.resize(400, 300)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_check_finds_a_label_cut_off_in_width_and_a_wrapped_one_cut_in_height(qtbot: Any) -> None:
    wide = QLabel("The connection test failed. Check that the vault address is reachable from this machine.")
    wide.setObjectName("wide")
    wide.setMaximumWidth(120)
    wrapped = QLabel("A long message that wraps over several lines when the window is narrow enough. " * 3)
    wrapped.setObjectName("wrapped")
    wrapped.setWordWrap(True)
    wrapped.setFixedHeight(14)
    window = _window(qtbot, wide, wrapped)
    found = problems(window)
    assert any(p.startswith("QLabel wide") and "width" in p for p in found), found
    assert any(p.startswith("QLabel wrapped") and "height" in p for p in found), found


def test_the_check_finds_overlapping_and_cut_off_text(qtbot: Any) -> None:
    window = _window(qtbot)
    first, second = QLabel("first row", window), QLabel("second row", window)
    first.setGeometry(10, 10, 100, 20)
    second.setGeometry(20, 15, 100, 20)
    off = QLabel("below the window", window)
    off.setGeometry(10, 290, 150, 30)
    for label in (first, second, off):
        label.show()
    found = problems(window)
    assert any("overlaps" in p and "first row" in p for p in found), found
    assert any("below the window" in p and "cut off" in p for p in found), found


def _run(tmp_path: Path, *sizes: str, scale: str = "1", high_contrast: bool = False,
         language: str = "en") -> dict[str, Any]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": scale, "REGISTER_SERVER_LANG": language}
    args = [arg for size in sizes for arg in ("--size", size)] + (["--high-contrast"] if high_contrast else [])
    args += ["--words"] if language == "qps" else []
    done = subprocess.run([sys.executable, "-m", "tests.ui.layout_check", *args, "--home", str(tmp_path),
                           "--out", str(tmp_path / "png")], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("scale, sizes", [("1", ("860x640", "1280x720", "800x600")), ("1.5", ("860x640",))],
                         ids=["default-hd-minimum", "150-percent"])
def test_every_page_shows_all_its_text(tmp_path: Path, scale: str, sizes: tuple[str, ...]) -> None:
    """Every page with every message shown, the Backup Vault page after a failed Test connection,
    and the registered view; the PNGs are left in tmp_path/png for a look."""
    result = _run(tmp_path, *sizes, scale=scale)
    assert result["problems"] == []
    assert len(list((tmp_path / "png").glob("*.png"))) == 9 * len(sizes)


@pytest.mark.parametrize("scale, sizes", [("1", ("860x640", "1280x720")), ("1.5", ("860x640",))],
                         ids=["default-hd", "150-percent"])
def test_white_on_black_every_page_shows_all_its_text(tmp_path: Path, scale: str, sizes: tuple[str, ...]) -> None:
    """--high-contrast: its frames and paddings clip nothing, and what is rendered is white on black."""
    from PySide6.QtGui import QImage

    result = _run(tmp_path, *sizes, scale=scale, high_contrast=True)
    assert result["problems"] == []
    pngs = sorted((tmp_path / "png").glob("*.png"))
    assert len(pngs) == 9 * len(sizes)
    for png in pngs:
        image = QImage(str(png))
        corner = image.pixelColor(image.width() - 3, image.height() // 2)  # the page's right margin
        assert corner.lightness() < 20, (png.name, corner.name())


def test_the_check_finds_english_left_in_the_pseudo_locale_and_a_doubled_mnemonic(qtbot: Any) -> None:
    from PySide6.QtWidgets import QPushButton

    from tests.ui.layout_check import duplicate_mnemonics, english_left, untranslated
    from wizard.core.pseudo import pseudo

    assert english_left(pseudo("Browse...")) == []
    assert english_left(f"{pseudo('Step {number} of {count}: {title}')} (UTC) 2 Mbps /var/tmp") == []
    assert english_left(f"The connection test failed. {pseudo('Check the proxy.')}") == \
        ["The", "connection", "test", "failed."]
    window = _window(qtbot, QLabel(pseudo("&Address:")), QLabel("&Port:"))
    QPushButton("&Apply", window).show()
    assert [p for p in untranslated(window) if "'&Port:'" in p]
    assert duplicate_mnemonics(window) == [f"Alt+a: {pseudo('&Address:')!r} and '&Apply'"]


@pytest.mark.parametrize("language", ["qps", "de"])
def test_every_page_in_the_pseudo_locale_and_in_german_shows_all_its_text(tmp_path: Path, language: str) -> None:
    """The pseudo-locale (40 % longer, accented, bracketed; wizard/core/pseudo.py) and German at the
    default and the minimum size: nothing clipped, no English left outside the pseudo-translated
    spans (a string that misses the catalogue), no Alt+letter claimed twice on a page."""
    result = _run(tmp_path, "860x640", "800x600", language=language)
    assert result["problems"] == []
    assert result["mnemonics"] == []
    if language == "qps":
        assert result["untranslated"] == []


def test_the_window_cannot_shrink_below_a_readable_size(make_wizard: Any) -> None:
    from wizard.ui.wizard import MINIMUM_SIZE

    wizard = make_wizard()
    wizard.resize(400, 300)
    assert wizard.width() >= MINIMUM_SIZE.width() and wizard.height() >= MINIMUM_SIZE.height()

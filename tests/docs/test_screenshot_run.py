"""The whole generator, end to end: sandbox, vault, tinyproxy, keyring, the real wizard, PNGs.

Slow (about 20 s): it registers a sample server for real, once through a proxy that
refuses the password and once successfully. It proves `register-server docs` works on a
fresh machine with only what scripts/setup.sh installs, and leaves nothing behind.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.test_generated_guide import png_size
from wizard.docs.sample_data import ALL_SHOTS, HIGH_DPI_RATIO, SHOT_HEIGHT, SHOT_WIDTH
from wizard.docs.sandbox import ROOT_NAME
from wizard.docs.walkthrough import DOC_NAME, referenced_images


@pytest.mark.e2e
@pytest.mark.slow
def test_the_generator_takes_every_screenshot_and_cleans_up(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    done = subprocess.run([sys.executable, "-m", "wizard", "docs", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    markdown = (out / DOC_NAME).read_text(encoding="utf-8")
    written = sorted(p.name for p in (out / "images").glob("*.png"))
    assert written == sorted(Path(p).name for p in referenced_images(markdown))
    assert len(written) == 2 * len(ALL_SHOTS)
    for shot in ALL_SHOTS:
        assert png_size(out / "images" / shot.file) == (SHOT_WIDTH, SHOT_HEIGHT)
        assert png_size(out / "images" / shot.file_2x) == (SHOT_WIDTH * HIGH_DPI_RATIO, SHOT_HEIGHT * HIGH_DPI_RATIO)
    # The sandbox (private keyring, vault data, sample passphrase files) is gone, and so are its processes.
    import tempfile

    assert not (Path(tempfile.gettempdir()) / ROOT_NAME).exists()
    leftovers = subprocess.run(["pgrep", "-f", ROOT_NAME], capture_output=True, text=True).stdout.split()
    assert leftovers == []

"""The frozen Linux app (PyInstaller one-folder): it builds, it is trimmed, its self-test passes,
and it carries the same subcommands and wizard as the source it was built from.

Slow (about 20-40 s of building), so marked `slow`; .ci/run runs it. Builds into a temp dir,
never over a developer's packaging/out/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux"),
                                                   reason="the Linux frozen build is built on Linux")]


def _self_test(command: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180, env=env)


def _line(stdout: str, name: str) -> str:
    return next(line for line in stdout.splitlines() if line.split(" ", 1)[-1].lstrip().startswith(name + ":"))


@pytest.fixture(scope="module")
def frozen_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("frozen")
    result = subprocess.run([str(ROOT / "packaging/build_linux.sh"), "--no-self-test"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600, env={**os.environ, "BUILD_OUT": str(out)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    app = out / "register-server"
    assert (app / "register-server").is_file()
    return app


def test_frozen_self_test_passes(frozen_app: Path) -> None:
    result = _self_test([str(frozen_app / "register-server"), "--self-test"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "frozen" in _line(result.stdout, "runtime")
    assert result.stdout.rstrip().endswith("self-test: passed")


def test_frozen_app_has_the_same_commands_and_wizard_as_source(frozen_app: Path) -> None:
    frozen = _self_test([str(frozen_app / "register-server"), "--self-test"]).stdout
    source = _self_test([sys.executable, "-m", "wizard", "--self-test"]).stdout
    strip_time = lambda line: line.rsplit(" [", 1)[0]  # noqa: E731
    assert strip_time(_line(frozen, "commands")) == strip_time(_line(source, "commands"))
    # the same wizard class with the same pages, painted at the same size
    assert strip_time(_line(frozen, "qt")).split(", ", 2)[2] == strip_time(_line(source, "qt")).split(", ", 2)[2]
    assert _line(frozen, "svg").startswith("ok ")
    assert (frozen_app / "_internal/wizard/resources/wizard.qss").is_file() == \
        (ROOT / "wizard/resources/wizard.qss").is_file()


def test_frozen_version_matches(frozen_app: Path) -> None:
    from wizard import __version__

    result = subprocess.run([str(frozen_app / "register-server"), "--version"], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == f"register-server {__version__}"


def test_unused_qt_parts_are_trimmed(frozen_app: Path) -> None:
    internal = frozen_app / "_internal"
    files = [p.relative_to(internal).as_posix() for p in internal.rglob("*") if p.is_file()]
    assert [f for f in files if "wayland" in f.lower()] == []
    assert [f for f in files if "/plugins/egldeviceintegrations/" in f or "libqeglfs" in f] == []
    assert [f for f in files if "platformthemes/libqgtk3" in f or "libgtk-3" in f] == []
    translations = [f for f in files if "/translations/" in f]
    assert [f for f in translations if not any(k in f for k in ("_en.", "qt_en"))] == []
    assert [f for f in files if f.split("/")[0] in {"pytest", "_pytest", "hypothesis", "tkinter"}] == []
    # what the product needs stays: the platforms it runs on and the SVG icon plugins
    for needed in ("platforms/libqxcb.so", "platforms/libqoffscreen.so", "imageformats/libqsvg.so",
                   "iconengines/libqsvgicon.so"):
        assert any(f.endswith(needed) for f in files), needed

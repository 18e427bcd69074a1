"""The README's run command from the outside: `register-server demo`'s own process, started from
a plain root shell (`env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY -u XDG_RUNTIME_DIR`, as over SSH),
finishes a registration through the private Secret Service it starts, and leaves no daemon behind.

The wizard in that process is driven offscreen by a small script (the same page helpers as the
in-process tests, with a processEvents loop in place of pytest-qt, testing-facts.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a bare Linux server's shell")]

_DRIVER = r"""
import argparse, sys, time
from pathlib import Path
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

class Bot:
    "The three pytest-qt calls the page helpers use."
    def waitUntil(self, condition, timeout=5000):
        end = time.monotonic() + timeout / 1000
        while not condition():
            if time.monotonic() > end:
                raise TimeoutError("condition not met in time")
            QApplication.processEvents()
            time.sleep(0.005)
    def mouseClick(self, widget, button, *args, **kwargs):
        QTest.mouseClick(widget, button, *args, **kwargs)
    def keyClicks(self, widget, text, *args, **kwargs):
        QTest.keyClicks(widget, text, *args, **kwargs)

from tests.ui.helpers import click_next, fill_encryption, fill_proxy_none, fill_recovery, find
from wizard.commands import demo
from wizard.core.flow import Step
from wizard.ui import app as app_module

tmp, bot = Path(sys.argv[1]), Bot()

def run_wizard(answers=None, home=None, *, settings=None):
    app_module.application()
    from wizard.ui.wizard import create_wizard
    wizard = create_wizard(home=home, settings=settings)
    wizard.show()
    fill_proxy_none(bot, wizard)
    click_next(bot, wizard, expect=Step.VAULT)
    page = wizard.currentPage()
    page.touch("vault.credentials_file")
    bot.waitUntil(lambda: page.credentials() is not None, timeout=60_000)
    click_next(bot, wizard, expect=Step.THROTTLING)
    click_next(bot, wizard, expect=Step.RECOVERY)
    fill_recovery(bot, wizard, tmp / "recovery")
    click_next(bot, wizard, expect=Step.ENCRYPTION)
    fill_encryption(bot, wizard, tmp / "keys" / "passphrase.txt")
    click_next(bot, wizard, expect=Step.REGISTER, timeout=30_000)
    click_next(bot, wizard, timeout=30_000)
    bot.waitUntil(lambda: wizard.currentId() == int(Step.SUMMARY), timeout=120_000)
    print("REGISTERED", find(wizard, "summary.machine_id").text(), flush=True)
    wizard.close()
    return 0

app_module.run_wizard = run_wizard
sys.exit(demo.run(argparse.Namespace(home=str(tmp / "home"), vault="contoso-vault")))
"""


def _processes_mentioning(text: str) -> list[str]:
    """Processes whose environment names `text` (the demo's temporary folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            try:
                if text.encode() in (entry / "environ").read_bytes():
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                    found.append(f"{entry.name} {command}")
            except OSError:
                continue
    return found


def test_the_demo_process_registers_in_a_plain_root_shell(tmp_path: Path) -> None:
    (tmp_path / "recovery").mkdir()
    (tmp_path / "keys").mkdir()
    temp = tmp_path / "tmp"  # the demo's temporary folder (and its private keyring) goes here
    temp.mkdir()
    drop = {"DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "PYTHON_KEYRING_BACKEND"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(QT_QPA_PLATFORM="offscreen", TMPDIR=str(temp), XDG_CONFIG_HOME=str(tmp_path / "config"))
    done = subprocess.run([sys.executable, "-c", _DRIVER, str(tmp_path)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "started a private one for the demo" in done.stderr
    assert any(line.startswith("REGISTERED ") and len(line.split()) == 2 for line in done.stdout.splitlines())
    assert (tmp_path / "keys" / "passphrase.txt").is_file()
    assert _processes_mentioning(str(temp)) == []  # the vault service, dbus-daemon and gnome-keyring are gone
    assert list(temp.iterdir()) == []  # and so is the demo's temporary folder

"""Start-up stays light, the deferred pages get built, and `register-server demo` works end to end."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.ui.helpers import click_next, find
from wizard.core.flow import ORDER, Step

HEAVY = ("cryptography", "httpx", "keyring", "zxcvbn")
# Not needed to paint the first page either, only later: OpenSSL's libcrypto (through hashlib/hmac)
# and the decimal module (bandwidth parsing).
LATER = ("_hashlib", "_decimal")

_CHILD = r"""
import json, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWizardPage
from wizard.ui.app import application
app = application()
from wizard.ui.wizard import create_wizard
wizard = create_wizard(lazy=True)
seen = {}
# The secret-store check loads keyring on a worker once the window is up; recorded, not run, so
# what building the pages imports is measured alone.
wizard.secret_store.recheck = lambda: seen.setdefault("check_started", ("first" in seen, wizard.pages_built()))
class Spy(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QWizardPage) and "first" not in seen:
            seen["first"] = sorted(m for m in sys.modules if m.split(".")[0] in %(heavy)r)
            seen["later"] = sorted(m for m in sys.modules if m in %(later)r)
            seen["built_at_first_paint"] = wizard.pages_built()
        return False
spy = Spy()
app.installEventFilter(spy)
wizard.show()
while "first" not in seen or not wizard.pages_built():
    app.processEvents()
seen["after_all_pages"] = sorted(m for m in sys.modules if m.split(".")[0] in %(heavy)r)
print(json.dumps(seen))
"""


def test_heavy_modules_stay_off_the_start_up_path() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", _CHILD % {"heavy": HEAVY, "later": LATER}], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["first"] == [], seen
    assert seen["later"] == [], seen
    assert seen["built_at_first_paint"] is False  # pages 2-7 come after the first paint
    assert seen["after_all_pages"] == [], seen  # ... and still need none of them until used
    assert seen["check_started"] == [True, True]  # the secret-store check starts after the first paint


def test_lazy_wizard_builds_every_page_after_the_first_paint(qtbot: Any, dialogs: Any, tmp_path: Path) -> None:
    from wizard.ui.app import application
    from wizard.ui.wizard import create_wizard

    application()
    wizard = create_wizard(home=str(tmp_path), lazy=True)
    qtbot.addWidget(wizard)
    assert [s for s in ORDER if wizard.page(int(s)) is not None] == [Step.PROXY]
    wizard.show()
    qtbot.waitUntil(wizard.pages_built)
    click_next(qtbot, wizard, expect=Step.VAULT)
    from wizard.ui.worker import Task

    Task.wait_all(10_000)  # the pages' background checks end before the window is deleted


def test_demo_opens_the_wizard_on_a_fresh_demo_vault_and_stops_the_service(
        qtbot: Any, dialogs: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from wizard.commands import demo
    from wizard.ui import app as app_module
    from wizard.ui.wizard import create_wizard

    seen: dict[str, Any] = {}

    def run_wizard(answers: Any = None, home: Any = None, *, settings: Any = None) -> int:
        app_module.application()
        wizard = create_wizard(home=home, settings=settings)
        qtbot.addWidget(wizard)
        wizard.show()
        seen["ca"] = find(wizard, "vault.ca_bundle").text()
        click_next(qtbot, wizard, expect=Step.VAULT)
        page = wizard.currentPage()
        page.touch("vault.credentials_file")
        qtbot.waitUntil(lambda: page.credentials() is not None, timeout=30_000)
        seen["vault"] = find(wizard, "vault.details.vault").text()
        seen["file"] = Path(find(wizard, "vault.credentials_file").text())
        seen["url"] = page.credentials().token_url
        wizard.close()
        return 0

    monkeypatch.setattr(app_module, "run_wizard", run_wizard)
    status = demo.run(argparse.Namespace(home=str(tmp_path / "home"), vault="contoso-vault"))
    assert status == 0
    assert seen["vault"] == "contoso-vault"
    assert seen["file"].name.startswith("contoso-vault_") and seen["file"].suffix == ".VaultCredentials"
    assert Path(seen["ca"]).name == "ca.pem"
    address = urlparse(seen["url"])
    assert address.hostname == "127.0.0.1"  # loopback only
    with pytest.raises(OSError):  # closing the wizard stopped the service
        socket.create_connection((address.hostname, address.port), timeout=2).close()


@pytest.mark.parametrize("wizard_up_after", [0.0, 1.0])
def test_demo_process_stops_its_vault_service_when_terminated(tmp_path: Path, wizard_up_after: float) -> None:
    """The real command, as a process: SIGTERM closes the wizard and the service goes with it.

    At 0 s the signal lands while the wizard is still being imported: raising KeyboardInterrupt
    there aborted the process (SIGABRT) and left the vault running. Each case runs the demo twice
    with the same --home: the second run finds its demo vault already there and goes on."""
    import signal
    import threading
    import time

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for _ in range(2):
        process = subprocess.Popen([sys.executable, "-m", "wizard", "demo", "--home", str(tmp_path / "home")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        lines: list[str] = []

        def read() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                lines.append(line)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            start = time.monotonic()
            while not any(line.startswith("Vault service at ") for line in lines):
                assert process.poll() is None, "".join(lines)
                assert time.monotonic() - start < 60.0, "".join(lines)
                time.sleep(0.01)
            time.sleep(wizard_up_after)
            url = next(line for line in lines if line.startswith("Vault service at ")).split()[3].rstrip(";")
            address = urlparse(url)
            socket.create_connection((address.hostname, address.port), timeout=2).close()  # up while the demo is
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 8, "".join(lines)  # closed before registering: "cancelled"
            with pytest.raises(OSError):
                socket.create_connection((address.hostname, address.port), timeout=2).close()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()

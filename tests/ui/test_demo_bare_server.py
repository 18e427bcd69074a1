"""The README's run command in a plain root shell (no D-Bus session, as over SSH): the demo
brings its own secret store and finishes a registration; the wizard, without any store, says so
on its first page with the fix and offers no Register; nothing is written."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import pytest

from tests.ui.helpers import click_next, fill_encryption, fill_proxy_none, fill_recovery, find
from wizard.core.flow import Step

pytestmark = pytest.mark.e2e


def test_the_demo_starts_a_private_secret_store_and_registers_through_it(
        no_keyring: None, qtbot: Any, dialogs: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    from wizard.commands import demo
    from wizard.core.secrets.availability import secret_store_problem
    from wizard.ui import app as app_module
    from wizard.ui.wizard import create_wizard

    assert secret_store_problem() is not None  # the bare shell: no store at all
    seen: dict[str, Any] = {}

    def run_wizard(answers: Any = None, home: Any = None, *, settings: Any = None) -> int:
        app_module.application()
        wizard = create_wizard(home=home, settings=settings)
        qtbot.addWidget(wizard)
        wizard.show()
        seen["bus"] = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
        fill_proxy_none(qtbot, wizard)
        click_next(qtbot, wizard, expect=Step.VAULT)
        page = wizard.currentPage()
        page.touch("vault.credentials_file")
        qtbot.waitUntil(lambda: page.credentials() is not None, timeout=30_000)
        click_next(qtbot, wizard, expect=Step.THROTTLING)
        click_next(qtbot, wizard, expect=Step.RECOVERY)
        (tmp_path / "recovery").mkdir()
        fill_recovery(qtbot, wizard, tmp_path / "recovery")
        click_next(qtbot, wizard, expect=Step.ENCRYPTION)
        (tmp_path / "keys").mkdir()
        fill_encryption(qtbot, wizard, tmp_path / "keys" / "passphrase.txt")
        click_next(qtbot, wizard, expect=Step.REGISTER)
        click_next(qtbot, wizard)
        qtbot.waitUntil(lambda: wizard.currentId() == int(Step.SUMMARY), timeout=90_000)
        seen["machine_id"] = find(wizard, "summary.machine_id").text()
        wizard.close()
        return 0

    monkeypatch.setattr(app_module, "run_wizard", run_wizard)
    status = demo.run(argparse.Namespace(home=str(tmp_path / "home"), vault="contoso-vault"))
    assert status == 0
    assert seen["machine_id"]  # registered: the vault gave this server its identity
    assert seen["bus"].startswith("unix:path=")  # the private store's own bus
    assert "started a private one for the demo" in capsys.readouterr().err
    # stopped with the demo: the shell is bare again
    assert os.environ.get("DBUS_SESSION_BUS_ADDRESS", "") in ("", "disabled:")
    assert secret_store_problem() is not None

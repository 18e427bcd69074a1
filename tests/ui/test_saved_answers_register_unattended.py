"""The wizard's "Save answer file..." output registers unattended, unchanged (issue 6): a second
server takes the saved file as it is, with the secrets supplied by environment variables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.helpers import PASSPHRASE, click_next, find, walk_to_register
from wizard.core.answers import DEFAULT_PASSPHRASE_ENV
from wizard.core.flow import Step

pytestmark = pytest.mark.e2e


def test_saved_answer_file_registers_unattended_unchanged(make_wizard: Any, qtbot: Any, vault_service: Any,
                                                           secret_service: Any, dialogs: Any, tmp_path: Path) -> None:
    vault = vault_service.create_vault()
    credentials = vault_service.issue(vault, tmp_path / "downloads")
    wizard = make_wizard()
    walk_to_register(qtbot, wizard, credentials=credentials, ca_file=vault_service.ca_file, tmp=tmp_path)
    click_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == int(Step.SUMMARY), timeout=60_000)
    first_id = vault_service.admin.machines(vault)[0].machine_id

    answers = tmp_path / "saved.toml"
    dialogs.answers["save"] = str(answers)
    qtbot.mouseClick(find(wizard, "summary.save_answers"), Qt.MouseButton.LeftButton)
    saved = answers.read_text()
    assert PASSPHRASE not in saved

    env = {**os.environ, DEFAULT_PASSPHRASE_ENV: PASSPHRASE}
    done = subprocess.run([sys.executable, "-m", "wizard", "register", "--answers", str(answers), "--json",
                           "--home", str(tmp_path / "second-home")], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["ok"] and result["vault"] == vault
    # Same computer name, same passphrase: the vault treats it as this machine again, never a duplicate.
    assert result["re_registration"] and result["machine_id"] == first_id
    assert len(vault_service.admin.machines(vault)) == 1
    assert answers.read_text() == saved  # used unchanged

"""The wizard does what the command line does with the recovery folder (issue: the page said
"It will be created." and the folder never was; `/proc/...` passed in the wizard and failed in
`register --answers`). Real vault, real keyring, real disk."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.ui.helpers import (click_next, fill_encryption, fill_proxy_none, fill_recovery, fill_vault, find,
                              issues_of, next_button)
from wizard.core.flow import Step

pytestmark = pytest.mark.e2e


def _walk_to_recovery(qtbot: Any, wizard: Any, vault_service: Any, tmp_path: Path) -> None:
    vault = vault_service.create_vault()
    credentials = vault_service.issue(vault, tmp_path / "downloads")
    fill_proxy_none(qtbot, wizard)
    click_next(qtbot, wizard, expect=Step.VAULT)
    fill_vault(qtbot, wizard, credentials, vault_service.ca_file)
    click_next(qtbot, wizard, expect=Step.THROTTLING)
    click_next(qtbot, wizard, expect=Step.RECOVERY)


def test_a_missing_folder_ticked_for_creation_exists_after_registering(
        make_wizard: Any, qtbot: Any, vault_service: Any, secret_service: Any, tmp_path: Path) -> None:
    folder = tmp_path / "not" / "yet" / "recovery"
    wizard = make_wizard()
    _walk_to_recovery(qtbot, wizard, vault_service, tmp_path)
    fill_recovery(qtbot, wizard, folder)
    find(wizard, "recovery.create").setChecked(True)
    click_next(qtbot, wizard, expect=Step.ENCRYPTION)
    assert not folder.exists()  # nothing is created before Register
    (tmp_path / "keys").mkdir()
    fill_encryption(qtbot, wizard, tmp_path / "keys" / "passphrase.txt")
    click_next(qtbot, wizard, expect=Step.REGISTER)
    register = wizard.currentPage()
    assert "Preparing the recovery folder" in [label.text() for label in register._step_labels.values()]
    click_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == int(Step.SUMMARY), timeout=60_000)
    assert folder.is_dir()
    if os.name == "posix":
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_folder_under_proc_is_refused_before_register_in_the_wizard_and_the_cli_with_one_code(
        make_wizard: Any, qtbot: Any, vault_service: Any, secret_service: Any, tmp_path: Path) -> None:
    folder = Path("/proc/recovery")
    wizard = make_wizard()
    _walk_to_recovery(qtbot, wizard, vault_service, tmp_path)
    fill_recovery(qtbot, wizard, folder)
    find(wizard, "recovery.create").setChecked(True)
    qtbot.waitUntil(lambda: "recovery.folder: recovery.folder_not_writable" in issues_of(wizard), timeout=15_000)
    assert not next_button(wizard).isEnabled()

    vault = vault_service.create_vault()
    credentials = vault_service.issue(vault, tmp_path / "cli")
    answers = tmp_path / "answers.toml"
    answers.write_text(f"""
[proxy]
mode = "none"
[vault]
credentials_file = "{credentials}"
ca_bundle = "{vault_service.ca_file}"
[recovery]
folder = "{folder}"
create = true
[encryption]
generate = true
save_passphrase_to = "{tmp_path / 'cli-passphrase.txt'}"
""")
    done = subprocess.run([sys.executable, "-m", "wizard", "register", "--answers", str(answers), "--json",
                           "--home", str(tmp_path / "cli-home")], capture_output=True, text=True, timeout=120,
                          env={**os.environ})
    assert done.returncode != 0
    assert '"recovery.folder_not_writable"' in done.stdout, done.stdout + done.stderr
    assert not (tmp_path / "cli-passphrase.txt").exists()
    assert vault_service.admin.machines(vault) == []

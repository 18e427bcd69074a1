"""The wizard on a headless server whose secrets are in the systemd-creds store: its secret-store
check probes that store, so a root shell without any keyring is not told it cannot store secrets."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.ui.helpers import find

pytestmark = pytest.mark.e2e


def test_registered_with_systemd_creds_the_wizard_sees_a_usable_store_without_keyring(
        no_keyring: None, make_wizard: Any, qtbot: Any, vault_service: Any, tmp_path: Path) -> None:
    from tests.e2e.helpers import make_settings
    from wizard.registration import run_registration

    vault = vault_service.create_vault()
    home = tmp_path / "home"
    settings = make_settings(vault_service.issue(vault, tmp_path), ca_bundle=vault_service.ca_file,
                             passphrase_dir=tmp_path)
    run_registration(replace(settings, secret_store="systemd-creds"), home=home)  # no keyring in this process
    assert (home / "systemd-creds" / "backup-passphrase.cred").is_file()

    wizard = make_wizard(home=str(home))
    qtbot.waitUntil(lambda: wizard.secret_store.checked, timeout=30_000)
    assert wizard.secret_store.problem is None  # the keyring probe would say secrets.unavailable here
    assert not find(wizard, "save_settings.secrets_notice").isVisibleTo(wizard)


def test_an_answer_file_choosing_systemd_creds_is_probed_as_such(
        no_keyring: None, make_wizard: Any, qtbot: Any, tmp_path: Path) -> None:
    answers = tmp_path / "server.toml"
    answers.write_text('[secrets]\nstore = "systemd-creds"\n')
    wizard = make_wizard(answers=answers)
    qtbot.waitUntil(lambda: wizard.secret_store.checked, timeout=30_000)
    assert wizard.secret_store.problem is None
    assert wizard.settings.secret_store == "systemd-creds"  # and the registration will use it
    assert not find(wizard, "secrets.notice").isVisibleTo(wizard)

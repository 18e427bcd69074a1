"""The wizard opening on a passphrase change an earlier run left journalled (its answer was lost and
the vault could not be asked): it settles it through the same use case as `status`, off the GUI
thread, then shows the passphrase file now in force and says what was done. Real vault and keyring."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.helpers import make_settings
from tests.e2e.test_crash_consistency import NEW, _change, _losing_answers
from tests.ui.helpers import find
from wizard.core.errors import RegisterServerError

pytestmark = pytest.mark.e2e


def test_the_wizard_opening_finishes_an_interrupted_passphrase_change(make_wizard, qtbot, vault_service,  # type: ignore[no-untyped-def]
                                                                      secret_service, tmp_path: Path) -> None:
    from wizard.core.secrets.store import BACKUP_PASSPHRASE, SecretStore
    from wizard.registration import run_registration
    from wizard.registration.journal import JOURNAL

    vault = vault_service.create_vault()
    home = tmp_path / "home"
    run_registration(make_settings(vault_service.issue(vault, tmp_path), ca_bundle=vault_service.ca_file,
                                   passphrase_dir=tmp_path), home=home)
    new_file = tmp_path / "new.passphrase.txt"
    with pytest.raises(RegisterServerError):
        _change(tmp_path, home, new_file, _losing_answers("PUT", "POST"))
    assert (home / JOURNAL).exists()

    wizard = make_wizard(home=str(home))
    qtbot.waitUntil(lambda: "finished" in find(wizard, "registered.status").text(), timeout=30_000)
    assert find(wizard, "registered.passphrase_file").text() == str(new_file)
    assert SecretStore.for_state_dir(home).get(BACKUP_PASSPHRASE).reveal() == NEW
    assert not (home / JOURNAL).exists()

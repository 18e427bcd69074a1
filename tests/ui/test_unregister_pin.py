"""Unregister from the registered view on a vault that requires a security PIN: refused without
one and with a wrong one (the catalogued message under the PIN box, which takes the focus, and
the machine stays registered), done with the PIN the administrator issued. Real vault, real
keyring, the wizard driven like a person."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.e2e.helpers import make_settings
from tests.ui.helpers import find, type_into
from wizard.core.errors import info
from wizard.ui.accessible import looks_like_key, spoken_name

pytestmark = pytest.mark.e2e


def test_unregister_asks_for_the_security_pin_the_vault_requires(make_wizard, qtbot, vault_service,  # type: ignore[no-untyped-def]
                                                                  secret_service, dialogs, tmp_path: Path) -> None:
    from wizard.core.storage import StateStore
    from wizard.registration import run_registration

    vault = vault_service.create_vault()
    home = tmp_path / "home"
    run_registration(make_settings(vault_service.issue(vault, tmp_path), ca_bundle=vault_service.ca_file,
                                   passphrase_dir=tmp_path), home=home)
    vault_service.admin.set_pin_required(vault, True)
    wizard = make_wizard(home=str(home))
    dialogs.answers["confirm"] = True
    unregister, pin, shown = (find(wizard, "registered.unregister"), find(wizard, "registered.security_pin"),
                              find(wizard, "registered.security_pin.message"))
    assert spoken_name(pin) == "Security PIN for Unregister, if the vault requires one"
    assert not looks_like_key(pin.accessibleDescription())
    assert pin.isVisible() and not shown.isVisible()

    def refused_with(code: str) -> None:
        qtbot.mouseClick(unregister, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: shown.issue is not None and shown.issue.code == code and unregister.isEnabled(),
                        timeout=30_000)
        assert shown.isVisible() and shown.text() == info(code).message
        assert info(code).message in pin.accessibleDescription()  # read out with the box
        assert pin.hasFocus()
        assert [m.name for m in vault_service.admin.machines(vault)] == ["server01"]
        assert StateStore(home).path("registration.json").exists() and wizard.record is not None

    refused_with("security.pin_required")
    type_into(qtbot, pin, "12345678")
    refused_with("security.pin_invalid")

    issued, _ = vault_service.admin.issue_pin(vault)
    type_into(qtbot, pin, issued, leave=False)
    asked = len(dialogs.asked)
    qtbot.keyClick(pin, Qt.Key.Key_Return)  # Enter in the box is Unregister, not Finish
    assert dialogs.asked[asked][0] == "confirm" and wizard.isVisible()
    qtbot.waitUntil(lambda: wizard.record is None, timeout=30_000)
    assert vault_service.admin.machines(vault) == []
    status = find(wizard, "registered.status").text()
    assert status.startswith(f"Unregistered from vault {vault}") and issued not in status
    assert not pin.isVisible() and not shown.isVisible() and pin.text() == ""

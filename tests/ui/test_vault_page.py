"""The Backup Vault page against real credentials files from the real local vault service."""

from __future__ import annotations

import shutil
import time as _time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from tests.ui.helpers import click_next, drop_path, find, message, next_button, type_into
from wizard.core.errors import info
from wizard.core.flow import Step


def fix_shown(wizard: Any, field: str) -> str:
    """The advice under `field`'s message ("" when none is visible)."""
    widget = find(wizard, f"{field}.message")
    return str(widget.fix_text()) if widget.isVisibleTo(wizard) else ""


@pytest.fixture
def vault_wizard(make_wizard: Any, qtbot: Any) -> Any:
    wizard = make_wizard()
    click_next(qtbot, wizard, expect=Step.VAULT)
    return wizard


def test_no_file_blocks_next_and_says_so_after_leaving(vault_wizard: Any, qtbot: Any) -> None:
    assert not next_button(vault_wizard).isEnabled()
    type_into(qtbot, find(vault_wizard, "vault.credentials_file"), "")
    assert message(vault_wizard, "vault.credentials_file") == info("vault.credentials_file_required").message


def test_a_valid_file_shows_the_vault_and_a_live_countdown(vault_wizard: Any, qtbot: Any, vault_service: Any,
                                                            tmp_path: Path) -> None:
    vault = vault_service.create_vault()
    path = vault_service.issue(vault, tmp_path)
    type_into(qtbot, find(vault_wizard, "vault.credentials_file"), str(path))
    qtbot.waitUntil(lambda: find(vault_wizard, "vault.details.vault").text() == vault, timeout=15_000)
    page = vault_wizard.currentPage()
    credentials = page.credentials()
    assert find(vault_wizard, "vault.details.subscription").text() == credentials.subscription_id
    assert find(vault_wizard, "vault.details.thumbprint").text() == credentials.thumbprint_sha1
    assert find(vault_wizard, "vault.details.location").text() == credentials.location
    expires = find(vault_wizard, "vault.details.expires")
    assert expires.text().startswith(("47 h", "48 h")), expires.text()
    assert page._countdown.isActive()
    assert message(vault_wizard, "vault.credentials_file") == ""
    click_next(qtbot, vault_wizard, expect=Step.THROTTLING)
    assert vault_wizard.settings.vault.credentials_file == path


def test_an_invalid_file_is_explained_and_blocks(vault_wizard: Any, qtbot: Any, tmp_path: Path) -> None:
    bad = tmp_path / "contoso-vault_Tue Nov 24 2026.VaultCredentials"
    bad.write_text("this is not XML")
    type_into(qtbot, find(vault_wizard, "vault.credentials_file"), str(bad))
    qtbot.waitUntil(lambda: message(vault_wizard, "vault.credentials_file").startswith(
        info("credentials.invalid").message), timeout=15_000)
    # A troubleshooting case: what to do is said too, under the message.
    assert fix_shown(vault_wizard, "vault.credentials_file") == info("credentials.invalid").fix
    # ... in a row exactly as tall as its wrapped lines at the row's width (no centred gaps).
    shown = find(vault_wizard, "vault.credentials_file.message")
    qtbot.waitUntil(lambda: shown.height() == shown.layout().heightForWidth(shown.width()))
    qtbot.keyClick(find(vault_wizard, "vault.credentials_file"), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not next_button(vault_wizard).isEnabled())
    assert vault_wizard.currentId() == int(Step.VAULT)
    assert not find(vault_wizard, "vault.details").isVisible()
    assert not find(vault_wizard, "vault.test_connection").isEnabled()


def test_missing_file_is_unreadable(vault_wizard: Any, qtbot: Any, tmp_path: Path) -> None:
    type_into(qtbot, find(vault_wizard, "vault.credentials_file"), str(tmp_path / "gone.VaultCredentials"))
    qtbot.waitUntil(lambda: message(vault_wizard, "vault.credentials_file").startswith(
        info("credentials.unreadable").message), timeout=15_000)
    assert fix_shown(vault_wizard, "vault.credentials_file") == info("credentials.unreadable").fix


def _two_downloads_in_one_folder(vault_service: Any, tmp_path: Path, **older: Any) -> tuple[Path, Path]:
    """An older and a newer credentials file for one vault, side by side as in a Downloads folder."""
    vault = vault_service.create_vault()
    older_file = vault_service.issue(vault, tmp_path, **older)
    _time.sleep(1.1)  # certificates carry whole seconds; the newer one must start later
    newer_source = vault_service.issue(vault, tmp_path)
    newer_file = older_file.parent / ("newer-" + newer_source.name)
    shutil.copy(newer_source, newer_file)
    return older_file, newer_file


def _click_use_the_newer_file(wizard: Any, qtbot: Any, newer: Path) -> None:
    button = find(wizard, "vault.use_newer")
    assert button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert find(wizard, "vault.credentials_file").text() == str(newer)


def test_a_newer_file_beside_it_is_pointed_out(vault_wizard: Any, qtbot: Any, vault_service: Any,
                                               tmp_path: Path) -> None:
    older, newer = _two_downloads_in_one_folder(vault_service, tmp_path)
    type_into(qtbot, find(vault_wizard, "vault.credentials_file"), str(older))
    qtbot.waitUntil(lambda: info("credentials.superseded").message in message(vault_wizard, "vault.credentials_file"),
                    timeout=15_000)
    _click_use_the_newer_file(vault_wizard, qtbot, newer)
    qtbot.waitUntil(lambda: vault_wizard.currentPage().credentials() is not None, timeout=15_000)
    assert message(vault_wizard, "vault.credentials_file") == ""


def test_an_expired_file_offers_the_newer_one_beside_it(vault_wizard: Any, qtbot: Any, vault_service: Any,
                                                       tmp_path: Path) -> None:
    """Several downloads in one folder and the old one picked: the refusal names the newer
    file and one click switches to it."""
    from datetime import datetime, timedelta, timezone

    expired, fresh = _two_downloads_in_one_folder(vault_service, tmp_path,
                                                  now=datetime.now(timezone.utc) - timedelta(days=7))
    type_into(qtbot, find(vault_wizard, "vault.credentials_file"), str(expired))
    qtbot.waitUntil(lambda: info("credentials.expired").message in message(vault_wizard, "vault.credentials_file"),
                    timeout=15_000)
    # what to do is the file beside it, not "download a new file"
    assert fix_shown(vault_wizard, "vault.credentials_file") == \
        f"A newer file for this vault lies beside it, {fresh.name}: click Use the newer file."
    assert not next_button(vault_wizard).isEnabled()
    _click_use_the_newer_file(vault_wizard, qtbot, fresh)
    qtbot.waitUntil(lambda: next_button(vault_wizard).isEnabled(), timeout=15_000)
    assert message(vault_wizard, "vault.credentials_file") == ""


def test_dropping_a_file_selects_it(vault_wizard: Any, qtbot: Any, vault_service: Any, tmp_path: Path) -> None:
    vault = vault_service.create_vault()
    path = vault_service.issue(vault, tmp_path)
    page = vault_wizard.currentPage()
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    # Qt delivers Drop events only inside a real drag session, so the handler is called directly.
    page.dropEvent(drop)
    assert drop.isAccepted()
    assert find(vault_wizard, "vault.credentials_file").text() == str(path)
    qtbot.waitUntil(lambda: find(vault_wizard, "vault.details.vault").text() == vault, timeout=15_000)


def test_browse_uses_the_credentials_filter(vault_wizard: Any, qtbot: Any, dialogs: Any, tmp_path: Path) -> None:
    dialogs.answers["open"] = str(tmp_path / "x.VaultCredentials")
    qtbot.mouseClick(find(vault_wizard, "vault.browse"), Qt.MouseButton.LeftButton)
    kind, args = dialogs.asked[-1]
    assert kind == "open" and "*.VaultCredentials" in args[-1]
    assert find(vault_wizard, "vault.credentials_file").text() == str(tmp_path / "x.VaultCredentials")


def test_ca_file_that_is_not_pem_is_refused(vault_wizard: Any, qtbot: Any, vault_service: Any,
                                            tmp_path: Path) -> None:
    vault = vault_service.create_vault()
    type_into(qtbot, find(vault_wizard, "vault.credentials_file"), str(vault_service.issue(vault, tmp_path)))
    not_pem = tmp_path / "ca.txt"
    not_pem.write_text("hello")
    type_into(qtbot, find(vault_wizard, "vault.ca_bundle"), str(not_pem))
    qtbot.waitUntil(lambda: message(vault_wizard, "vault.ca_bundle") == info("vault.ca_bundle_unreadable").message,
                    timeout=15_000)
    assert not next_button(vault_wizard).isEnabled()
    type_into(qtbot, find(vault_wizard, "vault.ca_bundle"), str(vault_service.ca_file))
    qtbot.waitUntil(lambda: next_button(vault_wizard).isEnabled() and message(vault_wizard, "vault.ca_bundle") == "",
                    timeout=15_000)


def _wait_for_test(qtbot: Any, wizard: Any) -> None:
    qtbot.waitUntil(lambda: find(wizard, "vault.test_connection").isEnabled()
                    and find(wizard, "vault.test_status").text() not in ("", "Testing..."), timeout=30_000)


def test_connection_test_walks_every_step(vault_wizard: Any, qtbot: Any, vault_service: Any, tmp_path: Path) -> None:
    vault = vault_service.create_vault()
    type_into(qtbot, find(vault_wizard, "vault.credentials_file"), str(vault_service.issue(vault, tmp_path)))
    type_into(qtbot, find(vault_wizard, "vault.ca_bundle"), str(vault_service.ca_file))
    qtbot.waitUntil(find(vault_wizard, "vault.test_connection").isEnabled, timeout=15_000)  # once the file is read
    qtbot.mouseClick(find(vault_wizard, "vault.test_connection"), Qt.MouseButton.LeftButton)
    _wait_for_test(qtbot, vault_wizard)
    assert find(vault_wizard, "vault.test_status").text() == "The vault can be reached."
    for step in ("proxy_choice", "dns", "tcp", "proxy", "tls", "token_endpoint"):
        assert find(vault_wizard, f"vault.check.{step}").text()


def test_connection_test_reports_an_untrusted_certificate(vault_wizard: Any, qtbot: Any, vault_service: Any,
                                                          tmp_path: Path) -> None:
    vault = vault_service.create_vault()
    type_into(qtbot, find(vault_wizard, "vault.credentials_file"), str(vault_service.issue(vault, tmp_path)))
    qtbot.waitUntil(find(vault_wizard, "vault.test_connection").isEnabled, timeout=15_000)  # once the file is read
    qtbot.mouseClick(find(vault_wizard, "vault.test_connection"), Qt.MouseButton.LeftButton)
    _wait_for_test(qtbot, vault_wizard)
    assert find(vault_wizard, "vault.test_status").text().startswith("The connection test failed.")
    assert info("tls.untrusted").fix in find(vault_wizard, "vault.test_status").text()
    assert find(vault_wizard, "vault.check.tls").text() == info("tls.untrusted").message or \
        info("tls.untrusted").message in find(vault_wizard, "vault.check.tls").text()


def test_a_file_dropped_onto_a_path_field_replaces_its_text(vault_wizard: Any, qtbot: Any, vault_service: Any,
                                                            tmp_path: Path) -> None:
    """The field is where people drop a file: it must take the path, not insert a file:// URL."""
    vault = vault_service.create_vault()
    path = vault_service.issue(vault, tmp_path)
    field = find(vault_wizard, "vault.credentials_file")
    type_into(qtbot, field, str(tmp_path / "old.VaultCredentials"))
    assert drop_path(field, path)
    assert field.text() == str(path)
    qtbot.waitUntil(lambda: find(vault_wizard, "vault.details.vault").text() == vault, timeout=15_000)
    ca_field = find(vault_wizard, "vault.ca_bundle")
    assert drop_path(ca_field, vault_service.ca_file)
    assert ca_field.text() == str(vault_service.ca_file)
    assert field.text() == str(path)  # the credentials file stays what it was

"""End to end: click through the whole wizard and register against the real local vault.

Real parts: the vault service over HTTPS (its own CA), the Secret Service keyring, the
passphrase file on disk. The registration runs in a worker thread (the procedure's step log
says which); how long the GUI thread may stall is a benchmark (benchmarks/bench_gui_stall.py),
never a pass/fail figure.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWizard

from tests.ui.helpers import PASSPHRASE, click_next, find, next_button, type_back_from_file, walk_to_register
from wizard.core.errors import info
from wizard.core.flow import Step
from wizard.registration.procedure import STEPS

pytestmark = pytest.mark.e2e


@pytest.fixture
def ready(make_wizard: Any, qtbot: Any, vault_service: Any, secret_service: Any, tmp_path: Path) -> Any:
    """A wizard on the Register page with valid settings for a fresh vault."""
    vault = vault_service.create_vault()
    credentials = vault_service.issue(vault, tmp_path / "downloads")
    wizard = make_wizard()
    walk_to_register(qtbot, wizard, credentials=credentials, ca_file=vault_service.ca_file, tmp=tmp_path)
    wizard.vault_name = vault
    return wizard


def machines_name(vault_service: Any, wizard: Any) -> str:
    return str(vault_service.admin.machines(wizard.vault_name)[0].name)


def test_click_through_and_register(ready: Any, qtbot: Any, vault_service: Any, tmp_path: Path,
                                    dialogs: Any, caplog: Any) -> None:
    wizard = ready
    register = wizard.currentPage()
    assert wizard.side_panel.current() is Step.REGISTER
    assert ready.vault_name in register.intro.text()
    assert register.subTitle().startswith("Check what will be registered")
    # What the Register page shows the moment it succeeds (before moving on to the Summary):
    # the finished state, nothing left to click on a page that cannot be undone.
    seen: dict[str, Any] = {}

    def finished(result: Any) -> None:
        seen.update(subtitle=register.subTitle(), intro=register.intro.text(),
                    back=wizard.button(QWizard.WizardButton.BackButton).isEnabled(),
                    commit=wizard.button(QWizard.WizardButton.CommitButton).isEnabled())

    register.registered.connect(finished)
    caplog.set_level(logging.INFO, logger="wizard.registration.procedure")
    click_next(qtbot, wizard)  # the commit button: "Register"
    assert register.running()
    assert not next_button(wizard).isEnabled()
    assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled()
    assert "Cancel" in register.subTitle()
    qtbot.waitUntil(lambda: wizard.currentId() == int(Step.SUMMARY), timeout=60_000)
    # Every step ran off the GUI thread (how long the GUI thread stalls is measured, not asserted:
    # benchmarks/bench_gui_stall.py).
    steps = [r for r in caplog.records if r.getMessage().startswith("registration step")]
    assert len(steps) == len(STEPS) and {r.threadName for r in steps}.isdisjoint({threading.main_thread().name}), \
        [(r.getMessage(), r.threadName) for r in steps]
    assert seen == {"subtitle": "Registration complete.", "back": False, "commit": False,
                    "intro": f"This server, <b>{machines_name(vault_service, ready)}</b>, is now registered "
                             f"with the vault <b>{ready.vault_name}</b>."}, seen

    # The summary shows what the vault recorded.
    machines = vault_service.admin.machines(ready.vault_name)
    assert len(machines) == 1
    assert find(wizard, "summary.vault").text() == ready.vault_name
    assert find(wizard, "summary.machine_id").text() == machines[0].machine_id
    assert find(wizard, "summary.recovery").text() == str(tmp_path / "recovery")
    # The passphrase file exists and holds the passphrase; a commit page cannot be undone.
    assert PASSPHRASE in (tmp_path / "keys" / "passphrase.txt").read_text()
    assert not wizard.button(QWizard.WizardButton.BackButton).isVisible() or \
        not wizard.button(QWizard.WizardButton.BackButton).isEnabled()

    # Save answer file... writes one the unattended mode accepts, without secrets.
    answers = tmp_path / "answers.toml"
    dialogs.answers["save"] = str(answers)
    qtbot.mouseClick(find(wizard, "summary.save_answers"), Qt.MouseButton.LeftButton)
    text = answers.read_text()
    assert PASSPHRASE not in text
    from wizard.core.answers import load_answers

    loaded = load_answers(answers).settings
    assert loaded.vault == wizard.settings.vault
    assert loaded.recovery.path == wizard.settings.recovery.path
    qtbot.mouseClick(find(wizard, "summary.copy_command"), Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == f"register-server register --answers {answers}"
    # Finish waits until characters of the passphrase are typed back from the file just saved.
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    type_back_from_file(qtbot, wizard)
    qtbot.waitUntil(wizard.button(QWizard.WizardButton.FinishButton).isEnabled, timeout=30_000)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result is not None and not wizard.isVisible()


def test_a_failure_offers_the_page_that_fixes_it(make_wizard: Any, qtbot: Any, vault_service: Any,
                                                 secret_service: Any, tmp_path: Path) -> None:
    vault = vault_service.create_vault()
    credentials = vault_service.issue(vault, tmp_path / "downloads")
    wizard = make_wizard()
    # No CA certificate: the vault's private TLS certificate is not trusted.
    walk_to_register(qtbot, wizard, credentials=credentials, ca_file=None, tmp=tmp_path)
    register = wizard.currentPage()
    click_next(qtbot, wizard)
    qtbot.waitUntil(lambda: register.error is not None, timeout=60_000)
    assert register.error.code == "tls.untrusted"
    assert find(wizard, "register.error_message").text().startswith(info("tls.untrusted").message)
    assert find(wizard, "register.error_fix").text() == info("tls.untrusted").fix
    assert register.subTitle().startswith("The server was not registered.")
    go = find(wizard, "register.go_to_fix")
    assert go.isVisible() and "Backup Vault" in go.text()
    # A screen reader user lands on the fix and hears the error (not Back, not silence).
    assert wizard.focusWidget() is go
    assert info("tls.untrusted").message in find(wizard, "register.error").accessibleDescription()
    if os.environ.get("SCREENSHOT_DIR"):  # for reviewing the failure state by eye
        wizard.grab().save(os.path.join(os.environ["SCREENSHOT_DIR"], "6-register-failed.png"))
    assert wizard.currentId() == int(Step.REGISTER)
    assert next_button(wizard).isEnabled()  # "Register" again is possible right away
    qtbot.mouseClick(go, Qt.MouseButton.LeftButton)
    assert wizard.currentId() == int(Step.VAULT)
    assert wizard.side_panel.current() is Step.VAULT
    assert vault_service.admin.machines(vault) == []


def test_cancel_stops_the_registration(ready: Any, qtbot: Any, vault_service: Any) -> None:
    wizard = ready
    register = wizard.currentPage()
    click_next(qtbot, wizard)
    wizard.button(QWizard.WizardButton.CancelButton).click()  # while it runs
    qtbot.waitUntil(lambda: not register.running(), timeout=60_000)
    assert register.error is not None and register.error.code == "operation.cancelled"
    assert not find(wizard, "register.go_to_fix").isVisible()
    assert register.subTitle() == "The registration was cancelled. Nothing was registered."
    assert "Click Register" in find(wizard, "register.error_fix").text()
    assert wizard.isVisible() and wizard.currentId() == int(Step.REGISTER)
    assert vault_service.admin.machines(ready.vault_name) == []
    # Trying again works.
    click_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == int(Step.SUMMARY), timeout=60_000)
    assert len(vault_service.admin.machines(ready.vault_name)) == 1


def test_answer_file_prefills_every_page_but_no_secret(make_wizard: Any, qtbot: Any, tmp_path: Path) -> None:
    from dataclasses import replace

    from wizard.core.answers import dump_answers
    from wizard.core.model import (EncryptionSettings, ProxyMode, ProxySettings, RecoveryFolder,
                                   RegistrationSettings, ThrottlingSchedule, VaultSettings)
    from wizard.core.secret import Secret

    settings = RegistrationSettings(
        proxy=ProxySettings(ProxyMode.CUSTOM, "proxy.contoso.com", 3128, "svc", Secret("pw")),
        vault=VaultSettings(tmp_path / "c.VaultCredentials", None),
        throttling=replace(ThrottlingSchedule(), enabled=True),
        recovery=RecoveryFolder(tmp_path / "rec", create=True),
        encryption=EncryptionSettings(save_to=tmp_path / "p.txt"),
    )
    answers = tmp_path / "answers.toml"
    answers.write_text(dump_answers(settings))
    wizard = make_wizard(answers=str(answers))
    assert find(wizard, "proxy.mode.custom").isChecked()
    assert find(wizard, "proxy.host").text() == "proxy.contoso.com"
    assert find(wizard, "proxy.port").text() == "3128"
    assert find(wizard, "proxy.username").text() == "svc"
    assert find(wizard, "proxy.password").text() == ""  # secrets are typed, never pre-filled
    assert find(wizard, "vault.credentials_file").text() == str(tmp_path / "c.VaultCredentials")
    assert find(wizard, "throttling.enabled").isChecked()
    assert find(wizard, "throttling.work_bandwidth").text() == "2"
    assert find(wizard, "recovery.folder").text() == str(tmp_path / "rec")
    assert find(wizard, "encryption.save_passphrase_to").text() == str(tmp_path / "p.txt")
    assert find(wizard, "encryption.passphrase").text() == ""
    assert not find(wizard, "encryption.stored_safely").isChecked()  # the acknowledgement is the person's own
    # The cursor waits where the administrator has to type: the proxy password.
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is find(wizard, "proxy.password"))


def test_register_through_an_authenticated_proxy_after_fixing_its_password(
        make_wizard: Any, qtbot: Any, vault_service: Any, secret_service: Any, proxy_factory: Any,
        tmp_path: Path) -> None:
    """A wrong proxy password fails with the proxy's code; "Go to" leads back to fix it; then it works."""
    from tests.ui.helpers import type_into

    proxy = proxy_factory("tinyproxy", auth=True, connect_ports=(vault_service.port,))
    vault = vault_service.create_vault()
    credentials = vault_service.issue(vault, tmp_path / "downloads")
    wizard = make_wizard()
    walk_to_register(qtbot, wizard, credentials=credentials, ca_file=vault_service.ca_file, tmp=tmp_path,
                     proxy=(proxy.port, proxy.username, "not-the-password"))
    register = wizard.currentPage()
    click_next(qtbot, wizard)
    qtbot.waitUntil(lambda: register.error is not None, timeout=60_000)
    assert register.error.code == "proxy.auth_required"
    go = find(wizard, "register.go_to_fix")
    assert "Proxy Configuration" in go.text()
    qtbot.mouseClick(go, Qt.MouseButton.LeftButton)
    assert wizard.currentId() == int(Step.PROXY)
    type_into(qtbot, find(wizard, "proxy.password"), proxy.password)
    for step in (Step.VAULT, Step.THROTTLING, Step.RECOVERY, Step.ENCRYPTION, Step.REGISTER):
        click_next(qtbot, wizard, expect=step)
    click_next(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.currentId() == int(Step.SUMMARY), timeout=60_000)
    assert len(vault_service.admin.machines(vault)) == 1
    assert f"127.0.0.1:{proxy.port}" in find(wizard, "summary.proxy").text()
    assert proxy.password not in repr(wizard.settings)

"""The Proxy page's sign-in choices: the scheme list and integrated sign-in, typed and clicked
like a person, and a registration through a real Kerberos proxy with integrated sign-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible

from tests.ui.helpers import click_next, find, leave_field, message, next_button, type_into, walk_to_register
from wizard.core.errors import info
from wizard.core.flow import Step
from wizard.core.model import ProxyAuth, RegistrationSettings


def _custom(qtbot: Any, wizard: Any, host: str = "localhost", port: int = 3128) -> None:
    find(wizard, "proxy.mode.custom").setChecked(True)
    type_into(qtbot, find(wizard, "proxy.host"), host)
    type_into(qtbot, find(wizard, "proxy.port"), str(port))


def test_integrated_sign_in_greys_out_user_and_password_and_needs_neither(make_wizard: Any, qtbot: Any) -> None:
    wizard = make_wizard()
    _custom(qtbot, wizard)
    type_into(qtbot, find(wizard, "proxy.username"), "backup-svc")
    assert not next_button(wizard).isEnabled()  # a user name without a password
    integrated = find(wizard, "proxy.integrated")
    qtbot.mouseClick(integrated, Qt.MouseButton.LeftButton)
    assert integrated.isChecked()
    assert not find(wizard, "proxy.username").isEnabled() and not find(wizard, "proxy.password").isEnabled()
    assert next_button(wizard).isEnabled()
    proxy = wizard.currentPage().apply(RegistrationSettings()).proxy
    assert proxy.integrated and proxy.username == "" and proxy.password is None and proxy.auth is ProxyAuth.AUTO


def test_integrated_with_basic_is_refused_under_the_scheme_list(make_wizard: Any, qtbot: Any) -> None:
    wizard = make_wizard()
    _custom(qtbot, wizard)
    qtbot.mouseClick(find(wizard, "proxy.integrated"), Qt.MouseButton.LeftButton)
    auth = find(wizard, "proxy.auth")
    auth.setCurrentIndex(auth.findData(ProxyAuth.BASIC.value))
    leave_field(auth)  # its message shows once the list is left
    assert message(wizard, "proxy.auth") == info("proxy.integrated_scheme").message
    assert not next_button(wizard).isEnabled()
    auth.setCurrentIndex(auth.findData(ProxyAuth.NEGOTIATE.value))
    assert next_button(wizard).isEnabled()


def test_the_new_controls_have_names_people_hear(make_wizard: Any) -> None:
    wizard = make_wizard()
    integrated = find(wizard, "proxy.integrated")
    name = QAccessible.queryAccessibleInterface(integrated).text(QAccessible.Text.Name)
    assert name.startswith("Use my Windows sign-in") and "proxy." not in name
    auth = find(wizard, "proxy.auth")
    assert auth.accessibleName() == "Sign-in"
    assert [auth.itemText(i) for i in range(auth.count())] == [
        "Automatic (strongest offered)", "Basic", "Digest", "NTLM", "Negotiate (Kerberos)"]


def test_an_answer_file_with_integrated_negotiate_fills_the_page(make_wizard: Any, tmp_path: Path) -> None:
    from wizard.core.answers import parse_answers

    answers = parse_answers('[proxy]\nmode = "custom"\nhost = "localhost"\nport = 3128\nauth = "negotiate"\n'
                            'integrated = true\n')
    wizard = make_wizard()
    wizard.currentPage().load(answers.settings)
    assert find(wizard, "proxy.integrated").isChecked()
    assert find(wizard, "proxy.auth").currentData() == "negotiate"


@pytest.mark.e2e
def test_the_wizard_registers_through_a_kerberos_proxy_with_integrated_sign_in(
        make_wizard: Any, qtbot: Any, vault_service: Any, secret_service: Any, kerberos_realm: Any,
        sign_in_squid: Any, monkeypatch: Any, tmp_path: Path) -> None:
    for name, value in kerberos_realm.env().items():
        monkeypatch.setenv(name, value)
    cache = kerberos_realm.ticket_cache(tmp_path.name)
    kerberos_realm.kinit(cache)
    monkeypatch.setenv("KRB5CCNAME", cache)
    squid = sign_in_squid("negotiate", realm=kerberos_realm)
    vault = vault_service.create_vault()
    credentials = vault_service.issue(vault, tmp_path / "downloads")
    wizard = make_wizard()
    _custom(qtbot, wizard, "localhost", squid.port)
    qtbot.mouseClick(find(wizard, "proxy.integrated"), Qt.MouseButton.LeftButton)
    walk_to_register(qtbot, wizard, credentials=credentials, ca_file=vault_service.ca_file, tmp=tmp_path,
                     proxy=None, keep_proxy=True)
    click_next(qtbot, wizard)  # Register
    click_next_done = lambda: wizard.currentId() == int(Step.SUMMARY)  # noqa: E731
    qtbot.waitUntil(click_next_done, timeout=60_000)
    assert [m.name for m in vault_service.admin.machines(vault)]

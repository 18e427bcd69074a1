"""Registering through real squid proxies that ask for Negotiate (Kerberos), NTLM and Digest.

The realm is a real MIT KDC on loopback (tests/support/fixtures_sign_in_kerberos.py), the proxy squid with
its own helpers (tests/support/fixtures_sign_in_squid.py); the client is the product's, end to end.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from tests.e2e.helpers import make_settings
from tests.support.fixtures_proxy import PROXY_PASSWORD, PROXY_USER
from wizard.core.errors import RegisterServerError
from wizard.core.model import ProxyAuth, ProxyMode, ProxySettings
from wizard.core.secret import Secret
from wizard.registration import run_registration
from wizard.registration.connection import test_connection as check_connection

pytestmark = pytest.mark.e2e


@pytest.fixture
def creds(vault_service, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    return vault_service.issue(vault_service.create_vault(), tmp_path)


@pytest.fixture
def ticket(kerberos_realm, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    """This test's own ticket cache, holding alice's ticket; the realm's config for the client."""
    for name, value in kerberos_realm.env().items():
        monkeypatch.setenv(name, value)
    cache = kerberos_realm.ticket_cache(tmp_path.name)
    kerberos_realm.kinit(cache)
    monkeypatch.setenv("KRB5CCNAME", cache)
    return cache


def _proxy(squid, **kw) -> ProxySettings:  # type: ignore[no-untyped-def]
    return ProxySettings(mode=ProxyMode.CUSTOM, host=squid.host, port=squid.port, **kw)


def _register(creds: Path, vault_service, tmp_path: Path, proxy: ProxySettings):  # type: ignore[no-untyped-def]
    settings = make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path, proxy=proxy)
    return run_registration(settings, home=tmp_path / "home")


def _password() -> dict[str, object]:
    return {"username": PROXY_USER, "password": Secret(PROXY_PASSWORD)}


def test_integrated_negotiate_registers_with_the_kerberos_ticket(
        vault_service, creds, kerberos_realm, ticket, sign_in_squid, secret_service, tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    squid = sign_in_squid("negotiate", realm=kerberos_realm)
    with caplog.at_level(logging.INFO, logger="wizard.net.proxy_auth"):
        result = _register(creds, vault_service, tmp_path, _proxy(squid, integrated=True))
    assert result.machine_id
    # squid answers the CONNECT with a bare 200 (no final token): no mutual authentication offered
    assert "signed in with Negotiate in 2 steps on one connection" in caplog.text, caplog.text
    assert "alice@REGISTER.TEST" in (kerberos_realm.directory / "kdc.log").read_text()  # the KDC issued its ticket


def test_integrated_negotiate_without_a_ticket_is_proxy_auth_required_with_the_fix(
        vault_service, creds, kerberos_realm, sign_in_squid, secret_service, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for name, value in kerberos_realm.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("KRB5CCNAME", kerberos_realm.ticket_cache(f"empty-{tmp_path.name}"))
    squid = sign_in_squid("negotiate", realm=kerberos_realm)
    with pytest.raises(RegisterServerError) as caught:
        _register(creds, vault_service, tmp_path, _proxy(squid, integrated=True))
    assert caught.value.code == "proxy.auth_required" and caught.value.reason == "no_ticket"
    assert "kinit" in caught.value.fix and "Negotiate" in caught.value.message
    # Retry works: with a ticket the same settings register.
    cache = kerberos_realm.ticket_cache(f"retry-{tmp_path.name}")
    kerberos_realm.kinit(cache)
    monkeypatch.setenv("KRB5CCNAME", cache)
    assert _register(creds, vault_service, tmp_path, _proxy(squid, integrated=True)).machine_id


def test_auto_picks_negotiate_over_basic_and_the_connection_test_names_it(
        vault_service, creds, kerberos_realm, ticket, sign_in_squid, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    squid = sign_in_squid("basic", "negotiate", realm=kerberos_realm)
    settings = make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path,
                             proxy=_proxy(squid, integrated=True))
    checks = check_connection(settings)
    assert all(c.ok for c in checks), checks
    proxy_line = next(c for c in checks if c.step == "proxy")
    assert "signing in with Negotiate as the signed-in identity" in proxy_line.detail, proxy_line


def test_ntlm_handshake_completes_on_one_connection(
        vault_service, creds, sign_in_squid, secret_service, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    squid = sign_in_squid("ntlm")
    proxy = _proxy(squid, auth=ProxyAuth.NTLM, **_password())
    assert _register(creds, vault_service, tmp_path, proxy).machine_id
    # The connection test walks the same tunnel on the one socket it opened itself: had the
    # handshake needed a second connection, create_connection would have been called again.
    opened: list[object] = []
    real = socket.create_connection
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: opened.append(a) or real(*a, **k))
    settings = make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path, proxy=proxy)
    opened_when_signed_in: list[int] = []
    checks = check_connection(settings, on_step=lambda c: c.step == "proxy" and opened_when_signed_in.append(
        len(opened)))
    assert all(c.ok for c in checks), checks
    assert "signing in with NTLM as fleet" in next(c for c in checks if c.step == "proxy").detail
    assert opened_when_signed_in == [1] and opened[0][0] == ("localhost", squid.port)


def test_digest_signs_in_through_digest_file_auth_and_a_wrong_password_is_refused(
        vault_service, creds, sign_in_squid, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    squid = sign_in_squid("digest")
    with pytest.raises(RegisterServerError) as caught:
        _register(creds, vault_service, tmp_path, _proxy(squid, username=PROXY_USER, password=Secret("wrong")))
    assert caught.value.code == "proxy.auth_required" and "Digest" in caught.value.message
    assert _register(creds, vault_service, tmp_path, _proxy(squid, **_password())).machine_id


def test_a_scheme_the_proxy_does_not_offer_is_auth_unsupported_naming_what_it_offers(
        vault_service, creds, sign_in_squid, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    squid = sign_in_squid("digest")
    with pytest.raises(RegisterServerError) as caught:
        _register(creds, vault_service, tmp_path, _proxy(squid, auth=ProxyAuth.NTLM, **_password()))
    assert caught.value.code == "proxy.auth_unsupported" and "offers Digest" in caught.value.message

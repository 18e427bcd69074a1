"""Protocol-level and transport edge cases end to end: replay, concurrency, TLS 1.1, test_connection.

These use the real client pieces (`VaultHttp`, `RegistrationClient`) against the real vault
service over HTTPS, except where a special server (TLS 1.1 only) is the point.
"""

from __future__ import annotations

import socket
import ssl
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest

from tests.e2e.helpers import cancel_while_waiting, make_settings, proxy_settings
from tests.support.fixtures_proxy import free_port
from wizard.core.credentials import read_credentials
from wizard.core.errors import RegisterServerError
from wizard.core.model import ProxyMode, ProxySettings
from wizard.core.registration import wire
from wizard.registration import connection, run_registration
from wizard.core.registration.protocol import (RegistrationClient, client_assertion, new_machine_key,
                                               passphrase_verifier)
from wizard.core.secret import Secret
from wizard.net.client import VaultHttp, open_client

pytestmark = pytest.mark.e2e


def _http(vault_service, proxy: ProxySettings | None = None) -> VaultHttp:  # type: ignore[no-untyped-def]
    client = open_client(proxy or ProxySettings(), target_url=vault_service.url, ca_bundle=vault_service.ca_file)
    return VaultHttp(client, via_proxy=proxy is not None and proxy.mode is not ProxyMode.NONE)


def test_replayed_assertion_is_refused(vault_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    credentials = read_credentials(vault_service.issue(vault_service.create_vault(), tmp_path))
    assertion = client_assertion(credentials, now=datetime.now(timezone.utc))
    form = {"grant_type": wire.GRANT_TYPE, "client_assertion_type": wire.ASSERTION_TYPE,
            "client_assertion": assertion}
    with _http(vault_service) as http:
        assert http.post_form(credentials.token_url, form)["access_token"]
        with pytest.raises(RegisterServerError) as excinfo:
            http.post_form(credentials.token_url, form)
    assert excinfo.value.code == "auth.replayed"


def test_assertion_signed_by_another_key_is_invalid(vault_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    name = vault_service.create_vault()
    genuine = read_credentials(vault_service.issue(name, tmp_path))
    from dataclasses import replace

    from cryptography.hazmat.primitives.asymmetric import rsa

    forged = replace(genuine, private_key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    with _http(vault_service) as http, pytest.raises(RegisterServerError) as excinfo:
        RegistrationClient(http).token(forged, now=datetime.now(timezone.utc))
    assert excinfo.value.code == "credentials.invalid"


def test_clock_far_off_is_clock_skew(vault_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    credentials = read_credentials(vault_service.issue(vault_service.create_vault(), tmp_path))
    from datetime import timedelta

    with _http(vault_service) as http, pytest.raises(RegisterServerError) as excinfo:
        RegistrationClient(http).token(credentials, now=datetime.now(timezone.utc) + timedelta(hours=1))
    assert excinfo.value.code == "auth.clock_skew"


def test_one_machine_name_never_yields_two_records(vault_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    name = vault_service.create_vault()
    credentials = read_credentials(vault_service.issue(name, tmp_path))
    verifier = passphrase_verifier(Secret("same passphrase for all 16"), resource_id=credentials.resource_id,
                                   machine_name="twin")
    barrier = threading.Barrier(12)

    def register(_: int) -> tuple[str, bool]:
        with _http(vault_service) as http:
            client = RegistrationClient(http)
            token = client.token(credentials, now=datetime.now(timezone.utc))
            key = new_machine_key("twin")
            barrier.wait(timeout=30)
            machine = client.register(credentials, token, machine_name="twin", csr_pem=key.csr_pem,
                                      verifier=verifier)
            return machine.machine_id, machine.re_registration

    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(register, range(12)))
    assert len({machine_id for machine_id, _ in results}) == 1
    assert sorted(re for _, re in results) == [False] + [True] * 11
    assert [m.name for m in vault_service.admin.machines(name)] == ["twin"]


def test_machine_names_differing_in_case_are_one_machine(vault_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    name = vault_service.create_vault()
    credentials = read_credentials(vault_service.issue(name, tmp_path))
    ids = []
    with _http(vault_service) as http:
        client = RegistrationClient(http)
        for spelling in ("Server7", "SERVER7"):
            verifier = passphrase_verifier(Secret("same passphrase for all 16"),
                                           resource_id=credentials.resource_id, machine_name=spelling)
            token = client.token(credentials, now=datetime.now(timezone.utc))
            ids.append(client.register(credentials, token, machine_name=spelling,
                                       csr_pem=new_machine_key(spelling).csr_pem, verifier=verifier).machine_id)
    assert ids[0] == ids[1]
    assert len(vault_service.admin.machines(name)) == 1


@pytest.fixture
def tls11_server(vault_service) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """A server offering only TLS 1.0/1.1 (OpenSSL 3 needs SECLEVEL=0 to offer them at all)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(vault_service.data_dir / "tls" / "server.pem", vault_service.data_dir / "tls" / "server.key")
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    handshakes: list[str] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1024)
            except (ssl.SSLError, OSError) as exc:
                handshakes.append(type(exc).__name__)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    listener.close()


def _creds_for(vault_service, tmp_path: Path, base_url: str) -> Path:  # type: ignore[no-untyped-def]
    return vault_service.admin.issue_credentials(vault_service.create_vault(), tmp_path / "special",
                                                 base_url=base_url)


def test_server_offering_only_tls11_fails_with_tls_version(
        vault_service, tls11_server, auth_proxy, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    creds = _creds_for(vault_service, tmp_path, f"https://127.0.0.1:{tls11_server}")
    for proxy in (None, proxy_settings(auth_proxy)):
        settings = make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path, proxy=proxy)
        with pytest.raises(RegisterServerError) as excinfo:
            run_registration(settings, home=tmp_path / "home")
        assert excinfo.value.code == "tls.version"


def test_connection_check_walks_every_layer(vault_service, auth_proxy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    creds = vault_service.issue(vault_service.create_vault(), tmp_path)
    settings = make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path,
                             proxy=proxy_settings(auth_proxy))
    seen: list[str] = []
    checks = connection.test_connection(settings, on_step=lambda c: seen.append(c.step))
    assert [(c.step, c.ok) for c in checks] == [(s, True) for s in ("proxy_choice", "dns", "tcp", "proxy", "tls", "token_endpoint")]
    assert seen == [c.step for c in checks]
    # the last line is for an administrator: which service answered, not a bare HTTP status
    assert checks[-1].detail == "the vault's sign-in service at 127.0.0.1 answers"


def test_connection_check_is_cancelled_behind_a_silent_proxy(vault_service, silent_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The proxy accepts and never answers CONNECT: a cancel (the wizard closing) ends the test
    at once instead of holding it, and the window waiting for it, until the timeouts."""
    from wizard.core.errors import Cancelled
    from wizard.core.model import ProxyMode, ProxySettings
    from wizard.registration import CancelToken

    creds = vault_service.issue(vault_service.create_vault(), tmp_path)
    settings = make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path,
                             proxy=ProxySettings(mode=ProxyMode.CUSTOM, host="127.0.0.1", port=silent_server))
    cancel = CancelToken()
    outcome = cancel_while_waiting(lambda blocked: connection.test_connection(
        settings, cancel=cancel, on_step=lambda c: blocked() if c.step == "tcp" else None), cancel)
    assert isinstance(outcome, Cancelled), outcome


@pytest.mark.parametrize("case, step, code", [
    ("wrong_password", "proxy", "proxy.auth_required"),
    ("proxy_down", "tcp", "proxy.unreachable"),
    ("untrusted", "tls", "tls.untrusted"),
    ("vault_down", "proxy", "network.unreachable"),
])
def test_connection_check_stops_at_the_failing_layer(
        case, step, code, vault_service, auth_proxy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = f"https://127.0.0.1:{free_port()}" if case == "vault_down" else vault_service.url
    creds = _creds_for(vault_service, tmp_path, base)
    proxy = proxy_settings(auth_proxy, password="nope" if case == "wrong_password" else None)
    if case == "proxy_down":
        proxy = ProxySettings(mode=ProxyMode.CUSTOM, host="127.0.0.1", port=free_port())
    settings = make_settings(creds, ca_bundle=None if case == "untrusted" else vault_service.ca_file,
                             passphrase_dir=tmp_path, proxy=proxy)
    checks = connection.test_connection(settings)
    assert all(c.ok for c in checks[:-1])
    assert (checks[-1].step, checks[-1].ok, checks[-1].code) == (step, False, code)


def test_vault_refuses_a_machine_registered_to_another_of_its_vaults(vault_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = read_credentials(vault_service.issue(vault_service.create_vault(), tmp_path))
    second = read_credentials(vault_service.issue(vault_service.create_vault(), tmp_path))
    key = new_machine_key("mover")
    with _http(vault_service) as http:
        client = RegistrationClient(http)
        now = datetime.now(timezone.utc)
        machine = client.register(first, client.token(first, now=now), machine_name="mover", csr_pem=key.csr_pem,
                                  verifier=passphrase_verifier(Secret("x" * 16), resource_id=first.resource_id,
                                                               machine_name="mover"))
        with pytest.raises(RegisterServerError) as excinfo:
            client.register(second, client.token(second, now=now), machine_name="mover", csr_pem=key.csr_pem,
                            verifier=passphrase_verifier(Secret("x" * 16), resource_id=second.resource_id,
                                                         machine_name="mover"),
                            existing_machine_id=machine.machine_id)
    assert excinfo.value.code == "vault.wrong_vault"

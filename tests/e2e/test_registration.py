"""Registration end to end: the real procedure, the real vault over HTTPS, a real proxy with basic auth,
the real Secret Service keyring.

Each test makes its own vault in the session's vault service (or starts a private service
when it needs to stop it) and its own state directory.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.e2e.helpers import OTHER_PASSPHRASE, PASSPHRASE, cancel_while_waiting, make_settings, proxy_settings
from tests.support.fixtures_proxy import free_port
from wizard.core.errors import Cancelled, RegisterServerError
from wizard.core.model import ProxyMode, ProxySettings
from wizard.registration import STEPS, CancelToken, ProgressEvent, run_registration

pytestmark = pytest.mark.e2e


@pytest.fixture
def vault_name(vault_service) -> str:  # type: ignore[no-untyped-def]
    return vault_service.create_vault()


@pytest.fixture
def creds(vault_service, vault_name, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    return vault_service.issue(vault_name, tmp_path)


def _register(creds: Path, vault_service, tmp_path: Path, *, home: str = "home", **kw):  # type: ignore[no-untyped-def]
    settings = make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path, **kw)
    return run_registration(settings, home=tmp_path / home)


def _code(excinfo: pytest.ExceptionInfo[RegisterServerError]) -> str:
    return excinfo.value.code


def test_registers_through_authenticated_proxy_and_saves_state(
        vault_service, vault_name, creds, auth_proxy, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    events: list[ProgressEvent] = []
    settings = make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path,
                             proxy=proxy_settings(auth_proxy))
    result = run_registration(settings, home=tmp_path / "home", on_progress=events.append)

    assert [e.step for e in events] == list(STEPS)
    assert result.vault_name == vault_name and result.machine_name == "server01" and not result.re_registration
    machines = vault_service.admin.machines(vault_name)
    assert [(m.machine_id, m.name) for m in machines] == [(result.machine_id, "server01")]
    record = json.loads((tmp_path / "home" / "registration.json").read_text())
    assert record["machine"]["id"] == result.machine_id
    assert record["settings"]["proxy"]["password"] == "keyring:proxy-password"
    state_text = "".join(p.read_text(errors="replace") for p in (tmp_path / "home").iterdir() if p.is_file())
    assert PASSPHRASE not in state_text and auth_proxy.password not in state_text
    assert "ENCRYPTED PRIVATE KEY" in (tmp_path / "home" / "machine-key.json").read_text()
    assert PASSPHRASE in (tmp_path / "server.passphrase.txt").read_text()
    from wizard.core.secrets.store import BACKUP_PASSPHRASE, SecretStore

    stored = SecretStore.for_state_dir(result.state_dir).get(BACKUP_PASSPHRASE)
    assert stored is not None and stored.reveal() == PASSPHRASE


def test_registers_through_squid(vault_service, creds, proxy_factory, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    squid = proxy_factory("squid", auth=True)
    result = _register(creds, vault_service, tmp_path, proxy=proxy_settings(squid))
    assert result.machine_id


def test_a_proxy_password_full_of_url_punctuation_signs_in(vault_service, creds, proxy_factory, secret_service,
                                                           tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Characters that mean something in a URL or a header (@ : / % # ? & = + and a space) reach
    the proxy as typed, for the connection test and for the registration itself."""
    from wizard.registration import connection

    squid = proxy_factory("squid", auth=True, password="p@ss:w/rd%41 #?&=+x")
    settings = make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path,
                             proxy=proxy_settings(squid))
    checks = connection.test_connection(settings)
    assert [(c.step, c.ok) for c in checks][3] == ("proxy", True), checks
    result = run_registration(settings, home=tmp_path / "home")
    assert result.machine_id


def test_cancel_while_a_stalled_proxy_holds_the_connection(vault_service, vault_name, creds, silent_server,
                                                            secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The proxy accepts the connection and never answers CONNECT: Cancel ends the registration
    at once (not after the 30 s read timeout and its retries), as cancelled, with nothing registered."""
    settings = make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path,
                             proxy=ProxySettings(mode=ProxyMode.CUSTOM, host="127.0.0.1", port=silent_server))
    cancel = CancelToken()
    outcome = cancel_while_waiting(lambda blocked: run_registration(
        settings, home=tmp_path / "home", cancel=cancel,
        on_progress=lambda event: blocked() if event.step == "connecting" else None), cancel)
    assert isinstance(outcome, Cancelled), outcome
    assert vault_service.admin.machines(vault_name) == []
    assert not (tmp_path / "home" / "registration.json").exists()


def test_second_credentials_file_supersedes_the_first(
        vault_service, vault_name, creds, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    newer = vault_service.issue(vault_name, tmp_path)
    with pytest.raises(RegisterServerError) as excinfo:
        _register(creds, vault_service, tmp_path)
    assert _code(excinfo) == "credentials.superseded"
    assert _register(newer, vault_service, tmp_path).machine_id


def test_expired_file_is_refused_by_the_client_and_by_the_vault(
        vault_service, vault_name, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    long_ago = datetime.now(timezone.utc) - timedelta(hours=3)
    expired = vault_service.issue(vault_name, tmp_path, now=long_ago, lifetime=timedelta(hours=1))
    with pytest.raises(RegisterServerError) as excinfo:
        _register(expired, vault_service, tmp_path)
    assert _code(excinfo) == "credentials.expired"
    # A machine whose clock is behind reads the file as valid; the vault still refuses it.
    settings = make_settings(expired, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path)
    with pytest.raises(RegisterServerError) as excinfo:
        run_registration(settings, home=tmp_path / "slow-clock", now=lambda: long_ago + timedelta(minutes=30))
    assert _code(excinfo) == "credentials.expired"
    assert vault_service.admin.machines(vault_name) == []


def test_wrong_proxy_password(vault_service, creds, proxy_factory, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for kind in ("tinyproxy", "squid"):
        proxy = proxy_factory(kind, auth=True)
        with pytest.raises(RegisterServerError) as excinfo:
            _register(creds, vault_service, tmp_path, proxy=proxy_settings(proxy, password="wrong-password"))
        assert _code(excinfo) == "proxy.auth_required", kind


def test_proxy_down(vault_service, creds, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dead = ProxySettings(mode=ProxyMode.CUSTOM, host="127.0.0.1", port=free_port())
    with pytest.raises(RegisterServerError) as excinfo:
        _register(creds, vault_service, tmp_path, proxy=dead)
    assert _code(excinfo) == "proxy.unreachable"


def test_vault_down_directly_and_through_the_proxy(
        vault_service_factory, auth_proxy, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    service = vault_service_factory()
    creds = service.issue(service.create_vault(), tmp_path)
    service.stop()
    with pytest.raises(RegisterServerError) as excinfo:
        _register(creds, service, tmp_path)
    assert _code(excinfo) == "network.unreachable"
    with pytest.raises(RegisterServerError) as excinfo:
        _register(creds, service, tmp_path, proxy=proxy_settings(auth_proxy))
    assert _code(excinfo) == "network.unreachable"


def test_untrusted_server_certificate(vault_service, creds, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(creds, ca_bundle=None, passphrase_dir=tmp_path)
    with pytest.raises(RegisterServerError) as excinfo:
        run_registration(settings, home=tmp_path / "home")
    assert _code(excinfo) == "tls.untrusted"


def test_full_vault(vault_service, tmp_path, secret_service) -> None:  # type: ignore[no-untyped-def]
    name = vault_service.create_vault(max_machines=1)
    creds = vault_service.issue(name, tmp_path)
    _register(creds, vault_service, tmp_path, machine_name="first", home="a", passphrase_file="a.txt")
    with pytest.raises(RegisterServerError) as excinfo:
        _register(creds, vault_service, tmp_path, machine_name="second", home="b", passphrase_file="b.txt")
    assert _code(excinfo) == "vault.full"
    assert [m.name for m in vault_service.admin.machines(name)] == ["first"]
    from wizard.vault.refusal import VaultRefusal

    with pytest.raises(VaultRefusal) as refused:  # and a full vault issues no more files
        vault_service.issue(name, tmp_path)
    assert refused.value.code == "vault.full"


def test_re_registration_same_passphrase_ok_other_refused(
        vault_service, vault_name, creds, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = _register(creds, vault_service, tmp_path)
    again = _register(creds, vault_service, tmp_path)  # same home, same passphrase file: kept, not rewritten
    assert again.re_registration and again.machine_id == first.machine_id
    # Another server (fresh state) claiming the same name with another passphrase is refused.
    with pytest.raises(RegisterServerError) as excinfo:
        _register(creds, vault_service, tmp_path, home="other", passphrase=OTHER_PASSPHRASE,
                  passphrase_file="other.txt")
    assert _code(excinfo) == "passphrase.mismatch"
    assert len(vault_service.admin.machines(vault_name)) == 1
    assert not (tmp_path / "other.txt").exists()  # refused, so never in force: taken back
    assert (tmp_path / "server.passphrase.txt").exists()


def test_passphrase_file_with_another_passphrase_is_never_overwritten(
        vault_service, creds, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "server.passphrase.txt").write_text("something else\n")
    with pytest.raises(RegisterServerError) as excinfo:
        _register(creds, vault_service, tmp_path)
    assert _code(excinfo) == "encryption.save_path_exists"
    assert (tmp_path / "server.passphrase.txt").read_text() == "something else\n"


def test_already_registered_to_another_vault(vault_service, creds, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _register(creds, vault_service, tmp_path)
    other = vault_service.issue(vault_service.create_vault(), tmp_path)
    with pytest.raises(RegisterServerError) as excinfo:
        _register(other, vault_service, tmp_path)
    assert _code(excinfo) == "vault.wrong_vault"


def test_deleted_vault(vault_service, vault_name, creds, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    vault_service.admin.delete_vault(vault_name)
    with pytest.raises(RegisterServerError) as excinfo:
        _register(creds, vault_service, tmp_path)
    assert _code(excinfo) == "vault.not_found"


def test_cancel_between_steps_registers_nothing(
        vault_service, vault_name, creds, secret_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cancel = CancelToken()

    def on_progress(event: ProgressEvent) -> None:
        if event.step == "connecting":
            cancel.cancel()

    settings = make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path)
    with pytest.raises(Cancelled):
        run_registration(settings, home=tmp_path / "home", on_progress=on_progress, cancel=cancel)
    assert vault_service.admin.machines(vault_name) == []
    assert not (tmp_path / "home" / "registration.json").exists()

"""The registration procedure's client-side pieces and failure paths, with an injected transport.

The happy paths and the vault's answers run for real in tests/e2e; here a fake transport
proves what happens *before* or *without* the network: order of steps, local refusals,
cancellation, the assertion's claims and the verifier's salt.
"""

from __future__ import annotations

import base64
from dataclasses import replace
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from joserfc import jwt
from joserfc.jwk import RSAKey

from wizard.core.credentials import issue_credentials, read_credentials, write_credentials_file
from wizard.core.errors import Cancelled, RegisterServerError
from wizard.core.model import (EncryptionSettings, MachineSettings, RecoveryFolder, RegistrationSettings,
                               VaultSettings)
from wizard.core.registration import wire
from wizard.registration import CancelToken, ProgressEvent, run_registration
from wizard.core.registration.protocol import client_assertion, passphrase_verifier
from wizard.core.secret import Secret

PASSPHRASE = "unit test passphrase 123"


def _credentials_file(tmp_path: Path, *, resource_id: int = 42) -> Path:
    issued = issue_credentials(
        vault_name="unit-vault", subscription_id=str(uuid.uuid4()), resource_group="rg", location="local",
        resource_id=resource_id, tenant_id=str(uuid.uuid4()), client_id=str(uuid.uuid4()),
        authority_url="https://vault.invalid/aad", rest_endpoint="https://vault.invalid/restapi/")
    out = tmp_path / f"creds-{resource_id}"
    out.mkdir()
    return write_credentials_file(issued, out)


def _settings(creds: Path, tmp_path: Path) -> RegistrationSettings:
    return RegistrationSettings(
        machine=MachineSettings(name="unit01"),
        vault=VaultSettings(credentials_file=creds),
        recovery=RecoveryFolder(tmp_path, create=False),
        encryption=EncryptionSettings(passphrase=Secret(PASSPHRASE), save_to=tmp_path / "pass.txt"))


def _refusing_transport(calls: list[str]):  # type: ignore[no-untyped-def]
    def factory(settings, url):  # type: ignore[no-untyped-def]
        calls.append(url)

        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused", request=request)

        return httpx.Client(transport=httpx.MockTransport(handler))
    return factory


def test_assertion_claims_and_header(tmp_path: Path) -> None:
    credentials = read_credentials(_credentials_file(tmp_path))
    now = datetime.now(timezone.utc)
    token = jwt.decode(client_assertion(credentials, now=now), RSAKey.import_key(credentials.certificate.public_key()),
                       algorithms=["RS256"])
    claims = token.claims
    assert claims["iss"] == claims["sub"] == credentials.service_principal_client_id
    assert claims["aud"] == credentials.token_url
    assert 0 < claims["exp"] - claims["iat"] <= wire.ASSERTION_MAX_LIFETIME.total_seconds()
    x5t = base64.urlsafe_b64decode(token.header["x5t"] + "==")
    assert x5t == credentials.certificate.fingerprint(hashes.SHA1())  # noqa: S303
    assert client_assertion(credentials, now=now) != client_assertion(credentials, now=now)  # fresh jti


def test_verifier_is_bound_to_passphrase_vault_and_name() -> None:
    base = passphrase_verifier(Secret(PASSPHRASE), resource_id=1, machine_name="web01")
    assert base == passphrase_verifier(Secret(PASSPHRASE), resource_id=1, machine_name="WEB01")
    assert base != passphrase_verifier(Secret(PASSPHRASE + "x"), resource_id=1, machine_name="web01")
    assert base != passphrase_verifier(Secret(PASSPHRASE), resource_id=2, machine_name="web01")
    assert base != passphrase_verifier(Secret(PASSPHRASE), resource_id=1, machine_name="web02")
    assert PASSPHRASE not in base and len(base64.urlsafe_b64decode(base + "=")) == wire.VERIFIER_LENGTH


def _keyring(tmp_path: Path):  # type: ignore[no-untyped-def]
    from wizard.core.secrets.store import SecretStore

    return SecretStore.for_state_dir(tmp_path / "home")


def test_a_run_the_network_stops_takes_back_its_passphrase_file_and_keyring_entry(
        secret_service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The file is written before the network is touched (a registered server without it is the
    unrecoverable case), and removed again when the vault was never reached: its passphrase was
    never in force, and leaving it would block every retry with encryption.save_path_exists."""
    from wizard.core.secrets.store import BACKUP_PASSPHRASE

    calls: list[str] = []
    events: list[ProgressEvent] = []
    seen: dict[str, bool] = {}

    def progress(event: ProgressEvent) -> None:
        events.append(event)
        seen[event.step] = (tmp_path / "pass.txt").exists()

    with pytest.raises(RegisterServerError) as excinfo:
        run_registration(_settings(_credentials_file(tmp_path), tmp_path), home=tmp_path / "home",
                         on_progress=progress, transport_factory=_refusing_transport(calls))
    assert excinfo.value.code == "network.unreachable"
    assert [e.step for e in events] == ["checking_credentials", "preparing_recovery_folder", "saving_passphrase",
                                        "connecting"]
    assert seen["connecting"] is True  # it was there while the run went on
    assert not (tmp_path / "pass.txt").exists()
    assert _keyring(tmp_path).get(BACKUP_PASSPHRASE) is None
    assert not (tmp_path / "home" / "registration.json").exists()


def test_a_failed_run_restores_the_keyring_entry_it_replaced_and_keeps_a_file_it_did_not_write(
        secret_service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from wizard.core.passphrase_file import write_passphrase_file
    from wizard.core.secrets.store import BACKUP_PASSPHRASE

    before = Secret("the passphrase in force already")
    _keyring(tmp_path).set(BACKUP_PASSPHRASE, before)
    write_passphrase_file(tmp_path / "pass.txt", Secret(PASSPHRASE), vault_name="unit-vault", machine_name="unit01",
                          created=datetime.now(timezone.utc))
    with pytest.raises(RegisterServerError):
        run_registration(_settings(_credentials_file(tmp_path), tmp_path), home=tmp_path / "home",
                         transport_factory=_refusing_transport([]))
    assert _keyring(tmp_path).get(BACKUP_PASSPHRASE) == before
    assert PASSPHRASE in (tmp_path / "pass.txt").read_text()  # the user's file, not this run's


def test_a_lost_registration_answer_keeps_the_passphrase_file(secret_service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Once the registration request is sent, a lost answer may hide an accepted registration:
    the passphrase may be in force at the vault, and its file is then the only copy."""
    from wizard.core.secrets.store import BACKUP_PASSPHRASE

    def factory(settings, url):  # type: ignore[no-untyped-def]
        def handler(request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/machines"):
                raise httpx.ReadTimeout("no answer", request=request)
            if request.method == "POST":
                return httpx.Response(200, json={"access_token": "t", "token_type": "Bearer", "expires_in": 300})
            return httpx.Response(404)
        return httpx.Client(transport=httpx.MockTransport(handler))

    events: list[ProgressEvent] = []
    with pytest.raises(RegisterServerError) as excinfo:
        run_registration(_settings(_credentials_file(tmp_path), tmp_path), home=tmp_path / "home",
                         on_progress=events.append, transport_factory=factory)
    assert events[-1].step == "registering", excinfo.value.code
    assert PASSPHRASE in (tmp_path / "pass.txt").read_text()
    assert _keyring(tmp_path).get(BACKUP_PASSPHRASE) == Secret(PASSPHRASE)


def test_no_keyring_stops_before_anything_is_written(no_keyring, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """No secret store: the run ends before the recovery folder is made or the passphrase file
    written (not made and then taken back), with this system's command to fix it."""
    calls: list[str] = []
    events: list[ProgressEvent] = []
    folder = tmp_path / "deep" / "recovery"
    settings = replace(_settings(_credentials_file(tmp_path), tmp_path), recovery=RecoveryFolder(folder, create=True))
    with pytest.raises(RegisterServerError) as excinfo:
        run_registration(settings, home=tmp_path / "home", on_progress=events.append,
                         transport_factory=_refusing_transport(calls))
    assert excinfo.value.code == "secrets.unavailable" and calls == []
    assert [e.step for e in events] == ["checking_credentials", "preparing_recovery_folder"]
    assert not folder.exists() and not (tmp_path / "pass.txt").exists()
    assert "dbus-run-session" in excinfo.value.fix and "Credential Manager" not in excinfo.value.fix


def test_the_early_store_check_writes_nothing_to_the_store(secret_service, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A registration's up-front check only reads: a write to gnome-keyring rewrites its whole file."""
    from wizard.core.secrets.availability import PROBE_NAMESPACE
    from wizard.core.secrets.store import SecretStore

    written: list[str] = []
    real_set = SecretStore.set
    monkeypatch.setattr(SecretStore, "set", lambda self, name, value: (written.append(self.namespace),
                                                                      real_set(self, name, value))[1])
    with pytest.raises(RegisterServerError) as excinfo:
        run_registration(_settings(_credentials_file(tmp_path), tmp_path), home=tmp_path / "home",
                         transport_factory=_refusing_transport([]))
    assert excinfo.value.code == "network.unreachable"
    assert written and PROBE_NAMESPACE not in written  # the run's own secrets only


def test_no_keyring_stops_a_settings_change_before_it_writes(no_keyring, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Without the early check a recovery-folder change would make the folder and save the record."""
    from wizard.core.answers import parse_answers
    from wizard.core.storage import StateStore
    from wizard.registration.maintenance import change_settings

    record = {"registered_at": "2026-11-24T10:00:00+00:00", "machine": {"id": "m", "name": "SRV01"},
              "vault": {"name": "v", "resource_id": "7", "registration_url": "https://vault.example/restapi/machines"}}
    store = StateStore(tmp_path / "home")
    store.save_registration(record)
    before = store.path("registration.json").read_bytes()
    folder = tmp_path / "new-recovery"
    answers = parse_answers(f'[recovery]\nfolder = "{folder}"\ncreate = true\n')
    with pytest.raises(RegisterServerError) as excinfo:
        change_settings(answers, home=tmp_path / "home", environ={})
    assert excinfo.value.code == "secrets.unavailable"
    assert not folder.exists() and store.path("registration.json").read_bytes() == before


def test_registered_elsewhere_is_refused_before_anything(tmp_path: Path) -> None:
    from wizard.core.storage import StateStore

    StateStore(tmp_path / "home").save_registration({
        "registered_at": "2026-11-24T10:00:00+00:00", "machine": {"id": "m", "name": "SRV01"},
        "vault": {"name": "other", "resource_id": "7", "registration_url": "https://vault.example/restapi/machines"}})
    calls: list[str] = []
    with pytest.raises(RegisterServerError) as excinfo:
        run_registration(_settings(_credentials_file(tmp_path, resource_id=8), tmp_path), home=tmp_path / "home",
                         transport_factory=_refusing_transport(calls))
    assert excinfo.value.code == "vault.wrong_vault" and calls == []
    assert not (tmp_path / "pass.txt").exists()


def test_cancelled_before_start_and_expired_file(tmp_path: Path) -> None:
    cancel = CancelToken()
    cancel.cancel()
    creds = _credentials_file(tmp_path)
    with pytest.raises(Cancelled):
        run_registration(_settings(creds, tmp_path), home=tmp_path / "home", cancel=cancel)
    later = datetime.now(timezone.utc) + timedelta(days=3)
    with pytest.raises(RegisterServerError) as excinfo:
        run_registration(_settings(creds, tmp_path), home=tmp_path / "home", now=lambda: later)
    assert excinfo.value.code == "credentials.expired"


def test_invalid_machine_name(tmp_path: Path) -> None:
    settings = _settings(_credentials_file(tmp_path), tmp_path)
    from dataclasses import replace

    with pytest.raises(RegisterServerError) as excinfo:
        run_registration(replace(settings, machine=MachineSettings(name="-bad_name-")), home=tmp_path / "home")
    assert excinfo.value.code == "machine.name_invalid"
    for name in ("server01\n", "server01 "):  # not quietly stripped: the name shown is the name sent
        with pytest.raises(RegisterServerError) as excinfo:
            run_registration(replace(settings, machine=MachineSettings(name=name)), home=tmp_path / "home")
        assert excinfo.value.code == "machine.name_invalid", repr(name)


def test_second_run_on_the_same_state_is_locked(tmp_path: Path) -> None:
    from wizard.core.storage import StateStore

    with StateStore(tmp_path / "home").lock():
        with pytest.raises(RegisterServerError) as excinfo:
            run_registration(_settings(_credentials_file(tmp_path), tmp_path), home=tmp_path / "home")
    assert excinfo.value.code == "state.locked"


@pytest.mark.parametrize("record", [{}, {"vault": "other", "machine": {"id": "m"}},
                                    {"registered_at": "2026-11-24T10:00:00+00:00", "machine": {"id": "m", "name": "S"},
                                     "vault": {"name": "other", "registration_url": "https://v/restapi/machines"}}])
def test_a_record_that_lost_its_fields_is_damaged_state_not_a_crash(tmp_path: Path, record: dict) -> None:
    """A registration.json that parses but lacks what re-registration reads is `state.corrupt`
    (it was an AttributeError or KeyError: exit 1, "unexpected"), before anything is written."""
    from wizard.core.storage import StateStore

    StateStore(tmp_path / "home").save_registration(record)
    calls: list[str] = []
    with pytest.raises(RegisterServerError) as excinfo:
        run_registration(_settings(_credentials_file(tmp_path, resource_id=8), tmp_path), home=tmp_path / "home",
                         transport_factory=_refusing_transport(calls))
    assert (excinfo.value.code, excinfo.value.reason) == ("state.corrupt", "wrong_shape") and calls == []
    assert not (tmp_path / "pass.txt").exists()


def test_the_recovery_folder_is_made_before_the_network_and_removed_when_the_vault_never_answered(
        secret_service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The folder is created in its own step, before the passphrase is saved; a run that never
    reached the vault takes back the (still empty) folder it made, so nothing is left half-done."""
    folder = tmp_path / "deep" / "recovery"
    seen: list[tuple[str, bool]] = []
    settings = replace(_settings(_credentials_file(tmp_path), tmp_path), recovery=RecoveryFolder(folder, create=True))
    with pytest.raises(RegisterServerError) as excinfo:
        run_registration(settings, home=tmp_path / "home", on_progress=lambda e: seen.append((e.step, folder.is_dir())),
                         transport_factory=_refusing_transport([]))
    assert excinfo.value.code == "network.unreachable"
    assert ("saving_passphrase", True) in seen  # it existed while the run went on
    assert not folder.exists()


def test_a_folder_that_cannot_be_made_stops_the_run_before_anything_is_written(
        secret_service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings = replace(_settings(_credentials_file(tmp_path), tmp_path),
                       recovery=RecoveryFolder(blocker / "recovery", create=True))
    with pytest.raises(RegisterServerError) as excinfo:
        run_registration(settings, home=tmp_path / "home", transport_factory=_refusing_transport(calls))
    assert excinfo.value.code == "recovery.folder_not_writable"
    assert calls == [] and not (tmp_path / "pass.txt").exists()


def test_a_full_state_folder_is_found_before_the_vault_is_contacted(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10_000_000, 9_990_000, 10_000))
    calls: list[str] = []
    with pytest.raises(RegisterServerError) as excinfo:
        run_registration(_settings(_credentials_file(tmp_path), tmp_path), home=tmp_path / "home",
                         transport_factory=_refusing_transport(calls))
    assert (excinfo.value.code, excinfo.value.reason) == ("state.write_failed", "no_space")
    assert calls == [], "the vault was contacted"
    assert not (tmp_path / "pass.txt").exists()

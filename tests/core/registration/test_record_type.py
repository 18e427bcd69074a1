"""The typed registration record reads and writes exactly the JSON the dict-based code wrote.

Why: ``registration.json`` is read by every later run (and by older and newer versions of the
tool after an upgrade or a rollback), and ``status --json`` prints its parts; the type must not
change one key or value. ``registration_written_before_types.json`` was written by
`build_record` + `StateStore.save_registration` before the record was typed.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from wizard.core.errors import RegisterServerError
from wizard.core.model import RegistrationSettings, ThrottlingSchedule, Weekday
from wizard.core.registration.protocol import EscrowReceipt, RegisteredMachine
from wizard.core.registration.record import RegistrationRecord, build_record, load_record, save_record
from wizard.core.storage import StateStore

FIXTURE = Path(__file__).with_name("registration_written_before_types.json")


def _old() -> dict:  # type: ignore[type-arg]
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _canonical(document: object) -> str:
    return json.dumps(document, sort_keys=True)


def test_a_record_written_before_the_types_round_trips_byte_for_byte() -> None:
    record = RegistrationRecord.from_json(_old())
    assert _canonical(record.to_json()) == _canonical(_old())
    assert record.vault.name == "contoso-vault" and record.machine.id == "m-0001"
    assert record.escrowed and record.store == "keyring"


def test_saving_a_loaded_record_rewrites_the_same_file(tmp_path: Path) -> None:
    (tmp_path / "registration.json").write_bytes(FIXTURE.read_bytes())
    store = StateStore(tmp_path)
    record = load_record(store)
    assert isinstance(record, RegistrationRecord)
    save_record(store, record)
    assert (tmp_path / "registration.json").read_bytes() == FIXTURE.read_bytes()


def test_build_record_writes_what_the_dict_code_wrote(tmp_path: Path) -> None:
    """The same inputs the fixture was made from give the same file (only the agent version may differ)."""
    credentials = SimpleNamespace(
        vault_name="contoso-vault", resource_id=4711081512345678901,
        subscription_id="0b4e5c3a-1d2f-4a6b-9c8d-7e6f5a4b3c2d", resource_group="rg-backup", location="westeurope",
        aad_tenant_id="9f8e7d6c-5b4a-4321-8fed-cba987654321",
        service_principal_client_id="11111111-2222-4333-8444-555555555555",
        token_url="https://127.0.0.1:8443/aad/9f8e7d6c-5b4a-4321-8fed-cba987654321/oauth2/v2.0/token",
        registration_url="https://127.0.0.1:8443/restapi/machines",
        thumbprint_sha1="A1B2C3D4E5F60718293A4B5C6D7E8F9012345678")
    machine = RegisteredMachine("m-0001", "srv01", "contoso-vault", "4711081512345678901", "PEM",
                                datetime(2026, 12, 1, 7, 0, tzinfo=timezone.utc), True, EscrowReceipt(2, "ab" * 32))
    settings = RegistrationSettings(throttling=ThrottlingSchedule(
        enabled=True, work_days=frozenset({Weekday.MONDAY, Weekday.FRIDAY})))
    record = build_record(settings, credentials, machine, machine_cert_file="machine-cert.pem",  # type: ignore[arg-type]
                          saved_at=datetime(2026, 12, 1, 7, 0, 5, tzinfo=timezone.utc), previous=None)
    written = record.to_json()
    assert list(written) == ["format", "agent_version", "registered_at", "saved_at", "re_registration", "vault",
                             "machine", "settings", "secret_store", "escrow"]  # the order build_record wrote
    save_record(StateStore(tmp_path), record)
    expected = _old()
    expected["agent_version"] = written["agent_version"]
    assert json.loads((tmp_path / "registration.json").read_text(encoding="utf-8")) == expected
    again = build_record(settings, credentials, machine, machine_cert_file="machine-cert.pem",  # type: ignore[arg-type]
                         saved_at=datetime(2026, 12, 2, tzinfo=timezone.utc), previous=record)
    assert again.registered_at == record.registered_at  # a re-registration keeps the first date


def test_fields_unknown_or_absent_survive_a_save() -> None:
    """An older record (no escrow, no secret store) and a newer one (keys this version does not know)."""
    document = _old()
    del document["escrow"], document["secret_store"], document["vault"]["location"]
    document["added_later"] = {"x": 1}
    document["machine"]["added_later"] = [1, 2]
    record = RegistrationRecord.from_json(copy.deepcopy(document))
    assert record.escrow is None and not record.escrowed and record.escrow_state == {"in_force": False}
    assert record.store == "keyring" and record.vault.location is None
    assert _canonical(record.to_json()) == _canonical(document)


@pytest.mark.parametrize(("damage", "missing"), [
    (lambda d: d.pop("registered_at"), "registered_at"),
    (lambda d: d["vault"].pop("resource_id"), "vault.resource_id"),
    (lambda d: d["machine"].update(id=7), "machine.id"),
    (lambda d: d.update(vault="v1"), "vault.name, vault.resource_id, vault.registration_url"),
])
def test_a_record_missing_what_readers_need_is_reported_damaged(damage, missing) -> None:  # type: ignore[no-untyped-def]
    document = _old()
    damage(document)
    with pytest.raises(RegisterServerError) as caught:
        RegistrationRecord.from_json(document, source="/state/registration.json")
    assert caught.value.code == "state.corrupt" and caught.value.reason == "wrong_shape"
    assert f"(/state/registration.json: no {missing})" in str(caught.value.detail)

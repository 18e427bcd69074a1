"""The machine row and its escrow envelope commit together or not at all.

A failure is made the way a disk or a database would make it: a trigger that aborts the
envelope's insert (or the machine's), on the real SQLite file. Before the two writes shared
one transaction, the machine stayed registered (or its verifier changed) without the
envelope the registration asked for.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from wizard.vault.refusal import VaultRefusal
from wizard.vault.security import VaultSecurity
from wizard.vault.storage import EscrowWrite, SqliteVaultStorage

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)
FINGERPRINT = "AB" * 32
ENVELOPE = EscrowWrite(b"opaque envelope", FINGERPRINT)


@pytest.fixture
def store(tmp_path: Path) -> tuple[SqliteVaultStorage, VaultSecurity, int]:
    path = tmp_path / "vault.sqlite3"
    storage = SqliteVaultStorage(path)
    vault = storage.create_vault(name="v1", redundancy="GRS", credential_hours=48, max_machines=1, now=NOW)
    security = VaultSecurity(path)
    security.set_recovery_certificate(vault.id, b"-----BEGIN CERTIFICATE-----", FINGERPRINT, now=NOW)
    return storage, security, vault.id


def _register(storage: SqliteVaultStorage, vault_id: int, name: str, escrow: EscrowWrite | None = ENVELOPE,
              verifier: bytes = b"v" * 32):  # type: ignore[no-untyped-def]
    return storage.register_machine(vault_id, name=name, verifier_hash=verifier, certificate_pem=b"cert",
                                    agent_version="t", now=NOW, existing_machine_id=None, escrow=escrow)


def _fail_inserts_into(path: Path, table: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute(f"CREATE TRIGGER fail_{table} BEFORE INSERT ON {table} "
                   "BEGIN SELECT RAISE(ABORT, 'disk full'); END")


def _verifier(path: Path, machine_id: str) -> bytes:
    with sqlite3.connect(path) as db:
        return bytes(db.execute("SELECT verifier_hash FROM machines WHERE machine_id = ?", (machine_id,)).fetchone()[0])


def test_registration_and_envelope_are_one_write(store) -> None:  # type: ignore[no-untyped-def]
    storage, security, vault_id = store
    record, again, envelope = _register(storage, vault_id, "server01")
    assert not again and envelope is not None and envelope.version == 1
    assert [e.version for e in security.envelopes(vault_id, "server01")] == [1]
    _, again, envelope = _register(storage, vault_id, "SERVER01")  # re-registration: a new version
    assert again and envelope is not None and envelope.version == 2
    assert _register(storage, vault_id, "server01", escrow=None).envelope is None


def test_an_envelope_that_cannot_be_stored_leaves_no_machine(store) -> None:  # type: ignore[no-untyped-def]
    storage, security, vault_id = store
    _fail_inserts_into(storage.path, "escrow_envelopes")
    with pytest.raises(sqlite3.IntegrityError):
        _register(storage, vault_id, "server01")
    assert storage.machines(vault_id) == []
    assert security.envelopes(vault_id, "server01") == []


def test_a_certificate_replaced_meanwhile_registers_nothing(store) -> None:  # type: ignore[no-untyped-def]
    storage, security, vault_id = store
    security.check_fingerprint(vault_id, FINGERPRINT)  # what the request handler checked first
    security.set_recovery_certificate(vault_id, b"-----BEGIN CERTIFICATE-----", "CD" * 32, now=NOW)
    with pytest.raises(VaultRefusal) as refused:
        _register(storage, vault_id, "server01")
    assert refused.value.code == "escrow.certificate_changed"
    assert storage.machines(vault_id) == []
    assert security.envelopes(vault_id, "server01") == []


def test_a_refused_registration_keeps_no_envelope(store) -> None:  # type: ignore[no-untyped-def]
    storage, security, vault_id = store
    _register(storage, vault_id, "server01")
    with pytest.raises(VaultRefusal) as refused:
        _register(storage, vault_id, "server02")  # the vault holds one machine at most
    assert refused.value.code == "vault.full"
    assert security.envelopes(vault_id, "server02") == []
    with pytest.raises(VaultRefusal) as refused:
        _register(storage, vault_id, "server01", verifier=b"w" * 32)
    assert refused.value.code == "passphrase.mismatch"
    assert [e.version for e in security.envelopes(vault_id, "server01")] == [1]


def test_a_passphrase_change_keeps_the_old_verifier_when_its_envelope_fails(store) -> None:  # type: ignore[no-untyped-def]
    storage, security, vault_id = store
    record = _register(storage, vault_id, "server01").record
    changed = storage.set_verifier(record.machine_id, b"n" * 32, now=NOW, escrow=ENVELOPE)
    assert changed.updated and changed.envelope is not None and changed.envelope.version == 2
    _fail_inserts_into(storage.path, "escrow_envelopes")
    with pytest.raises(sqlite3.IntegrityError):
        storage.set_verifier(record.machine_id, b"x" * 32, now=NOW, escrow=ENVELOPE)
    assert _verifier(storage.path, record.machine_id) == b"n" * 32
    assert [e.version for e in security.envelopes(vault_id, "server01")] == [1, 2]

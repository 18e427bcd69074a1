"""`SqliteVaultStorage`: the rules that must hold whatever the HTTP layer does."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from wizard.vault.refusal import VaultRefusal
from wizard.vault.storage import SqliteVaultStorage

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def storage(tmp_path: Path) -> SqliteVaultStorage:
    return SqliteVaultStorage(tmp_path / "v.sqlite3")


def _register(storage: SqliteVaultStorage, vault_id: int, name: str, verifier: bytes = b"v" * 32,
              existing: str | None = None) -> tuple[str, bool]:
    record, again, _ = storage.register_machine(vault_id, name=name, verifier_hash=verifier, certificate_pem=b"cert",
                                             agent_version="t", now=NOW, existing_machine_id=existing)
    return record.machine_id, again


def test_limit_mismatch_and_case_insensitive_names(storage: SqliteVaultStorage) -> None:
    vault = storage.create_vault(name="v1", redundancy="GRS", credential_hours=48, max_machines=2, now=NOW)
    first, again = _register(storage, vault.id, "Alpha")
    assert not again
    assert _register(storage, vault.id, "ALPHA") == (first, True)
    with pytest.raises(VaultRefusal) as excinfo:
        _register(storage, vault.id, "alpha", verifier=b"w" * 32)
    assert excinfo.value.code == "passphrase.mismatch"
    _register(storage, vault.id, "beta")
    with pytest.raises(VaultRefusal) as excinfo:
        _register(storage, vault.id, "gamma")
    assert excinfo.value.code == "vault.full"
    assert [m.name for m in storage.machines(vault.id)] == ["Alpha", "beta"]


def test_concurrent_writers_from_separate_connections_make_one_record(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite3"
    vault = SqliteVaultStorage(path).create_vault(name="v1", redundancy="GRS", credential_hours=48,
                                                  max_machines=50, now=NOW)
    stores = [SqliteVaultStorage(path) for _ in range(8)]  # like several processes
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda s: _register(s, vault.id, "same"), stores))
    assert len({machine_id for machine_id, _ in results}) == 1
    assert sum(1 for _, again in results if not again) == 1
    assert len(stores[0].machines(vault.id)) == 1


def test_redundancy_is_locked_after_the_first_machine(storage: SqliteVaultStorage) -> None:
    vault = storage.create_vault(name="v1", redundancy="GRS", credential_hours=48, max_machines=5, now=NOW)
    storage.set_redundancy(vault.id, "LRS")
    _register(storage, vault.id, "m1")
    with pytest.raises(VaultRefusal) as excinfo:
        storage.set_redundancy(vault.id, "ZRS")
    assert excinfo.value.code == "vault.redundancy_locked"
    assert storage.vault_by_id(vault.id).redundancy == "LRS"  # type: ignore[union-attr]


def test_jti_is_single_use_and_deleted_vault_is_not_found(storage: SqliteVaultStorage) -> None:
    assert storage.use_jti("abc", expires=NOW + timedelta(minutes=2), now=NOW)
    assert not storage.use_jti("abc", expires=NOW + timedelta(minutes=2), now=NOW)
    vault = storage.create_vault(name="gone", redundancy="GRS", credential_hours=48, max_machines=5, now=NOW)
    storage.delete_vault(vault.id)
    assert storage.vault_by_name("gone") is None
    with pytest.raises(VaultRefusal) as excinfo:
        _register(storage, vault.id, "m1")
    assert excinfo.value.code == "vault.not_found"
    storage.create_vault(name="gone", redundancy="GRS", credential_hours=48, max_machines=5, now=NOW)  # name reusable


def test_verifier_matches_says_which_verifier_is_in_force_and_changes_nothing(storage: SqliteVaultStorage) -> None:
    vault = storage.create_vault(name="v-check", redundancy="GRS", credential_hours=48, max_machines=5, now=NOW)
    machine, _ = _register(storage, vault.id, "alpha", verifier=b"o" * 32)
    assert storage.verifier_matches(machine, b"o" * 32) and not storage.verifier_matches(machine, b"n" * 32)
    storage.set_verifier(machine, b"n" * 32, now=NOW)
    assert storage.verifier_matches(machine, b"n" * 32) and not storage.verifier_matches(machine, b"o" * 32)
    assert not storage.verifier_matches("no-such-machine", b"n" * 32)

"""The machine's private key: encrypted at rest, its key only in the (real) keyring."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.leak_scan import find_leaks
from wizard.core.errors import RegisterServerError
from wizard.core.secrets import SecretStore
from wizard.core.secrets.machine_key import KEY_FILE, forget_private_key, load_private_key, protect_private_key
from wizard.core.storage import StateStore

pytestmark = pytest.mark.e2e


def _pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _stores(tmp_path: Path) -> tuple[StateStore, SecretStore]:
    store = StateStore(tmp_path / "state")
    return store, SecretStore.for_state_dir(store.root)


def _entries(secrets: SecretStore) -> list[str]:
    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        items = secretstorage.get_default_collection(connection).search_items({"service": secrets.service})
        return sorted(item.get_attributes()["username"] for item in items)
    finally:
        connection.close()


def test_round_trip_and_nothing_readable_on_disk(secret_service, tmp_path: Path) -> None:
    store, secrets = _stores(tmp_path)
    pem = _pem()
    protect_private_key(store, secrets, pem)
    assert load_private_key(store, secrets) == pem
    on_disk = store.path(KEY_FILE).read_text()
    assert "ENCRYPTED PRIVATE KEY" in on_disk and "BEGIN PRIVATE KEY" not in on_disk
    body = b"".join(pem.splitlines()[1:-1]).decode()
    protection = secrets.get(_entries(secrets)[0])
    assert protection is not None
    assert find_leaks([body[:48], protection.reveal()], [store.root]) == []


def test_replacing_the_key_removes_the_old_keyring_entry(secret_service, tmp_path: Path) -> None:
    store, secrets = _stores(tmp_path)
    protect_private_key(store, secrets, _pem())
    first = _entries(secrets)
    second_pem = _pem()
    protect_private_key(store, secrets, second_pem)
    assert load_private_key(store, secrets) == second_pem
    assert len(_entries(secrets)) == 1 and _entries(secrets) != first


def test_key_file_without_its_keyring_entry_is_secrets_missing(secret_service, tmp_path: Path) -> None:
    store, secrets = _stores(tmp_path)
    protect_private_key(store, secrets, _pem())
    secrets.delete(_entries(secrets)[0])
    with pytest.raises(RegisterServerError) as caught:
        load_private_key(store, secrets)
    assert caught.value.code == "secrets.missing"


def test_wrong_protection_key_is_state_corrupt(secret_service, tmp_path: Path) -> None:
    from wizard.core.secret import Secret

    store, secrets = _stores(tmp_path)
    protect_private_key(store, secrets, _pem())
    secrets.set(_entries(secrets)[0], Secret("not-the-right-key"))
    with pytest.raises(RegisterServerError) as caught:
        load_private_key(store, secrets)
    assert (caught.value.code, caught.value.reason) == ("state.corrupt", "machine_key_undecryptable")


def test_not_registered_and_forget(secret_service, tmp_path: Path) -> None:
    store, secrets = _stores(tmp_path)
    with pytest.raises(RegisterServerError) as caught:
        load_private_key(store, secrets)
    assert caught.value.code == "state.not_registered"
    protect_private_key(store, secrets, _pem())
    forget_private_key(store, secrets)
    assert not store.path(KEY_FILE).exists() and _entries(secrets) == []


def test_without_keyring_nothing_is_written(no_keyring, tmp_path: Path) -> None:
    store, secrets = _stores(tmp_path)
    with pytest.raises(RegisterServerError) as caught:
        protect_private_key(store, secrets, _pem())
    assert caught.value.code == "secrets.unavailable"
    assert not store.path(KEY_FILE).exists()


def test_refuses_a_non_key(secret_service, tmp_path: Path) -> None:
    store, secrets = _stores(tmp_path)
    with pytest.raises(ValueError):
        protect_private_key(store, secrets, b"-----BEGIN NOTHING-----\n")

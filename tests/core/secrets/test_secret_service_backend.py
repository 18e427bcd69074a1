"""The per-thread Secret Service backend against a real gnome-keyring: same store, same refusals.

It only keeps a D-Bus connection and transfer session per thread; these tests show the
values really live in the Secret Service (keyring's own backend reads them), that threads
and buses never share a connection, and that a restarted daemon or a locked collection is
met exactly as with a fresh connection.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from wizard.core.errors import RegisterServerError
from wizard.core.secret import Secret
from wizard.core.secrets.backends import resolve_backend
from wizard.core.secrets.secret_service import SecretServiceKeyring
from wizard.core.secrets.store import SecretStore


def _connection() -> object:
    cached = getattr(SecretServiceKeyring._local, "cached", None)
    return None if cached is None else cached[1].connection


def test_it_is_the_backend_chosen_for_a_secret_service(secret_service) -> None:
    assert isinstance(resolve_backend(), SecretServiceKeyring)


def test_values_live_in_the_secret_service_itself(secret_service) -> None:
    from keyring.backends.SecretService import Keyring

    store = SecretStore("per-thread-interop")
    store.set("x", Secret("stored-through-ours"))
    assert Keyring().get_password(store.service, "x") == "stored-through-ours"
    Keyring().set_password(store.service, "y", "stored-through-keyring")
    assert store.require("y").reveal() == "stored-through-keyring"
    store.delete("x")
    assert Keyring().get_password(store.service, "x") is None
    store.delete("x")  # absent: not an error, as before


def test_one_connection_per_thread(secret_service) -> None:
    store = SecretStore("per-thread-reuse")
    store.set("a", Secret("one"))
    first = _connection()
    store.set("b", Secret("two"))
    assert store.require("a").reveal() == "one"
    assert _connection() is first is not None
    seen: list[object] = []

    def other_thread() -> None:
        seen.append(SecretStore("per-thread-reuse").require("b").reveal())
        seen.append(_connection())

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join(30)
    assert seen[0] == "two" and seen[1] is not None and seen[1] is not first


def test_a_restarted_daemon_is_reached_on_a_new_connection(secret_service, tmp_path: Path) -> None:
    from tests.support.secret_service import SecretService

    service = SecretService(tmp_path / "restarted", "pw").start()
    monkey = pytest.MonkeyPatch()
    try:
        monkey.setenv("DBUS_SESSION_BUS_ADDRESS", service.address)
        store = SecretStore("restarted")
        store.set("x", Secret("before-restart"))
        before = _connection()
        service.stop_keyring()
        service.start_keyring()  # same bus, new daemon: the cached session is gone
        assert store.require("x").reveal() == "before-restart"
        assert _connection() is not before
    finally:
        monkey.undo()
        service.stop()


def test_switching_buses_never_reuses_the_old_connection(secret_service, tmp_path: Path) -> None:
    from tests.support.secret_service import SecretService

    SecretStore("switch").set("x", Secret("on-the-shared-bus"))
    other = SecretService(tmp_path / "other-bus", "pw").start()
    monkey = pytest.MonkeyPatch()
    try:
        monkey.setenv("DBUS_SESSION_BUS_ADDRESS", other.address)
        assert SecretStore("switch").get("x") is None  # a different Secret Service: not there
    finally:
        monkey.undo()
        other.stop()
    assert SecretStore("switch").require("x").reveal() == "on-the-shared-bus"


def test_a_collection_locked_after_first_use_is_refused(secret_service, tmp_path: Path) -> None:
    """Caching the handle must not skip the lock check: locked later means secrets.locked."""
    import secretstorage

    from tests.support.secret_service import SecretService

    service = SecretService(tmp_path / "lock-later", "pw").start()
    monkey = pytest.MonkeyPatch()
    try:
        monkey.setenv("DBUS_SESSION_BUS_ADDRESS", service.address)
        store = SecretStore("lock-later")
        store.set("x", Secret("while-unlocked"))
        with secretstorage.dbus_init() as connection:
            secretstorage.get_default_collection(connection).lock()
        with pytest.raises(RegisterServerError) as caught:
            store.get("x")
        assert caught.value.code == "secrets.locked"
        with pytest.raises(RegisterServerError) as caught:
            store.set("y", Secret("refused-while-locked"))
        assert caught.value.code == "secrets.locked"
    finally:
        monkey.undo()
        service.stop()

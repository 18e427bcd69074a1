"""Keyring fixtures: a real Secret Service, a locked one, and a machine with none.

`secret_service` points this process (and subprocesses it starts) at a private,
unlocked gnome-keyring over its own D-Bus. `no_keyring` simulates a headless server:
no D-Bus session at all. Both isolate keyring's own configuration (XDG_CONFIG_HOME,
PYTHON_KEYRING_BACKEND) and reset keyring's cached backend choice, so each test sees
the keyring its fixture made, not one detected earlier in the session.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

from tests.support.secret_service import SecretService

KEYRING_PASSWORD = "test-keyring-unlock-password"


def reset_keyring_choice() -> None:
    """Make the `keyring` package detect its backend again (it caches the first answer)."""
    import keyring.backend
    import keyring.core

    try:
        keyring.backend.get_all_keyring.reset()
    except KeyError:  # nothing cached yet
        pass
    keyring.core.init_backend()


def _isolate(monkeypatch: pytest.MonkeyPatch, tmp: Path, bus_address: str) -> None:
    config = tmp / "keyring-config"
    config.mkdir(exist_ok=True)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus_address)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.delenv("KEYRING_PROPERTY_PREFERRED_COLLECTION", raising=False)


def _linux_only(what: str) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip(f"{what} is Linux's (Secret Service over D-Bus); Windows and macOS have an OS keyring always")


@pytest.fixture(scope="session")
def _secret_service_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretService]:
    _linux_only("a private Secret Service")
    service = SecretService(tmp_path_factory.mktemp("secret-service"), KEYRING_PASSWORD).start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def secret_service(_secret_service_daemon: SecretService, monkeypatch: pytest.MonkeyPatch,
                   tmp_path: Path) -> Iterator[SecretService]:
    """A real, unlocked Secret Service on a private bus, for this process and its children."""
    _isolate(monkeypatch, tmp_path, _secret_service_daemon.address)
    reset_keyring_choice()
    import keyring
    from keyring.backends import SecretService as SecretServiceBackend

    assert SecretServiceBackend.Keyring.viable, "the private Secret Service is not reachable"
    keyring.set_keyring(SecretServiceBackend.Keyring())
    try:
        yield _secret_service_daemon
    finally:
        monkeypatch.undo()
        reset_keyring_choice()


@pytest.fixture
def locked_secret_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretService]:
    """A Secret Service whose default collection stays locked (started with the wrong password)."""
    _linux_only("a private Secret Service")
    service = SecretService(tmp_path / "locked-service", "the-first-password").start()
    try:
        service.stop_keyring()
        service.password = "a-different-password"
        service.start_keyring()
        _isolate(monkeypatch, tmp_path, service.address)
        reset_keyring_choice()
        yield service
    finally:
        service.stop()
        monkeypatch.undo()
        reset_keyring_choice()


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No D-Bus session and no keyring configuration: a headless server."""
    _linux_only("a machine without any keyring")
    _isolate(monkeypatch, tmp_path, "disabled:")
    reset_keyring_choice()
    try:
        yield
    finally:
        monkeypatch.undo()
        reset_keyring_choice()

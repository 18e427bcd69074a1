"""The secret store against a real Secret Service, a locked one, and none at all."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from wizard.core.errors import RegisterServerError
from wizard.core.secret import Secret
from wizard.core.secrets import SecretStore, keyring_status
from wizard.core.secrets.store import namespace_for

pytestmark = pytest.mark.e2e


def test_round_trip_in_real_secret_service(secret_service) -> None:
    store = SecretStore("round-trip")
    store.set("proxy-password", Secret("p@ss w0rd:with/odd+chars"))
    assert store.get("proxy-password") == Secret("p@ss w0rd:with/odd+chars")
    store.set("proxy-password", Secret("replaced"))
    assert store.get("proxy-password").reveal() == "replaced"
    store.delete("proxy-password")
    assert store.get("proxy-password") is None
    store.delete("proxy-password")  # deleting what is not there is fine


def test_value_is_really_in_the_secret_service(secret_service) -> None:
    """Read it back through a different client (secret-tool would do; here SecretStorage directly)."""
    import secretstorage

    store = SecretStore("independent-read")
    store.set("backup-passphrase", Secret("seen-by-another-client-123"))
    connection = secretstorage.dbus_init()
    try:
        items = list(secretstorage.get_default_collection(connection).search_items(
            {"service": store.service, "username": "backup-passphrase"}))
        assert [i.get_secret() for i in items] == [b"seen-by-another-client-123"]
    finally:
        connection.close()
    store.delete("backup-passphrase")


def test_identities_do_not_collide(secret_service, tmp_path: Path) -> None:
    first = SecretStore.for_state_dir(tmp_path / "one")
    second = SecretStore.for_state_dir(tmp_path / "two")
    assert first.namespace != second.namespace
    assert namespace_for(tmp_path / "one") == first.namespace
    first.set("proxy-password", Secret("first-value"))
    second.set("proxy-password", Secret("second-value"))
    assert first.get("proxy-password").reveal() == "first-value"
    assert second.get("proxy-password").reveal() == "second-value"


def test_status_reports_secret_service(secret_service) -> None:
    usable, description = keyring_status()
    assert usable and "SecretService" in description


def test_subprocess_inherits_the_secret_service(secret_service) -> None:
    SecretStore("child").set("proxy-password", Secret("from-parent"))
    code = ("from wizard.core.secrets import SecretStore; "
            "print(SecretStore('child').get('proxy-password').reveal())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "from-parent"


def test_no_backend_is_unavailable_never_plain_text(no_keyring, tmp_path: Path) -> None:
    store = SecretStore("headless")
    for call in (lambda: store.set("x", Secret("never-written")), lambda: store.get("x"), lambda: store.delete("x")):
        with pytest.raises(RegisterServerError) as caught:
            call()
        assert caught.value.code == "secrets.unavailable"
        assert "never-written" not in str(caught.value) + repr(caught.value) + (caught.value.detail or "")
    assert keyring_status()[0] is False
    assert not any(tmp_path.rglob("*.cfg")) and not any(p.is_file() for p in tmp_path.rglob("*"))


def test_keyring_package_itself_falls_to_fail_backend(no_keyring) -> None:
    """The environment our fixture makes is really the headless case testing-facts describes."""
    import keyring
    from keyring.backends import fail

    assert isinstance(keyring.get_keyring(), fail.Keyring)


def test_keyrings_alt_is_not_installed() -> None:
    assert importlib.util.find_spec("keyrings") is None or importlib.util.find_spec("keyrings.alt") is None


@pytest.mark.parametrize("configured", ["keyring.backends.null.Keyring", "keyring.backends.fail.Keyring"])
def test_configured_untrusted_backend_is_refused(no_keyring, monkeypatch, configured: str) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", configured)
    with pytest.raises(RegisterServerError) as caught:
        SecretStore("configured").set("x", Secret("not-stored"))
    assert caught.value.code == "secrets.unavailable"
    assert "not a secure store" in caught.value.message


def test_plaintext_file_backend_is_refused_even_when_viable(no_keyring, tmp_path: Path) -> None:
    """A keyrings.alt-style file backend (simulated: not installed here) must not be used."""
    from keyring.backend import KeyringBackend

    from wizard.core.secrets.backends import NoTrustedBackend, is_trusted, resolve_backend

    class PlaintextKeyring(KeyringBackend):  # what keyrings.alt.file.PlaintextKeyring does
        priority = 10  # would win keyring's own selection

        def get_password(self, service, username):
            return None

        def set_password(self, service, username, password):
            (tmp_path / "plain.cfg").write_text(password)

        def delete_password(self, service, username):
            pass

    try:
        from tests.support.fixtures_keyring import reset_keyring_choice

        reset_keyring_choice()
        import keyring

        assert isinstance(keyring.get_keyring(), PlaintextKeyring)  # keyring itself would use it
        assert not is_trusted(PlaintextKeyring())
        with pytest.raises(NoTrustedBackend):
            resolve_backend()
        with pytest.raises(RegisterServerError):
            SecretStore("plain").set("x", Secret("must-not-reach-disk"))
        assert not (tmp_path / "plain.cfg").exists()
    finally:
        KeyringBackend._classes.discard(PlaintextKeyring)
        reset_keyring_choice()


def test_locked_keyring_is_secrets_locked(locked_secret_service) -> None:
    with pytest.raises(RegisterServerError) as caught:
        SecretStore("locked").set("x", Secret("cannot-store"))
    assert caught.value.code == "secrets.locked"


def test_secret_service_stopping_midway_is_unavailable(secret_service, tmp_path: Path) -> None:
    """A Secret Service that goes away after detection: a clear code, not a D-Bus traceback."""
    from tests.support.secret_service import SecretService

    service = SecretService(tmp_path / "short-lived", "pw").start()
    monkey = pytest.MonkeyPatch()
    try:
        monkey.setenv("DBUS_SESSION_BUS_ADDRESS", service.address)
        store = SecretStore("short-lived")
        store.set("x", Secret("value-1"))
        service.stop_keyring()
        with pytest.raises(RegisterServerError) as caught:
            store.get("x")
        assert caught.value.code == "secrets.unavailable"
    finally:
        monkey.undo()
        service.stop()


def test_set_takes_only_secret(secret_service) -> None:
    with pytest.raises(TypeError):
        SecretStore("types").set("x", "plain str")  # type: ignore[arg-type]


def test_values_through_the_store_are_scrubbed_from_logs(secret_service, tmp_path: Path) -> None:
    """A library that logs a raw value it got from us (e.g. in a URL) cannot put it in our log."""
    import logging

    from wizard.core.logs import configure_logging, forget_secrets, stop_logging

    path = configure_logging(tmp_path / "state")
    try:
        store = SecretStore("scrub")
        store.set("proxy-password", Secret("Raw-value-set-1"))
        SecretStore("scrub-2").set("x", Secret("Raw-value-got-2"))
        forget_secrets()  # only what passes through `get` below may be known now
        got = store.get("proxy-password")
        assert got is not None
        logging.getLogger("httpx").info("proxy http://bob:%s@proxy:3128", got.reveal())
        logging.getLogger("httpx").info("other %s", "Raw-value-got-2")
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = path.read_text()
        assert "http://bob:<secret>@proxy:3128" in text and "Raw-value-set-1" not in text
        assert "other Raw-value-got-2" in text  # never read back in this test, so not known: not scrubbed
    finally:
        stop_logging()
        forget_secrets()


def test_no_backend_says_why(no_keyring) -> None:
    with pytest.raises(RegisterServerError) as caught:
        SecretStore("why").get("x")
    assert "no D-Bus session bus" in caught.value.message
    # the fix is the command for this system, not the catalogue's general sentence
    assert "dbus-run-session" in caught.value.fix and "Credential Manager" not in caught.value.fix


def test_bus_without_secret_service_says_so(secret_service, tmp_path: Path, monkeypatch) -> None:
    from tests.support.secret_service import SecretService

    service = SecretService(tmp_path / "bus-only", "pw").start()
    try:
        service.stop_keyring()
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", service.address)
        with pytest.raises(RegisterServerError) as caught:
            SecretStore("why-2").get("x")
        assert caught.value.code == "secrets.unavailable"
        assert "no Secret Service answers on the D-Bus session bus" in caught.value.message
    finally:
        service.stop()

"""Building registration settings for end-to-end tests (real vault, real proxy, real keyring)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from tests.support.fixtures_proxy import RunningProxy
from wizard.core.model import (EncryptionSettings, MachineSettings, ProxyMode, ProxySettings, RecoveryFolder,
                               RegistrationSettings, VaultSettings)
from wizard.registration import CancelToken
from wizard.core.secret import Secret

PASSPHRASE = "correct horse battery staple 42"
OTHER_PASSPHRASE = "a different passphrase entirely 7"


def proxy_settings(proxy: RunningProxy | None, *, password: str | None = None) -> ProxySettings:
    if proxy is None:
        return ProxySettings(mode=ProxyMode.NONE)
    return ProxySettings(mode=ProxyMode.CUSTOM, host=proxy.host, port=proxy.port, username=proxy.username or "",
                         password=Secret(password if password is not None else (proxy.password or ""))
                         if proxy.username else None)


def make_settings(credentials_file: Path, *, ca_bundle: Path | None, passphrase_dir: Path,
                  proxy: ProxySettings | None = None, passphrase: str = PASSPHRASE,
                  machine_name: str | None = "server01", passphrase_file: str = "server.passphrase.txt"
                  ) -> RegistrationSettings:
    return RegistrationSettings(
        machine=MachineSettings(name=machine_name),
        proxy=proxy or ProxySettings(),
        vault=VaultSettings(credentials_file=credentials_file, ca_bundle=ca_bundle),
        recovery=RecoveryFolder(passphrase_dir / "recovery", create=True),
        encryption=EncryptionSettings(passphrase=Secret(passphrase), confirmation=Secret(passphrase),
                                      save_to=passphrase_dir / passphrase_file, stored_safely=True),
    )


def cancel_while_waiting(work: Callable[[Callable[[], None]], object], cancel: "CancelToken") -> object:
    """Run `work(waiting)` in a thread, where `work` calls `waiting()` once it blocks on the
    network; check it is still blocked a second later, cancel, and return what it returned or
    raised. Fails if the cancel does not end it within 10 s (its timeouts are longer)."""
    blocked = threading.Event()
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(work(blocked.set))
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    assert blocked.wait(30), outcome
    worker.join(timeout=1)
    assert worker.is_alive(), "the peer is silent: the work must still be waiting"
    cancel.cancel()
    worker.join(timeout=10)
    assert not worker.is_alive(), "the cancel did not stop the blocked work"
    return outcome[0]

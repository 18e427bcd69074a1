"""What the registration procedure tells its caller: progress, results, connection checks, cancel.

Plain frozen dataclasses and a thread-safe cancel flag, so a Qt worker can forward them as
signals and the command line can print them, with no knowledge of each other.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping

from wizard.core.errors import Cancelled
from wizard.core.i18n import L_

STEPS: tuple[str, ...] = ("checking_credentials", "preparing_recovery_folder", "saving_passphrase", "connecting",
                          "authenticating", "registering", "saving")
# LazyText: English where kept (JSON, logs), `in_language(...)` where a person reads it.
STEP_MESSAGES: dict[str, str] = {
    "checking_credentials": L_("Checking the vault credentials file"),
    "preparing_recovery_folder": L_("Preparing the recovery folder"),
    "saving_passphrase": L_("Saving the passphrase"),
    "connecting": L_("Connecting to the vault"),
    "authenticating": L_("Proving the vault credentials"),
    "registering": L_("Registering this server"),
    "saving": L_("Saving the registration"),
}


class CancelToken:
    """Set from any thread; the procedure checks it between steps.

    A step that blocks on the network registers a callback (`on_cancel`) that stops its I/O,
    so a cancel does not wait for that step's timeouts.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` (in the cancelling thread) on cancel, or now if already cancelled.
        Returns a function that unregisters it."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return lambda: self._forget(callback)
        callback()
        return lambda: None

    def _forget(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


@dataclass(frozen=True)
class ProgressEvent:
    step: str
    message: str
    index: int
    total: int


@dataclass(frozen=True)
class RegistrationResult:
    machine_id: str
    machine_name: str
    vault_name: str
    registered_at: datetime
    re_registration: bool
    state_dir: Path


@dataclass(frozen=True)
class ConnectionCheck:
    """One step of `test_connection`: ``proxy_choice``, ``dns``, ``tcp``, ``proxy``, ``tls`` or
    ``token_endpoint``; `facts` is what a script reads (the proxy chosen, its source, the PAC's answer)."""

    step: str
    ok: bool
    detail: str
    code: str | None = None
    facts: Mapping[str, object] | None = None

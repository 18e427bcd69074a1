"""What the registration procedure tells its caller: progress, results, connection checks, cancel.

Plain frozen dataclasses and a thread-safe cancel flag, so a Qt worker can forward them as
signals and the command line can print them, with no knowledge of each other.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from wizard.core.errors import Cancelled

STEPS: tuple[str, ...] = ("checking_credentials", "saving_passphrase", "connecting", "authenticating",
                          "registering", "saving")
STEP_MESSAGES: dict[str, str] = {
    "checking_credentials": "Checking the vault credentials file",
    "saving_passphrase": "Saving the passphrase",
    "connecting": "Connecting to the vault",
    "authenticating": "Proving the vault credentials",
    "registering": "Registering this server",
    "saving": "Saving the registration",
}
CONNECTION_STEPS: tuple[str, ...] = ("dns", "tcp", "proxy", "tls", "token_endpoint")


class CancelToken:
    """Set from any thread; the procedure checks it between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

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
    """One step of `test_connection`: ``dns``, ``tcp``, ``proxy``, ``tls`` or ``token_endpoint``."""

    step: str
    ok: bool
    detail: str
    code: str | None = None

"""The registration use cases, above the network client: the faces' one way in.

`run_registration` reads the credentials file, saves the passphrase (file, then keyring),
connects, proves the credentials key, registers and saves the result, reporting progress
and honouring cancellation between steps. `test_connection` checks the way to the vault
(DNS, TCP, proxy, TLS, token endpoint) without registering. `maintenance` changes settings
and unregisters a registered server. The wire formats and the progress events they share
with the vault and the faces live in `wizard.core.registration`.

Layers (import-linter, `pyproject.toml`): the faces (ui, commands, docs) call this package;
it calls `wizard.net` and `wizard.core`; nothing below imports it.

Heavy modules (httpx, cryptography) are imported on first use, so importing this package
is cheap for the GUI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wizard.core.registration.events import (
    STEPS,
    CancelToken,
    ConnectionCheck,
    ProgressEvent,
    RegistrationResult,
)

if TYPE_CHECKING:
    from wizard.registration.connection import test_connection
    from wizard.registration.procedure import run_registration

__all__ = ["STEPS", "CancelToken", "ConnectionCheck", "ProgressEvent", "RegistrationResult",
           "run_registration", "test_connection"]


def __getattr__(name: str) -> Any:
    if name == "run_registration":
        from wizard.registration.procedure import run_registration

        return run_registration
    if name == "test_connection":
        from wizard.registration.connection import test_connection

        return test_connection
    raise AttributeError(name)

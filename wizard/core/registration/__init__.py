"""The registration procedure: the one path the wizard, the command line and the tests take.

`run_registration` reads the credentials file, saves the passphrase (file, then keyring),
connects, proves the credentials key, registers and saves the result, reporting progress
and honouring cancellation between steps. `test_connection` checks the way to the vault
(DNS, TCP, proxy, TLS, token endpoint) without registering. The protocol is described in
``wizard/vault/README.md``; its constants are in `wire`.

Heavy modules (httpx, cryptography) are imported on first use, so importing this package
is cheap for the GUI and for the vault service, which shares `wire`.
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
    from wizard.core.registration.connection import test_connection
    from wizard.core.registration.procedure import run_registration

__all__ = ["STEPS", "CancelToken", "ConnectionCheck", "ProgressEvent", "RegistrationResult",
           "run_registration", "test_connection"]


def __getattr__(name: str) -> Any:
    if name == "run_registration":
        from wizard.core.registration.procedure import run_registration

        return run_registration
    if name == "test_connection":
        from wizard.core.registration.connection import test_connection

        return test_connection
    raise AttributeError(name)

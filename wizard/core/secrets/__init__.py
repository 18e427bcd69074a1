"""Secrets at rest: the OS keyring or systemd-creds (never plain text) and the machine key they protect.

The names below are loaded on first use (PEP 562), so importing a small module of this
package (`choice`, for the command line's `--secret-store`) does not load the keyring
machinery on the wizard's start-up path.
"""

from typing import Any

__all__ = ["SecretStore", "keyring_status"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from wizard.core.secrets import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

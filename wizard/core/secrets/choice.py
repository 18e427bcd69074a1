"""Which secret store holds a registration's secrets: the OS keyring (default) or systemd-creds.

Why the record decides: the secrets of a registration are only found in the store that
took them, so registration writes its store into the record (`secret_store`) and every later
command (status, settings, unregister, passphrase sheet, diagnostics) reads it from there.
An explicit choice (answer file `[secrets] store`, `--secret-store`) is needed only before
there is a record; one that names another store than the record's is refused
(`secrets.store_mismatch`) rather than looking for the secrets where they are not.
"""

from __future__ import annotations

import os
from pathlib import Path

KEYRING = "keyring"
SYSTEMD_CREDS = "systemd-creds"
STORES = (KEYRING, SYSTEMD_CREDS)
RECORD_KEY = "secret_store"


def recorded_store(root: Path | str) -> str | None:
    """The store the registration record in `root` names; None when there is no record
    (records written before the choice existed mean the keyring)."""
    from wizard.core.storage.state import REGISTRATION

    path = Path(root) / REGISTRATION
    if not path.exists():
        return None
    import json  # here, not at the top: the wizard's start-up path imports this module for STORES

    from wizard.core.storage.private import open_private

    try:
        with os.fdopen(open_private(path, os.O_RDONLY), "r", encoding="utf-8") as stream:
            record = json.load(stream)
    except (OSError, ValueError):
        return None  # a damaged record is reported by its own reader; the default store is assumed here
    value = record.get(RECORD_KEY, KEYRING) if isinstance(record, dict) else KEYRING
    return value if value in STORES else KEYRING


def store_for(root: Path | str, wanted: str | None) -> str:
    """The store to use for the state folder `root`, given an explicit choice or None."""
    if wanted is not None and wanted not in STORES:
        raise ValueError(f"unknown secret store {wanted!r}")
    recorded = recorded_store(root)
    if wanted is None:
        return recorded or KEYRING
    if recorded is not None and recorded != wanted:
        from wizard.core.errors import RegisterServerError  # here: the parser imports this module at start-up

        raise RegisterServerError(
            "secrets.store_mismatch",
            detail=f"(this server's registration keeps its secrets in {recorded}; {wanted} was asked for)")
    return wanted

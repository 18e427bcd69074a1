"""The machine's private key at rest: encrypted in the state directory, its key in the keyring.

Why: the private key proves this machine to the vault. A copy of the state directory
(backup, diagnostics, a stolen disk image) must not be enough to impersonate the machine,
so the PEM on disk is encrypted (PKCS#8, `BestAvailableEncryption`) with a random key
that lives only in the OS keyring.

Crash safety: each protection key has its own keyring entry, named by a random id that
the key file records. A new key is put in the keyring *before* the file that needs it is
atomically replaced, and the old entry is removed only afterwards, so a crash at any
point leaves a file whose key is still in the keyring.
"""

from __future__ import annotations

import base64
import logging
import secrets as random
from typing import TYPE_CHECKING

from wizard.core.errors import RegisterServerError
from wizard.core.secret import Secret
from wizard.core.secrets.store import MACHINE_KEY_PREFIX, SecretStore

if TYPE_CHECKING:
    from wizard.core.storage.state import StateStore

log = logging.getLogger(__name__)

KEY_FILE = "machine-key.json"
FORMAT = "register-server machine key 1"


def protect_private_key(store: "StateStore", secrets: SecretStore, pem: bytes) -> None:
    """Save the private key `pem` (unencrypted PEM) encrypted; its protection key goes to the keyring."""
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise ValueError("not an unencrypted PEM private key") from None
    key_id = random.token_hex(8)
    protection = Secret(base64.urlsafe_b64encode(random.token_bytes(32)).decode("ascii"))
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(protection.reveal().encode("ascii")),
    )
    previous = _read_document(store)
    secrets.set(_entry(key_id), protection)
    try:
        store.save_json(KEY_FILE, {"format": FORMAT, "key_id": key_id, "pem": encrypted.decode("ascii")})
    except BaseException:
        _forget(secrets, key_id)
        raise
    if previous is not None and previous.get("key_id") != key_id:
        _forget(secrets, str(previous.get("key_id")))


def load_private_key(store: "StateStore", secrets: SecretStore) -> bytes:
    """The machine's private key as unencrypted PKCS#8 PEM (kept in memory only)."""
    from cryptography.hazmat.primitives import serialization

    document = _read_document(store)
    if document is None:
        raise RegisterServerError("state.not_registered", detail=f"(no {KEY_FILE} in {store.root})")
    protection = secrets.require(_entry(str(document["key_id"])))
    try:
        key = serialization.load_pem_private_key(document["pem"].encode("ascii"),
                                                 password=protection.reveal().encode("ascii"))
    except (ValueError, TypeError):
        raise RegisterServerError("state.corrupt", reason="machine_key_undecryptable",
                                  detail=f"({store.path(KEY_FILE)})") from None
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def forget_private_key(store: "StateStore", secrets: SecretStore) -> None:
    """Remove the key file and its keyring entry (after unregistering)."""
    document = _read_document(store)
    store.delete(KEY_FILE)
    if document is not None:
        _forget(secrets, str(document.get("key_id")))


def _read_document(store: "StateStore") -> dict | None:
    document = store.load_json(KEY_FILE)
    if document is None:
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT or "pem" not in document \
            or "key_id" not in document:
        raise RegisterServerError("state.corrupt", reason="machine_key_format", detail=f"({store.path(KEY_FILE)})")
    return document


def _entry(key_id: str) -> str:
    return f"{MACHINE_KEY_PREFIX}.{key_id}"


def _forget(secrets: SecretStore, key_id: str) -> None:
    try:
        secrets.delete(_entry(key_id))
    except RegisterServerError as error:  # a leftover entry is harmless; say so in the log only
        log.warning("could not remove an old machine-key entry from the keyring: %s", error.code)

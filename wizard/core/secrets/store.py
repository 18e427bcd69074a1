"""The secret store: named secrets of one identity in the OS keyring.

Why: the backup passphrase (for the backup engine), the proxy password and the key that
protects the machine's private key must survive restarts without ever touching a file in
plain text. Values go in and out as `Secret`; keyring failures become stable codes:
no usable store -> `secrets.unavailable`, locked store -> `secrets.locked`.

Every value that passes through the store is also remembered by the log filter
(`wizard.core.logs.remember_secret`), so it is scrubbed from any later log line.

Entries are stored under the service name `register-server/<namespace>` and the secret's
name as the user name. The namespace defaults to one derived from the state directory,
so several `--home` identities on one machine never overwrite each other's secrets.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from wizard.core.errors import RegisterServerError
from wizard.core.logs import remember_secret
from wizard.core.secret import Secret
from wizard.core.secrets.advice import advice_for
from wizard.core.secrets.backends import NoTrustedBackend, describe, resolve_backend

log = logging.getLogger(__name__)

SERVICE_PREFIX = "register-server"

# Names other modules use for their secrets (one place, so diagnostics and tests know them).
BACKUP_PASSPHRASE = "backup-passphrase"
PROXY_PASSWORD = "proxy-password"
MACHINE_KEY_PREFIX = "machine-key-protection"


def namespace_for(root: Path | str) -> str:
    """A short stable namespace for a state directory: its absolute path, hashed."""
    digest = hashlib.sha256(str(Path(root).expanduser().resolve()).encode("utf-8")).hexdigest()
    return digest[:16]


class SecretStore:
    """Named secrets in the OS keyring; never falls back to plain text."""

    def __init__(self, namespace: str, *, backend: Any | None = None) -> None:
        if not namespace or any(ch in namespace for ch in "\r\n\x00"):
            raise ValueError("namespace must be a non-empty single line")
        self.namespace = namespace
        self.service = f"{SERVICE_PREFIX}/{namespace}"
        self._backend = backend  # injected only by unit tests of failure paths

    @classmethod
    def for_state_dir(cls, root: Path | str, kind: str | None = None) -> "SecretStore":
        """The store belonging to the identity whose state lives in `root`: the OS keyring, or for the
        machine-wide state of a per-machine Windows install, DPAPI machine scope in that folder.

        `kind` is an explicit choice (`wizard.core.secrets.choice`); None means the store the
        registration record names, else the keyring. `systemd-creds` keeps the secrets as
        machine-bound blobs in that folder (`wizard.core.secrets.systemd_creds`)."""
        from wizard.core.install_scope import is_machine_state
        from wizard.core.secrets.choice import SYSTEMD_CREDS, store_for

        if store_for(root, kind) == SYSTEMD_CREDS:
            from wizard.core.secrets.systemd_creds import SystemdCredsKeyring

            return cls(namespace_for(root), backend=SystemdCredsKeyring(Path(root)))
        if is_machine_state(Path(root)):  # pragma: no cover - Windows only
            from wizard.core.secrets.dpapi_file import DpapiMachineKeyring

            return cls(namespace_for(root), backend=DpapiMachineKeyring(Path(root)))
        return cls(namespace_for(root))

    @property
    def backend(self) -> Any:
        """The trusted backend in use (resolved on first use); `secrets.unavailable` if none."""
        if self._backend is None:
            try:
                self._backend = resolve_backend()
            except NoTrustedBackend as exc:
                raise RegisterServerError("secrets.unavailable", reason="no_backend", detail=f"({exc})",
                                          advice=advice_for("secrets.unavailable")) from None
        return self._backend

    def set(self, name: str, value: Secret) -> None:
        """Store `value` under `name`, replacing any previous value."""
        if not isinstance(value, Secret):
            raise TypeError("SecretStore.set takes a Secret")
        remember_secret(value)
        self._call("set", lambda b: b.set_password(self.service, _check_name(name), value.reveal()))

    def get(self, name: str) -> Secret | None:
        """The secret stored under `name`, or None if there is none."""
        raw = self._call("get", lambda b: b.get_password(self.service, _check_name(name)))
        if raw is None:
            return None
        secret = Secret(raw)
        remember_secret(secret)
        return secret

    def require(self, name: str) -> Secret:
        """Like `get`, but a missing secret is `secrets.missing`."""
        value = self.get(name)
        if value is None:
            raise RegisterServerError("secrets.missing", detail=f"(entry {name!r} of the {getattr(self.backend, 'name', None) or 'keyring'} secret store)")
        return value

    def delete(self, name: str) -> None:
        """Remove `name`; removing a secret that is not there is not an error."""
        from keyring.errors import PasswordDeleteError

        if getattr(self.backend, "deletes_without_reading", False):
            # A file store forgets a secret without opening it: one this machine can no longer
            # decrypt must still be removable (`unregister --local-only` after a lost host key).
            try:
                self.backend.delete_password(self.service, _check_name(name))
            except PasswordDeleteError:
                pass
            return
        if self.get(name) is None:
            return
        try:
            self._call("delete", lambda b: b.delete_password(self.service, _check_name(name)))
        except RegisterServerError as error:
            if isinstance(error.__cause__, PasswordDeleteError) and self.get(name) is None:
                return
            raise

    def _call(self, operation: str, action: Any) -> Any:
        from keyring.errors import InitError, KeyringLocked, NoKeyringError

        backend = self.backend
        try:
            return action(backend)
        except RegisterServerError:  # a backend of ours (systemd-creds) already said what and what to do
            raise
        except KeyringLocked as exc:
            raise RegisterServerError("secrets.locked", detail=f"({describe(backend)})",
                                      advice=advice_for("secrets.locked")) from exc
        except (NoKeyringError, InitError) as exc:
            raise RegisterServerError("secrets.unavailable", reason=type(exc).__name__,
                                      detail=f"({describe(backend)}: {operation} failed)",
                                      advice=advice_for("secrets.unavailable")) from exc
        except Exception as exc:  # D-Bus errors and other backend failures: say which, never the value
            log.debug("keyring %s failed with %s", operation, type(exc).__name__)
            raise RegisterServerError("secrets.unavailable", reason=type(exc).__name__,
                                      detail=f"({describe(backend)}: {operation} failed)",
                                      advice=advice_for("secrets.unavailable")) from exc


def keyring_status() -> tuple[bool, str]:
    """(usable, description) of the keyring this process would use - for self-test and diagnostics."""
    try:
        backend = resolve_backend()
    except NoTrustedBackend as exc:
        return False, str(exc)
    return True, describe(backend)


def _check_name(name: str) -> str:
    if not name or any(ch in name for ch in "\r\n\x00"):
        raise ValueError("secret name must be a non-empty single line")
    return name

"""The saved registration record: what this server is registered to, and with which settings.

Written as ``registration.json`` in the state directory by `run_registration`; read by the
status, settings and diagnostics faces. It holds no secret: the passphrase and the proxy
password are referenced by their keyring entry names, the machine's private key lives
encrypted in ``machine-key.json`` (its key in the keyring), the certificate next to it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wizard import __version__
from wizard.core.errors import RegisterServerError

if TYPE_CHECKING:
    from wizard.core.credentials import VaultCredentials
    from wizard.core.model import RegistrationSettings
    from wizard.core.registration.protocol import RegisteredMachine
    from wizard.core.storage import StateStore

RECORD_FORMAT = 1

# What every reader of the record indexes directly (status, settings, unregister, re-registration);
# everything else is read with defaults.
_REQUIRED_TEXT: dict[str, tuple[str, ...]] = {
    "": ("registered_at",),
    "vault": ("name", "resource_id", "registration_url"),
    "machine": ("id", "name"),
}


def load_record(store: "StateStore") -> "RegistrationRecord | None":
    """The saved registration, or None when not registered; `state.corrupt` when it lacks what readers need.

    Why here and not in the store: the store keeps JSON documents, the record's shape is this
    module's. A record that parses but has lost a field must read as "damaged", not crash
    its reader with an unexpected error.
    """
    record = store.load_registration()
    if record is None:
        return None
    return RegistrationRecord.from_json(record, source=str(store.path("registration.json")))


def save_record(store: "StateStore", record: "RegistrationRecord") -> None:
    """Replace the saved registration with `record`, atomically (the store's write)."""
    store.save_registration(record.to_json())


def missing_fields(record: dict[str, Any]) -> list[str]:
    """Dotted names of the required fields that are absent or not text; empty when the shape is right."""
    missing = []
    for section, keys in _REQUIRED_TEXT.items():
        part = record.get(section) if section else record
        for key in keys:
            if not isinstance(part, dict) or not isinstance(part.get(key), str):
                missing.append(f"{section}.{key}" if section else key)
    return missing


def settings_summary(settings: "RegistrationSettings") -> dict[str, Any]:
    """The settings without secrets; secrets appear only as ``<store>:<entry>`` references
    (``keyring:backup-passphrase``, ``systemd-creds:backup-passphrase``)."""
    from wizard.core.secrets.store import BACKUP_PASSPHRASE, PROXY_PASSWORD

    store = settings.secret_store or "keyring"
    proxy = settings.proxy
    throttling = settings.throttling
    return {
        "proxy": {
            "mode": proxy.mode.value, "host": proxy.host, "port": proxy.port, "username": proxy.username,
            "password": f"{store}:{PROXY_PASSWORD}" if proxy.authenticated and proxy.password else None,
            # Written only when not the default, so records of plain proxies stay as they were.
            **({"auth": proxy.auth.value} if proxy.auth.value != "auto" else {}),
            **({"integrated": True} if proxy.integrated else {}),
            **({"pac_url": proxy.pac_url} if proxy.pac_url else {}),
            **({"bypass": list(proxy.bypass)} if proxy.bypass else {}),
        },
        "throttling": {
            "enabled": throttling.enabled,
            "work_days": [day.key for day in sorted(throttling.work_days)],  # week order, as people read it
            "work_start": throttling.work_start.strftime("%H:%M"),
            "work_end": throttling.work_end.strftime("%H:%M"),
            "work_bandwidth_bps": throttling.work_bandwidth.bits_per_second,
            "non_work_bandwidth_bps": throttling.non_work_bandwidth.bits_per_second,
        },
        "recovery": {
            "path": str(settings.recovery.path) if settings.recovery.path else None,
            "space_needed_bytes": settings.recovery.space_needed_bytes,
        },
        "encryption": {
            "passphrase": f"{store}:{BACKUP_PASSPHRASE}",
            "passphrase_file": str(settings.encryption.save_to) if settings.encryption.save_to else None,
        },
        "vault_ca_bundle": str(settings.vault.ca_bundle) if settings.vault.ca_bundle else None,
    }


def build_record(settings: "RegistrationSettings", credentials: "VaultCredentials", machine: "RegisteredMachine",
                 *, machine_cert_file: str, saved_at: datetime,
                 previous: "RegistrationRecord | None") -> "RegistrationRecord":
    """The record of a registration just made; a re-registration of the same machine keeps its first date."""
    first = previous.registered_at if previous and previous.machine.id == machine.machine_id else None
    return RegistrationRecord.from_json({
        "format": RECORD_FORMAT,
        "agent_version": __version__,
        "registered_at": first or machine.registered_at.isoformat(),
        "saved_at": saved_at.isoformat(),
        "re_registration": machine.re_registration,
        "vault": {
            "name": credentials.vault_name,
            "resource_id": str(credentials.resource_id),
            "subscription_id": credentials.subscription_id,
            "resource_group": credentials.resource_group,
            "location": credentials.location,
            "tenant_id": credentials.aad_tenant_id,
            "client_id": credentials.service_principal_client_id,
            "token_url": credentials.token_url,
            "registration_url": credentials.registration_url,
            "credentials_thumbprint_sha1": credentials.thumbprint_sha1,
        },
        "machine": {
            "id": machine.machine_id,
            "name": machine.machine_name,
            "certificate_file": machine_cert_file,
            "key_file": "machine-key.json",
        },
        "settings": settings_summary(settings),
        # Which store holds the secrets: every later command looks for them there (secrets/choice.py).
        "secret_store": settings.secret_store or "keyring",
        # Whether the passphrase in force is sealed at the vault (status and the sheet say so).
        "escrow": machine.escrow.to_record() if machine.escrow else {"in_force": False},
    })


# -- the typed record -------------------------------------------------------------------------
# Why typed: a dozen readers indexed ``record["vault"]["name"]`` and each re-decided what an
# absent key meant. The types say it once. Optional fields are None when the file lacks them,
# and `to_json` leaves them out again, so a record written by any version reads and writes back
# to the same JSON (a key saved as an explicit null is the only thing not kept: every reader
# treats null and absent alike). Keys this version does not know are kept in ``extra`` and
# written back after the known ones, so a newer or older writer's additions survive a save.

_VAULT_KEYS = ("name", "resource_id", "subscription_id", "resource_group", "location", "tenant_id",
               "client_id", "token_url", "registration_url", "credentials_thumbprint_sha1")
_MACHINE_KEYS = ("id", "name", "certificate_file", "key_file")
_RECORD_KEYS = ("format", "agent_version", "registered_at", "saved_at", "re_registration", "vault", "machine",
                "settings", "secret_store", "escrow")


def _present(pairs: "tuple[tuple[str, Any], ...]", extra: dict[str, Any]) -> dict[str, Any]:
    """`pairs` without the absent (None) values, in their order, then the unknown keys kept from the file."""
    document = {key: value for key, value in pairs if value is not None}
    document.update(copy.deepcopy(extra))
    return document


def _unknown(document: dict[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    return {key: copy.deepcopy(value) for key, value in document.items() if key not in known}


@dataclass(frozen=True)
class VaultRef:
    """The vault this server is registered to, as its credentials file named it (no secret)."""

    name: str
    resource_id: str  # text: the 64-bit id compared with a credentials file's ``str(resource_id)``
    registration_url: str
    subscription_id: str | None = None
    resource_group: str | None = None
    location: str | None = None
    tenant_id: str | None = None
    client_id: str | None = None
    token_url: str | None = None
    credentials_thumbprint_sha1: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> "VaultRef":
        values = {key: document.get(key) for key in _VAULT_KEYS}
        return cls(**values, extra=_unknown(document, _VAULT_KEYS))

    def to_json(self) -> dict[str, Any]:
        return _present(tuple((key, getattr(self, key)) for key in _VAULT_KEYS), self.extra)


@dataclass(frozen=True)
class MachineRef:
    """This server as the vault knows it: its id, its name, and where its identity files are."""

    id: str
    name: str
    certificate_file: str | None = None
    key_file: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> "MachineRef":
        values = {key: document.get(key) for key in _MACHINE_KEYS}
        return cls(**values, extra=_unknown(document, _MACHINE_KEYS))

    def to_json(self) -> dict[str, Any]:
        return _present(tuple((key, getattr(self, key)) for key in _MACHINE_KEYS), self.extra)


@dataclass(frozen=True)
class RegistrationRecord:
    """``registration.json`` read into types: what this server is registered to and with which settings.

    `settings` stays the JSON-shaped summary of `settings_summary`: it already is the
    serialisation of the typed `RegistrationSettings` (`settings_from_record` reads it back
    into that model), and `status --json` prints it as is; a second typed copy of the model
    would be a second place to change for every new setting.
    """

    registered_at: str
    vault: VaultRef
    machine: MachineRef
    format: int | None = None
    agent_version: str | None = None
    saved_at: str | None = None
    re_registration: bool | None = None
    settings: dict[str, Any] | None = None
    secret_store: str | None = None  # None: written before the choice existed, which means the keyring
    escrow: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, document: dict[str, Any], *, source: str = "registration.json") -> "RegistrationRecord":
        """The record in `document`; `state.corrupt` (wrong_shape) when it lacks a field readers need."""
        missing = missing_fields(document)
        if missing:
            raise RegisterServerError("state.corrupt", reason="wrong_shape",
                                      detail=f"({source}: no {', '.join(missing)})")
        values = {key: copy.deepcopy(document.get(key)) for key in _RECORD_KEYS if key not in ("vault", "machine")}
        return cls(vault=VaultRef.from_json(document["vault"]), machine=MachineRef.from_json(document["machine"]),
                   **values, extra=_unknown(document, _RECORD_KEYS))

    def to_json(self) -> dict[str, Any]:
        """The JSON document `build_record` wrote: same keys, same order, same values."""
        values = {key: copy.deepcopy(getattr(self, key)) for key in _RECORD_KEYS if key not in ("vault", "machine")}
        values["vault"], values["machine"] = self.vault.to_json(), self.machine.to_json()
        return _present(tuple((key, values[key]) for key in _RECORD_KEYS), self.extra)

    @property
    def store(self) -> str:
        """Where the secrets are kept: the recorded store, the keyring for records from before the choice."""
        return self.secret_store or "keyring"

    @property
    def escrow_state(self) -> dict[str, Any]:
        """The escrow entry as `status` shows it: ``{"in_force": False}`` when none was recorded."""
        return copy.deepcopy(self.escrow) if self.escrow else {"in_force": False}

    @property
    def escrowed(self) -> bool:
        """Whether the passphrase in force is sealed at the vault."""
        return bool((self.escrow or {}).get("in_force"))

    def summary(self) -> dict[str, Any]:
        """The saved settings summary (a copy), empty when the record has none."""
        return copy.deepcopy(self.settings) if self.settings else {}

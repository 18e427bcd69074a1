"""The saved registration record: what this server is registered to, and with which settings.

Written as ``registration.json`` in the state directory by `run_registration`; read by the
status, settings and diagnostics faces. It holds no secret: the passphrase and the proxy
password are referenced by their keyring entry names, the machine's private key lives
encrypted in ``machine-key.json`` (its key in the keyring), the certificate next to it.
"""

from __future__ import annotations

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


def load_record(store: "StateStore") -> dict[str, Any] | None:
    """The saved registration, or None when not registered; `state.corrupt` when it lacks what readers need.

    Why here and not in the store: the store keeps JSON documents, the record's shape is this
    module's. A record that parses but has lost a field must read as "damaged", not crash
    its reader with an unexpected error.
    """
    record = store.load_registration()
    if record is None:
        return None
    missing = missing_fields(record)
    if missing:
        raise RegisterServerError("state.corrupt", reason="wrong_shape",
                                  detail=f"({store.path('registration.json')}: no {', '.join(missing)})")
    return record


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
                 *, machine_cert_file: str, saved_at: datetime, previous: dict[str, Any] | None) -> dict[str, Any]:
    first = previous.get("registered_at") if previous and previous.get("machine", {}).get("id") == \
        machine.machine_id else None
    return {
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
    }

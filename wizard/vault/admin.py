"""Administration of a vault data directory: what the `register-server vault ...` commands do.

A data directory holds ``vault.sqlite3`` (state), ``tls/`` (CA, server certificate),
``token.key`` (signs access tokens) and, while `vault serve` runs, ``service.json`` (its URL
and CA file), which `vault credentials` reads to put the right URLs in a file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from wizard.core.limits import CREDENTIAL_LIFETIME_DEFAULT, MAX_MACHINES_PER_VAULT
from wizard.core.registration import wire
from wizard.vault.refusal import VaultRefusal
from wizard.vault.security import EscrowEnvelope, RecoveryCertificate, VaultSecurity
from wizard.vault.storage import REDUNDANCIES, MachineRecord, SqliteVaultStorage, VaultRecord

DB_NAME = "vault.sqlite3"
SERVICE_FILE = "service.json"
TOKEN_KEY_FILE = "token.key"


@dataclass(frozen=True)
class ServiceInfo:
    url: str
    ca_file: Path
    pid: int


def vault_urls(base_url: str, vault: VaultRecord) -> tuple[str, str]:
    """(AadAuthority, IdMgmtRestEndpoint) for a service at `base_url`."""
    base = base_url.rstrip("/")
    return base + wire.AUTHORITY_PATH, base + wire.REST_PATH


class VaultAdmin:
    """The admin operations on one data directory (safe to use while `vault serve` runs)."""

    def __init__(self, data_dir: Path | str) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.storage = SqliteVaultStorage(self.data_dir / DB_NAME)
        self.security = VaultSecurity(self.data_dir / DB_NAME)

    def close(self) -> None:
        self.security.close()
        self.storage.close()

    def __enter__(self) -> "VaultAdmin":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def vault(self, name: str) -> VaultRecord:
        found = self.storage.vault_by_name(name)
        if found is None:
            raise VaultRefusal("vault.not_found", 404, f"No vault named {name!r} in {self.data_dir}.")
        return found

    def create_vault(self, name: str, *, redundancy: str = "GRS",
                     credential_lifetime: timedelta = CREDENTIAL_LIFETIME_DEFAULT,
                     max_machines: int = MAX_MACHINES_PER_VAULT, now: datetime | None = None) -> VaultRecord:
        from wizard.core.credentials.fields import is_issuable_vault_name

        if not is_issuable_vault_name(name):
            raise VaultRefusal("request.invalid", 400,
                               "A vault name is 2-50 letters, digits and hyphens, starting with a letter.")
        if redundancy not in REDUNDANCIES:
            raise VaultRefusal("request.invalid", 400, f"Redundancy must be one of {', '.join(REDUNDANCIES)}.")
        if max_machines < 1 or credential_lifetime <= timedelta(0):
            raise VaultRefusal("request.invalid", 400, "The machine limit and credential lifetime must be positive.")
        return self.storage.create_vault(name=name, redundancy=redundancy,
                                         credential_hours=credential_lifetime.total_seconds() / 3600,
                                         max_machines=max_machines, now=now or datetime.now(timezone.utc))

    def issue_credentials(self, name: str, out_dir: Path | str, *, base_url: str | None = None,
                          now: datetime | None = None, lifetime: timedelta | None = None) -> Path:
        """Write a new credentials file for `name`; it supersedes every earlier one.

        Like the original service, a full vault issues no more files (domain facts: "a
        download or registration past that fails").
        """
        from wizard.core.credentials import issue_credentials, write_credentials_file

        vault = self.vault(name)
        if len(self.storage.machines(vault.id)) >= vault.max_machines:
            raise VaultRefusal("vault.full", 409, f"Vault {name!r} already holds its maximum of "
                                                  f"{vault.max_machines} machines.")
        url = base_url or self.service_info().url
        authority, rest = vault_urls(url, vault)
        issued = issue_credentials(
            vault_name=vault.name, subscription_id=vault.subscription_id, resource_group=vault.resource_group,
            location=vault.location, resource_id=vault.resource_id, tenant_id=vault.tenant_id,
            client_id=vault.client_id, authority_url=authority, rest_endpoint=rest,
            lifetime=lifetime or timedelta(hours=vault.credential_hours), now=now)
        from cryptography.hazmat.primitives import serialization

        self.storage.add_credential(
            vault.id, thumbprint_sha1=issued.thumbprint_sha1,
            certificate_pem=issued.certificate.public_bytes(serialization.Encoding.PEM),
            not_before=issued.not_before, not_after=issued.not_after,
            issued_at=now or datetime.now(timezone.utc))
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        return write_credentials_file(issued, out)

    def machines(self, name: str) -> list[MachineRecord]:
        return self.storage.machines(self.vault(name).id)

    def set_redundancy(self, name: str, redundancy: str) -> VaultRecord:
        if redundancy not in REDUNDANCIES:
            raise VaultRefusal("request.invalid", 400, f"Redundancy must be one of {', '.join(REDUNDANCIES)}.")
        vault = self.vault(name)
        self.storage.set_redundancy(vault.id, redundancy)
        return self.vault(name)

    def remove_machine(self, name: str, machine: str) -> None:
        if not self.storage.remove_machine(self.vault(name).id, machine):
            raise VaultRefusal("machine.not_found", 404, f"No machine named {machine!r} in vault {name!r}.")

    def delete_vault(self, name: str) -> None:
        self.storage.delete_vault(self.vault(name).id)

    # escrow ---------------------------------------------------------------------------------
    def set_recovery_certificate(self, name: str, data: bytes, *, now: datetime | None = None) -> RecoveryCertificate:
        """Set or replace the vault's recovery certificate; envelopes already stored stay as they are."""
        from cryptography.hazmat.primitives import serialization

        from wizard.core.errors import RegisterServerError
        from wizard.core.escrow import certificate_fingerprint, load_recovery_certificate

        vault = self.vault(name)
        try:
            certificate = load_recovery_certificate(data, now=now)
        except RegisterServerError as error:
            raise VaultRefusal(error.code, 400, error.message) from None
        return self.security.set_recovery_certificate(
            vault.id, certificate.public_bytes(serialization.Encoding.PEM), certificate_fingerprint(certificate),
            now=now or datetime.now(timezone.utc))

    def envelopes(self, name: str, machine: str) -> list[EscrowEnvelope]:
        """Every envelope version kept for `machine` in vault `name`, oldest first."""
        found = self.security.envelopes(self.vault(name).id, machine)
        if not found:
            raise VaultRefusal("escrow.not_found", 404, f"Vault {name!r} holds no escrow envelope for {machine!r}.")
        return found

    # security PINs --------------------------------------------------------------------------
    def issue_pin(self, name: str, *, now: datetime | None = None) -> tuple[str, datetime]:
        return self.security.issue_pin(self.vault(name).id, now=now or datetime.now(timezone.utc))

    def set_pin_required(self, name: str, required: bool) -> None:
        self.security.set_pin_required(self.vault(name).id, required)

    def pin_required(self, name: str) -> bool:
        return self.security.pin_required(self.vault(name).id)

    # the running service ------------------------------------------------------------------
    def service_info(self) -> ServiceInfo:
        path = self.data_dir / SERVICE_FILE
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            info = ServiceInfo(str(data["url"]), Path(data["ca_file"]), int(data["pid"]))
        except (OSError, ValueError, KeyError, TypeError):
            raise VaultRefusal("service.not_running", 409, "The vault service is not running for this data "
                                                           "directory: start `register-server vault serve` or pass "
                                                           "--url.") from None
        if not _alive(info.pid):
            raise VaultRefusal("service.not_running", 409, "The vault service recorded in service.json has stopped: "
                                                           "start `register-server vault serve` or pass --url.")
        return info


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

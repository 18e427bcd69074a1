"""Machine name and vault settings."""

from __future__ import annotations

import re

from wizard.core.issues import Issue, issue
from wizard.core.limits import MACHINE_NAME_MAX_LENGTH
from wizard.core.model import MachineSettings, VaultSettings

_NAME = re.compile(rf"(?!-)[A-Za-z0-9-]{{1,{MACHINE_NAME_MAX_LENGTH}}}(?<!-)")  # fullmatch: `$` lets "x\n" in


def validate_machine(machine: MachineSettings) -> list[Issue]:
    if machine.name is None:
        return []
    if not _NAME.fullmatch(machine.name):
        return [issue("machine.name", "machine.name_invalid")]
    return []


def validate_vault(vault: VaultSettings) -> list[Issue]:
    """Cheap check only; the file itself is verified by `wizard.core.credentials.read_credentials`."""
    if vault.credentials_file is None or not str(vault.credentials_file).strip():
        return [issue("vault.credentials_file", "vault.credentials_file_required")]
    return []


def check_ca_bundle(vault: VaultSettings) -> list[Issue]:
    """Disk check: an optional CA bundle must be a readable PEM file with a certificate."""
    if vault.ca_bundle is None:
        return []
    try:
        text = vault.ca_bundle.read_text(encoding="ascii", errors="replace")
    except OSError:
        return [issue("vault.ca_bundle", "vault.ca_bundle_unreadable")]
    if "-----BEGIN CERTIFICATE-----" not in text:
        return [issue("vault.ca_bundle", "vault.ca_bundle_unreadable")]
    return []

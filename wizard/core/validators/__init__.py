"""Validators: pure functions from model objects to field-tagged `Issue`s.

`validate_*` are cheap (no disk, no network): they run on every keystroke in the wizard.
`check_*_on_disk` touch the file system: the wizard runs them when a field is left or
on Next, the command line before registering.
"""

from __future__ import annotations

from wizard.core.issues import Issue
from wizard.core.model import RegistrationSettings
from wizard.core.validators.encryption import (RuleCheck, check_encryption_on_disk, passphrase_rules,
                                                validate_encryption, validate_passphrase, validate_save_location)
from wizard.core.validators.machine_vault import check_ca_bundle, validate_machine, validate_vault
from wizard.core.validators.proxy import normalize_proxy_host, parse_port_text, url_host, validate_proxy
from wizard.core.validators.recovery import (check_recovery_on_disk, format_size, parse_size_text,
                                              validate_recovery)
from wizard.core.validators.throttling import parse_bandwidth_text, parse_time_text, validate_throttling
from wizard.core.volumes import free_space_bytes


def validate_settings(settings: RegistrationSettings) -> list[Issue]:
    """Every cheap check of every step, in step order."""
    return [
        *validate_machine(settings.machine),
        *validate_proxy(settings.proxy),
        *validate_vault(settings.vault),
        *validate_throttling(settings.throttling),
        *validate_recovery(settings.recovery),
        *validate_encryption(settings.encryption, settings.recovery),
    ]


def check_settings_on_disk(settings: RegistrationSettings) -> list[Issue]:
    """The disk checks (the credentials file is checked by the credentials reader)."""
    return [
        *check_ca_bundle(settings.vault),
        *check_recovery_on_disk(settings.recovery),
        *check_encryption_on_disk(settings.encryption),
    ]


__all__ = [
    "Issue", "RuleCheck", "validate_settings", "check_settings_on_disk",
    "validate_machine", "validate_proxy", "validate_vault", "validate_throttling", "validate_recovery",
    "validate_encryption", "validate_passphrase", "validate_save_location", "passphrase_rules",
    "check_ca_bundle", "check_recovery_on_disk", "check_encryption_on_disk",
    "parse_bandwidth_text", "parse_time_text", "parse_port_text", "parse_size_text",
    "normalize_proxy_host", "url_host", "format_size", "free_space_bytes",
]

"""Secrets at rest: the OS keyring (never plain text) and the machine key it protects."""

from wizard.core.secrets.store import SecretStore, keyring_status

__all__ = ["SecretStore", "keyring_status"]

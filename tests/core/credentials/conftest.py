"""Shared inputs for the credentials tests: a fixed clock and the arguments of one vault download."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from wizard.core.credentials import IssuedCredentials, issue_credentials

# Every test runs against this clock, never the wall clock.
NOW = datetime(2026, 11, 24, 10, 0, 0, tzinfo=timezone.utc)

VAULT: dict[str, Any] = {
    "vault_name": "contoso-vault",
    "subscription_id": "3c8f1b5e-6a2d-4f7b-9e0c-1d2e3f4a5b6c",
    "resource_group": "backup-rg",
    "location": "westeurope",
    "resource_id": 7205759403792793,
    "tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
    "client_id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    "authority_url": "https://127.0.0.1:8443/aad",
    "rest_endpoint": "https://127.0.0.1:8443/restapi/",
    "agent_links": "Agent,https://127.0.0.1:8443/agent;Docs,https://127.0.0.1:8443/docs",
}


@pytest.fixture(scope="session")
def issued() -> IssuedCredentials:
    """One file issued at NOW with the default 48 h lifetime (a key generation is ~50 ms: share it)."""
    return issue_credentials(**VAULT, now=NOW)
